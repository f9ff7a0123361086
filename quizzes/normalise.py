"""Text normalisation shared by fill-in scoring, duplicate detection and importers.

Full-width characters become half-width (NFKC), case is folded, and white space and punctuation (Chinese and
Western) are removed: "１２０ 米。" and "120米" compare equal.
"""

import hashlib
import re
import unicodedata

_PUNCT_OR_SPACE = re.compile(r"[\s\u3000]+|[^\w]", re.UNICODE)


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return _PUNCT_OR_SPACE.sub("", text).replace("_", "")


def fingerprint(*parts) -> str:
    """A stable hash of normalised parts (strings or lists of strings)."""
    flat = []
    for part in parts:
        if isinstance(part, list | tuple):
            flat.append("\x1f".join(normalise_text(p) for p in part))
        else:
            flat.append(normalise_text(part))
    return hashlib.sha256("\x1e".join(flat).encode()).hexdigest()
