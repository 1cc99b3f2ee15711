"""The staff side of CSAT in a real browser at 390 px, in English and Indonesian: the settings page and the
rating on the ticket and the customer card, without horizontal scroll."""

import os

import pytest
from playwright.sync_api import expect

from brands.models import Role
from brands.services import csat as csat_settings
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import log_in
from tickets.models import CsatSurvey
from tickets.services import csat_answers, workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")


@pytest.fixture
def rated(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    supervisor = make_user("sup_a")
    make_member(supervisor, brand, Role.SUPERVISOR)
    csat_settings.update_csat_settings(brand=brand, values={"enabled": True, "platforms": "facebook"})
    ticket = make_ticket(brand, platform="facebook", kind="dm", platform_id="m-1", text="Paket belum sampai")
    ticket = workflow.claim_ticket(ticket=ticket, user=supervisor)
    workflow.resolve_ticket(ticket=ticket, user=supervisor)
    csat_answers.answer(survey=CsatSurvey.objects.get(ticket=ticket), rating=2, comment="Lama sekali <i>dibalas</i>")
    return ticket


@pytest.mark.parametrize(
    ("lang", "heading", "rating"),
    [("en", "Customer rating", "Satisfaction"), ("id", "Penilaian pelanggan", "Kepuasan")],
)
def test_the_settings_page_and_the_rating_on_the_ticket_fit_a_phone(page, rated, lang, heading, rating):  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "sup_a")
    if lang == "id":
        page.get_by_role("button", name="ID").click()
        expect(page.locator("html")).to_have_attribute("lang", "id")
    page.goto(f"/tickets/{rated.pk}/")
    expect(page.locator("#csat-title")).to_have_text(heading)
    expect(page.locator("#ticket-csat blockquote")).to_have_text("Lama sekali <i>dibalas</i>")
    expect(page.locator(".author-card")).to_contain_text(rating)
    assert page.evaluate("document.scrollingElement.scrollWidth") == 390
    if SHOTS:
        page.locator("#ticket-csat").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"csat-ticket-{lang}.png"), full_page=True)
    page.goto("/settings/acme/csat/")
    expect(page.locator("h1")).to_have_text("Customer satisfaction" if lang == "en" else "Kepuasan pelanggan")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"csat-settings-{lang}.png"), full_page=True)
    assert page.evaluate("document.scrollingElement.scrollWidth") == 390
