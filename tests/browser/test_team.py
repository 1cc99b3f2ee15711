"""The team view and My performance in a real browser, in English and Indonesian, at 1280 px and 390 px: the
view updates itself without a reload, one click assigns a ticket about to breach, and both pages fit a phone."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brands.models import Presence, ReviewPolicy, Role
from tests.factories import make_brand, make_member, make_snippet, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import Ticket
from tickets.services import replies, workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")  # a folder to save screenshots into, when set
SIZES = [(1280, "en"), (1280, "id"), (390, "en"), (390, "id")]
WORDS = {
    "en": {"breach": "About to breach", "assign": "Assign", "assigned": "Assigned to op_a", "me": "Me and the team"},
    "id": {
        "breach": "Hampir melewati batas",
        "assign": "Tugaskan",
        "assigned": "Ditugaskan kepada op_a",
        "me": "Saya dan tim",
    },
}


def _overdue(ticket: Ticket, minutes: int) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - timedelta(minutes=minutes))


@pytest.fixture
def shift_setup(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator, supervisor = make_user("op_a"), make_user("sup_a")
    make_member(operator, brand, Role.OPERATOR)
    make_member(supervisor, brand, Role.SUPERVISOR)
    make_member(make_user("op_away"), brand, Role.OPERATOR)
    ReviewPolicy.objects.create(brand=brand, review_all=True)
    Presence.objects.create(user=operator, last_seen_at=timezone.now())
    snippet = make_snippet(brand, title="Salam pembuka", body="Halo {customer_name}, ada yang bisa kami bantu?")
    owned = workflow.claim_ticket(
        ticket=make_ticket(brand, author_id="c1", text="Sinyal hilang di Bekasi"), user=operator
    )
    reply = replies.submit_reply(ticket=owned, user=operator, body="Halo Kak, kami cek ya", snippet_ids=[snippet.pk])
    replies.request_changes(reply=reply, user=supervisor, code="tone", note="Lebih ramah")
    workflow.claim_ticket(ticket=make_ticket(brand, author_id="c2", text="Tagihan naik dua kali"), user=operator)
    waiting = make_ticket(brand, author_id="c3", text="Kartu saya terblokir, tolong segera <b>dibuka</b>")
    _overdue(waiting, 7)
    return brand, operator, supervisor, waiting


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_the_supervisor_runs_the_shift_from_the_team_view(page, shift_setup, settings, width, language):  # noqa: F811
    brand, operator, supervisor, waiting = shift_setup
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "sup_a")
    page.locator(".mainnav a[href='/team/']").click()
    expect(page).to_have_url(re.compile(r"/team/$"))
    expect(page.locator("#h-breaching")).to_have_text(words["breach"])
    expect(page.locator(".team-breach")).to_contain_text(waiting.reference)
    assert page.evaluate("document.scrollingElement.scrollWidth") == width
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"team-{language}-{width}.png"), full_page=True)

    # A ticket that falls overdue while the page is open shows up without a reload.
    late = make_ticket(brand, author_id="c4", text="Paket belum aktif")
    _overdue(late, 3)
    expect(page.locator(".team-breach")).to_contain_text(late.reference)

    # One click gives the most overdue ticket to the online operator the list chose.
    row = page.locator(f"tr[data-ticket='{waiting.pk}']")
    expect(row.locator("select[name=assignee] option").first).to_contain_text("op_a")
    row.get_by_role("button", name=words["assign"]).click()
    expect(page.locator(".messages")).to_contain_text(words["assigned"])
    assert Ticket.objects.get(pk=waiting.pk).assignee == operator


@pytest.mark.parametrize(("width", "language"), SIZES)
def test_the_operator_reads_their_performance(page, shift_setup, width, language):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": language})
    log_in(page, "op_a")
    expect(page.locator(".mainnav a[href='/team/']")).to_have_count(0)
    page.locator(".mainnav a[href='/me/performance/']").click()
    expect(page.locator("#h-figures")).to_have_text(WORDS[language]["me"])
    expect(page.locator("#h-snippets + table")).to_contain_text("Salam pembuka")
    expect(page.locator("#h-review + table")).to_contain_text("Tone" if language == "en" else "Gaya bahasa")
    assert page.evaluate("document.scrollingElement.scrollWidth") == width
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"performance-{language}-{width}.png"), full_page=True)


def test_an_answer_asked_before_the_choice_does_not_reset_it(page, shift_setup, settings):  # noqa: F811
    """The poll pauses while a control inside the view has focus; an answer already on its way when the supervisor
    started choosing is dropped too. Swapped in, it reset the select to its first person, and Assign gave the
    ticket to them instead of the one chosen."""
    brand, operator, supervisor, waiting = shift_setup
    away = brand.memberships.get(user__username="op_away").user
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    log_in(page, "sup_a")
    held = []  # the poll's requests, answered when the test says so (the page itself goes through)
    page.route(
        re.compile(r"/team/$"),
        lambda route: held.append(route) if route.request.headers.get("hx-request") else route.continue_(),
    )
    with page.expect_request(lambda r: r.url.endswith("/team/") and r.headers.get("hx-request")):
        page.goto("/team/")  # then a poll is asked, and held
    page.evaluate(
        """() => document.addEventListener("htmx:afterRequest", (e) => {
          if (e.detail.xhr.responseURL.endsWith("/team/")) document.documentElement.dataset.polled = "1";
        })"""
    )
    choice = page.locator(f"#assign-{waiting.pk}")
    expect(choice.locator("option").first).to_contain_text("op_a ·")
    choice.focus()
    choice.select_option(str(away.pk))
    assert held
    for route in held:
        route.continue_()
    page.unroute(re.compile(r"/team/$"))
    expect(page.locator("html")).to_have_attribute("data-polled", "1")  # the held answer came and was handled
    expect(choice).to_have_value(str(away.pk))
    expect(choice).to_be_focused()
    page.locator(f"tr[data-ticket='{waiting.pk}']").get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("Assigned to op_away")
    assert Ticket.objects.get(pk=waiting.pk).assignee == away
