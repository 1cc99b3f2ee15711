"""Hostile media: a customer's PNG of huge dimensions in a few bytes (a decompression bomb for every operator's
browser that shows it), SVG/HTML under an image's first bytes (polyglots), names with path traversal on a reply's
image."""

import struct
import zlib

import pytest

from tests.media.cdn import PHOTO_URL, SVG, image_bytes
from tests.media.conftest import cdn  # noqa: F401 (the fixture)
from tests.media.test_fetch import fetched, with_media
from tickets.channels.base import MediaRef
from tickets.channels.media import X_IMAGE
from tickets.services import media
from tickets.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db


def png_of(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` pixels, in a few hundred bytes (no pixel data needed for
    a header read, and browsers start decoding from here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [9_000, 12_000, 60_000])
def test_a_customers_image_of_huge_dimensions_is_not_kept(cast, cdn, side):  # noqa: F811
    cdn.add(PHOTO_URL, png_of(side, side))
    _ticket, (row,) = with_media(cast, MediaRef(kind="image", url=PHOTO_URL))
    row = fetched(row)
    assert row.state == ("too_large" if side < 20_000 else "failed")  # Pillow itself refuses the largest
    assert not row.file


def test_an_image_with_script_appended_is_served_inert(cast, cdn, browser):  # noqa: F811
    polyglot = image_bytes("PNG", (20, 20)) + SVG + b"<html><script>alert(1)</script>"
    cdn.add(PHOTO_URL, polyglot)
    _ticket, (row,) = with_media(cast, MediaRef(kind="image", url=PHOTO_URL))
    row = fetched(row)
    response = browser(cast.operator).get(f"/media/m/{row.pk}/")
    if row.state == "stored":
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.png", "..\\..\\x.png", "a\x00b.png", "<img src=x onerror=alert(1)>.png", "x" * 5000]
)
def test_a_reply_images_name_never_reaches_the_storage_name(name):
    image = media.check_image(content=image_bytes("PNG", (20, 20)), name=name, rule=X_IMAGE)
    assert "/" not in image.name
    assert "\x00" not in image.name
    assert len(image.name) <= 200


@pytest.mark.parametrize("content", [png_of(9_000, 9_000), png_of(60_000, 60_000), SVG, b"GIF89a" + SVG])
def test_a_reply_image_bomb_or_disguised_svg_is_refused(content):
    with pytest.raises(WorkflowError):
        media.check_image(content=content, name="a.png", rule=X_IMAGE)


def test_a_copy_whose_file_is_gone_from_storage_is_a_404_not_a_500(cast):
    """A copy the database names but the storage lost (a disk restored from an older backup, a bucket cleaned by
    hand): the page and the API answer 404, as for a copy that is not there yet."""
    from django.test import Client
    from rest_framework.test import APIClient

    from tests.qa.conftest import publish
    from tickets.models import ReplyAttachment

    reply = publish(cast.brand_a, cast.operator)
    gone = ReplyAttachment.objects.create(
        brand=cast.brand_a,
        reply=reply,
        file="out/ab/" + "ab" * 32 + ".png",
        content_type="image/png",
        size=10,
        width=1,
        height=1,
        sha256="ab" * 32,
    )
    page = Client(raise_request_exception=False)
    page.force_login(cast.operator)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(cast.operator)
    assert page.get(f"/media/r/{gone.pk}/").status_code == 404
    assert api.get(f"/api/v1/media/r/{gone.pk}/").status_code == 404
