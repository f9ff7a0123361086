"""Scores are written one way: 94 分, 2 分, 4 / 100, 93.75 — never 94.0, 2.00 or 4.00/100.00."""

from decimal import Decimal

import pytest

from elearn.org.templatetags.numbers import format_score


@pytest.mark.parametrize(
    "value,text",
    [
        (Decimal("94.00"), "94"),
        (Decimal("2.00"), "2"),
        (94.0, "94"),
        (94, "94"),
        (Decimal("4.50"), "4.5"),
        (Decimal("93.75"), "93.75"),
        (Decimal("100.000"), "100"),
        (Decimal("0.00"), "0"),
        (1e2, "100"),
        (None, "—"),
        (33.333333, "33.33"),
    ],
)
def test_scores_have_no_trailing_zeros(value, text):
    assert format_score(value) == text
