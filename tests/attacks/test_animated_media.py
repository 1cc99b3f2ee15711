"""Animated images are bounded over all their frames, not frame by frame: a GIF (or APNG, or WebP) of thousands
of small frames passes a per-frame pixel cap, and every browser that plays it decodes every frame. The images
are built here with Pillow, each frame one pixel different from the last (so none is merged away), a few hundred
kilobytes at most."""

import io

import pytest
from PIL import Image

from tests.helpers import db_state
from tests.media.cdn import PHOTO_URL
from tests.media.conftest import cdn  # noqa: F401 (the fixture)
from tests.media.test_fetch import fetched, with_media
from tests.media.test_reply_image import post_reply, stored_files, upload
from tests.publishing.test_publishing import answered_ticket
from tickets.channels.base import MediaRef
from tickets.channels.media import X_IMAGE
from tickets.services import media
from tickets.services.workflow import WorkflowError

pytestmark = pytest.mark.django_db

FORMATS = {"GIF": "image/gif", "PNG": "image/png", "WEBP": "image/webp"}


def animation(fmt: str, frames: int, size: tuple[int, int] = (20, 20)) -> bytes:
    """An animation of ``frames`` frames of ``size``; each frame moves one pixel."""
    width, height = size
    images = []
    for i in range(frames):
        image = Image.new("P" if fmt == "GIF" else "RGB", size, 0)
        image.putpixel((i % width, (i // width) % height), 1 if fmt == "GIF" else (255, 0, 0))
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, fmt, save_all=True, append_images=images[1:], duration=20, loop=0)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:
        assert check.n_frames == frames
    return data


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_customers_animation_of_thousands_of_frames_is_not_kept(cast, cdn, settings, fmt):  # noqa: F811
    settings.SMRC_MEDIA_MAX_PIXELS = 1_000_000  # 3,000 frames of 20 × 20 = 1,200,000 pixels in all
    data = animation(fmt, 3000)
    assert len(data) < 400_000
    cdn.add(PHOTO_URL, data, content_type=FORMATS[fmt])
    _ticket, (row,) = with_media(cast, MediaRef(kind="image", url=PHOTO_URL))
    row = fetched(row)
    assert row.state == "too_large"
    assert row.error == "an animation of too many pixels in all its frames"
    assert not row.file
    assert row.width is None


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_customers_animation_within_the_cap_over_all_frames_is_kept(cast, cdn, settings, fmt):  # noqa: F811
    settings.SMRC_MEDIA_MAX_PIXELS = 1_000_000  # 2,500 frames of 20 × 20: exactly the cap
    cdn.add(PHOTO_URL, animation(fmt, 2500), content_type=FORMATS[fmt])
    _ticket, (row,) = with_media(cast, MediaRef(kind="image", url=PHOTO_URL))
    row = fetched(row)
    assert row.state == "stored"
    assert row.content_type == FORMATS[fmt]
    assert (row.width, row.height) == (20, 20)


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_a_reply_animation_of_thousands_of_frames_is_refused(settings, fmt):
    settings.SMRC_REPLY_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(WorkflowError) as caught:
        media.check_image(content=animation(fmt, 3000), name="a.gif", rule=X_IMAGE)
    assert str(caught.value) == "The image has too many pixels in all its frames (3000 frames of 20 × 20)."
    accepted = media.check_image(content=animation(fmt, 2500), name="a.gif", rule=X_IMAGE)
    assert (accepted.width, accepted.height) == (20, 20)


def test_a_reply_animation_of_thousands_of_frames_posted_writes_nothing(cast, fake_platform, browser, settings):
    settings.SMRC_REPLY_IMAGE_MAX_PIXELS = 1_000_000
    ticket = answered_ticket(cast, fake_platform, "x")
    before = db_state()
    response = post_reply(browser(cast.operator), ticket, upload(animation("GIF", 3000), "loop.gif", "image/gif"))
    assert response.status_code == 400
    assert "The image has too many pixels in all its frames (3000 frames of 20 × 20)." in response.content.decode()
    assert db_state() == before
    assert stored_files(settings) == []
    assert fake_platform.requests == []
