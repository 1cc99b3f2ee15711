"""The operator's workspace in a real browser, in English and Indonesian, at 1280 px and on a 390 px phone: bulk
actions on queue rows (x and shift-click), assigning to a teammate (a), the customer's history with a linked
identity, and the snippet preview filled for the ticket (escaped)."""

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brands.models import Presence, Role
from tests.browser.test_operator_loop import TIMEOUT_MS
from tests.factories import make_brand, make_member, make_snippet, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import Event, Notification, Ticket, TicketStatus
from tickets.services import workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")  # a folder to save screenshots into, when set

#: (language, viewport width): English on a laptop, Indonesian on a phone, and the other way round
LAYOUTS = [("en", 1280), ("id", 390), ("id", 1280), ("en", 390)]
WORDS = {
    "en": {
        "done": "Done for 2 tickets",
        "assigned": "Assigned to op_a2.",
        "linked": "Linked @budi.s",
        "apply": "Apply",
    },
    "id": {
        "done": "Selesai untuk 2 tiket",
        "assigned": "Ditugaskan kepada op_a2.",
        "linked": "@budi.s ditautkan",
        "apply": "Terapkan",
    },
}


@pytest.fixture
def workspace(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    supervisor = make_user("sup_a", first_name="Rina")
    teammate = make_user("op_a2")
    make_member(supervisor, brand, Role.SUPERVISOR)
    make_member(teammate, brand, Role.OPERATOR)
    Presence.objects.create(user=teammate, last_seen_at=timezone.now())
    tickets = [
        make_ticket(brand, platform_id=f"q{i}", author_id=f"c{i}", handle=f"cust{i}", text=f"Paket {i} belum sampai")
        for i in range(3)
    ]
    return brand, supervisor, teammate, tickets


def _page(chromium, live_server, lang: str, width: int):  # noqa: F811
    context = chromium.new_context(
        viewport={"width": width, "height": 860}, locale="en-US", base_url=live_server.url, is_mobile=width < 500
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    page.smrc_errors = errors
    return context, page, errors


def _speak(page, lang: str) -> None:
    if lang == "id":
        page.locator('.langswitch button[value="id"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "id")
        page.wait_for_load_state("load")  # a full load: its scripts bind the shortcuts (j, x) after lang shows


def _shot(page, name: str) -> None:
    """Save a screenshot when ``SMRC_SCREENSHOTS`` names a folder. Playwright styles the page inline while it
    takes one (caret, scrollbars), which the Content-Security-Policy reports: that report is the camera's."""
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        errors = page.smrc_errors
        before = len(errors)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
        # and leaves style attributes behind, which htmx would copy onto the next page (a report each time)
        page.evaluate("document.querySelectorAll('[style]').forEach(function (e) { e.removeAttribute('style'); })")
        page.wait_for_timeout(100)
        errors[before:] = [e for e in errors[before:] if not e.startswith("Applying inline style violates")]


def _search(q: str):
    """Matches the picker's request for the snippets that answer ``q`` (asked 150 ms after the last keystroke)."""
    return lambda r: "/snippets/?" in r.url and parse_qs(urlparse(r.url).query, keep_blank_values=True).get("q") == [q]


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("lang", "width"), LAYOUTS)
def test_bulk_assign_from_the_queue_with_the_keyboard(chromium, live_server, workspace, lang, width):  # noqa: F811
    brand, supervisor, teammate, tickets = workspace
    context, page, errors = _page(chromium, live_server, lang, width)
    log_in(page, "sup_a")
    _speak(page, lang)
    bar = page.locator("form[data-bulk]")
    expect(bar).to_be_hidden()
    rows = page.locator("table[data-queue] tbody tr[data-href]")
    expect(rows).to_have_count(3)
    # j selects the first row, x ticks it; a click ticks the second (not opening it)
    page.locator("body").press("j")
    page.keyboard.press("x")
    expect(rows.nth(0).locator('input[name="tickets"]')).to_be_checked()
    rows.nth(1).locator('input[name="tickets"]').click()
    expect(page).to_have_url(re.compile(r"/queue/"))
    expect(bar).to_be_visible()
    expect(bar.locator("[data-bulk-count]")).to_have_text("2 selected" if lang == "en" else "2 dipilih")
    page.locator("#bulk-assignee").select_option(str(teammate.pk))
    _shot(page, f"queue-bulk-{lang}-{width}")
    if width < 500:
        _no_sideways_scroll(page)
    bar.get_by_role("button", name=WORDS[lang]["apply"]).click()
    expect(page.locator(".messages")).to_contain_text(WORDS[lang]["done"])
    assigned = sorted(Ticket.objects.filter(assignee=teammate).values_list("pk", flat=True))
    assert len(assigned) == 2
    assert Notification.objects.filter(user=teammate).count() == 2
    expect(bar).to_be_hidden()  # a new page starts with nothing ticked
    _shot(page, f"queue-bulk-done-{lang}-{width}")
    context.close()
    assert errors == []


def test_shift_click_ticks_a_range_and_a_claim_meanwhile_is_skipped(chromium, live_server, workspace, settings):
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    brand, supervisor, teammate, tickets = workspace
    context, page, errors = _page(chromium, live_server, "en", 1280)
    log_in(page, "sup_a")
    boxes = page.locator('table[data-queue] input[name="tickets"]')
    boxes.nth(0).click()
    boxes.nth(2).click(modifiers=["Shift"])
    expect(page.locator("[data-bulk-count]")).to_have_text("3 selected")
    # someone claims one of them meanwhile (the rows stay as they were: new work is announced, not swapped in);
    # the selection stays with what was seen, and the action skips the ticket whose owner changed
    workflow.claim_ticket(ticket=tickets[1], user=teammate)
    # two refreshes asked after the claim (each is asked by the element the previous answer put in place, so the
    # first one's answer is on the page once the second is asked); a fixed sleep proved nothing on a busy machine
    for _ in range(2):
        page.wait_for_event("request", lambda r: "/queue/news/" in r.url)
    expect(boxes).to_have_count(3)
    for i in range(3):
        expect(boxes.nth(i)).to_be_checked()
    page.locator("#bulk-action").select_option("resolve")
    expect(page.locator("#bulk-assignee")).to_be_hidden()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".messages")).to_contain_text("Done for 2 tickets")
    expect(page.locator(".messages")).to_contain_text(f"Skipped 1 ticket — T-{tickets[1].pk}: op_a2 took it meanwhile.")
    assert Ticket.objects.get(pk=tickets[1].pk).status == TicketStatus.OPEN
    _shot(page, "queue-bulk-skipped-en-1280")
    context.close()
    assert errors == []


