"""Adversarial review of the campaign tasks (issue 16, parts 1-3 and 5): each test is a hole found by attacking the
feature as a hostile member of staff, a curious officer or a careless admin, kept so it stays closed."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaign.tasks import selectors, services
from campaign.tasks.exceptions import TaskError
from campaign.tasks.models import ChecklistItem, TaskSubmission
from elearn.evidence import EvidenceRejected, clean_document
from tests.campaign.factories import all_yes, jpeg_with_exif, make_campaign, make_task


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(task, **extra) -> dict:
    data = {services.item_field(i.key): "yes" for i in task.items.all()}
    data.update(extra)
    return data


# --- idempotency ---------------------------------------------------------------------------------------------------


def test_a_client_uuid_used_for_another_task_does_not_count_as_this_one(staff_a):
    """Hostile (or a confused outbox): the uuid of my task-1 submission posted to task 2 answered "submitted" for
    task 2 while nothing was stored for it."""
    campaign = make_campaign()
    one, two = make_task(campaign, title="一"), make_task(campaign, title="二")
    key = uuid.uuid4()
    services.submission_submit(task=one, user=staff_a, answers=all_yes(one), photos=[jpeg_with_exif()], client_uuid=key)
    with pytest.raises(TaskError):
        services.submission_submit(
            task=two, user=staff_a, answers=all_yes(two), photos=[jpeg_with_exif()], client_uuid=key
        )
    assert not TaskSubmission.objects.filter(task=two).exists()


# --- hostile text ---------------------------------------------------------------------------------------------------


def test_nul_characters_in_text_and_notes_do_not_break_the_submission(staff_a):
    """PostgreSQL refuses NUL in text and jsonb: a form POST with one was a 500."""
    task = make_task(text_label="读后感", photos_min=0)
    item = task.items.first()
    client = _client(staff_a)
    data = _form(task, text="读后感\x00正文", **{f"{services.item_field(item.key)}-note": "备\x00注"})
    response = client.post(reverse("campaign_tasks:task", args=[task.pk]), data)
    assert response.status_code in (302, 400)
    row = TaskSubmission.objects.filter(task=task).first()
    if row is not None:
        assert "\x00" not in row.text and "\x00" not in str(row.answers)


def test_a_long_text_with_line_breaks_the_browser_accepted_is_not_refused(staff_a):
    """A textarea's maxlength counts a line break once; the browser sends it as CRLF (two): a 读后感 at the limit
    with paragraphs was refused as too long."""
    task = make_task(text_label="读后感", photos_min=0, text_required=True)
    paragraphs = "\r\n".join(["读书使人进步😀" * 10] * 25)  # 25 paragraphs: 1750 characters + 24 line breaks
    text = paragraphs + "\r\n" + "字" * (services.MAX_TEXT - 1750 - 25)
    assert len(text.replace("\r\n", "\n")) == services.MAX_TEXT
    result = services.submission_submit(task=task, user=staff_a, answers=all_yes(task), text=text)
    assert result.submission.text.count("\n") == 25 and "\r" not in result.submission.text


# --- files ----------------------------------------------------------------------------------------------------------


def _docx(
    extra: dict[str, bytes] | None = None,
    content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="{content_type}"/></Types>',
        )
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_macro_document_renamed_docx_is_refused():
    docm = _docx(
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}, "application/vnd.ms-word.document.macroEnabled.main+xml"
    )
    with pytest.raises(EvidenceRejected):
        clean_document(SimpleUploadedFile("读后感.docx", docm))


def test_a_pdf_with_javascript_or_launch_is_refused():
    for body in (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/JS(app.alert(1))>>>>endobj\n%%EOF",
        b"%PDF-1.4\n1 0 obj<</S/Launch/F(cmd.exe)>>endobj\n%%EOF",
    ):
        with pytest.raises(EvidenceRejected):
            clean_document(SimpleUploadedFile("签到表.pdf", body))


def test_the_download_name_keeps_the_extension_of_what_was_stored():
    """A PDF named 'report.html' (or a docx named '.docm') was handed to the officer under that name: saved and
    double-clicked, the browser or Word opens it as what the name says."""
    clean = clean_document(SimpleUploadedFile("签到表.html", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"))
    assert clean.original_name == "签到表.pdf"
    clean = clean_document(SimpleUploadedFile("读后感.docm", _docx()))
    assert clean.original_name == "读后感.docx"
    clean = clean_document(SimpleUploadedFile("无扩展名", b"%PDF-1.4\n%%EOF"))
    assert clean.original_name.endswith(".pdf")


# --- the no-JS form -------------------------------------------------------------------------------------------------


def test_a_second_post_without_javascript_shows_the_state_it_found(staff_a):
    """A double tap without JavaScript: the second POST was refused (已经提交过了) on a page still saying 未开始 with
    an empty form to fill in again."""
    task = make_task(photos_min=0)
    client = _client(staff_a)
    url = reverse("campaign_tasks:task", args=[task.pk])
    assert client.post(url, _form(task)).status_code == 302
    again = client.post(url, _form(task))
    assert again.status_code == 409
    html = again.content.decode()
    assert 'data-state="submitted"' in html and "data-outbox=" not in html


# --- review ---------------------------------------------------------------------------------------------------------


def test_history_on_the_review_page_is_in_words_not_codes(staff_a, officer_a):
    task = make_task(photos_min=0)
    sub = services.submission_submit(task=task, user=staff_a, answers=all_yes(task)).submission
    services.submission_return(submission_id=sub.pk, reviewer=officer_a, comment="照片看不清")
    services.submission_submit(task=task, user=staff_a, answers=all_yes(task))
    html = _client(officer_a).get(reverse("campaign_tasks_review_detail", args=[sub.pk])).content.decode()
    history = html.split("经过", 1)[1]
    for code in ("submitted", "returned", "resubmitted"):
        assert f" {code}" not in history


def test_bulk_approve_with_mixed_ids_touches_only_my_institution(staff_a, staff_b, officer_a):
    task = make_task(photos_min=0)
    mine = services.submission_submit(task=task, user=staff_a, answers=all_yes(task)).submission
    theirs = services.submission_submit(task=task, user=staff_b, answers=all_yes(task)).submission
    client = _client(officer_a)
    client.post(reverse("campaign_tasks_review_bulk"), {"ids": [mine.pk, theirs.pk, "x", "-1"]})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == "approved" and theirs.state == "submitted"


# --- a task edited after submissions --------------------------------------------------------------------------------


def test_export_after_an_item_was_removed_shows_no_raw_keys_and_keeps_the_checklist_order(staff_a, officer_a):
    task = make_task(items=("一燃气", "二电线", "三插座", "四烟感"), photos_min=0)
    sub = services.submission_submit(task=task, user=staff_a, answers=all_yes(task)).submission
    removed = task.items.get(text="二电线")
    removed_key = str(removed.key)
    removed.delete()
    ChecklistItem.objects.create(task=task, text="五逃生", sort_order=9)
    rows = list(selectors.submissions_table(selectors.review_queue(officer_a).filter(pk=sub.pk)))
    checklist = rows[0][8]
    assert removed_key not in checklist
    assert checklist.index("一燃气") < checklist.index("三插座") < checklist.index("四烟感")


# --- people who moved or left ---------------------------------------------------------------------------------------


def test_completion_never_counts_more_done_than_expected(staff_a, inst_b):
    """Staff who moved institution, or were disabled, after submitting: their submission stayed 'done' for the
    old institution where they are no longer expected (more than 100 %)."""
    task = make_task(photos_min=0, needs_review=False)
    services.submission_submit(task=task, user=staff_a, answers=all_yes(task))
    old = staff_a.institution_id
    staff_a.institution = inst_b
    staff_a.save()
    figures = selectors.completion_by_institution(task.campaign)
    assert figures[old].done <= figures[old].expected
    assert figures[inst_b.pk].done <= figures[inst_b.pk].expected
