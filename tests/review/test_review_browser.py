"""The review loop in a real browser: the operator submits for review, the supervisor requests changes with the
keyboard (x), the operator sees the reason in place and revises, the supervisor approves (a), the reply is
published; the presence line shows the other person."""

import os
import re

import pytest
from playwright.sync_api import expect

from brands.models import ReviewPolicy, Role
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import Reply, ReplyStatus
from tickets.services import workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")


def shot(tab, name: str) -> None:
    if SHOTS:
        tab.screenshot(path=os.path.join(SHOTS, f"review-{name}.png"), full_page=True)


@pytest.fixture
def review_setup(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a", first_name="Sari")
    supervisor = make_user("sup_a")
    make_member(operator, brand, Role.OPERATOR)
    make_member(supervisor, brand, Role.SUPERVISOR)
    ReviewPolicy.objects.create(brand=brand, review_all=True)
    ticket = make_ticket(brand, author_id="x-42", handle="budi", text="Pulsa saya terpotong <b>lagi</b>")
    workflow.claim_ticket(ticket=ticket, user=operator)
    return brand, ticket


def test_submit_request_changes_revise_approve(page, chromium, live_server, review_setup):
    brand, ticket = review_setup
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    submit = page.locator("[data-submit-reply]")
    expect(submit).to_have_text("Submit for review")
    page.get_by_label("Reply to Budi").fill("Refund? Tidak bisa.")
    submit.click()
    expect(page.locator(".msg")).to_contain_text("Submitted for review. This brand reviews every reply.")
    expect(page.locator("[data-reply-status]")).to_have_text("In review")
    expect(page.locator("#reply-slot")).to_contain_text("waiting for review")
    shot(page, "1-operator-in-review")

    sup = chromium.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url).new_page()
    log_in(sup, "sup_a")
    sup.get_by_role("link", name="Review").click()
    expect(sup).to_have_url(re.compile(r"/review/$"))
    expect(sup.locator("[data-reply-body]")).to_have_text("Refund? Tidak bisa.")
    expect(sup.locator(".review-cols")).to_contain_text("Pulsa saya terpotong <b>lagi</b>")  # escaped, as text
    shot(sup, "2-queue")
    sup.keyboard.press("x")
    expect(sup.locator("#id_changes_code")).to_be_focused()
    sup.select_option("#id_changes_code", "tone")
    sup.fill("#id_changes_note", "Lebih sopan, tawarkan cek")
    sup.get_by_role("button", name="Send back for changes").click()
    expect(sup.locator(".msg")).to_contain_text("Sent back to op_a")

    page.reload()
    expect(page.locator(".review-note")).to_contain_text("sup_a asked for changes")
    expect(page.locator(".review-note")).to_contain_text("Lebih sopan, tawarkan cek")
    shot(page, "3-operator-changes")
    page.locator(".revise-form textarea").fill("Mohon maaf Kak, boleh DM nomor pelanggan? Kami cek segera.")
    page.get_by_role("button", name="Submit the revision").click()
    expect(page.locator(".msg")).to_contain_text("Revised and submitted for review.")

    sup.goto("/review/")
    expect(sup.locator("[data-reply-body]")).to_contain_text("Mohon maaf Kak")
    expect(sup.locator(".revisions summary")).to_have_text("2 revisions")
    sup.keyboard.press("a")
    expect(sup.locator(".msg")).to_contain_text("Reply approved")
    expect(sup.locator(".review-page")).to_contain_text("Nothing is waiting for review.")
    shot(sup, "4-queue-empty")

    page.reload()
    expect(page.locator("[data-reply-status]")).to_have_text("Sent")
    assert Reply.objects.get().status == ReplyStatus.SENT
    # the supervisor's presence beat (sent as their page loads) is answered, so recorded, before the operator's page
    # asks who else is there (else only the operator's next beat, 10 s later, could show them)
    with sup.expect_response(lambda r: r.url.endswith(f"/tickets/{ticket.pk}/presence/")):
        sup.goto(f"/tickets/{ticket.pk}/")
    page.reload()
    expect(page.locator("#presence")).to_contain_text("sup_a is viewing", timeout=15000)
    shot(page, "5-operator-sent-presence")
    sup.context.close()


def test_flagged_terms_are_announced_while_typing(page, transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a")
    make_member(operator, brand, Role.OPERATOR)
    ReviewPolicy.objects.create(brand=brand, review_flagged_terms=True)
    ticket = make_ticket(brand, author_id="x-7", handle="budi", text="Minta uang saya kembali")
    workflow.claim_ticket(ticket=ticket, user=operator)
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    button, hint = page.locator("[data-submit-reply]"), page.locator("#id_reply_review_hint")
    box = page.get_by_label("Reply to Budi")
    expect(button).to_have_text("Send")
    box.fill("Kami proses Refund dan uang kembali ya")
    expect(button).to_have_text("Submit for review")
    expect(hint).to_have_text("It contains flagged terms (refund, uang kembali), so a supervisor reviews it first.")
    shot(page, "6-flagged-while-typing")
    box.fill("Kami proses refunds")  # a whole word only
    expect(button).to_have_text("Send")
    expect(hint).to_be_hidden()
    box.fill("Kami proses refund")
    button.click()
    expect(page.locator(".msg")).to_contain_text("Submitted for review. It contains a flagged term: refund.")