@pytest.mark.parametrize(("lang", "width"), LAYOUTS[:2])
def test_assign_from_the_ticket_with_a_note_and_link_the_customers_other_account(
    chromium,
    live_server,
    workspace,
    lang,
    width,
):
    brand, supervisor, teammate, tickets = workspace
    ticket = tickets[0]
    old = make_ticket(brand, platform="instagram", platform_id="ig", author_id="ig-1", handle="budi.s", text="kemarin")
    Ticket.objects.filter(pk=old.pk).update(status=TicketStatus.RESOLVED)
    context, page, errors = _page(chromium, live_server, lang, width)
    log_in(page, "sup_a")
    _speak(page, lang)
    page.goto(f"/tickets/{ticket.pk}/")
    page.locator("body").press("a")
    picker = page.locator("#id_assignee")
    expect(picker).to_be_focused()
    expect(picker.locator("option").first).to_contain_text("op_a2 · 0")
    page.locator("#id_assign_note").fill("VIP <b>cek</b> resi")
    _shot(page, f"ticket-assign-{lang}-{width}")
    page.locator(".assign-form button[type=submit]").click()
    expect(page.locator(".messages")).to_have_text(WORDS[lang]["assigned"])
    expect(page.locator(".timeline")).to_contain_text("“VIP <b>cek</b> resi”")
    assert Ticket.objects.get(pk=ticket.pk).assignee == teammate
    # the customer card: one ticket; link the Instagram account, and both show
    card = page.locator(".author-card")
    expect(card.locator(".history-list li")).to_have_count(1)
    card.locator(".link-identity summary").click()
    card.locator("#id_link_platform").select_option("instagram")
    card.locator("#id_link_handle").fill("@budi.s")
    card.locator(".link-identity button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(WORDS[lang]["linked"])
    expect(card.locator(".history-list li")).to_have_count(2)
    expect(card.locator(".identities")).to_contain_text("@budi.s")
    _shot(page, f"ticket-history-{lang}-{width}")
    if width < 500:
        _no_sideways_scroll(page)
    card.locator(".identities button").click()
    expect(card.locator(".history-list li")).to_have_count(1)
    assert list(
        Event.objects.filter(ticket=ticket, kind__startswith="customer.")
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    ) == ["customer.linked", "customer.unlinked"]
    context.close()
    assert errors == []


@pytest.mark.parametrize(("lang", "width"), LAYOUTS[:2])
def test_the_snippet_preview_fills_this_ticket_and_shows_text_not_markup(
    chromium,
    live_server,
    workspace,
    lang,
    width,
):
    brand, supervisor, teammate, tickets = workspace
    make_snippet(brand, title="Salam", body="Halo {customer_name}, saya {operator_name} dari {brand}.", shortcut="halo")
    make_snippet(brand, title="Produk", body="Untuk {customer_name}: cek {ticket}.", shortcut="produk")
    evil = make_ticket(brand, platform="facebook", platform_id="fb", author_id="99", handle="budi", text="halo")
    from tickets.models import Author

    Author.objects.filter(pk=evil.author_id).update(name="<img src=x onerror=alert(1)>Budi")
    workflow.claim_ticket(ticket=evil, user=supervisor)
    context, page, errors = _page(chromium, live_server, lang, width)
    log_in(page, "sup_a")
    _speak(page, lang)
    page.goto(f"/tickets/{evil.pk}/")
    # The picker's searches replace each other (hx-sync replace): one asked while another is on its way aborts it,
    # and htmx logs the abort as a console error. Each search is let answer before the next one is asked: first the
    # suggestions the page asks as it loads (the list is empty until they come).
    picker = page.locator("#snippet-q")
    expect(page.locator("#snippet-list li").first).to_be_attached()
    with page.expect_request(_search("/halo")):
        picker.fill("/halo")
    expect(picker).not_to_have_class(re.compile(r"\bhtmx-request\b"))  # htmx drops the class once it swapped
    preview = page.locator("[data-snippet-preview]")
    expect(preview).to_be_visible()
    expect(preview.locator("[data-preview-text]")).to_have_text(
        "Halo <img src=x onerror=alert(1)>Budi, saya Rina dari Acme Telco."
    )
    assert preview.locator("img").count() == 0
    with page.expect_request(_search("")):  # the insertion empties the search: the suggestions are asked again
        page.keyboard.press("Enter")  # inserts what the preview showed
    expect(page.locator("#id_reply_body")).to_have_value(
        "Halo <img src=x onerror=alert(1)>Budi, saya Rina dari Acme Telco."
    )
    expect(picker).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    picker.fill("/produk")
    expect(preview.locator("[data-preview-text]")).to_have_text(
        f"Untuk <img src=x onerror=alert(1)>Budi: cek T-{evil.pk}."
    )
    _shot(page, f"snippet-preview-{lang}-{width}")
    context.close()
    assert errors == []
