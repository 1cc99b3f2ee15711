"""Edge 12 of issue 15: a reply sent with placeholders left in it is refused with one message, not two (the
browser's warning and the server's refusal are the same element and the same words), and the message follows the
text as it is edited."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import make_ticket
from tests.helpers import keyed, log_in
from tickets.services import workflow

MESSAGE = "Fill or remove the placeholder(s) {customer_name} before sending."


def test_the_server_puts_its_refusal_in_the_composers_one_warning(cast, browser):
    ticket = make_ticket(cast.brand_a, author_id="x-1", handle="budi", text="Pulsa saya terpotong")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    response = browser(cast.operator).post(
        reverse("tickets:reply", args=[ticket.pk]), keyed({"body": "Halo {customer_name}", "snippets": ""})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count(MESSAGE) == 1
    assert f'<p class="field-error" id="id_reply_placeholders" role="alert">{MESSAGE}</p>' in page
    assert 'id="id_reply_error"' not in page
    assert 'aria-describedby="id_reply_placeholders"' in page
    assert not ticket.replies.exists()


@pytest.mark.browser
def test_sending_with_a_placeholder_shows_one_message(page, transactional_db, cast):
    ticket = make_ticket(cast.brand_a, author_id="x-1", handle="budi", text="Pulsa saya terpotong")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    log_in(page, cast.operator.username)
    page.goto(f"/tickets/{ticket.pk}/")
    box = page.locator("#id_reply_body")
    box.fill("Halo {customer_name}, kami bantu cek ya.")
    with page.expect_response(lambda r: r.url.endswith("/reply/") and r.request.method == "POST") as answer:
        page.locator("#reply-form button[type=submit]").click()
    assert answer.value.status == 400
    # The composer's own warning shows before the server answers; wait for the server's form (only it links the
    # box to the message) before editing, or the answer lands after the edit and brings its refusal back.
    expect(page.locator("#id_reply_body")).to_have_attribute("aria-describedby", "id_reply_placeholders")
    expect(page.locator("#id_reply_body")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error:visible")).to_have_text([MESSAGE])
    page.locator("#id_reply_body").fill("Halo Budi, kami bantu cek ya.")
    expect(page.locator(".field-error:visible")).to_have_count(0)
    assert not ticket.replies.exists()
