"""The operator's loop in a real browser: Chromium driven by Playwright against Django's live server.

Runs on SQLite and on PostgreSQL. Celery stays eager (``tests/conftest.py``), and the live server runs in a
thread of this process, so a sent reply is delivered through the console channel before the page answers.
"""

import re

import pytest
from playwright.sync_api import expect

from brands.models import Role
from tests.conftest import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path
from tests.factories import make_brand, make_member, make_normalized, make_snippet, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import DeliveryAttempt, Reply, ReplyStatus, Ticket, TicketStatus
from tickets.services import ingest, workflow

pytestmark = [pytest.mark.browser]

# Chromium's settings live in tests/conftest.py (fixtures ``chromium`` and ``page``); kept importable from here
# for tests/security/test_hostile_text_browser.py.
_chromium_path = chromium_path
__all__ = ["CHROMIUM_ARGS", "TIMEOUT_MS", "_chromium_path"]


@pytest.fixture
def operator_setup(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a")
    make_member(operator, brand, Role.OPERATOR)
    ticket = make_ticket(
        brand, author_id="x-42", handle="budi", text="Halo, paket data saya hilang sejak pagi <b>tolong</b>"
    )
    return brand, operator, ticket


def test_operator_claims_replies_and_resolves(page, operator_setup):
    brand, operator, ticket = operator_setup
    ref = f"T-{ticket.pk}"

    log_in(page, "op_a")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    row = page.locator("table[data-queue] tbody tr").filter(has_text=ref)
    expect(row).to_have_count(1)
    expect(row.locator(".who")).to_have_text("Budi")
    # Customer text is shown as text, never as markup.
    expect(row.locator(".subject")).to_have_text("Halo, paket data saya hilang sejak pagi <b>tolong</b>")
    expect(row.locator(".status")).to_have_text("New")
    expect(row.locator(".col-owner")).to_have_text("nobody")

    row.get_by_role("link", name=ref).click()
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    expect(page.locator("h1 .ref")).to_have_text(ref)
    expect(page.locator("[data-ticket-status]")).to_have_text("New")
    expect(page.locator(".hint")).to_have_text("Claim the ticket to reply.")

    page.get_by_role("button", name="Claim").click()
    expect(page.locator(".messages")).to_have_text("You own this ticket now.")
    expect(page.locator("[data-ticket-status]")).to_have_text("Open")
    expect(page.locator("[data-owner]")).to_have_text("you")

    reply_box = page.get_by_label("Reply to Budi")
    reply_box.fill("Halo Kak Budi, mohon maaf. Kami cek kuota Kakak sekarang ya.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_have_text("Reply sent.")
    sent = page.locator(".thread .msg-out")
    expect(sent).to_have_count(1)
    expect(sent.locator(".bubble")).to_have_text("Halo Kak Budi, mohon maaf. Kami cek kuota Kakak sekarang ya.")
    expect(sent.locator("[data-reply-status]")).to_have_text("Sent")
    expect(page.locator("[data-ticket-status]")).to_have_text("Pending")

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".messages")).to_have_text("Ticket resolved.")
    expect(page.locator("[data-ticket-status]")).to_have_text("Resolved")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    expect(page.locator(".hint")).to_have_text("Reopen the ticket to reply.")

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert ticket.assignee_id == operator.pk
    assert ticket.resolved_at is not None
    assert ticket.first_response_at is not None
    reply = Reply.objects.get(ticket=ticket)
    assert (reply.status, reply.author_id, reply.body) == (
        ReplyStatus.SENT,
        operator.pk,
        "Halo Kak Budi, mohon maaf. Kami cek kuota Kakak sekarang ya.",
    )
    attempt = DeliveryAttempt.objects.get(reply=reply)
    assert (attempt.channel, attempt.outcome, attempt.error) == ("console", DeliveryAttempt.Outcome.SUCCEEDED, "")
    assert attempt.platform_reply_id == reply.platform_reply_id != ""
    assert attempt.finished_at is not None


def test_form_error_is_shown_in_place(page, operator_setup):
    brand, operator, ticket = operator_setup
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("[data-ticket-status]")).to_have_text("Open")

    page.get_by_label("Reply to Budi").fill("   ")  # passes the browser's check, not the server's
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#id_reply_error")).to_have_text("This field is required.")
    expect(page.get_by_label("Reply to Budi")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Reply to Budi")).to_be_focused()
    # The address stays the ticket's, so a reload does not land on the POST-only action URL.
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    assert Reply.objects.filter(ticket=ticket).count() == 0


def test_queue_announces_new_work_and_keeps_the_keyboard_selection(page, operator_setup, settings):
    """New work does not reshuffle the rows: a bar says "1 new — show", the tab title counts it, and showing it
    keeps the selected ticket selected."""
    brand, operator, ticket = operator_setup
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    log_in(page, "op_a")
    rows = page.locator("table[data-queue] tbody tr[data-href]")
    expect(rows).to_have_count(1)
    page.wait_for_load_state("load")  # the keyboard handlers are bound by the page's scripts (slow on a busy machine)

    page.keyboard.press("j")
    expect(page.locator("tr.selected")).to_contain_text(f"T-{ticket.pk}")

    # A new mention arrives while the page is open: announced, not inserted.
    (result,) = ingest.ingest_mentions(
        items=[make_normalized(brand, author_id="x-77", handle="sari", text="Sinyal hilang di Depok")]
    )
    expect(page.locator("#news-show")).to_have_text("1 new — show")
    expect(page).to_have_title(re.compile(r"^\(1\) Queue"))
    expect(rows).to_have_count(1)
    page.locator("#news-show").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table[data-queue]")).to_contain_text("Sinyal hilang di Depok")
    expect(page.locator("#news-show")).to_have_count(0)
    expect(page).to_have_title(re.compile(r"^Queue"))
    # The same ticket is still selected, and Enter opens it.
    expect(page.locator("tr.selected")).to_have_count(1)
    expect(page.locator("tr.selected")).to_contain_text(f"T-{ticket.pk}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    assert Ticket.objects.filter(pk=result.ticket_id).exists()


def test_language_switch_changes_the_interface_language(page, operator_setup):
    log_in(page, "op_a")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="ID", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    expect(page.locator(".langswitch button[value=id]")).to_have_attribute("aria-pressed", "true")

    # It sticks across pages, and switching back restores English.
    page.goto("/queue/?status=new")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def test_pages_fit_a_phone_without_sideways_scrolling(page, operator_setup):
    """At 390 px wide the queue and the ticket page (with the composer's snippet list) fit the screen."""
    brand, operator, ticket = operator_setup
    make_snippet(
        brand,
        title="Slow internet",
        user=operator,
        body=(
            "Mohon maaf atas kendala koneksinya, {customer_name}. "
            "Boleh DM lokasi dan nomor pelanggannya? {operator_name}"
        ),
    )
    workflow.claim_ticket(ticket=ticket, user=operator)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "op_a")
    for url in ("/queue/", f"/tickets/{ticket.pk}/"):
        page.goto(url)
        if url != "/queue/":  # the composer's snippet list comes in its own request, after the page has loaded
            expect(page.locator("#snippet-list [role=option]")).to_contain_text(["Slow internet"])
        assert page.evaluate("document.scrollingElement.scrollWidth") == 390, url
