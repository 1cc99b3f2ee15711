"""An image with a reply: offered only where the platform takes one, checked on the server from its bytes, stored
with the reply, shown in review, and sent at publish time through the fake platform server, exactly once."""

import hashlib
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brands.models import ReviewPolicy
from tests.helpers import db_state, keyed
from tests.media.cdn import HTML, SVG, image_bytes
from tests.publishing.test_publishing import TOKEN, answered_ticket
from tickets.channels.media import X_IMAGE
from tickets.models import ReplyAttachment, ReplyStatus
from tickets.services import delivery, media, replies
from tickets.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG", (120, 80))
BODY = "Halo Kak, ini panduannya ya 🙏"


def upload(content: bytes = PNG, name: str = "panduan.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_reply(client, ticket, image, body=BODY, key=None):
    return client.post(f"/tickets/{ticket.pk}/reply/", keyed({"body": body, "snippets": "", "image": image}, key=key))


def stored_files(settings) -> list[str]:
    return sorted(f for _root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files)


@pytest.mark.parametrize(
    ("name", "kind", "accept", "hint"),
    [
        ("x", None, "image/jpeg,image/png,image/gif,image/webp", "(one JPG, PNG, GIF, WEBP image, at most 5 MB)"),
        ("facebook", None, "image/jpeg,image/png,image/gif", "(one JPG, PNG, GIF image, at most 4 MB)"),
        ("facebook", "dm", "image/jpeg,image/png", "(one JPG, PNG image, at most 8 MB)"),
    ],
)
def test_the_composer_offers_an_image_with_the_platforms_limits(cast, fake_platform, browser, name, kind, accept, hint):
    ticket = answered_ticket(cast, fake_platform, name, kind=kind)
    page = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'<input type="file" id="id_reply_image" name="image" accept="{accept}"' in page
    assert hint in page


@pytest.mark.parametrize("name", ["instagram", "youtube"])
def test_no_image_control_where_the_platform_takes_text_only(cast, fake_platform, browser, name):
    ticket = answered_ticket(cast, fake_platform, name)
    page = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'id="reply-form"' in page
    assert "id_reply_image" not in page
    assert "Attach image" not in page


def test_an_image_on_x_is_uploaded_then_named_by_the_post(
    cast, fake_platform, browser, settings, django_capture_on_commit_callbacks
):
    ticket = answered_ticket(cast, fake_platform, "x")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_reply(browser(cast.operator), ticket, upload())
    assert (response.status_code, response["Location"]) == (302, f"/tickets/{ticket.pk}/")
    image = ReplyAttachment.objects.get()
    assert (image.content_type, image.size, image.width, image.height, image.name) == (
        "image/png",
        len(PNG),
        120,
        80,
        "panduan.png",
    )
    assert image.sha256 == hashlib.sha256(PNG).hexdigest()
    up, post = fake_platform.posts()
    assert up.path == "/x/2/media/upload"
    assert up.headers["Authorization"] == f"Bearer {TOKEN}"
    assert up.body["media_category"] == "tweet_image"
    assert (up.body["media"]["sha256"], up.body["media"]["content_type"]) == (image.sha256, "image/png")
    assert post.path == "/x/2/tweets"
    assert post.body == {
        "text": BODY,
        "reply": {"in_reply_to_tweet_id": "2123616243545042945"},
        "media": {"media_ids": ["1880000000000000001"]},
    }
    image.reply.refresh_from_db()
    assert image.reply.status == ReplyStatus.SENT


def test_an_image_with_a_facebook_comment_goes_as_source(
    cast, fake_platform, browser, django_capture_on_commit_callbacks
):
    ticket = answered_ticket(cast, fake_platform, "facebook")
    jpeg = image_bytes("JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        post_reply(browser(cast.operator), ticket, upload(jpeg, "foto.jpg", "image/jpeg"))
    (post,) = fake_platform.posts()
    assert post.path == "/graph/1221876_1187456392011845/comments"
    assert post.body["message"] == BODY
    assert post.body["source"]["sha256"] == hashlib.sha256(jpeg).hexdigest()
    assert post.body["source"]["content_type"] == "image/jpeg"


def test_messenger_sends_the_image_once_even_when_the_text_is_retried(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "facebook", kind="dm")
    image = media.check_image(content=PNG, name="a.png", rule=media.reply_image_rule(ticket))
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body=BODY, image=image)
    fake_platform.script("POST", "/graph/me/messages", 200, {"recipient_id": "u-1", "message_id": "m_image1"})
    fake_platform.script("POST", "/graph/me/messages", 429, {"error": {"message": "slow down", "code": 4}})
    first = delivery.deliver_reply(reply_id=reply.pk)
    assert (first.status, first.retry_at is not None) == (ReplyStatus.APPROVED, True)
    attachment = ReplyAttachment.objects.get()
    assert (attachment.upload_id, attachment.sent_id) == ("170000000000001", "m_image1")
    sent = delivery.deliver_reply(reply_id=reply.pk, now=first.retry_at + timedelta(seconds=1))
    assert sent.status == ReplyStatus.SENT
    calls = [(r.path, r.body.get("message")) for r in fake_platform.posts()]
    assert calls == [
        ("/graph/me/message_attachments", '{"attachment": {"type": "image", "payload": {"is_reusable": false}}}'),
        ("/graph/me/messages", {"attachment": {"type": "image", "payload": {"attachment_id": "170000000000001"}}}),
        ("/graph/me/messages", {"text": BODY}),
        ("/graph/me/messages", {"text": BODY}),
    ]
    assert len(fake_platform.uploads) == 1
    assert fake_platform.uploads[0]["sha256"] == attachment.sha256


def test_a_repeated_submission_stores_one_reply_and_one_image(cast, fake_platform, browser, settings):
    ticket = answered_ticket(cast, fake_platform, "x")
    client = browser(cast.operator)
    key = "0b5c7f4e-8a1d-4c3e-9f2a-1d2e3f4a5b6c"
    assert post_reply(client, ticket, upload(), key=key).status_code == 302
    assert post_reply(client, ticket, upload(), key=key).status_code == 302
    assert ReplyAttachment.objects.count() == 1
    assert ticket.replies.count() == 1
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("content", "name", "content_type", "error"),
    [
        (HTML, "photo.jpg", "image/jpeg", "Attach a JPG, PNG, GIF, WEBP image."),
        (SVG, "logo.svg", "image/svg+xml", "Attach a JPG, PNG, GIF, WEBP image."),
        (
            b"\x89PNG\r\n\x1a\n" + b"<script>alert(1)</script>",
            "x.png",
            "image/png",
            "This file is not a readable image.",
        ),
        (PNG + b"\0" * (5 * 1024 * 1024), "big.png", "image/png", "The image is too large: at most 5 MB here."),
    ],
)
def test_a_file_that_is_not_an_acceptable_image_is_refused_and_nothing_happens(
    cast, fake_platform, browser, settings, content, name, content_type, error
):
    ticket = answered_ticket(cast, fake_platform, "x")
    before = db_state()
    response = post_reply(browser(cast.operator), ticket, upload(content, name, content_type))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert db_state() == before
    assert stored_files(settings) == []
    assert fake_platform.requests == []


