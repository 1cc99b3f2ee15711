"""Our own view serves the stored copies to those who see the ticket (404 to everyone else), with the stored type,
``nosniff``, inline for images and videos, privately cached; pages link it, never the platform's CDN."""

import pytest

from tests.factories import make_ticket
from tests.media.cdn import MP4, PHOTO_URL, image_bytes
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia
from tickets.services import media

pytestmark = pytest.mark.django_db

ALT = 'Struk <script>alert("x")</script> & "resi"'


@pytest.fixture
def stored(cast, cdn):
    """A ticket of brand A with a stored photo (with the author's description), a stored video and a copy that
    failed."""
    video = "https://video.xx.fbcdn.net/v/v.mp4"
    cdn.add(PHOTO_URL, image_bytes("PNG", (80, 60)))
    cdn.add(video, MP4)
    refs = (MediaRef("image", PHOTO_URL, alt_text=ALT), MediaRef("video", video), MediaRef("image", PHOTO_URL + "&x"))
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="comment", text="lihat", media=refs)
    rows = list(MentionMedia.objects.filter(mention__ticket=ticket).order_by("position"))
    for row in rows:
        media.fetch_copy(media_id=row.pk)
    cdn.add(PHOTO_URL + "&x", b"", status=404)
    return ticket, [MentionMedia.objects.get(pk=row.pk) for row in rows]


def test_the_copy_is_served_with_its_stored_type_and_safe_headers(cast, browser, stored):
    _ticket, (photo, video, _failed) = stored
    for user in (cast.operator, cast.supervisor, cast.manager, cast.admin):
        response = browser(user).get(f"/media/m/{photo.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == f'inline; filename="media-{photo.pk}.png"'
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert b"".join(response.streaming_content) == image_bytes("PNG", (80, 60))
    response = browser(cast.operator).get(f"/media/m/{video.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "video/mp4")
    assert response["Content-Disposition"] == f'inline; filename="media-{video.pk}.mp4"'


def test_outsiders_get_404_and_anonymous_visitors_the_login_page(cast, browser, stored):
    _ticket, (photo, _video, failed) = stored
    for user in (cast.operator_b, cast.outsider):
        assert browser(user).get(f"/media/m/{photo.pk}/").status_code == 404
    anonymous = browser(None).get(f"/media/m/{photo.pk}/")
    assert (anonymous.status_code, anonymous["Location"]) == (302, f"/login/?next=/media/m/{photo.pk}/")
    assert browser(cast.operator).get(f"/media/m/{failed.pk}/").status_code == 404  # nothing stored
    assert browser(cast.operator).get(f"/media/m/{failed.pk + 100}/").status_code == 404
    assert browser(cast.operator).post(f"/media/m/{photo.pk}/").status_code == 405


def test_a_file_not_served_inline_is_a_download(cast, browser, stored):
    _ticket, (photo, _video, _failed) = stored
    MentionMedia.objects.filter(pk=photo.pk).update(content_type="application/pdf")
    response = browser(cast.operator).get(f"/media/m/{photo.pk}/")
    assert response["Content-Disposition"] == f'attachment; filename="media-{photo.pk}.png"'
    assert response["Content-Type"] == "application/pdf"


def test_the_ticket_page_shows_our_copies_never_the_cdn(cast, browser, stored):
    ticket, (photo, video, failed) = stored
    response = browser(cast.operator).get(f"/tickets/{ticket.pk}/")
    page = response.content.decode()
    assert "fbcdn" not in page
    assert (
        f'<img class="media-thumb" src="/media/m/{photo.pk}/" loading="lazy" decoding="async" '
        'alt="Struk &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;resi&quot;" width="80" height="60">'
    ) in page
    assert f'<a class="media-link" href="/media/m/{photo.pk}/" target="_blank"' in page
    assert f'<video class="media-video" controls preload="none" src="/media/m/{video.pk}/"' in page
    assert '<p class="media-missing" data-media-state="failed">Media no longer available</p>' in page
    policy = response["Content-Security-Policy"]
    assert "img-src 'self'" in policy
    assert "media-src 'self'" in policy


def test_the_page_in_indonesian(cast, browser, stored, settings):
    ticket, _rows = stored
    client = browser(cast.operator)
    client.cookies["django_language"] = "id"
    page = client.get(f"/tickets/{ticket.pk}/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Media tidak tersedia lagi" in page
    assert "Buka videonya" in page


def test_a_pending_copy_says_it_is_being_fetched(cast, browser):
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="comment", media=(MediaRef("image", PHOTO_URL),))
    page = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<p class="media-missing" data-media-state="pending">Image being fetched…</p>' in page
