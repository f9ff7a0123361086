"""Deleting in the admin what is still referenced is refused with a reason, never a server error."""

from django.contrib.messages import get_messages
from django.urls import reverse

from elearn.org.models import Institution
from tests.factories import InstitutionFactory


def test_an_institution_with_staff_is_not_deleted_and_the_admin_is_told_why(client_for, district_admin, staff_a):
    inst = staff_a.institution
    response = client_for(district_admin).post(reverse("institutions:delete", args=[inst.pk]))
    assert response.status_code == 302
    assert Institution.objects.filter(pk=inst.pk).exists()
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "无法删除" in text and inst.name in text


def test_an_empty_institution_is_deleted(client_for, district_admin):
    inst = InstitutionFactory()
    response = client_for(district_admin).post(reverse("institutions:delete", args=[inst.pk]))
    assert response.status_code == 302
    assert not Institution.objects.filter(pk=inst.pk).exists()
