"""The profile page in a real browser: a key made with the keyboard, shown once, working against the API, then
revoked; the API's Swagger UI renders from our own static files under the Content-Security-Policy."""

import os
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from brands.models import Role
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import log_in

pytestmark = [pytest.mark.browser]
SHOTS = os.environ.get("SMRC_SCREENSHOTS")
LOCAL = {"localhost", "127.0.0.1"}


@pytest.fixture
def keys_setup(transactional_db):
    brand = make_brand("acme", name="Acme Telco")
    make_member(make_user("op_a"), brand, Role.OPERATOR)
    make_ticket(brand, text="Paket belum sampai")
    return brand


def test_a_key_is_made_used_and_revoked_from_the_profile_page(page, keys_setup):  # noqa: F811
    log_in(page, "op_a")
    page.get_by_role("link", name="op_a").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    page.get_by_label("Name").fill("CRM")
    page.get_by_label("Read only").check()
    expect(page.get_by_label("Acme Telco")).to_be_checked()  # the one brand, chosen already
    page.get_by_role("button", name="Create key").press("Enter")
    token = page.locator("#new-api-key").inner_text()
    assert re.fullmatch(r"smrc_[0-9a-f]{12}_[\w-]{43}", token)
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=f"{SHOTS}/profile-en.png", full_page=True)
    answer = page.request.get("/api/v1/tickets/", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200
    assert len(answer.json()["results"]) == 1
    page.reload()
    expect(page.locator("#new-api-key")).to_have_count(0)
    row = page.get_by_role("row", name=re.compile("CRM"))
    expect(row).not_to_contain_text("never")  # used once, just now
    row.get_by_role("button", name="Revoke CRM").click()
    expect(page.get_by_text("The key “CRM” is revoked.")).to_be_visible()
    assert page.request.get("/api/v1/tickets/", headers={"Authorization": f"Bearer {token}"}).status == 401
    if SHOTS:
        page.get_by_role("button", name="ID").click()
        expect(page.get_by_role("heading", name="Profil Anda")).to_be_visible()
        page.screenshot(path=f"{SHOTS}/profile-id.png", full_page=True)


def test_the_api_docs_render_swagger_ui_from_our_static_files(page, keys_setup):  # noqa: F811
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in LOCAL else None)
    # Swagger UI draws once the schema has come, which is built for each request: 7 s on a busy machine (the title
    # waited 5 s and found "loading"). Wait for that answer first, then for what only it produces.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/schema/"), timeout=30_000) as schema:
        page.goto("/api/v1/docs/")
    assert schema.value.status == 200
    expect(page.locator(".swagger-ui .title")).to_contain_text("SMRC API")
    expect(page.get_by_text("tickets_list").or_(page.get_by_text("/api/v1/tickets/").first).first).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/api-docs.png")
    assert violations == [], "\n".join(violations)
    assert outside == []
