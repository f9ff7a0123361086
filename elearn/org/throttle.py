"""Login throttling, with django-axes: failed password checks are counted in the cache, and a login past a limit is
refused before any password is checked. Three counters, each with its own limit, within a fixed 15-minute window:

- this account from this address: 5. The lockout a mistyping user (or someone guessing) meets. A stranger elsewhere
  locks only their own address out of the victim's account, never the victim's.
- this account from anywhere: ELEARN_LOGIN_FAILURES_PER_ACCOUNT (30). The ceiling on guessing one account from many
  addresses. An address contributes at most 5 to it (attempts refused by a lockout are not counted), so one stranger
  needs six addresses within the window to reach it.
- this address, any account: ELEARN_LOGIN_FAILURES_PER_ADDRESS (300). Stops one source guessing across many accounts.
  High on purpose: a hospital's staff share one NAT address, and on exam day hundreds of them log in within minutes,
  some mistyping. It counts the client's real address, so behind a proxy daphne must run with --proxy-headers
  (README, Backends and scaling out); without it every client would share the proxy's address.

A device the account has logged in from before (a signed cookie, KNOWN_DEVICE_COOKIE, set after every successful
login by elearn.org.middleware.KnownDeviceMiddleware) is exempt from the account-wide ceiling and from its address's
pair counter: it has a counter of its own for this account (5). So failures from elsewhere, however many addresses a
stranger uses, never lock the owner out on the phone or computer they use (the device-cookie defence OWASP
describes); a new device meets the ordinary counters.

An account has one counter however its login is spelled (工号, or the mobile with spaces, dashes or +86), so
spelling variations cannot multiply its attempts. A successful login forgives the account's counters (this address
and anywhere), never the address's. Windows are fixed from the first failure, not extended by later ones: a
hospital's trickle of typos over an exam morning never adds up to a lockout.

Axes has one limit for all its counters; its maintainers point to a handler for separate ones (jazzband/django-axes
#661), which is LoginLockoutHandler below. The authentication backend (elearn.org.auth) asks before every password
check, so every login page (the site's, Wagtail's admin) is covered; the site's form asks first to say why; the
password change counts a wrong current password like a failed login.
"""

import secrets
from datetime import timedelta

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cache_timeout, get_client_cache_keys, get_client_username, get_credentials
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing

from elearn.org.phones import normalise_mobile
from elearn.org.selectors import find_account

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT_AND_ADDRESS = 5
MAX_PER_ACCOUNT_AND_DEVICE = 5
KNOWN_DEVICE_COOKIE = "elearn_device"
KNOWN_DEVICE_SALT = "elearn.org.throttle.known-device"
KNOWN_DEVICE_DAYS = 365


def max_per_account() -> int:
    return settings.ELEARN_LOGIN_FAILURES_PER_ACCOUNT


def max_per_address() -> int:
    return settings.ELEARN_LOGIN_FAILURES_PER_ADDRESS


# --- what axes asks of the project (named in settings: AXES_*) --------------------------------------------------


def lockout_parameters(request_or_attempt=None, credentials=None) -> list:
    """The counters, in the order of their limits (limits())."""
    return [["username", "ip_address"], "username", "ip_address"]


def limits() -> list[int]:
    return [MAX_PER_ACCOUNT_AND_ADDRESS, max_per_account(), max_per_address()]


def failure_limit(request=None, credentials=None) -> int:
    """The limit axes shows in its own messages: the one a person meets."""
    return MAX_PER_ACCOUNT_AND_ADDRESS


def cool_off(request=None) -> timedelta:
    return timedelta(seconds=WINDOW_SECONDS)


def client_address(request) -> str:
    """The client's address as daphne gives it (with --proxy-headers behind a proxy)."""
    return (request.META.get("REMOTE_ADDR") if request is not None else "") or "unknown"


