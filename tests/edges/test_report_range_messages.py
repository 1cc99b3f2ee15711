"""Edge 10 of issue 15: "Show" with a missing or invalid date says which field is wrong and keeps the other value,
from the report picker and from a report page, in Chromium (the browser's own validation never hides it)."""

import pytest
from playwright.sync_api import expect

from tests.helpers import log_in

pytestmark = [pytest.mark.browser]


def test_show_from_the_picker_with_empty_dates_names_the_missing_field(page, cast, transactional_db):
    log_in(page, cast.manager.username)
    page.goto("/reports/")
    page.locator("input[name=end]").fill("2025-05-04")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".field-error")).to_have_text(["Choose the first day of the report."])
    expect(page.locator("input[name=end]")).to_have_value("2025-05-04")


def test_show_on_a_report_with_an_emptied_date_names_the_missing_field(page, cast, transactional_db):
    log_in(page, cast.manager.username)
    page.goto(f"/reports/{cast.brand_a.slug}/?start=2025-04-28&end=2025-05-04")
    page.locator("input[name=end]").fill("")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".field-error")).to_have_text(["Choose the last day of the report."])
    expect(page.locator("input[name=start]")).to_have_value("2025-04-28")
