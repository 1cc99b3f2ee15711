"""The public rating page in a real browser at a phone's width (390 px), in Indonesian and English: no
horizontal scroll, every option reachable by touch and keyboard, the answer kept once, the script-free page
working under the Content-Security-Policy."""

import os
import re

import pytest
from playwright.sync_api import expect

from brands.models import Role
from brands.services import csat as csat_settings
from tests.factories import make_brand, make_member, make_ticket, make_user
from tickets.models import CsatSurvey
from tickets.services import csat, workflow

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")  # a folder to save screenshots into, when set


@pytest.fixture
def survey_path(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    operator = make_user("op_a")
    make_member(operator, brand, Role.OPERATOR)
    csat_settings.update_csat_settings(brand=brand, values={"enabled": True, "platforms": "facebook"})
    ticket = make_ticket(brand, platform="facebook", kind="dm", platform_id="m-1", text="Paket belum sampai")
    ticket = workflow.claim_ticket(ticket=ticket, user=operator)
    workflow.resolve_ticket(ticket=ticket, user=operator)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.status == "sent"  # through the console channel, after commit
    return f"/csat/{csat.make_token(survey)}/", survey


@pytest.mark.parametrize(
    ("lang", "title", "button", "thanks"),
    [
        ("id", "Bagaimana layanan kami?", "Kirim nilai saya", "Terima kasih!"),
        ("en", "How did we do?", "Send my rating", "Thank you!"),
    ],
)
def test_a_phone_rates_once_in_its_language(page, survey_path, lang, title, button, thanks):  # noqa: F811
    path, survey = survey_path
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(path if lang == "id" else f"{path}?lang=en")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.evaluate("document.scrollingElement.scrollWidth") == 390
    options = page.locator(".csat-option")
    expect(options).to_have_count(5)
    for n in range(5):
        box = options.nth(n).bounding_box()
        assert min(box["width"], box["height"]) >= 44, box  # a finger's target
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"csat-{lang}.png"), full_page=True)
    # the keyboard reaches the scale: tab to the first option, arrows choose
    page.locator("#id_rating_0").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_rating_3")).to_be_checked()
    page.locator("textarea").fill("Cepat dan ramah <b>sekali</b>")
    page.get_by_role("button", name=button).click()
    expect(page.locator("h1")).to_have_text(thanks)
    expect(page.locator(".csat-quote")).to_have_text("Cepat dan ramah <b>sekali</b>")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"csat-{lang}-thanks.png"), full_page=True)
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Cepat dan ramah <b>sekali</b>")
    page.goto(path)
    expect(page.locator("h1")).to_have_text(re.compile("Sudah dijawab|Already answered"))
