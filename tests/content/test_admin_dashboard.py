"""The admin dashboard works whatever the state of the page tree."""

import pytest
from wagtail.models import Page


@pytest.mark.django_db
def test_admin_dashboard_with_no_page_tree_is_not_a_server_error(client, district_admin):
    """A new database before seed_demo, or a flushed test database: Wagtail's page count could not link anywhere."""
    Page.objects.all().delete()
    client.force_login(district_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "wagtailadmin_explore" not in response.content.decode()
