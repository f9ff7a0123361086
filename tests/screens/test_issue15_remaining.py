"""Issue 15, the last screens: words in the right language on the admin login, the 我的 page, the leaderboard's live
script; one style for percentages; no full-width punctuation in English."""

import re

import pytest
from django.conf import settings
from django.test import Client


def _text(html: str) -> str:
    html = re.sub(r"<(script|style|noscript)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_admin_login_is_chinese_in_chinese_and_english_in_english(db):
    text = _text(Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "密码" in text and "Password" not in text
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(client.get("/admin/login/").content.decode())
    assert "Password" in text and "密码" not in text


def test_percentages_are_written_one_way():
    from elearn.org.templatetags.numbers import format_percent

    assert [format_percent(v) for v in (0, 0.0, "0.0", 50.0, 12.5, 66.666, 100, None)] == [
        "0%", "0%", "0%", "50%", "12.5%", "66.67%", "100%", "—"
    ]  # fmt: skip


def test_the_campaign_report_writes_no_trailing_zero_percent(
    client_for, district_admin, inst_a, inst_b, officer_a, officer_b
):
    from django.urls import reverse

    from tests.leaderboard.report_factories import build_campaign

    campaign = build_campaign(inst_a, inst_b, officer_a, officer_b)
    client = client_for(district_admin)
    for url in (reverse("leaderboard_reports"), reverse("leaderboard_report_items", args=[campaign["exam"].pk])):
        text = _text(client.get(url).content.decode())
        assert "%" in text
        assert not re.search(r"\d\.0+\s*%|\b\d+\.0\b", text), re.findall(
            r".{20}\d\.0+\s*%.{5}|.{20}\b\d+\.0\b.{5}", text
        )


FULL_WIDTH = re.compile(r"[：，。（）；！？、]")
QUOTED_CHINESE = re.compile(r"“[^”]*”")  # an English message may quote the Chinese a person types (“答案：B”)


def test_english_messages_use_english_punctuation():
    """The English said "Consultation day："; no full-width punctuation in the English catalogue's msgstr, except inside quotes of the
    Chinese a person writes."""
    import polib

    po = polib.pofile(str(settings.LOCALE_PATHS[0] / "en/LC_MESSAGES/django.po"))
    bad = [(e.msgid, e.msgstr) for e in po if e.msgstr and FULL_WIDTH.search(QUOTED_CHINESE.sub("", e.msgstr))]
    assert not bad, bad[:10]


# Site pages (not the admin) whose words sit next to punctuation written outside the translated string.
SITE_TEMPLATES = ["content/home_page.html", "quizzes/practice_feedback.html", "quizzes/practice_wrongbook.html",
                  "quizzes/attempt_result.html", "quizzes/exam_detail.html", "blocks/document_block.html",
                  "privacy/my_data.html"]  # fmt: skip
AFTER_TRANSLATION = re.compile(r"(?:\{% translate \"[^\"]*\"[^%]*%\}|\{% endblocktranslate %\})[：，。（）；]")


@pytest.mark.parametrize("name", SITE_TEMPLATES)
def test_no_full_width_punctuation_glued_to_a_translated_word(name):
    """`{% translate "咨询日" %}：` printed "Consultation day：" in English: the punctuation goes through the catalogue
    too (`{% translate "：" context "冒号" %}`, "括号", "分隔", "列举")."""
    source = (settings.BASE_DIR / "elearn/templates" / name).read_text(encoding="utf-8")
    assert not AFTER_TRANSLATION.findall(source)


def test_the_home_page_says_consultation_day_with_an_english_colon(staff_a):
    from content.demo import seed_home

    seed_home()
    client = Client()
    client.force_login(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(client.get("/").content.decode())
    assert "Consultation day: " in text and "Consultation day：" not in text


OTHER_APPS = ("campaign", "drills", "hazards")  # their own tables: translated by those apps


def test_my_data_speaks_the_readers_language(staff_a):
    """我的数据 listed its tables and columns in Chinese on the English page (labels were plain strings)."""
    from django.utils import translation

    from elearn.privacy import registry
    from elearn.privacy.selectors import my_data

    mine = {t.key for t in registry.tables() if t.model.split(".")[0] not in OTHER_APPS}
    with translation.override("en"):
        copies = [
            c for c in my_data(staff_a) if c.key in mine or c.key in ("profile", "access_about_me", "access_by_me")
        ]
        words = [c.label for c in copies] + [h for c in copies for h in c.headings]
    assert "Personal information" in words and "Employee no." in words, words[:12]
    assert not [w for w in words if re.search(r"[\u3400-\u9fff]", w)]
    with translation.override("zh-hans"):
        assert my_data(staff_a)[0].label == "个人信息"
