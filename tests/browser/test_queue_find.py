"""Search, saved views and new work in a real browser (issue 15, items 2, 3 and 6), in English and Indonesian,
on a laptop (1280 px) and a phone (390 px). ``SMRC_SCREENSHOTS=/some/dir`` saves what each step looked like."""

import os
import re

import pytest
from playwright.sync_api import expect

from brands.models import Priority, Role
from tests.browser.test_operator_loop import TIMEOUT_MS
from tests.factories import PASSWORD, make_brand, make_member, make_normalized, make_ticket, make_user
from tickets.models import Author, SavedView, Ticket
from tickets.services import ingest, workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")

WORDS = {
    "en": {
        "search": "Search",
        "save": "Save this view",
        "save_button": "Save view",
        "team": "The Acme Telco team",
        "new": "1 new — show",
        "notify": "Notify me in the browser",
        "title": "Queue",
    },
    "id": {
        "search": "Cari",
        "save": "Simpan tampilan ini",
        "save_button": "Simpan tampilan",
        "team": "Tim Acme Telco",
        "new": "1 baru — tampilkan",
        "notify": "Beri tahu saya di peramban",
        "title": "Antrean",
    },
}

#: a stand-in for the Notification API that records what the page shows, with permission granted and the page
#: looking elsewhere (notifications are for a tab in the background)
FAKE_NOTIFICATIONS = """
window.__notes = [];
class FakeNotification {
  constructor(title, options) { window.__notes.push({title: title, body: (options || {}).body}); }
  close() {}
}
FakeNotification.permission = "granted";
FakeNotification.requestPermission = () => Promise.resolve("granted");
window.Notification = FakeNotification;
document.hasFocus = () => false;
"""


@pytest.fixture
def world(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    other = make_brand("globex", name="Globex Bank")
    supervisor = make_user("sup_a")
    operator = make_user("op_a")
    make_member(supervisor, brand, Role.SUPERVISOR)
    make_member(operator, brand, Role.OPERATOR)
    parcel = make_ticket(brand, author_id="x-1", handle="budi_s", text="Paket saya belum sampai ke Depok")
    Author.objects.filter(pk=parcel.author_id).update(name="Budi Santoso")
    make_ticket(brand, author_id="x-2", handle="sari", text="Sinyal hilang sejak pagi")
    make_ticket(other, author_id="x-3", handle="budi_s", text="Paket Globex rahasia")
    return {"brand": brand, "parcel": parcel}


def open_page(chromium, live_server, language: str, width: int):  # noqa: F811
    context = chromium.new_context(
        viewport={"width": width, "height": 900},
        locale="id-ID" if language == "id" else "en-US",
        extra_http_headers={"Accept-Language": language},
        base_url=live_server.url,
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(FAKE_NOTIFICATIONS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # (a full-page screenshot sets an inline style, which the policy refuses: that one is the test's own doing)
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not (SHOTS and "inline style" in m.text) else None,
    )
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
    return context, page, errors


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/queue/$"))
    page.wait_for_load_state("load")  # the shortcuts ("/") are bound by the page's scripts, after the address shows


def wait_for_notes(page, n: int) -> None:
    """Until the page has shown ``n`` notifications (polled from here: the page's policy forbids eval)."""
    for _ in range(TIMEOUT_MS // 100):
        if page.evaluate("window.__notes.length") >= n:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"fewer than {n} notifications: {page.evaluate('window.__notes')}")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "id"])
def test_search_save_a_team_view_and_see_new_work(chromium, live_server, world, settings, language, width):  # noqa: F811
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    words = WORDS[language]
    context, page, errors = open_page(chromium, live_server, language, width)
    log_in(page, "sup_a")
    rows = page.locator("table[data-queue] tbody tr[data-href]")
    expect(rows).to_have_count(2)

    # "/" jumps to the search box; a name finds its ticket, never brand B's
    page.locator("body").press("/")
    expect(page.locator("#id_q")).to_be_focused()
    page.locator("#id_q").fill("budi")
    page.locator("#id_q").press("Enter")
    expect(page).to_have_url(re.compile(r"q=budi"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Budi Santoso")
    expect(page.locator("main")).not_to_contain_text("Globex")
    assert page.evaluate("document.scrollingElement.scrollWidth") == width

    # save it for the team
    page.locator(".save-view summary").click()
    page.locator("#id_view_name").fill("Budi")
    page.locator("#id_view_team").select_option(label=words["team"])
    page.get_by_role("button", name=words["save_button"], exact=True).click()
    view = page.locator(".views a[aria-current=true]")
    expect(view).to_contain_text("Budi")
    expect(view.locator(".count")).to_have_text("1")
    assert SavedView.objects.get().brand_id == world["brand"].pk
    shot(page, f"queue-search-view-{language}-{width}")
    assert page.evaluate("document.scrollingElement.scrollWidth") == width

    # new work for this view is announced; showing it brings the row in
    (result,) = ingest.ingest_mentions(
        items=[make_normalized(world["brand"], author_id="x-1", handle="budi_s", text="Halo lagi", platform_id="n1")]
    )
    new_ticket = Ticket.objects.get(pk=result.ticket_id)
    if new_ticket.pk == world["parcel"].pk:  # threaded onto the same ticket: a separate conversation instead
        (result,) = ingest.ingest_mentions(
            items=[make_normalized(world["brand"], author_id="x-9", handle="budiman", text="Halo", platform_id="n2")]
        )
    expect(page.locator("#news-show")).to_have_text(words["new"])
    expect(page).to_have_title(re.compile(r"^\(1\) " + words["title"]))
    shot(page, f"queue-news-{language}-{width}")
    page.locator("#news-show").click()
    expect(rows).to_have_count(2)
    expect(page.locator("#news-show")).to_have_count(0)
    context.close()
    assert errors == []


@pytest.mark.parametrize("language", ["en", "id"])
def test_browser_notifications_for_urgent_and_assigned_work(chromium, live_server, world, settings, language):
    settings.SMRC_QUEUE_REFRESH_SECONDS = 1
    context, page, errors = open_page(chromium, live_server, language, 1280)
    log_in(page, "op_a")
    page.get_by_role("button", name=WORDS[language]["notify"]).click()
    expect(page.locator("#queue-body")).to_have_attribute("data-browser-alerts", "1")
    operator = world["parcel"].brand.memberships.get(role=Role.OPERATOR).user
    supervisor = world["parcel"].brand.memberships.get(role=Role.SUPERVISOR).user
    ticket = make_ticket(world["brand"], author_id="x-7", handle="rina", text="Akun saya dibobol")
    workflow.change_priority(ticket=ticket, user=supervisor, priority=Priority.URGENT)
    wait_for_notes(page, 1)
    workflow.claim_ticket(ticket=world["parcel"], user=operator)  # as automatic routing would
    wait_for_notes(page, 2)
    # more polls: each ticket is announced once. Each refresh is asked by the element the previous answer put in
    # place, so by the third one asked from here two more answers (the same alerts in them) have been shown.
    for _ in range(3):
        page.wait_for_event("request", lambda r: "/queue/news/" in r.url)
    notes = page.evaluate("window.__notes")
    titles = sorted(n["title"] for n in notes)
    if language == "en":
        assert titles == sorted([f"T-{world['parcel'].pk} is assigned to you", f"Urgent: T-{ticket.pk}"])
    else:
        assert titles == sorted([f"T-{world['parcel'].pk} ditugaskan kepada Anda", f"Mendesak: T-{ticket.pk}"])
    assert any("Akun saya dibobol" in n["body"] for n in notes)
    shot(page, f"queue-alerts-{language}")
    context.close()
    assert errors == []
