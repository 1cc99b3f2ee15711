"""QA scorecards in a real browser, in English and Indonesian, at 1280 px and 390 px: a supervisor finds the reply
in the week's sample from the navigation, grades it (a score and a comment per criterion), and the operator reads
the scorecard in My performance and acknowledges it; the rubric page fits a phone."""

import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brands.models import Role
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import Reply, ReplyStatus, Scorecard

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")  # a folder to save screenshots into, when set
SIZES = [(1280, "en"), (1280, "id"), (390, "en"), (390, "id")]
WORDS = {
    "en": {
        "title": "QA scorecards",
        "grade": "Grade",
        "save": "Save scorecard",
        "saved": "Scorecard saved. The operator is notified.",
        "mine": "My QA scorecards",
        "ack": "Acknowledge",
        "acked": "Scorecard acknowledged.",
        "rubric": "Save QA settings",
    },
    "id": {
        "title": "Kartu penilaian QA",
        "grade": "Nilai",
        "save": "Simpan kartu penilaian",
        "saved": "Kartu penilaian disimpan. Operator sudah diberi tahu.",
        "mine": "Kartu penilaian QA saya",
        "ack": "Konfirmasi sudah dibaca",
        "acked": "Kartu penilaian dikonfirmasi.",
        "rubric": "Simpan pengaturan QA",
    },
}


@pytest.fixture
def published(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator, supervisor = make_user("op_a"), make_user("sup_a")
    make_member(operator, brand, Role.OPERATOR)
    make_member(supervisor, brand, Role.SUPERVISOR)
    ticket = make_ticket(brand, author_id="c1", text="Sinyal hilang di Bekasi <b>tolong</b>")
    now = timezone.now()
    return Reply.objects.create(
        brand=brand,
        ticket=ticket,
        author=operator,
        body="Halo Kak, mohon maaf atas kendalanya. Boleh DM nomor pelanggannya?",
        status=ReplyStatus.SENT,
        submitted_at=now,
        sent_at=now,
    )


def _fits(page, width: int) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") == width


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_a_supervisor_grades_and_the_operator_acknowledges(page, published, width, language):
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "sup_a")
    page.locator(".mainnav a[href='/qa/']").click()
    expect(page.locator("h1")).to_have_text(words["title"])
    row = page.locator(f"tr[data-reply='{published.pk}']")
    expect(row).to_contain_text("op_a")
    _fits(page, width)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"qa-sample-{language}-{width}.png"), full_page=True)
    row.get_by_role("link", name=words["grade"]).click()
    expect(page).to_have_url(re.compile(rf"/qa/replies/{published.pk}/$"))
    for key, score in (("tone", "5"), ("knowledge", "4"), ("ownership", "2"), ("language", "4"), ("etiquette", "5")):
        page.locator(f"fieldset[data-criterion='{key}'] label", has_text=re.compile(rf"^\s*{score}\s*$")).click()
    page.locator("textarea[name='comment-ownership']").fill("Sampaikan langkah berikutnya dan kapan.")
    page.locator("textarea[name='coaching']").fill("Sapaan sudah bagus.")
    _fits(page, width)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"qa-grade-{language}-{width}.png"), full_page=True)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator(".messages")).to_contain_text(words["saved"], timeout=15_000)
    card = Scorecard.objects.get(reply=published)
    assert str(card.score) == "80.0"  # (25·5 + 25·4 + 20·2 + 15·4 + 15·5) / 500 = 400 / 500
    expect(page.locator(f"#sc{card.pk}")).to_contain_text("80.0%" if language == "en" else "80,0%")

    page.context.clear_cookies()
    log_in(page, "op_a")
    page.locator(".mainnav a[href='/me/performance/']").click()
    expect(page.locator("#h-qa")).to_have_text(words["mine"])
    scorecard = page.locator(f"#sc{card.pk}")
    expect(scorecard).to_contain_text("Sampaikan langkah berikutnya dan kapan.")
    expect(scorecard).to_contain_text("Sapaan sudah bagus.")
    _fits(page, width)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"qa-performance-{language}-{width}.png"), full_page=True)
    scorecard.get_by_role("button", name=words["ack"]).click()
    expect(page.locator(".messages")).to_contain_text(words["acked"], timeout=15_000)
    expect(page).to_have_url(re.compile(r"/me/performance/"))  # back where the button was
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at is not None


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_the_rubric_page_fits_and_saves(page, published, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "sup_a")
    if language == "id":
        page.get_by_role("button", name="ID").click()
        expect(page.locator("html")).to_have_attribute("lang", "id")
    page.goto("/settings/acme/qa/")
    expect(page.locator("input[name='c-0-name']")).to_have_value("Nada pelayanan")  # the brand speaks Indonesian
    page.locator("input[name='c-0-weight']").fill("40")
    page.locator("input[name='c-5-name']").fill("Empati")
    page.locator("input[name='c-5-weight']").fill("10")
    _fits(page, width)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"qa-settings-{language}-{width}.png"), full_page=True)
    # leave the number field first (Tab): in headless Chromium at 390 px a click straight from a focused number
    # field above the button was swallowed; a person's tap closes the keyboard first
    page.keyboard.press("Tab")
    page.get_by_role("button", name=WORDS[language]["rubric"]).click()
    expect(page.locator(".messages")).to_be_visible(timeout=15_000)  # a save on a busy machine
    expect(page.locator("input[name='c-5-name']")).to_have_value("Empati")
    expect(page.locator("input[name='c-0-weight']")).to_have_value("40")