def account_key(request, credentials=None) -> str:
    """One name per account however its login is spelled: its 工号, or for a login that names no account the login
    itself (a mobile in one spelling). Remembered on the request: axes asks several times per attempt."""
    credentials = credentials or {}
    login = credentials.get("username") or credentials.get("employee_no")
    if login is None and request is not None:
        login = getattr(request, "POST", {}).get("username")
    login = (login or "").strip()
    if not login:
        return ""
    cache = request.__dict__.setdefault("_elearn_account_keys", {}) if request is not None else {}
    if login not in cache:
        account = find_account(login)
        cache[login] = account.employee_no if account is not None else f"?{(normalise_mobile(login) or login).lower()}"
    return cache[login]


def known_device_cookie(account: str) -> str:
    """A new known-device cookie value for `account` (its 工号): signed, with a random id for this device."""
    return signing.dumps({"a": account, "d": secrets.token_urlsafe(12)}, salt=KNOWN_DEVICE_SALT, compress=True)


def _known_device(request) -> tuple[str, str] | None:
    """(account, device id) of this request's known-device cookie, if it is valid."""
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not value:
        return None
    try:
        data = signing.loads(value, salt=KNOWN_DEVICE_SALT, max_age=timedelta(days=KNOWN_DEVICE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("a") or not data.get("d"):
        return None
    return data["a"], data["d"]


def known_device_account(request) -> str | None:
    """The account whose known device this request comes from, if its cookie is valid."""
    device = _known_device(request)
    return device[0] if device else None


def _device_key(request, account: str) -> str | None:
    device = _known_device(request)
    if account and device and device[0] == account:
        return f"elearn-login-device:{account}:{device[1]}"
    return None


class LoginLockoutHandler(AxesCacheHandler):
    """Axes' cache handler with a limit for each counter (limits()) instead of one for all, and the known-device
    exemption (see the module's docstring)."""

    def _counters(self, request, credentials) -> list[tuple[str, int]]:
        counters = list(zip(get_client_cache_keys(request, credentials), limits(), strict=True))
        if not get_client_username(request, credentials):
            return counters[2:]  # no login: the address only
        device = _device_key(request, account_key(request, credentials))
        if device is not None:  # the owner's own device: its own counter instead of the pair's and the account's
            return [(device, MAX_PER_ACCOUNT_AND_DEVICE), counters[2]]
        return counters

    def is_locked(self, request, credentials=None) -> bool:
        counters = self._counters(request, credentials)
        counts = self.cache.get_many([key for key, _limit in counters])
        return any((counts.get(key) or 0) >= limit for key, limit in counters)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:  # a shell or a management command: not an attempt over the network
            return
        if request.axes_locked_out:  # refused before any password check: not counted (see the module's docstring)
            request.axes_credentials = credentials
            return
        if self.is_whitelisted(request, credentials):
            return
        window = get_cache_timeout(request)
        for key, _limit in self._counters(request, credentials):
            if not self.cache.add(key, 1, window):
                try:
                    self.cache.incr(key)  # keeps the window of the first failure
                except ValueError:  # expired between add and incr
                    self.cache.set(key, 1, window)
        if self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        """A success forgives the account (here and anywhere), never the address."""
        if request is None:
            return
        pair, account, _address = get_client_cache_keys(request, get_credentials(user.get_username()))
        device = _device_key(request, account_key(request, get_credentials(user.get_username())))
        self.cache.delete_many([key for key in (pair, account, device) if key])

    def user_logged_out(self, sender, request, user, **kwargs):
        pass


# --- what the project asks ------------------------------------------------------------------------------------------


def wait_seconds(request, login: str) -> int:
    """0 if a password check for `login` from this request's address may proceed, else the seconds to wait."""
    if not settings.AXES_ENABLED or request is None:
        return 0
    return 0 if AxesProxyHandler.is_allowed(request, get_credentials(login)) else WINDOW_SECONDS


def count_failed_check(request, login: str) -> None:
    """A wrong password outside the login form (the current password on the password page) counts as a failure."""
    user_login_failed.send(sender=__name__, credentials=get_credentials(login), request=request)
