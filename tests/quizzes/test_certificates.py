"""Certificates: only for a passing candidate whose score they may see; the PDF carries the name, institution,
exam, score, date, verification code and a QR code to the public verification page, which confirms it."""

import datetime as dt
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from quizzes.exams.models import Exam
from quizzes.practice.exceptions import CertificateNotEligible
from quizzes.practice.services import certificate_issue
from quizzes.results.models import Certificate
from tests.factories import UserFactory
from tests.quizzes.exam_factories import exam_with_sections, make_bank
from tests.quizzes.test_exam_results import sit

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    category, _ = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    return exam_with_sections(category, title="2026年安全生产知识考试")


def test_no_certificate_for_a_failing_candidate(exam, staff_a):
    sit(exam, staff_a, correct=False)
    with pytest.raises(CertificateNotEligible):
        certificate_issue(user=staff_a, exam_id=exam.pk)
    assert not Certificate.objects.exists()


def test_no_certificate_without_an_attempt_or_from_a_mock(exam, staff_a):
    from quizzes.exams.services import attempt_start, attempt_submit

    with pytest.raises(CertificateNotEligible):
        certificate_issue(user=staff_a, exam_id=exam.pk)
    mock = attempt_start(exam=exam, user=staff_a, mock=True)
    attempt_submit(attempt_id=mock.pk, user=staff_a)
    with pytest.raises(CertificateNotEligible):
        certificate_issue(user=staff_a, exam_id=exam.pk)


def test_no_certificate_before_the_review_policy_shows_the_score(exam, staff_a):
    Exam.objects.filter(pk=exam.pk).update(review_when=Exam.ReviewWhen.AFTER_CLOSE)
    exam.refresh_from_db()
    sit(exam, staff_a, correct=True)
    with pytest.raises(CertificateNotEligible):
        certificate_issue(user=staff_a, exam_id=exam.pk)
    with time_machine.travel(exam.closes_at + dt.timedelta(minutes=1)):
        assert certificate_issue(user=staff_a, exam_id=exam.pk).code


def test_passing_candidate_gets_one_certificate_with_a_stable_code(exam, staff_a):
    sit(exam, staff_a, correct=True)
    first = certificate_issue(user=staff_a, exam_id=exam.pk)
    again = certificate_issue(user=staff_a, exam_id=exam.pk)
    assert first.pk == again.pk and first.code == again.code
    assert first.holder_name == staff_a.real_name and first.institution_name == "甲镇卫生院"
    assert first.exam_title == exam.title and first.score == first.max_score


def test_pdf_download_and_public_verification(exam, staff_a, client_for, client, artifacts_dir):
    sit(exam, staff_a, correct=True)
    logged_in = client_for(staff_a)
    index = logged_in.get(reverse("practice:index")).content.decode()
    assert "下载证书" in index
    pdf = logged_in.get(reverse("practice:certificate", args=[exam.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    certificate = Certificate.objects.get(user=staff_a, exam=exam)
    verify_url = f"http://testserver/verify/{certificate.code}/"
    assert verify_url.encode() in pdf.content, "the verification address is printed on the certificate"
    assert b"STSong-Light" in pdf.content
    (artifacts_dir / "certificate.pdf").write_bytes(pdf.content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(artifacts_dir / "certificate.pdf"),
             str(artifacts_dir / "certificate")],
            check=True,
        )  # fmt: skip
    logged_in.logout()
    page = client.get(reverse("practice:verify", args=[certificate.code]))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-verdict="valid"' in html
    for text in (staff_a.real_name, "甲镇卫生院", exam.title):
        assert text in html
    assert staff_a.employee_no not in html and staff_a.mobile not in html, "only what the certificate shows"
    lower = client.get(reverse("practice:verify", args=[certificate.code.lower().replace("-", "")]))
    assert 'data-verdict="valid"' in lower.content.decode()


def test_verification_of_unknown_or_revoked_codes(exam, staff_a, client):
    from django.utils import timezone

    html = client.get(reverse("practice:verify", args=["ABCD-EFGH-JKLM"])).content.decode()
    assert 'data-verdict="invalid"' in html
    sit(exam, staff_a, correct=True)
    certificate = certificate_issue(user=staff_a, exam_id=exam.pk)
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    html = client.get(reverse("practice:verify", args=[certificate.code])).content.decode()
    assert 'data-verdict="invalid"' in html and staff_a.real_name not in html


def test_failing_candidate_is_refused_in_html_and_api(exam, staff_a, client_for, api_for):
    sit(exam, staff_a, correct=False)
    response = client_for(staff_a).get(reverse("practice:certificate", args=[exam.pk]))
    assert response.status_code == 302
    assert api_for(staff_a).get("/api/v1/certificates/").json() == []


def test_api_lists_certificates_and_verifies_publicly(exam, staff_a, api_for):
    from rest_framework.test import APIClient

    sit(exam, staff_a, correct=True)
    listed = api_for(staff_a).get("/api/v1/certificates/").json()
    assert [row["exam"] for row in listed] == [exam.pk]
    certificate = certificate_issue(user=staff_a, exam_id=exam.pk)
    body = APIClient().get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert body["valid"] is True and body["name"] == staff_a.real_name
    assert APIClient().get("/api/v1/certificates/verify/NOPE/").json()["valid"] is False


def test_someone_else_cannot_download_my_certificate(exam, staff_a, client_for):
    sit(exam, staff_a, correct=True)
    other = UserFactory(institution=staff_a.institution)
    response = client_for(other).get(reverse("practice:certificate", args=[exam.pk]))
    assert response.status_code == 302  # refused: the download is always the requester's own
    assert not Certificate.objects.filter(user=other).exists()


def test_district_admin_revokes_in_the_admin_and_officers_cannot(exam, staff_a, officer_a, district_admin, client):
    sit(exam, staff_a, correct=True)
    certificate = certificate_issue(user=staff_a, exam_id=exam.pk)
    client.force_login(officer_a)
    assert client.get(reverse("certificates:index")).status_code in (302, 403)
    client.force_login(district_admin)
    listing = client.get(reverse("certificates:index")).content.decode()
    assert certificate.code in listing
    assert client.get(reverse("certificates:add")).status_code in (302, 403)
    edit_url = reverse("certificates:edit", args=[certificate.pk])
    response = client.post(edit_url, {"revoked_at": "2026-06-30 10:00:00"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    client.logout()
    assert 'data-verdict="invalid"' in client.get(reverse("practice:verify", args=[certificate.code])).content.decode()
