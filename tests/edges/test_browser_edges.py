"""The visual edges of issue 15 in Chromium, in English and Indonesian: the report's chart draws its bars (edge 1),
the spam form's "Regular expression" label ticks its own box (edge 7), ticket pages log no error (edge 9), and at
390 px the notifications link keeps its bell and the filter chips all show (edge 16). Screenshots go to
``SMRC_SCREENSHOTS`` when it is set."""

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brands.models import ReviewPolicy
from tests.browser.test_operator_loop import TIMEOUT_MS
from tests.factories import PASSWORD, make_ticket
from tests.tickets.reports.conftest import RANGE_QUERY, build_world
from tickets.models import Notification
from tickets.services import replies, workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")


def _page(chromium, live_server, *, language: str, width: int = 1366, height: int = 800):
    context = chromium.new_context(
        viewport={"width": width, "height": height}, locale=language, base_url=live_server.url,
        extra_http_headers={"Accept-Language": language},
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.console_errors = []
    # Chromium warns about Permissions-Policy features it does not know (the header also speaks to other browsers)
    page.on(
        "console",
        lambda m: (
            page.console_errors.append(m.text)
            if m.type in ("error", "warning") and "Permissions-Policy" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return context, page


def _log_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button.primary[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def world_db(transactional_db, cast):
    return build_world(cast)


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_report_chart_draws_its_bars_without_a_console_error(chromium, live_server, cast, world_db, language):
    context, page = _page(chromium, live_server, language=language)
    _log_in(page, cast.manager.username)
    page.goto(f"/reports/{cast.brand_a.slug}/{RANGE_QUERY}")
    bars = page.locator("svg.chart rect.bar")
    expect(bars).to_have_count(7)
    widths = [b["width"] for b in (bars.nth(i).bounding_box() for i in range(7))]
    assert all(w > 5 for w in widths), widths
    _shot(page, f"report-{language}")
    assert page.console_errors == []
    context.close()


@pytest.mark.parametrize("language", ["en", "id"])
def test_the_spam_forms_label_ticks_its_own_box(chromium, live_server, cast, transactional_db, language):
    context, page = _page(chromium, live_server, language=language)
    _log_in(page, cast.supervisor.username)
    page.goto(f"/settings/{cast.brand_a.slug}/priority/")
    page.locator('label[for="id_spam_is_regex"]').click()
    expect(page.locator("#id_spam_is_regex")).to_be_checked()
    expect(page.locator("#id_urgency_is_regex")).not_to_be_checked()
    _shot(page, f"priority-settings-{language}")
    assert page.console_errors == []
    context.close()


@pytest.mark.parametrize("language", ["en", "id"])
def test_ticket_pages_without_a_reply_box_log_nothing(chromium, live_server, cast, transactional_db, language):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    unclaimed = make_ticket(cast.brand_a, platform_id="u1", author_id="a1", text="Kuota saya hilang")
    waiting = workflow.claim_ticket(
        ticket=make_ticket(cast.brand_a, platform_id="w1", author_id="a2", text="Sinyal hilang"), user=cast.operator
    )
    replies.submit_reply(ticket=waiting, user=cast.operator, body="Baik Kak, kami cek.")
    context, page = _page(chromium, live_server, language=language)
    _log_in(page, cast.operator.username)
    for ticket in (unclaimed, waiting):
        page.goto(f"/tickets/{ticket.pk}/")
        page.wait_for_load_state("networkidle")  # the presence beat and the bell's count, asked as the page loads
        assert page.locator("#id_reply_body").count() == 0
    page.goto(f"/tickets/{unclaimed.pk}/")
    page.get_by_role("button", name=re.compile("^(Claim|Ambil)$")).click()
    page.wait_for_load_state("networkidle")
    with page.expect_response(lambda r: r.url.endswith("/reply/bounces/")) as checked:  # asked 400 ms after typing
        page.locator("#id_reply_body").fill("Halo Kak")
    checked.value.finished()
    _shot(page, f"ticket-{language}")
    assert page.console_errors == []
    context.close()


@pytest.mark.parametrize("language", ["en", "id"])
def test_at_390_px_the_bell_keeps_its_icon_and_every_filter_chip_shows(
    chromium,
    live_server,
    cast,
    transactional_db,
    language,
):
    for i in range(3):
        make_ticket(cast.brand_a, platform_id=f"p{i}", author_id=f"a{i}", text="Tolong kuota saya hilang",
                    now=timezone.now() - timedelta(hours=i))  # fmt: skip
    ticket = make_ticket(cast.brand_a, platform_id="n1", author_id="n1", text="Halo")
    Notification.objects.create(
        user=cast.supervisor, brand=cast.brand_a, ticket=ticket, kind="sla.breach", created_at=timezone.now()
    )
    context, page = _page(chromium, live_server, language=language, width=390, height=844)
    _log_in(page, cast.supervisor.username)
    page.goto("/queue/")
    bell = page.locator("a.bell")
    expect(bell.locator(".badge")).to_be_visible()
    icon = bell.locator("svg.bell-icon")
    expect(icon).to_be_visible()
    assert icon.bounding_box()["width"] >= 12
    expect(bell).to_have_accessible_name(re.compile("Notifications|Notifikasi"))
    chips = page.locator(".facets a")
    for i in range(chips.count()):
        box = chips.nth(i).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390, chips.nth(i).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, f"queue-390-{language}")
    assert page.console_errors == []
    context.close()
