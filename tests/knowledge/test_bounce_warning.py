"""The composer warns while a reply is written that it sends the customer elsewhere, and says whether the brand
holds such replies for review; scoped like the rest of the ticket page."""

import pytest
from django.test import Client

from brands.models import ReviewPolicy
from tests.factories import make_ticket
from tickets.models import Reply

BOUNCING = "Mohon maaf kak, silakan hubungi call center kami di 14045."


def url(ticket):
    return f"/tickets/{ticket.pk}/reply/bounces/"


@pytest.mark.django_db
def test_the_operator_is_warned_with_the_phrase_and_why(cast, browser, claimed_ticket):
    response = browser(cast.operator).post(url(claimed_ticket), {"body": BOUNCING})

    assert response.status_code == 200
    html = response.content.decode()
    assert "This reply sends the customer elsewhere.</strong>" in html
    assert (
        "“hubungi call center”: Sends the customer to the call center or a hotline instead of answering here." in html
    )
    assert Reply.objects.count() == 0


@pytest.mark.django_db
def test_the_warning_says_a_supervisor_reviews_it_when_the_policy_holds_bounces(cast, browser, claimed_ticket):
    ReviewPolicy.objects.create(brand=cast.brand_a)

    html = browser(cast.operator).post(url(claimed_ticket), {"body": BOUNCING}).content.decode()

    assert "This reply sends the customer elsewhere, so a supervisor reviews it first." in html


@pytest.mark.django_db
def test_a_serving_reply_or_a_move_to_private_messages_gives_no_warning(cast, browser, claimed_ticket):
    client = browser(cast.operator)

    assert (
        client.post(url(claimed_ticket), {"body": "Boleh DM nomor pesanannya, kami bantu cek ya kak."}).content.strip()
        == b""
    )
    assert client.post(url(claimed_ticket), {"body": ""}).content.strip() == b""
    assert client.post(url(claimed_ticket), {"body": "x" * 20_000}).status_code == 400


@pytest.mark.django_db
def test_the_warning_is_in_indonesian(cast, browser, claimed_ticket):
    html = browser(cast.operator).post(url(claimed_ticket), {"body": BOUNCING}, HTTP_ACCEPT_LANGUAGE="id").content
    assert "Balasan ini melempar pelanggan ke tempat lain." in html.decode()


@pytest.mark.django_db
def test_customer_text_is_escaped(cast, browser, claimed_ticket):
    html = browser(cast.operator).post(url(claimed_ticket), {"body": "<script>x</script> hubungi call center"}).content
    assert b"<script>" not in html


@pytest.mark.django_db
def test_outsider_and_other_brand_get_404_and_manager_403(cast, browser):
    ticket = make_ticket(cast.brand_a)

    assert browser(cast.outsider).post(url(ticket), {"body": BOUNCING}).status_code == 404
    assert browser(cast.operator_b).post(url(ticket), {"body": BOUNCING}).status_code == 404
    assert browser(cast.manager).post(url(ticket), {"body": BOUNCING}).status_code == 403
    assert browser(None).post(url(ticket), {"body": BOUNCING}).status_code == 302


@pytest.mark.django_db
def test_get_is_refused_and_csrf_is_required(cast, claimed_ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.operator)

    assert client.get(url(claimed_ticket), {"body": BOUNCING}).status_code == 405
    assert client.post(url(claimed_ticket), {"body": BOUNCING}).status_code == 403


@pytest.mark.django_db
def test_the_ticket_page_wires_the_check_to_the_reply_box(cast, browser, claimed_ticket):
    html = browser(cast.operator).get(f"/tickets/{claimed_ticket.pk}/").content.decode()

    assert f'hx-post="/tickets/{claimed_ticket.pk}/reply/bounces/"' in html
    assert 'hx-trigger="input changed delay:400ms from:#id_reply_body"' in html
