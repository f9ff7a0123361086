"""Login throttling: after too many failures an account, or an address, waits. Counters live in the cache."""

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 30


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"login-fail:acct:{username.lower()}", f"login-fail:addr:{address}"


def login_allowed(username: str, address: str) -> int:
    """0 if a login attempt may proceed, else the seconds to wait."""
    account, addr = _keys(username, address)
    if (cache.get(account) or 0) >= MAX_PER_ACCOUNT or (cache.get(addr) or 0) >= MAX_PER_ADDRESS:
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
    cache.delete(_keys(username, "")[0])
