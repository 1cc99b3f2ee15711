"""The report page's "Monthly summary (PDF)" link in a real browser, in English and Indonesian, at 1280 px and
390 px: shown for a calendar month, it fits the line of downloads without widening the page, and it downloads the
one-page PDF; a week offers no summary. The page's tables keep their headers' words whole."""

import os

import pytest

from brands.models import Role
from tests.browser.test_team_headers import HEADERS
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import log_in

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")
LINK = {"en": "Monthly summary (PDF)", "id": "Ringkasan bulanan (PDF)"}


@pytest.fixture
def manager(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    make_member(make_user("mgr_a"), brand, Role.MANAGER)
    make_ticket(brand, author_id="c1", text="Sinyal hilang")
    return brand


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (1280, "id"), (390, "en"), (390, "id")])
def test_the_report_page_offers_the_monthly_summary(page, manager, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "mgr_a")
    page.goto("/reports/acme/?start=2025-05-01&end=2025-05-31")
    with page.expect_event("load"):  # a full load, in English too (the page before it matches the selector below)
        page.locator(f".langswitch button[value={language}]").click()
    page.wait_for_selector(f"html[lang={language}] .exports")
    link = page.get_by_role("link", name=LINK[language])
    assert link.get_attribute("href") == "/reports/acme/summary/?start=2025-05-01&end=2025-05-31"
    assert link.is_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") == width
    # the figures' headers break between words only ("Tiket diterima" went a letter a line at 390 px)
    headers = page.evaluate(HEADERS.replace(".team table.figures", "table.figures"))
    assert headers, "no header measured"
    assert [h for h in headers if h["broken"] or h["widest"] > h["room"] + 1] == []
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"report-summary-link-{language}-{width}.png"), full_page=False)
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    page.goto("/reports/acme/?start=2025-05-05&end=2025-05-11")
    page.wait_for_selector(".exports")
    assert page.get_by_role("link", name=LINK[language]).count() == 0
