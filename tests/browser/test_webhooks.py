"""The webhooks settings page in a real browser: a supervisor adds one with the keyboard, copies the secret shown
once, and reads the delivery log; at 390 px in Indonesian nothing overflows the page."""

import os

import pytest
from playwright.sync_api import expect

from brands.models import Role
from brands.services import webhooks
from tests.factories import make_brand, make_member, make_user
from tests.helpers import log_in
from tickets.models import WebhookDelivery

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")


@pytest.fixture
def brand(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    make_member(make_user("sup_a"), brand, Role.SUPERVISOR)
    return brand


def test_a_supervisor_adds_a_webhook_and_sees_the_secret_once(page, brand):
    log_in(page, "sup_a")
    page.goto("/settings/acme/webhooks/")
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("URL").fill("https://hooks.example.com/smrc")
    page.get_by_label("Ticket created").check()
    page.get_by_label("SLA breach").check()
    page.get_by_label("SLA breach").press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("[data-secret]")).to_be_visible()
    secret = webhooks.subscriptions_of(brand).get().secret
    expect(page.locator("[data-secret]")).to_have_text(secret)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/webhooks-created-en.png", full_page=True)
    page.get_by_role("link", name="CRM").click()
    expect(page.get_by_role("heading", name="CRM")).to_be_visible()
    assert secret not in page.content()


def test_the_delivery_log_reads_at_390_px_in_indonesian(chromium, live_server, brand):
    sub = webhooks.create(brand=brand, name="CRM", url="https://hooks.example.com/" + "x" * 80, events=["sla.breach"])
    for status, code, excerpt in (("delivered", 204, ""), ("pending", 503, "Service Unavailable " * 10)):
        WebhookDelivery.objects.create(
            subscription=sub,
            brand=brand,
            kind="sla.breach",
            body="{}",
            status=status,
            attempts=1,
            response_status=code,
            response_excerpt=excerpt,
            duration_ms=1234,
        )
    context = chromium.new_context(viewport={"width": 390, "height": 800}, base_url=live_server.url)
    page = context.new_page()
    try:
        log_in(page, "sup_a")
        context.add_cookies([{"name": "django_language", "value": "id", "url": live_server.url}])
        page.goto(f"/settings/acme/webhooks/{sub.pk}/")
        expect(page.get_by_role("heading", name="Pengiriman")).to_be_visible()
        expect(page.get_by_role("button", name="Kirim ulang").first).to_be_visible()
        expect(page.locator("td.num").first).to_contain_text("1234 md")  # never "1.234"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/webhook-detail-id-390.png", full_page=True)
            page.goto("/settings/acme/webhooks/")
            page.screenshot(path=f"{SHOTS}/webhooks-id-390.png", full_page=True)
    finally:
        context.close()
