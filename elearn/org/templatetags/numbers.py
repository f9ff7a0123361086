"""{{ value|score }}: one way to write a score or points everywhere: no trailing zeros (94, 2, 4.5, 93.75), never
"94.0", "2.00" or "4.00/100.00"; "—" for none. Used by every page that shows a score.
{{ value|percent }}: a share in the same style with its sign (0%, 12.5%, 100%), never "0.0%"; "—" for none."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def format_score(value) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    number = number.quantize(Decimal("0.01")).normalize()
    text = format(number, "f")
    return "0" if text in ("-0", "") else text


register.filter("score", format_score)


def format_percent(value) -> str:
    text = format_score(value)
    return text if text == "—" else f"{text}%"


register.filter("percent", format_percent)
