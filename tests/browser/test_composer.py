"""The reply composer in a real browser: suggestions, "/" opens the picker, keyboard-only insertion, the live
counter, placeholder warnings, and usage counted when the reply is sent."""

import os
import re

import pytest
from playwright.sync_api import expect

from brands.models import Role, Snippet
from tests.factories import make_brand, make_member, make_product, make_snippet, make_ticket, make_user
from tests.helpers import log_in
from tickets.services import workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")  # a folder to save screenshots into, when set


@pytest.fixture
def composer_setup(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a", first_name="Sari")
    supervisor = make_user("sup_a")
    make_member(operator, brand, Role.OPERATOR)
    make_member(supervisor, brand, Role.SUPERVISOR)
    kuota = make_product(brand, "Kuota Max", category="Paket data", specifications={"quota": "50 GB"})
    refund = make_snippet(
        brand,
        title="Refund pulsa",
        body="Mohon maaf {customer_name}, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam.",
        tags="refund, pulsa",
        shortcut="refund-id",
    )
    make_snippet(
        brand, title="Kuota Max info", body="{product.name} berisi {product.quota}.", product=kuota, shortcut="kuota"
    )
    make_snippet(brand, title="<b>Bold</b> pulsa", body="Isi <i>miring</i> pulsa", shortcut="bold")
    ticket = make_ticket(
        brand, author_id="x-42", handle="budi", text="Pulsa saya terpotong, tolong kembalikan", language="id"
    )
    workflow.claim_ticket(ticket=ticket, user=operator)
    return brand, operator, ticket, refund


def test_the_keyboard_inserts_a_filled_snippet_and_the_reply_counts_it(page, composer_setup):
    brand, operator, ticket, refund = composer_setup
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    options = page.locator("#snippet-list [role=option]")
    expect(options.first).to_contain_text("Refund pulsa")
    # Snippet text is shown as text, never as markup.
    expect(page.locator("#snippet-list")).not_to_contain_text("Isi miring")

    box = page.get_by_label("Reply to Budi")
    box.click()
    box.type("Halo Kak, ")
    page.keyboard.type("/")
    picker = page.locator("#snippet-q")
    expect(picker).to_be_focused()
    expect(picker).to_have_value("/")
    page.keyboard.type("ref")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", f"snip-{refund.pk}")
    page.keyboard.press("Enter")
    text = "Halo Kak, Mohon maaf Budi, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam."
    expect(box).to_have_value(text)
    expect(box).to_be_focused()
    expect(page.locator("#id_reply_counter")).to_have_text(f"{len(text)} / 280")

    # Esc gives back what was typed after "/".
    page.keyboard.type(" /zz")
    expect(picker).to_have_value("/zz")
    page.keyboard.press("Escape")
    expect(box).to_have_value(text + " /zz")
    expect(options).to_have_count(3)  # back to the suggestions for the ticket
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")

    # Placeholders left in the reply are flagged before sending; the counter counts the X way.
    page.keyboard.type(" {customer_name} 👋")
    expect(page.locator("#id_reply_placeholders")).to_have_text(
        "Fill or remove the placeholder(s) {customer_name} before sending."
    )
    expect(page.locator("#id_reply_counter")).to_have_text(f"{len(text) + 16 + 3} / 280")
    expect(options).to_have_count(3)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "composer.png"), full_page=True)
    for _ in range(len(" {customer_name} 👋")):  # one keypress per code point, the emoji included
        page.keyboard.press("Backspace")
    expect(box).to_have_value(text)
    expect(page.locator("#id_reply_placeholders")).to_be_hidden()

    page.keyboard.press("Control+Enter")
    expect(page.locator(".msg-out .bubble")).to_have_text(text)
    refund.refresh_from_db()
    assert (refund.used_as_is, refund.used_edited) == (1, 0)


def test_over_the_limit_is_shown_live_and_refused(page, composer_setup):
    brand, operator, ticket, refund = composer_setup
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    box = page.get_by_label("Reply to Budi")
    box.fill("a" * 270 + " https://example.com/a/very/long/link")
    expect(page.locator("#id_reply_counter")).to_have_text("294 / 280 · 14 over the limit")
    expect(page.locator("#id_reply_counter")).to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#id_reply_error")).to_have_text("Too long for X: 294 of 280 characters. Shorten it by 14.")
    assert not ticket.replies.exists()


def test_supervisor_pages(page, composer_setup):
    brand, operator, ticket, refund = composer_setup
    log_in(page, "sup_a")
    page.get_by_role("link", name="Knowledge").click()
    expect(page.get_by_role("heading", name="Snippets")).to_be_visible()
    expect(page.locator(".kn-table")).to_contain_text("<b>Bold</b> pulsa")
    page.get_by_role("link", name="Refund pulsa").click()
    page.get_by_label("Body").fill("Mohon maaf {customer_name}, pulsa kembali dalam 1x24 jam.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("v2")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "snippet_edit.png"), full_page=True)
    page.get_by_role("link", name="Compare with current").click()
    expect(page.locator(".kn-removed")).to_have_text(
        "- Mohon maaf {customer_name}, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam."
    )
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "snippet_compare.png"), full_page=True)
    page.get_by_role("link", name="Snippets").first.click()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "snippets.png"), full_page=True)
    assert Snippet.objects.get(pk=refund.pk).version == 2


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "id")])
def test_a_bouncing_reply_is_warned_about_while_typing_and_the_warning_goes_when_fixed(
    page,
    composer_setup,
    width,
    language,
):
    brand, operator, ticket, refund = composer_setup
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "op_a")
    page.goto(f"/tickets/{ticket.pk}/")
    box = page.locator("#id_reply_body")
    box.click()
    box.type("Mohon maaf kak, silakan hubungi call center kami ya.")
    warning = page.locator("#id_reply_bounces .warning")
    expect(warning).to_contain_text("“hubungi call center”")
    expect(warning).to_contain_text(
        "This reply sends the customer elsewhere." if language == "en" else "Balasan ini melempar pelanggan"
    )
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"bounce-warning-{language}-{width}.png"), full_page=True)
    box.fill("")
    box.type("Boleh DM nomor pesanannya ya kak, kami bantu cek.")
    expect(page.locator("#id_reply_bounces .warning")).to_have_count(0)
