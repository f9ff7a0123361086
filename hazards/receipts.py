"""Receipt codes of anonymous reports, and the hashed form of a submission's client_uuid.

A receipt code is 140 bits (28 characters of Crockford base32, shown in seven groups of four: ``7KQ2-...``), derived
with the server's secret from the client_uuid of the submission that created the report, so that a retried
submission (the phone's outbox resending after a lost answer) gets the same code again. Only SHA-256 hashes are
stored: of the code, and of the client_uuid. Whoever holds neither the code nor the draft's client_uuid (which only
the reporting browser had) cannot get the code back; the database alone does not give it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from django.conf import settings

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 28  # 28 x 5 = 140 bits
GROUP = 4
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def stored_client_uuid(client_uuid: uuid.UUID) -> uuid.UUID:
    """What the row keeps of a submission's client_uuid: a one-way hash of it, still a UUID and still unique."""
    digest = hashlib.sha256(b"hazards.client_uuid:" + client_uuid.bytes).digest()
    return uuid.UUID(bytes=digest[:16])


def receipt_for(client_uuid: uuid.UUID) -> str:
    key = hashlib.sha256(b"hazards.receipt:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, client_uuid.bytes, hashlib.sha256).digest()
    number = int.from_bytes(digest[:18], "big") >> (18 * 8 - LENGTH * 5)
    chars = []
    for _ in range(LENGTH):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    code = "".join(reversed(chars))
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(code: str) -> str:
    """The code as typed (spaces, dashes, lower case, O for 0, I or L for 1) in its canonical form, or ''."""
    text = "".join(ch for ch in str(code or "").upper() if ch.isalnum()).translate(CONFUSABLE)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def receipt_hash(code: str) -> str:
    """The stored form of a code ('' when the code is malformed)."""
    canonical = normalise(code)
    return hashlib.sha256(b"hazards.receipt:" + canonical.encode()).hexdigest() if canonical else ""
