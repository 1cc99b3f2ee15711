"""Media in a real browser, in English and Indonesian, on a desktop and at 390 px: the customer's photo and video
load from our own view (never a CDN, nothing blocked by the Content-Security-Policy), a lost copy says so, the
full size opens, and an image attached in the composer is sent and shown with the reply."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from brands.models import Role
from tests.factories import make_brand, make_channel, make_member, make_ticket, make_user
from tests.helpers import log_in
from tests.media.cdn import MP4, PHOTO_URL, FakeCDN, image_bytes
from tests.publishing.test_publishing import TOKEN
from tickets.channels import media as channel_media
from tickets.channels.base import MediaRef
from tickets.models import MentionMedia
from tickets.services import media, workflow

pytestmark = [pytest.mark.browser]
SHOTS = "/tmp"
ALT = "Struk <b>pembayaran</b>"


@pytest.fixture
def media_setup(transactional_db, monkeypatch, fake_platform):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a")
    make_member(operator, brand, Role.OPERATOR)
    account = make_channel(brand, platform="facebook", external_id="104523987654321", access_token=TOKEN)
    fake_platform.page_id = account.external_id
    cdn = FakeCDN()
    monkeypatch.setattr(channel_media, "transport", cdn.transport)
    video = "https://video.xx.fbcdn.net/v/v.mp4"
    gone = PHOTO_URL + "&gone=1"
    cdn.add(PHOTO_URL, image_bytes("PNG", (800, 600), (30, 120, 200)))
    cdn.add(video, MP4)
    cdn.add(gone, b"expired", status=403)
    ticket = make_ticket(
        brand,
        platform="facebook",
        kind="comment",
        platform_id="122187654321098765_2209871263345567",
        channel_account_id=account.pk,
        text="Ini struknya, saldo terpotong dua kali " + "panjang " * 20,
        media=(MediaRef("image", PHOTO_URL, alt_text=ALT), MediaRef("video", video), MediaRef("image", gone)),
    )
    for row in MentionMedia.objects.all():
        media.fetch_copy(media_id=row.pk)
    workflow.claim_ticket(ticket=ticket, user=operator)
    return ticket


def _ours_only(page) -> list[str]:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("localhost", "127.0.0.1") else None,
    )
    return outside


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"


def test_media_show_from_our_copies_in_english_and_at_390_px(page, media_setup):
    outside = _ours_only(page)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, "op_a")
    page.goto(f"/tickets/{media_setup.pk}/")
    photo = page.get_by_role("img", name=ALT)
    expect(photo).to_be_visible()
    photo_id = MentionMedia.objects.get(state="stored", kind="image").pk
    expect(photo).to_have_attribute("src", f"/media/m/{photo_id}/")
    page.wait_for_function("img => img.complete && img.naturalWidth === 800", arg=photo.element_handle())
    video = page.locator("video.media-video")
    expect(video).to_have_attribute("preload", "none")
    expect(page.get_by_text("Media no longer available")).to_be_visible()
    expect(page.get_by_label("Attach image")).to_be_visible()
    expect(page.get_by_text("(one JPG, PNG, GIF image, at most 4 MB)")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/media-en-desktop.png", full_page=True)
    with page.context.expect_page() as opened:
        photo.click()
    full = opened.value
    full.wait_for_load_state()
    assert urlparse(full.url).path == f"/media/m/{photo_id}/"
    full.close()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(photo).to_be_visible()
    box = photo.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    _no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/media-en-390.png", full_page=True)
    assert outside == []
    assert violations == []


def test_media_in_indonesian_at_390_px(page, media_setup):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "op_a")
    page.get_by_role("button", name="ID").click()
    # the switch is a full page load: going elsewhere before it answered cancels it (and the language with it)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.goto(f"/tickets/{media_setup.pk}/")
    expect(page.get_by_text("Media tidak tersedia lagi")).to_be_visible()
    expect(page.get_by_role("link", name="Buka videonya")).to_be_visible()
    expect(page.get_by_label("Lampirkan gambar")).to_be_visible()
    expect(page.get_by_text("(satu gambar JPG, PNG, GIF, paling besar 4 MB)")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/media-id-390.png", full_page=True)


def test_an_image_attached_in_the_composer_is_sent_and_shown(page, media_setup, fake_platform):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "op_a")
    page.goto(f"/tickets/{media_setup.pk}/")
    page.get_by_label(re.compile("^Reply to")).fill("Halo Kak, ini panduan cek saldo ya")
    page.get_by_label("Attach image").set_input_files(
        {"name": "panduan.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (300, 200))}
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    shown = page.get_by_role("img", name="Image sent with the reply: panduan.png")
    expect(shown).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 300", arg=shown.element_handle())
    (post,) = fake_platform.posts()
    assert post.path == "/graph/122187654321098765_2209871263345567/comments"
    assert post.body["message"] == "Halo Kak, ini panduan cek saldo ya"
    assert post.body["source"]["content_type"] == "image/png"
    _no_sideways_scroll(page)
    page.screenshot(path=f"{SHOTS}/media-reply-390.png", full_page=True)


def test_an_html_file_named_as_an_image_is_refused_in_the_page(page, media_setup, fake_platform):
    log_in(page, "op_a")
    page.goto(f"/tickets/{media_setup.pk}/")
    page.get_by_label(re.compile("^Reply to")).fill("Halo Kak")
    page.get_by_label("Attach image").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": b"<html><script>alert(1)</script></html>"}
    )
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Attach a JPG, PNG, GIF image.")).to_be_visible()
    assert fake_platform.requests == []
    assert media_setup.replies.count() == 0
