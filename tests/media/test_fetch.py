"""Copies of customers' media: ingest records them, the task fetches them from the platform's CDN through the
fake CDN at the HTTP boundary, and every way to make SMRC fetch or keep something else is refused and recorded."""

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from tests.channels.conftest import PAGE, post_meta
from tests.factories import make_channel, make_ticket
from tests.media.cdn import HTML, MP4, PHOTO_URL, SVG, image_bytes, payload
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia
from tickets.services import media

pytestmark = pytest.mark.django_db


def with_media(cast, *refs, platform="facebook"):
    ticket = make_ticket(cast.brand_a, platform=platform, kind="comment", media=tuple(refs))
    mention = ticket.mentions.latest("pk")
    return ticket, list(MentionMedia.objects.filter(mention=mention).order_by("position"))


def fetched(row) -> MentionMedia:
    media.fetch_copy(media_id=row.pk)
    return MentionMedia.objects.get(pk=row.pk)


def test_a_photo_comment_from_the_webhook_is_stored_with_the_type_read_from_its_bytes(
    cast, cdn, django_capture_on_commit_callbacks
):
    make_channel(cast.brand_a, platform="facebook", external_id=PAGE, webhook_secret="s3cret")
    png = image_bytes("PNG", (64, 48))
    cdn.add(PHOTO_URL, png, Content_Type="image/jpeg")  # the header says jpeg: the bytes decide
    with django_capture_on_commit_callbacks(execute=True):
        from tests.channels.conftest import meta_signature, raw

        body = raw(payload("meta", "fb_feed_comment_photo_no_message.json"))
        response = post_meta(Client(), None, body=body, signature=meta_signature(body, "s3cret"))
    assert response.status_code == 200
    row = MentionMedia.objects.get()
    assert (row.state, row.kind, row.content_type, row.size, row.width, row.height, row.attempts) == (
        "stored",
        "image",
        "image/png",
        len(png),
        64,
        48,
        1,
    )
    assert row.mention.text == ""
    assert row.source_url == PHOTO_URL
    assert row.file.name == f"in/{row.sha256[:2]}/{row.sha256}.png"
    with default_storage.open(row.file.name, "rb") as f:
        assert f.read() == png
    assert cdn.asked == [PHOTO_URL]


def test_a_video_is_stored_as_mp4(cast, cdn):
    url = "https://video.twimg.com/ext_tw_video/1/pu/vid/640x360/m.mp4"
    cdn.add(url, MP4)
    _t, (row,) = with_media(cast, MediaRef("video", url), platform="x")
    row = fetched(row)
    assert (row.state, row.kind, row.content_type, row.size) == ("stored", "video", "video/mp4", len(MP4))


def test_the_same_bytes_are_stored_once(cast, cdn):
    png = image_bytes()
    cdn.add(PHOTO_URL, png)
    cdn.add(PHOTO_URL + "&copy=2", png)
    _t, (a, b) = with_media(cast, MediaRef("image", PHOTO_URL), MediaRef("image", PHOTO_URL + "&copy=2"))
    assert fetched(a).file.name == fetched(b).file.name


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://evil.example.com/a.jpg", "host 'evil.example.com' is not a facebook media host"),
        ("https://fbcdn.net.evil.example.com/a.jpg", "is not a facebook media host"),
        ("https://pbs.twimg.com/media/a.jpg", "host 'pbs.twimg.com' is not a facebook media host"),
        ("https://user:pw@scontent.xx.fbcdn.net/a.jpg", "a user name, password or port in the URL"),
        ("https://scontent.xx.fbcdn.net:8443/a.jpg", "a user name, password or port in the URL"),
        ("https://127.0.0.1/a.jpg", "is not a facebook media host"),
    ],
)
def test_a_host_off_the_allowlist_is_never_asked(cast, cdn, url, error):
    cdn.add(url, image_bytes())
    _t, (row,) = with_media(cast, MediaRef("image", url))
    row = fetched(row)
    assert (row.state, row.attempts, row.file.name) == ("failed", 1, "")
    assert error in row.error
    assert cdn.asked == []


def test_plain_http_is_refused_unasked(cast, cdn):
    url = "http://scontent.xx.fbcdn.net/a.jpg"  # the parsers keep https links only; a row made otherwise
    cdn.add(url, image_bytes())
    _t, (row,) = with_media(cast, MediaRef("image", url))
    row = fetched(row)
    assert (row.state, row.error) == ("failed", "not https")
    assert cdn.asked == []


def test_an_allowlisted_name_that_resolves_to_a_private_address_is_refused(cast, cdn, monkeypatch):
    from brands.services import webhooks

    monkeypatch.setattr(webhooks, "resolve", lambda host: ["127.0.0.1"])
    cdn.add(PHOTO_URL, image_bytes())
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.error) == ("failed", "the host resolves to a private address")
    assert cdn.asked == []


def test_a_redirect_to_localhost_is_refused_before_it_is_followed(cast, cdn):
    cdn.add(PHOTO_URL, status=302, Location="https://127.0.0.1/admin/")
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.error) == ("failed", "host '127.0.0.1' is not a facebook media host")
    assert cdn.asked == [PHOTO_URL]


