"""The QR code's check-in tokens: `<drill id>-<step>-<mac>`, a new one every DRILLS_QR_ROTATE_SECONDS, each accepted
for DRILLS_QR_MAX_AGE_SECONDS (long enough to log in after scanning, short enough that a photo of the screen passed
round a chat group soon stops working). The MAC is keyed by the site's secret and the drill's own check-in secret,
which closing check-in replaces: every code shown before stops working at once."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from django.conf import settings

TOKEN_RE = re.compile(r"^(\d{1,12})-(\d{1,12})-([0-9a-f]{20})$")


def rotate_seconds() -> int:
    return max(5, int(getattr(settings, "DRILLS_QR_ROTATE_SECONDS", 60)))


def max_age_seconds() -> int:
    return max(rotate_seconds(), int(getattr(settings, "DRILLS_QR_MAX_AGE_SECONDS", 600)))


def _mac(drill_id: int, secret: str, step: int) -> str:
    key = f"drills.checkin:{settings.SECRET_KEY}:{secret}".encode()
    return hmac.new(key, f"{drill_id}-{step}".encode(), hashlib.sha256).hexdigest()[:20]


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // rotate_seconds())


def make_token(drill_id: int, secret: str, *, now: float | None = None) -> str:
    step = current_step(now)
    return f"{drill_id}-{step}-{_mac(drill_id, secret, step)}"


@dataclass(frozen=True)
class ParsedToken:
    drill_id: int
    step: int
    mac: str


def parse_token(token: str) -> ParsedToken | None:
    # Phones' scanners and chat apps may upper-case the code or carry a space along: the token is hex, so neither matters.
    match = TOKEN_RE.match((token or "").strip().lower())
    if not match:
        return None
    return ParsedToken(int(match[1]), int(match[2]), match[3])


def token_is_valid(parsed: ParsedToken, secret: str, *, now: float | None = None) -> bool:
    """Signed with this secret, not from the future, not older than the maximum age."""
    if not hmac.compare_digest(parsed.mac, _mac(parsed.drill_id, secret, parsed.step)):
        return False
    step_now = current_step(now)
    oldest = step_now - max_age_seconds() // rotate_seconds()
    return oldest <= parsed.step <= step_now
