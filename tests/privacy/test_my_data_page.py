"""我的数据 is read by a nurse on a phone: flags as 是/否, times as local "2026-12-06 23:08", each record as a list of
label and value (the review found False, ISO timestamps and raw lists in wide tables)."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from elearn.privacy.templatetags.privacy import person_value

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value,text",
    [
        (True, "是"),
        (False, "否"),
        (None, "—"),
        ("", "—"),
        ("2026-12-06T15:08:55+00:00", "2026-12-06 23:08"),
        ([3, 1], "3、1"),
        ({"A": True}, "A：是"),
        ("护理部", "护理部"),
    ],
)
def test_values_read_as_words(value, text):
    with timezone.override("Asia/Shanghai"):
        assert person_value(value) == text


def test_the_page_has_no_raw_values(staff_a):
    staff_a.last_login = timezone.now() - dt.timedelta(days=1)
    staff_a.save()
    client = Client()
    client.force_login(staff_a)
    html = client.get("/me/data/").content.decode()
    assert 'class="my-data-row"' in html
    assert not re.search(r">\s*(True|False|None)\s*<", html)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", html)
