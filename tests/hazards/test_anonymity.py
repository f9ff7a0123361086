"""The anonymity promise, tested end to end through the real views: after an anonymous report (with a camera photo)
and its follow-ups by receipt code, no table, no session, no log record and no log file links the report to the
account, the address or the browser that sent it."""

from __future__ import annotations

import datetime
import logging
import os
import re
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.utils import timezone

from hazards import services
from hazards.models import HazardEvent, HazardMessage, HazardPhoto, HazardReport
from tests.factories import PASSWORD, OfficerFactory, UserFactory
from tests.hazards.factories import gps_jpeg

pytestmark = pytest.mark.django_db(transaction=False)

ADDRESS = "203.0.113.77"
AGENT = "Mozilla/5.0 (WhistleblowerPhone; Android 14) UniqueAgent/9.9.9"


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            self.lines.append(self.format(record) + " " + repr(getattr(record, "args", "")) + repr(record.__dict__))
        except Exception:  # a record that cannot be formatted still counts, by its dict
            self.lines.append(repr(record.__dict__))


@pytest.fixture
def logs():
    handler = Collect()
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def _row_text(obj) -> str:
    parts = []
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        parts.append(f"{field.attname}={value!r}")
        if isinstance(value, str | bytes):
            parts.append(str(value))
    return " ".join(parts)


def _user_fk_values(obj, user_model) -> set:
    return {
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is user_model
    }


def _every_row():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for obj in model._default_manager.all().iterator():
            yield model, obj


def test_anonymous_report_leaves_no_link_to_account_address_or_browser(logs, inst_a):
    reporter = UserFactory(institution=inst_a, real_name="吹哨人甲", employee_no="WB7731", mobile="13912345678")
    officer = OfficerFactory(institution=inst_a)
    browser = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    # a real sign-in (login view, axes, the known-device cookie), as the reporter would
    login = browser.post("/accounts/login/", {"username": reporter.employee_no, "password": PASSWORD})
    assert login.status_code in (302, 303), login.content[:300]
    page = browser.get("/hazards/new/")
    assert page.status_code == 200
    response = browser.post(
        "/hazards/new/",
        {
            "client_uuid": str(uuid.uuid4()),
            "institution": inst_a.pk,
            "category": "fire",
            "location": "门诊楼",
            "place": "三楼东侧楼梯间",
            "description": "消防通道长期堆放杂物，领导知情不管。",
            "judgement": "maybe_major",
            "anonymous": "on",
            "photos": [gps_jpeg()],
        },
    )
    assert response.status_code == 200
    code = re.search(rb"data-receipt-code>([0-9A-Z-]+)<", response.content).group(1).decode()
    assert "no-store" in response["Cache-Control"]
    report = HazardReport.objects.get()
    # the handler asks; the reporter answers and adds a photo through the receipt code only
    services.message_ask(actor=officer, report_id=report.pk, text="请问具体是哪一层？")
    follow = browser.post("/hazards/follow/", {"receipt": code, "action": "answer", "text": "三楼，东侧楼梯"})
    assert follow.status_code == 200 and "三楼，东侧楼梯".encode() in follow.content
    more = browser.post("/hazards/follow/", {"receipt": code, "action": "photos", "photos": [gps_jpeg((9, 9, 9))]})
    assert more.status_code == 200
    seen = browser.post("/hazards/follow/", {"receipt": code})
    assert "待核实".encode() in seen.content
    # and the reporter's own pages know nothing of it
    assert str(report.pk).encode() not in browser.get("/hazards/mine/").content
    assert str(report.pk).encode() not in browser.get("/me/data/").content

    secrets_of_the_reporter = [reporter.employee_no, reporter.real_name, reporter.mobile, ADDRESS, AGENT, "UniqueAgent"]
    report_marks = [str(report.pk), report.receipt_hash, code]
    User = apps.get_model(settings.AUTH_USER_MODEL)
    problems = []

    # 1. the report's own rows: no account, address, browser; only the day
    hazard_rows = [
        report,
        *HazardEvent.objects.all(),
        *HazardMessage.objects.filter(direction="answer"),
        *HazardPhoto.objects.all(),
    ]
    assert HazardPhoto.objects.count() == 2 and HazardMessage.objects.filter(direction="answer").count() == 1
    for obj in hazard_rows:
        text = _row_text(obj)
        if reporter.pk in _user_fk_values(obj, User):
            problems.append(f"{obj._meta.label} {obj.pk} references the reporter's account")
        problems += [f"{obj._meta.label} {obj.pk} holds {s!r}" for s in secrets_of_the_reporter if s in text]
    for stamp in [report.created_at, *(e.at for e in HazardEvent.objects.filter(actor=None))]:
        local = timezone.localtime(stamp)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0), stamp
    answer = HazardMessage.objects.get(direction="answer")
    assert answer.author_id is None and timezone.localtime(answer.at).hour == 0
    for photo in HazardPhoto.objects.all():
        assert b"HazardCam" not in Path(photo.file.path).read_bytes()
        mtime = timezone.localtime(datetime.datetime.fromtimestamp(os.stat(photo.file.path).st_mtime, tz=datetime.UTC))
        assert (mtime.hour, mtime.minute) == (0, 0), "a photo file's time would tell when it was sent"

    # 2. every row of every table: nothing holds the report (its id, receipt hash or code) and the reporter together,
    #    and the address and the browser are stored nowhere at all
    for model, obj in _every_row():
        text = _row_text(obj)
        if model is Session:
            text += " " + repr(SessionStore().decode(obj.session_data))
        holds_report = any(mark and mark in text for mark in report_marks) or (
            model is not HazardReport and report.pk in [getattr(obj, f.attname) for f in obj._meta.concrete_fields]
        )
        holds_reporter = reporter.pk in _user_fk_values(obj, User) or any(
            s in text for s in (reporter.employee_no, reporter.real_name, reporter.mobile)
        )
        if model is User and obj.pk == reporter.pk:
            holds_reporter = True
        if model is Session:
            holds_reporter = holds_reporter or str(reporter.pk) == str(
                SessionStore().decode(obj.session_data).get("_auth_user_id")
            )
        if holds_report and holds_reporter:
            problems.append(f"{model._meta.label} {obj.pk} links the report to the reporter")
        for s in (ADDRESS, AGENT, "UniqueAgent"):
            if s in text:
                problems.append(f"{model._meta.label} {obj.pk} stores {s!r}")
        if code in text:
            problems.append(f"{model._meta.label} {obj.pk} stores the receipt code itself")

    # 3. the logs the app wrote while this happened, and the log files its LOGGING configures
    log_text = "\n".join(logs.lines)
    for handler in settings.LOGGING.get("handlers", {}).values():
        filename = handler.get("filename")
        if filename and Path(filename).exists():
            log_text += Path(filename).read_text(errors="ignore")
    for s in [*secrets_of_the_reporter, *report_marks]:
        if s and s in log_text:
            problems.append(f"the logs hold {s!r}")

    assert not problems, "\n".join(problems)


def test_named_report_is_linked_as_expected(inst_a, client):
    """The control: the same check finds the account in a named report (so the test above can fail)."""
    reporter = UserFactory(institution=inst_a)
    client.force_login(reporter)
    client.post(
        "/hazards/new/",
        {
            "institution": inst_a.pk,
            "category": "gas",
            "description": "燃气味",
            "judgement": "general",
            "client_uuid": str(uuid.uuid4()),
        },
    )
    report = HazardReport.objects.get()
    assert report.reporter_id == reporter.pk and report.events.get().actor_id == reporter.pk
