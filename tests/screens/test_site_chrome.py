"""What every page carries: an icon where browsers look for it, and no calls home from the admin dashboard."""

from django.conf import settings
from django.test import Client


def test_favicon_ico_leads_to_the_static_icon(db):
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO signature


def test_pages_name_the_icon(db):
    from content.demo import seed_home

    seed_home()
    html = Client().get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.ico" in html


def test_the_admin_dashboard_does_not_check_for_upgrades(district_admin):
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False
    client = Client()
    client.force_login(district_admin)
    html = client.get("/admin/").content.decode()
    assert "releases.wagtail.org" not in html and "data-w-upgrade" not in html
