"""Mainland mobile numbers in one spelling (spaces, dashes and +86 removed), for login and roster matching."""

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
