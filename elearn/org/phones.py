"""Mainland mobile numbers in one spelling (spaces, dashes and +86 removed), for login and roster matching, and the
one rule for masking them (`mask_mobile`)."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value) -> str:
    """Return an 11-digit mainland mobile number, or '' when `value` is not one.

    Accepts spaces, dashes, a +86/0086 prefix and numbers that spreadsheets stored as floats (1.38e10 -> '13800000000').
    """
    if value is None:
        return ""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    text = re.sub(r"[\s\-()（）]", "", text)
    text = re.sub(r"^(\+?86|0086)", "", text)
    return text if _MOBILE.match(text) else ""


def mask_mobile(value) -> str:
    """The one masking rule for mobile numbers shown to anyone but their owner: the first three and last four digits,
    the middle four hidden (13812341234 -> 138****1234). Whatever is stored (a number in another spelling, a short or
    malformed value) is masked the same way on its digits, never shown whole; '' stays ''."""
    if value is None:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    digits = normalise_mobile(text) or re.sub(r"\D", "", text)
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:2]}****{digits[-2:]}"
    return "****"