def test_too_many_pixels_are_refused(cast, fake_platform, browser, settings):
    settings.SMRC_REPLY_IMAGE_MAX_PIXELS = 100 * 100
    ticket = answered_ticket(cast, fake_platform, "x")
    response = post_reply(browser(cast.operator), ticket, upload(image_bytes("PNG", (200, 100))))
    assert response.status_code == 400
    assert "The image has too many pixels (200 × 100)." in response.content.decode()


@pytest.mark.parametrize("name", ["instagram", "youtube"])
def test_an_image_where_the_platform_takes_text_only_is_refused(cast, fake_platform, browser, settings, name):
    ticket = answered_ticket(cast, fake_platform, name)
    before = db_state()
    response = post_reply(browser(cast.operator), ticket, upload())
    assert response.status_code == 400
    assert "Replies on this platform cannot carry an image." in response.content.decode()
    assert db_state() == before
    assert stored_files(settings) == []
    assert fake_platform.requests == []
    with pytest.raises(WorkflowError):  # the service checks again, whatever the form said
        replies.submit_reply(
            ticket=ticket,
            user=cast.operator,
            body=BODY,
            image=media.check_image(content=PNG, name="a.png", rule=X_IMAGE),
        )
    assert db_state() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("operator_b", 404), ("outsider", 404)])
def test_people_who_may_not_reply_attach_nothing(cast, fake_platform, browser, settings, who, status):
    ticket = answered_ticket(cast, fake_platform, "x")
    before = db_state()
    response = post_reply(browser(getattr(cast, who)), ticket, upload())
    assert response.status_code == status
    assert db_state() == before
    assert stored_files(settings) == []
    assert fake_platform.requests == []


def test_an_upload_far_over_any_limit_is_refused_unread(cast, fake_platform, browser, settings):
    settings.SMRC_REPLY_IMAGE_MAX_BYTES = 10_000
    ticket = answered_ticket(cast, fake_platform, "x")
    before = db_state()
    response = post_reply(browser(cast.operator), ticket, upload(PNG + b"\0" * 400_000))
    assert response.status_code == 413
    assert "The upload is too large, so nothing was done." in response.content.decode()
    assert db_state() == before
    assert stored_files(settings) == []


def test_the_image_is_shown_in_review_and_on_the_ticket_and_served_in_scope(cast, fake_platform, browser):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = answered_ticket(cast, fake_platform, "x")
    image = media.check_image(content=PNG, name="<img src=x onerror=alert(1)>.png", rule=media.reply_image_rule(ticket))
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body=BODY, image=image)
    assert reply.status == ReplyStatus.IN_REVIEW
    attachment = ReplyAttachment.objects.get()
    tag = f'<img class="media-thumb" src="/media/r/{attachment.pk}/" loading="lazy" decoding="async"'
    escaped = 'alt="Image sent with the reply: &lt;img src=x onerror=alert(1)&gt;.png"'
    review = browser(cast.supervisor).get(f"/review/?reply={reply.pk}").content.decode()
    assert tag in review
    assert escaped in review
    assert tag in browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    for user, status in ((cast.manager, 200), (cast.operator, 200), (cast.operator_b, 404), (cast.outsider, 404)):
        assert browser(user).get(f"/media/r/{attachment.pk}/").status_code == status
    response = browser(cast.manager).get(f"/media/r/{attachment.pk}/")
    assert (response["Content-Type"], response["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert b"".join(response.streaming_content) == PNG
    assert fake_platform.requests == []  # nothing sent before a reviewer approves


def test_a_reply_without_an_image_works_as_before(cast, fake_platform, browser):
    ticket = answered_ticket(cast, fake_platform, "youtube")
    response = post_reply(browser(cast.operator), ticket, "")
    assert response.status_code == 302
    assert ticket.replies.get().attachments.count() == 0
