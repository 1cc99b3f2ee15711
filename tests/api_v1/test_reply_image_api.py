"""A reply with an image through the API (docs/media.md, docs/api.md): multipart ``image`` checked from its bytes as
the composer checks it, the digest in the key's fingerprint (a replay: one reply, one image), the image reaching
the fake platform exactly once at publish, the attachment and the customer's media in the answers; refusals write
and send nothing."""

import hashlib
import uuid
from unittest.mock import patch

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from brands.services import api_keys
from tests.factories import make_ticket
from tests.helpers import db_state
from tests.media.cdn import HTML, PHOTO_URL, FakeCDN, image_bytes
from tests.publishing.test_publishing import answered_ticket
from tickets.channels import media as channel_media
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia, ReplyAttachment, ReplyStatus
from tickets.services import media

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG", (120, 80))
BODY = "Halo Kak, ini panduannya ya"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(client, ticket, content=PNG, name="panduan.png", key=None, body=BODY):
    data = {"body": body, "image": SimpleUploadedFile(name, content, content_type="image/png")}
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/replies/",
        data,
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def test_an_image_reaches_x_exactly_once_at_publish(cast, fake_platform, django_capture_on_commit_callbacks):
    ticket = answered_ticket(cast, fake_platform, "x")
    client = client_for(cast.operator)
    key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = send(client, ticket, key=key)
    assert first.status_code == 201, first.content
    attachment = ReplyAttachment.objects.get()
    assert first.json()["image"] == {
        "id": attachment.pk,
        "name": "panduan.png",
        "content_type": "image/png",
        "size": len(PNG),
        "width": 120,
        "height": 80,
        "url": f"/api/v1/media/r/{attachment.pk}/",
    }
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        again = send(client, ticket, key=key)
    assert (again.status_code, again["Idempotent-Replayed"], again.json()["id"]) == (200, "true", first.json()["id"])
    assert (ticket.replies.count(), ReplyAttachment.objects.count()) == (1, 1)
    up, post = fake_platform.posts()
    assert (up.path, up.body["media"]["sha256"]) == ("/x/2/media/upload", attachment.sha256)
    assert post.body["media"] == {"media_ids": ["1880000000000000001"]}
    detail = client.get(f"/api/v1/replies/{first.json()['id']}/").json()
    assert (detail["status"], detail["image"]["url"]) == (ReplyStatus.SENT, f"/api/v1/media/r/{attachment.pk}/")


def test_the_same_key_with_another_image_is_refused(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "x")
    client = client_for(cast.operator)
    key = str(uuid.uuid4())
    assert send(client, ticket, key=key).status_code == 201
    other = image_bytes("PNG", (60, 60))
    response = send(client, ticket, content=other, key=key)
    assert response.status_code == 422
    assert ReplyAttachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("x", HTML, "Attach a JPG, PNG, GIF, WEBP image."),
        ("x", PNG + b"\0" * (5 * 1024 * 1024), "The image is too large: at most 5 MB here."),
        ("instagram", PNG, "Replies on this platform cannot carry an image."),
    ],
)
def test_an_image_the_platform_refuses_writes_and_sends_nothing(cast, fake_platform, name, content, error):
    ticket = answered_ticket(cast, fake_platform, name)
    before = db_state()
    response = send(client_for(cast.operator), ticket, content=content)
    assert (response.status_code, response.json()) == (400, {"image": [error]})
    assert db_state() == before
    assert fake_platform.requests == []


def test_an_upload_far_over_any_limit_is_refused_unread(cast, fake_platform, settings):
    ticket = answered_ticket(cast, fake_platform, "x")
    settings.SMRC_REPLY_IMAGE_MAX_BYTES = 1000
    before = db_state()
    response = send(client_for(cast.operator), ticket, content=PNG + b"\0" * 300_000)
    assert (response.status_code, response.json()) == (413, {"detail": "The upload is too large, so nothing was done."})
    assert db_state() == before


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("manager", 403), ("read_key", 403)])
def test_people_who_may_not_reply_attach_nothing(cast, fake_platform, who, status):
    ticket = answered_ticket(cast, fake_platform, "x")
    if who == "read_key":
        token = api_keys.create_key(user=cast.operator, name="ro", scope="read", brand_slugs=["acme"]).token
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client = client_for(getattr(cast, who))
    before = db_state()
    response = send(client, ticket)
    assert response.status_code == status
    after = db_state()
    assert {k for k in after if after[k] != before[k]} <= {"api_keys"}
    assert fake_platform.requests == []


def test_the_ticket_lists_the_customers_media_with_our_urls(cast):
    cdn = FakeCDN()
    cdn.add(PHOTO_URL, image_bytes())
    ticket = make_ticket(cast.brand_a, platform="facebook", text="foto", media=(MediaRef("image", PHOTO_URL),))
    photo = MentionMedia.objects.get()
    client = client_for(cast.manager)
    (shown,) = client.get(f"/api/v1/tickets/{ticket.pk}/").json()["mentions"][0]["media"]
    assert shown == {
        "id": photo.pk,
        "kind": "image",
        "state": "pending",
        "content_type": "",
        "size": None,
        "width": None,
        "height": None,
        "alt_text": "",
        "url": None,
    }
    with patch.object(channel_media, "transport", cdn.transport):
        media.fetch_copy(media_id=photo.pk)
    photo.refresh_from_db()
    (shown,) = client.get(f"/api/v1/tickets/{ticket.pk}/").json()["mentions"][0]["media"]
    assert (shown["state"], shown["content_type"], shown["url"]) == (
        "stored",
        photo.content_type,
        f"/api/v1/media/m/{photo.pk}/",
    )
    assert PHOTO_URL not in client.get(f"/api/v1/tickets/{ticket.pk}/").content.decode()
    assert client_for(cast.operator_b).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
