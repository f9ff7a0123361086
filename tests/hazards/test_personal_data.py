"""A person's copy (我的数据): their named reports, answers and history entries; anonymous reports never."""

from __future__ import annotations

import json

import pytest

from elearn.privacy.selectors import my_data_document
from hazards import services
from tests.hazards.factories import submit, to_verified

pytestmark = pytest.mark.django_db


def _tables(user) -> dict:
    document = my_data_document(user)
    json.dumps(document, ensure_ascii=False)  # the JSON download must serialise
    return {t["key"]: t for t in document["tables"]}


def test_named_reports_are_in_the_copy_anonymous_never(staff_a, inst_a, officer_a):
    named = submit(staff_a, inst_a, description="实名的隐患").report
    submit(staff_a, inst_a, anonymous=True, description="匿名的隐患")
    services.message_ask(actor=officer_a, report_id=named.pk, text="在哪？")
    services.reporter_answer(text="一楼", report_id=named.pk, user=staff_a)
    to_verified(named.pk, officer_a)
    tables = _tables(staff_a)
    text = json.dumps(tables, ensure_ascii=False)
    assert [r["description"] for r in tables["hazard_reports"]["rows"]] == ["实名的隐患"]
    assert "匿名的隐患" not in text
    assert [r["text"] for r in tables["hazard_answers"]["rows"]] == ["一楼"]
    assert len(_tables(officer_a)["hazard_events"]["rows"]) == 4


def test_anonymising_a_person_unlinks_their_named_reports(staff_a, inst_a):
    from elearn.privacy.registry import tables

    named = submit(staff_a, inst_a).report
    for table in tables():
        if table.model.startswith("hazards.") and callable(table.anonymise):
            table.anonymise(table.rows_of(staff_a))
    named.refresh_from_db()
    assert named.reporter_id is None and named.events.get().actor_id is None