def test_a_redirect_within_the_cdn_is_followed_and_loops_end(cast, cdn):
    other = "https://scontent-sin6-1.xx.fbcdn.net/v/moved.jpg"
    cdn.add(PHOTO_URL, status=301, Location=other)
    cdn.add(other, image_bytes("JPEG"))
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    assert (fetched(row).state, cdn.asked) == ("stored", [PHOTO_URL, other])
    loop = "https://scontent.xx.fbcdn.net/loop.jpg"
    cdn.add(loop, status=302, Location=loop)
    _t, (row,) = with_media(cast, MediaRef("image", loop))
    assert (fetched(row).state, fetched(row).error) == ("failed", "too many redirects")


def test_a_huge_body_is_cut_at_the_cap_and_recorded_too_large(cast, cdn, settings):
    settings.SMRC_MEDIA_MAX_IMAGE_BYTES = 100_000
    huge = image_bytes("PNG") + b"\0" * 1_000_000
    cdn.add(PHOTO_URL, huge)  # no Content-Length: streamed until the cap
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.error, row.file.name) == ("too_large", "over 100000 bytes", "")
    (stream,) = cdn.streams
    assert stream.read_bytes <= 100_000 + 64 * 1024
    assert stream.was_closed


def test_a_declared_length_over_the_cap_is_not_read(cast, cdn, settings):
    settings.SMRC_MEDIA_MAX_VIDEO_BYTES = 1000
    url = "https://video.xx.fbcdn.net/v/big.mp4"
    cdn.add(url, MP4, Content_Length="999999999")
    _t, (row,) = with_media(cast, MediaRef("video", url))
    row = fetched(row)
    assert (row.state, row.error) == ("too_large", "999999999 bytes, over 1000")
    assert cdn.streams[0].read_bytes == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (HTML, "not an image or a video we keep (type read from the bytes)"),
        (SVG, "not an image or a video we keep (type read from the bytes)"),
        (b"\xff\xd8\xff" + b"<html>not really a jpeg</html>", "not a readable image"),
    ],
)
def test_bytes_that_are_not_an_image_are_not_kept_whatever_the_name_or_header(cast, cdn, body, error):
    url = "https://scontent.xx.fbcdn.net/v/photo.jpg"
    cdn.add(url, body, Content_Type="image/jpeg")
    _t, (row,) = with_media(cast, MediaRef("image", url, content_type="image/jpeg"))
    row = fetched(row)
    assert (row.state, row.error, row.file.name) == ("failed", error, "")
    assert not default_storage.exists("in")  # nothing kept


def test_an_expired_link_fails_at_once_and_the_page_says_so(cast, cdn, browser):
    cdn.add(PHOTO_URL, b"URL signature expired", status=403)
    ticket, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.attempts, row.error) == ("failed", 1, "HTTP 403: the link has expired")
    page = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Media no longer available" in page
    assert "fbcdn" not in page
    assert f"/media/m/{row.pk}/" not in page


def test_a_passing_failure_is_tried_again_then_stored(cast, cdn):
    cdn.add(PHOTO_URL, b"busy", status=503)
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.attempts, row.error) == ("pending", 1, "HTTP 503")
    retry_at = row.next_try_at
    assert media.fetch_copy(media_id=row.pk) is None  # not due yet: nothing asked
    assert len(cdn.asked) == 1
    cdn.add(PHOTO_URL, image_bytes())
    assert media.media_due(now=retry_at) == [row.pk]
    media.fetch_copy(media_id=row.pk, now=retry_at)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error, row.next_try_at) == ("stored", 2, "", None)


def test_a_copy_that_keeps_failing_gives_up_after_the_last_attempt(cast, cdn, settings):
    settings.SMRC_MEDIA_MAX_ATTEMPTS = 3
    cdn.add(PHOTO_URL, b"busy", status=500)
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    for _ in range(3):
        row.refresh_from_db()
        media.fetch_copy(media_id=row.pk, now=row.next_try_at)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == ("failed", 3, "HTTP 500")
    assert media.media_due(now=row.created_at.replace(year=2100)) == []


def test_the_sweep_queues_copies_whose_task_was_lost(cast, cdn):
    cdn.add(PHOTO_URL, image_bytes())
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))  # on_commit never ran in this test
    MentionMedia.objects.filter(pk=row.pk).update(created_at=row.created_at.replace(year=2020))
    assert media.sweep_media_task() == 1  # eager: fetched now
    assert MentionMedia.objects.get(pk=row.pk).state == "stored"


def test_other_attachments_are_not_fetched(cast, cdn):
    url = "https://cdn.fbsbx.com/v/t59.2708-21/c.pdf"
    _t, (row,) = with_media(cast, MediaRef("other", url))
    assert (fetched(row).state, cdn.asked) == ("failed", [])


def test_no_test_reaches_the_network_without_the_fake_cdn(cast):
    _t, (row,) = with_media(cast, MediaRef("image", PHOTO_URL))
    row = fetched(row)
    assert (row.state, row.error) == ("pending", "request failed: ConnectionError")
