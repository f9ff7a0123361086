"""Login throttling: after too many failures an account, or an address, waits. Counters live in the cache.

The per-address limit stops one source from guessing across many accounts. It is high on purpose: a hospital's
staff share one NAT address, and on exam day hundreds of them log in within minutes, some mistyping. It counts the
client's real address, so behind a proxy daphne must run with --proxy-headers (README, Backends and scaling out);
without it every client would share the proxy's address. ELEARN_LOGIN_FAILURES_PER_ADDRESS sets it.

An account has one counter however its login is spelled (工号, or the mobile with spaces, dashes or +86), so
spelling variations cannot multiply its attempts. The authentication backend (elearn.org.auth) counts and enforces,
so every login page (the site's, Wagtail's admin) is covered; the site's form only asks first, to say why.
"""

from django.conf import settings
from django.core.cache import cache

from elearn.org.phones import normalise_mobile
from elearn.org.selectors import find_account

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 5


def max_per_address() -> int:
    return settings.ELEARN_LOGIN_FAILURES_PER_ADDRESS


def _account_key(username: str) -> str:
    login = username.strip()
    account = find_account(login)
    if account is not None:
        return f"login-fail:user:{account.pk}"
    return f"login-fail:acct:{(normalise_mobile(login) or login).lower()}"


def _keys(username: str, address: str) -> list[str]:
    return [_account_key(username)] + ([f"login-fail:addr:{address}"] if address else [])


def login_allowed(username: str, address: str) -> int:
    """0 if a login attempt may proceed, else the seconds to wait."""
    keys = _keys(username, address)
    counts = cache.get_many(keys)
    limits = (MAX_PER_ACCOUNT, max_per_address())
    if any((counts.get(key) or 0) >= limit for key, limit in zip(keys, limits, strict=False)):
        return WINDOW_SECONDS
    return 0


def login_failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)


def login_succeeded(username: str) -> None:
    cache.delete(_account_key(username))
