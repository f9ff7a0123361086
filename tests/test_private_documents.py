"""A document in a login-restricted collection reaches nobody anonymous, by any URL.

Wagtail's document view (/documents/<id>/<name>) checks the collection's privacy before it sends a byte; the file
itself sits under MEDIA_ROOT/documents/, and /media/ used to serve that folder to anyone. Now /media/ serves only
images (elearn/media.py) and documents go through the view alone, also behind nginx (X-Accel-Redirect to an
`internal` location when ELEARN_DOCUMENTS_X_ACCEL is on).
"""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction

SECRET = b"TOP-SECRET-EVACUATION-PLAN"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def private_document(media, db):
    collection = Collection.get_first_root_node().add_child(name="内部资料")
    CollectionViewRestriction.objects.create(collection=collection, restriction_type=CollectionViewRestriction.LOGIN)
    return get_document_model().objects.create(
        title="疏散预案（内部）", file=ContentFile(SECRET, name="evacuation-plan.txt"), collection=collection
    )


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _direct_urls(document) -> list[str]:
    name = document.file.name  # documents/evacuation-plan.txt
    base = name.rsplit("/", 1)[1]
    return [
        f"/media/{name}",
        f"/media//{name}",
        f"/media/./{name}",
        f"/media/images/../{name}",
        f"/media/original_images/%2e%2e/{name}",
        f"/media/images/..%2f{name}",
        f"/media/documents/./{base}",
        "/media/documents/",
        "/media/documents",
    ]


def test_anonymous_gets_no_bytes_of_a_private_document(client, private_document):
    assert private_document.url.startswith("/documents/")
    assert (private_document.file.storage.path(private_document.file.name)).endswith("documents/evacuation-plan.txt")
    response = client.get(private_document.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert SECRET not in _bytes(response)
    for url in _direct_urls(private_document):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in _bytes(response), url


def test_a_logged_in_member_gets_it_through_the_document_view_only(client, private_document, staff_a):
    client.force_login(staff_a)
    response = client.get(private_document.url)
    assert response.status_code == 200 and _bytes(response) == SECRET
    assert response["X-Content-Type-Options"] == "nosniff"
    for url in _direct_urls(private_document):
        assert client.get(url).status_code == 404, url


def test_public_documents_are_not_media_either(client, media, db):
    document = get_document_model().objects.create(title="公开通知", file=ContentFile(b"notice", name="notice.txt"))
    assert _bytes(client.get(document.url)) == b"notice"
    assert client.get(f"/media/{document.file.name}").status_code == 404


def test_images_stay_public_media(client, media, db):
    image = get_image_model().objects.create(title="消防通道", file=get_test_image_file())
    response = client.get(f"/media/{image.file.name}")
    assert response.status_code == 200 and _bytes(response)[:8] == b"\x89PNG\r\n\x1a\n"
    rendition = image.get_rendition("max-100x100")
    assert client.get(rendition.url).status_code == 200
    assert client.get("/media/original_images/../../etc/passwd").status_code == 404


def test_behind_nginx_the_view_hands_the_file_to_an_internal_location(client, private_document, staff_a, settings):
    """ELEARN_DOCUMENTS_X_ACCEL: the view decides, nginx sends the bytes (with range requests for videos)."""
    from wagtail.utils import sendfile

    settings.SENDFILE_BACKEND = "elearn.media"
    sendfile._get_sendfile.clear()
    try:
        anonymous = client.get(private_document.url)
        assert anonymous.status_code == 302 and not anonymous.has_header("X-Accel-Redirect")
        client.force_login(staff_a)
        response = client.get(private_document.url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"] == "/media/documents/evacuation-plan.txt"
        assert SECRET not in _bytes(response)
        assert "attachment" in response["Content-Disposition"]
    finally:
        sendfile._get_sendfile.clear()


def test_x_accel_paths_are_quoted_and_stay_inside_media_root(media, db, settings):
    from django.test import RequestFactory

    from elearn import media as media_module

    (media / "documents").mkdir()
    target = media / "documents" / "应急 预案#1.pdf"
    target.write_bytes(b"x")
    response = media_module.sendfile(RequestFactory().get("/"), str(target))
    assert response["X-Accel-Redirect"] == "/media/documents/%E5%BA%94%E6%80%A5%20%E9%A2%84%E6%A1%88%231.pdf"
    with pytest.raises(ValueError):
        media_module.sendfile(RequestFactory().get("/"), "/etc/passwd")
