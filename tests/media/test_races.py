"""Races on SQLite and PostgreSQL: four workers given the same copy at the same instant fetch it once (the
conditional UPDATE that takes the row), and four identical submissions of a reply with an image make one reply
with one image and one post (its idempotency key, the image's digest in its fingerprint)."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.concurrency.test_races import run_together
from tests.factories import make_ticket
from tests.helpers import keyed
from tests.media.cdn import PHOTO_URL, image_bytes
from tests.publishing.test_publishing import answered_ticket
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia, ReplyAttachment
from tickets.services import media

pytestmark = pytest.mark.django_db(transaction=True)
N = 4


def test_four_workers_fetch_one_copy_once(cast, cdn):
    cdn.add(PHOTO_URL, b"busy", status=503)  # the fetch queued at commit fails for now
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="comment", media=(MediaRef("image", PHOTO_URL),))
    row = MentionMedia.objects.get(mention__ticket=ticket)
    assert (row.state, row.attempts) == ("pending", 1)
    cdn.add(PHOTO_URL, image_bytes())
    cdn.asked.clear()
    lock = threading.Lock()
    real_send = cdn.send

    def send(request, **kwargs):
        with lock:
            return real_send(request, **kwargs)

    cdn.send = send
    results = run_together(*[lambda: media.fetch_copy(media_id=row.pk, now=row.next_try_at)] * N)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r is not None for r in results) == 1
    assert cdn.asked == [PHOTO_URL]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("stored", 2)


def test_four_identical_submissions_with_an_image_make_one_reply_and_one_post(cast, fake_platform):
    ticket = answered_ticket(cast, fake_platform, "x")
    key = "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b"
    png = image_bytes()

    def submit():
        client = Client()
        client.force_login(cast.operator)
        image = SimpleUploadedFile("a.png", png, content_type="image/png")
        return client.post(f"/tickets/{ticket.pk}/reply/", keyed({"body": "Halo Kak", "image": image}, key=key))

    results = run_together(*[submit] * N)
    assert [getattr(r, "status_code", r) for r in results] == [302] * N
    assert ticket.replies.count() == 1
    assert ReplyAttachment.objects.count() == 1
    assert [p.path for p in fake_platform.posts()] == ["/x/2/media/upload", "/x/2/tweets"]
