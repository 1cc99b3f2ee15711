"""Stored media shared across brands (docs/media.md "Copies are shared"): a file is named by its bytes' SHA-256, so
the same photo sent to two brands, or the same image attached to two brands' replies, is one file that rows of
both brands name. Nothing brand A does — deleting its mention, ticket, reply or the brand itself (in the admin),
fetching a copy again, the sweeps — may take brand B's image away: B still reads it, byte for byte. SMRC deletes
no stored file at all (there is no retention sweep); a source check keeps it so until a reference-counted
deletion is built."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage

from brands.models import Brand
from tests.factories import make_ticket
from tests.media.cdn import PHOTO_URL, image_bytes
from tests.media.conftest import cdn  # noqa: F401 (the fixture)
from tickets.channels.base import MediaRef
from tickets.channels.media import X_IMAGE
from tickets.models import MediaState, Mention, MentionMedia, Reply, ReplyAttachment, Ticket
from tickets.services import media

pytestmark = pytest.mark.django_db

PHOTO = image_bytes("PNG", (64, 48))
OTHER_PHOTO = image_bytes("PNG", (32, 16))
REPLY_IMAGE = image_bytes("PNG", (40, 30))


def stored_copy(brand) -> MentionMedia:
    ticket = make_ticket(brand, platform="facebook", kind="comment", media=(MediaRef("image", PHOTO_URL),))
    row = MentionMedia.objects.get(mention__ticket=ticket)
    media.fetch_copy(media_id=row.pk)
    row.refresh_from_db()
    assert row.state == MediaState.STORED
    return row


def reply_with_image(brand, user) -> ReplyAttachment:
    ticket = make_ticket(brand, platform="x", kind="mention")
    reply = Reply.objects.create(brand=brand, ticket=ticket, author=user, body="Halo Kak")
    image = media.check_image(content=REPLY_IMAGE, name="panduan.png", rule=X_IMAGE)
    return media.attach(reply=reply, image=image)


@pytest.fixture
def shared(cast, cdn):  # noqa: F811
    """The same photo stored for a mention of brand A and one of brand B: one file, two rows."""
    cdn.add(PHOTO_URL, PHOTO)
    a, b = stored_copy(cast.brand_a), stored_copy(cast.brand_b)
    assert a.file.name == b.file.name  # one file for both brands: the premise of every test here
    return a, b


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def assert_b_reads_its_copy(cast, browser, b: MentionMedia) -> None:
    assert default_storage.exists(b.file.name)
    assert served(browser(cast.operator_b), f"/media/m/{b.pk}/") == PHOTO


@pytest.mark.parametrize("deleted", ["mention", "ticket", "media row"])
def test_deleting_brand_as_mention_or_ticket_leaves_brand_bs_copy(cast, browser, shared, deleted):
    a, b = shared
    {
        "mention": lambda: Mention.objects.filter(pk=a.mention_id).delete(),
        "ticket": lambda: Ticket.objects.filter(mentions__pk=a.mention_id).delete(),
        "media row": lambda: MentionMedia.objects.filter(pk=a.pk).delete(),
    }[deleted]()
    assert not MentionMedia.objects.filter(pk=a.pk).exists()
    assert_b_reads_its_copy(cast, browser, b)
    assert browser(cast.operator).get(f"/media/m/{a.pk}/").status_code == 404  # A's row is gone, not B's file


def test_the_admin_refuses_to_delete_a_brand_and_brand_bs_copy_stays(cast, browser, shared):
    """The admin will not delete a brand that has events (their admin deletes nothing): 403, nothing changed."""
    a, b = shared
    response = browser(cast.admin).post(f"/admin/brands/brand/{cast.brand_a.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert MentionMedia.objects.filter(pk__in=[a.pk, b.pk]).count() == 2
    assert served(browser(cast.operator), f"/media/m/{a.pk}/") == PHOTO
    assert_b_reads_its_copy(cast, browser, b)


def test_deleting_brand_a_from_a_shell_leaves_brand_bs_copy(cast, browser, shared):
    a, b = shared
    Brand.objects.filter(pk=cast.brand_a.pk).delete()
    assert not MentionMedia.objects.filter(pk=a.pk).exists()
    assert_b_reads_its_copy(cast, browser, b)


def test_fetching_brand_as_copy_again_leaves_brand_bs_bytes(cast, browser, cdn, shared):  # noqa: F811
    a, b = shared
    cdn.add(PHOTO_URL, OTHER_PHOTO)  # the link now answers other bytes
    MentionMedia.objects.filter(pk=a.pk).update(state=MediaState.PENDING, next_try_at=None)
    media.fetch_copy(media_id=a.pk)
    a.refresh_from_db()
    assert a.file.name != b.file.name  # other bytes, another name: the shared file is not rewritten
    assert served(browser(cast.operator), f"/media/m/{a.pk}/") == OTHER_PHOTO
    assert_b_reads_its_copy(cast, browser, b)


def test_the_sweeps_leave_a_shared_copy_whose_other_row_is_gone(cast, browser, shared):
    a, b = shared
    Mention.objects.filter(pk=a.mention_id).delete()
    media.sweep_media_task()
    assert_b_reads_its_copy(cast, browser, b)


def test_a_reply_image_shared_by_two_brands_survives_the_other_brands_deletions(cast, browser):
    a = reply_with_image(cast.brand_a, cast.operator)
    b = reply_with_image(cast.brand_b, cast.operator_b)
    assert a.file.name == b.file.name
    Reply.objects.filter(pk=a.reply_id).delete()
    assert not ReplyAttachment.objects.filter(pk=a.pk).exists()
    assert served(browser(cast.operator_b), f"/media/r/{b.pk}/") == REPLY_IMAGE
    Brand.objects.filter(pk=cast.brand_a.pk).delete()
    assert served(browser(cast.operator_b), f"/media/r/{b.pk}/") == REPLY_IMAGE


def test_a_shared_copy_is_read_through_the_api_by_brand_b_after_brand_as_deletion(cast, api, shared):
    a, b = shared
    Ticket.objects.filter(mentions__pk=a.mention_id).delete()
    response = api(cast.operator_b).get(f"/api/v1/media/m/{b.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO
    assert api(cast.operator).get(f"/api/v1/media/m/{a.pk}/").status_code == 404


#: what deletes a stored file: the storage's delete, a FieldFile's delete, or removing a path under MEDIA_ROOT
DELETES_A_FILE = re.compile(
    r"storage\.delete\(|\.file\.delete\(|\.delete\(save=|\bos\.(remove|unlink)\(|Path\(.*\)\.unlink\(|rmtree\(.*MEDIA"
)


def test_no_code_deletes_a_stored_file():
    """SMRC deletes no stored copy (docs/media.md): a file may be named by rows of several brands. Deleting one
    must first count the rows of every brand that name it (decision 86); until that is built, none does."""
    found = []
    for package in ("tickets", "brands", "smrc"):
        for path in sorted((Path(settings.BASE_DIR) / package).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if DELETES_A_FILE.search(line):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert found == []
