"""Our copies of media through the API (docs/media.md, docs/api.md): ``/api/v1/media/m/<id>/`` and
``/api/v1/media/r/<id>/`` send the page's bytes and headers to an API key as to a session, through the same scoped
selectors: 404 outside the brand (a person or a key of another brand) and while a copy is not stored; read-only
keys read. The ticket's API answer links these URLs."""

import pytest

from brands.models import Role
from brands.services import api_keys
from tests.factories import make_member, make_ticket
from tests.helpers import api_as, api_with_token, db_state
from tests.media.cdn import MP4, PHOTO_URL, image_bytes
from tests.media.conftest import cdn  # noqa: F401 (fixture)
from tickets.channels import media as channel_media
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia
from tickets.services import media, replies, workflow

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG", (80, 60))
VIDEO_URL = "https://video.xx.fbcdn.net/v/v.mp4"


@pytest.fixture
def stored(cast, cdn):  # noqa: F811 (the fixture)
    """Brand A's ticket with a stored photo, a stored video, a copy that failed, and a reply with an image."""
    cdn.add(PHOTO_URL, PNG)
    cdn.add(VIDEO_URL, MP4)
    cdn.add(PHOTO_URL + "&x", b"", status=404)
    refs = (MediaRef("image", PHOTO_URL), MediaRef("video", VIDEO_URL), MediaRef("image", PHOTO_URL + "&x"))
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="comment", text="lihat", media=refs)
    rows = list(MentionMedia.objects.filter(mention__ticket=ticket).order_by("position"))
    for row in rows:
        media.fetch_copy(media_id=row.pk)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Halo Kak")
    image = media.attach(reply=reply, image=media.check_image(content=PNG, name="a.png", rule=channel_media.X_IMAGE))
    photo, video, failed = (MentionMedia.objects.get(pk=row.pk) for row in rows)
    return ticket, photo, video, failed, image


def key_for(user, scope: str, slug: str) -> str:
    return api_keys.create_key(user=user, name="media", scope=scope, brand_slugs=[slug]).token


def assert_file(response, content_type: str, disposition: str, content: bytes):
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == disposition
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert b"".join(response.streaming_content) == content


def test_a_write_key_gets_the_same_bytes_and_headers_as_the_page(cast, browser, stored):
    _ticket, photo, video, _failed, image = stored
    client = api_with_token(key_for(cast.operator, "write", "acme"))
    assert_file(
        client.get(f"/api/v1/media/m/{photo.pk}/"), "image/png", f'inline; filename="media-{photo.pk}.png"', PNG
    )
    assert_file(
        client.get(f"/api/v1/media/m/{video.pk}/"), "video/mp4", f'inline; filename="media-{video.pk}.mp4"', MP4
    )
    assert_file(
        client.get(f"/api/v1/media/r/{image.pk}/"), "image/png", f'inline; filename="reply-image-{image.pk}.png"', PNG
    )
    page = browser(cast.operator).get(f"/media/m/{photo.pk}/")
    api = client.get(f"/api/v1/media/m/{photo.pk}/", HTTP_ACCEPT="image/*")
    headers = (
        "Content-Type",
        "X-Content-Type-Options",
        "Content-Disposition",
        "Cache-Control",
        "Content-Security-Policy",
    )
    assert [api[h] for h in headers] == [page[h] for h in headers]


def test_a_read_only_key_reads(cast, stored):
    _ticket, photo, _video, _failed, image = stored
    client = api_with_token(key_for(cast.supervisor, "read", "acme"))
    assert_file(
        client.get(f"/api/v1/media/m/{photo.pk}/"), "image/png", f'inline; filename="media-{photo.pk}.png"', PNG
    )
    assert client.get(f"/api/v1/media/r/{image.pk}/").status_code == 200
    assert client.post(f"/api/v1/media/m/{photo.pk}/").status_code == 405


def test_a_file_not_served_inline_is_a_download(cast, stored):
    _ticket, photo, _video, _failed, _image = stored
    MentionMedia.objects.filter(pk=photo.pk).update(content_type="application/pdf")
    response = api_as(cast.operator).get(f"/api/v1/media/m/{photo.pk}/")
    assert_file(response, "application/pdf", f'attachment; filename="media-{photo.pk}.png"', PNG)


def test_outsiders_and_another_brands_key_get_404_and_nothing_changes(cast, stored):
    _ticket, photo, _video, failed, image = stored
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    other_key = api_with_token(key_for(cast.supervisor, "write", "globex"))
    before = db_state()
    for client in (api_as(cast.operator_b), api_as(cast.outsider), other_key):
        for path in (f"/api/v1/media/m/{photo.pk}/", f"/api/v1/media/r/{image.pk}/"):
            response = client.get(path)
            assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), path
            assert "Content-Disposition" not in response
    after = db_state()
    assert {k for k in after if after[k] != before[k]} <= {"api_keys"}
    assert api_with_token("smrc_nope").get(f"/api/v1/media/m/{photo.pk}/").status_code == 401


def test_a_copy_not_stored_is_404(cast, stored):
    _ticket, _photo, _video, failed, image = stored
    client = api_as(cast.operator)
    assert client.get(f"/api/v1/media/m/{failed.pk}/").status_code == 404
    assert client.get(f"/api/v1/media/m/{failed.pk + 100}/").status_code == 404
    assert client.get(f"/api/v1/media/r/{image.pk + 100}/").status_code == 404


def test_the_ticket_links_the_api_urls(cast, stored):
    ticket, photo, video, failed, image = stored
    detail = api_as(cast.operator).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert [m["url"] for m in detail["mentions"][0]["media"]] == [
        f"/api/v1/media/m/{photo.pk}/",
        f"/api/v1/media/m/{video.pk}/",
        None,
    ]
    assert [r["image"]["url"] for r in detail["replies"]] == [f"/api/v1/media/r/{image.pk}/"]
