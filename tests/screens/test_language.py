"""One language at a time. Chinese users met English from the frameworks (Django 5.2's reworded short-password
message, Wagtail 8's dashboard "66 Pages", "Search all pages…", "Wagtail 8.0.1 editor guide": strings missing from
their zh_Hans catalogues, filled by elearn/locale/zh_Hans), a bare "True" in the staff list; English users met
Chinese dates (formats written into templates) and a language picker that called English "英语"."""

import datetime
import json
import re
from pathlib import Path

import django
import pytest
import wagtail
from django.conf import settings
from django.test import Client
from django.utils.translation import trans_real

from content.demo import seed_home
from tests.factories import PASSWORD

DJANGO = Path(django.__file__).parent
WAGTAIL = Path(wagtail.__file__).parent
# The framework catalogues whose strings reach this platform's screens (site and admin).
CATALOGUES = [
    ("django", DJANGO / "conf/locale/en/LC_MESSAGES/django.po"),
    ("django", DJANGO / "contrib/auth/locale/en/LC_MESSAGES/django.po"),
    ("django", WAGTAIL / "locale/en/LC_MESSAGES/django.po"),
    ("django", WAGTAIL / "admin/locale/en/LC_MESSAGES/django.po"),
    ("djangojs", WAGTAIL / "admin/locale/en/LC_MESSAGES/djangojs.po"),
    ("django", WAGTAIL / "users/locale/en/LC_MESSAGES/django.po"),
    ("django", WAGTAIL / "images/locale/en/LC_MESSAGES/django.po"),
    ("django", WAGTAIL / "documents/locale/en/LC_MESSAGES/django.po"),
    ("django", WAGTAIL / "snippets/locale/en/LC_MESSAGES/django.po"),
]


def _po_entries(path: Path):
    """(context, msgid, plural?) of every entry of a .po file."""
    for block in re.split(r"\n\n+", path.read_text(encoding="utf-8")):
        fields = {}
        key = None
        for line in block.splitlines():
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")$", line)
            if match:
                key = match.group(1)
                fields[key] = json.loads(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += json.loads(line)
        if fields.get("msgid"):
            yield fields.get("msgctxt"), fields["msgid"], "msgid_plural" in fields


def test_every_framework_string_on_our_screens_has_chinese():
    """After a Django or Wagtail upgrade this lists the new strings to add to elearn/locale/zh_Hans."""
    untranslated = []
    for domain, path in CATALOGUES:
        catalogue = trans_real.DjangoTranslation("zh-hans", domain=domain)._catalog
        for context, msgid, plural in _po_entries(path):
            key = f"{context}\x04{msgid}" if context else msgid
            if not catalogue.get((key, 0) if plural else key):
                untranslated.append(f"{path.relative_to(path.parents[3])}: {msgid[:70]}")
    assert not untranslated, f"{len(untranslated)} untranslated:\n" + "\n".join(untranslated[:40])


def test_a_short_password_is_refused_in_chinese(client_for, staff_a):
    response = client_for(staff_a).post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "ab3", "new_password2": "ab3"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    assert "密码太短，至少需要 8 个字符。" in html
    assert "too short" not in html and "This password" not in html


def test_the_admin_dashboard_is_chinese(client_for, district_admin):
    seed_home()
    html = client_for(district_admin).get("/admin/").content.decode()
    assert "搜索全部页面…" in html and "编辑指南" in html and re.search(r"\d+ 个页面", html)
    assert "Search all pages" not in html and "editor guide" not in html and not re.search(r"\d+ Pages\b", html)


def test_the_staff_list_says_active_in_words(client_for, district_admin, staff_a, staff_b):
    staff_b.is_active = False
    staff_b.save(update_fields=["is_active"])
    html = client_for(district_admin).get("/admin/staff/").content.decode()
    cells = re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", html, re.S)
    assert not any(re.fullmatch(r"True|False", re.sub(r"<[^>]+>", "", c).strip()) for c in cells)
    assert "在用" in html and "已停用" in html


def test_english_pages_show_english_dates(staff_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC), tick=False)
    seed_home()
    client = Client()
    client.force_login(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    main = client.get("/").content.decode().split('<main id="main"', 1)[1]
    assert "Dec 6, 2026" in main and "Dec 21" in main  # the campaign's dates and the consultation day
    assert not re.search(r"\d+月\d+日|\d{4}年", main)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert "2026年12月6日" in client.get("/").content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_picker_names_each_language_in_itself(client_for, staff_a, language):
    client = client_for(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/me/").content.decode()
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', html.split('id="lang"', 1)[1])
    assert options == [("zh-hans", "简体中文"), ("en", "English")]
    assert "英语" not in html


def test_a_persons_record_says_active_and_last_login_in_words(client_for, district_admin, staff_a):
    html = client_for(district_admin).get(f"/admin/staff/inspect/{staff_a.pk}/").content.decode()
    values = [re.sub(r"<[^>]+>|\s+", "", v) for v in re.findall(r"<dd[^>]*>(.*?)</dd>", html, re.S)]
    assert "在用" in values and "从未登录" in values
    assert not {"True", "False", "None"} & set(values), values
