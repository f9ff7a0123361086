"""Guessing receipt codes: failed tries are counted per address (a hash of it, in the cache, for 15 minutes) and for
the whole site. Nothing is counted for a code that works, and nothing here is kept in the database or linked to a
report or an account."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 15 * 60


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "HAZARDS_RECEIPT_FAILURES_PER_ADDRESS", 10)),
        int(getattr(settings, "HAZARDS_RECEIPT_FAILURES_SITEWIDE", 500)),
    )


def _keys(request) -> tuple[str, str]:
    address = (request.META.get("REMOTE_ADDR") or "unknown").encode()
    salt = settings.SECRET_KEY.encode()
    return "hazards:receipt-fail:" + hashlib.sha256(salt + b":" + address).hexdigest()[:32], "hazards:receipt-fail:all"


def receipt_blocked(request) -> bool:
    per_address, sitewide = _limits()
    mine, everyone = _keys(request)
    counts = cache.get_many([mine, everyone])
    return counts.get(mine, 0) >= per_address or counts.get(everyone, 0) >= sitewide


def receipt_failed(request) -> None:
    for key in _keys(request):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)
