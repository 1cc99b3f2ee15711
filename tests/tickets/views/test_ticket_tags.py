"""The ticket page's tag editor: chips and suggestions, POST /tickets/<id>/tags/ with ticket:work, errors in
place, CSRF."""

import pytest
from django.test import Client

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.models import Event
from tickets.services import tags

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, platform_id="tw-1", text="Paket saya belum sampai")


def url(ticket) -> str:
    return f"/tickets/{ticket.pk}/tags/"


def names_on(ticket) -> list[str]:
    return list(ticket.tags.order_by("name").values_list("name", flat=True))


@pytest.mark.parametrize("who", ["operator", "supervisor"])
def test_an_operator_or_supervisor_sets_the_tags(cast, browser, ticket, who):
    response = browser(getattr(cast, who)).post(url(ticket), {"tags": "Refund, delivery-late,"}, follow=True)

    assert response.redirect_chain == [(f"/tickets/{ticket.pk}/", 302)]
    assert [str(m) for m in response.context["messages"]] == ["Tags saved."]
    assert names_on(ticket) == ["delivery-late", "refund"]
    body = response.content.decode()
    assert '<li class="tag">delivery-late</li><li class="tag">refund</li>' in body
    assert 'value="delivery-late, refund"' in body
    assert Event.objects.filter(ticket=ticket, kind="ticket.tags_changed").count() == 1


def test_the_page_offers_the_brand_tags_only(cast, browser, ticket):
    other = make_ticket(cast.brand_a, platform_id="tw-2", author_id="u-2")
    tags.set_ticket_tags(ticket=other, user=cast.operator, names=["vip"])
    globex = make_ticket(cast.brand_b, platform_id="tw-3", author_id="u-3")
    tags.set_ticket_tags(ticket=globex, user=cast.operator_b, names=["globex-only"])

    body = browser(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()

    assert '<datalist id="brand-tags"><option value="vip"></option></datalist>' in body
    assert "globex-only" not in body
    assert "No tags yet." in body


def test_a_manager_sees_the_tags_without_the_editor(cast, browser, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["vip"])
    body = browser(cast.manager).get(f"/tickets/{ticket.pk}/").content.decode()
    assert '<li class="tag">vip</li>' in body
    assert url(ticket) not in body


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("operator_b", 404), ("outsider", 404)])
def test_others_are_refused_and_nothing_changes(cast, browser, ticket, who, status):
    before = db_state()
    assert browser(getattr(cast, who)).post(url(ticket), {"tags": "refund"}).status_code == status
    assert db_state() == before


def test_anonymous_is_sent_to_login(browser, ticket):
    response = browser(None).post(url(ticket), {"tags": "refund"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_bad_name_is_explained_in_place_and_changes_nothing(cast, browser, ticket):
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["vip"])
    before = db_state()

    response = browser(cast.operator).post(url(ticket), {"tags": "vip, late delivery"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "The tag “late delivery” may hold only letters, digits, hyphens and underscores" in body
    assert 'value="vip, late delivery"' in body
    assert db_state() == before


def test_get_is_not_allowed(cast, browser, ticket):
    assert browser(cast.operator).get(url(ticket)).status_code == 405


def test_csrf_is_enforced(cast, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.operator)
    before = db_state()

    assert client.post(url(ticket), {"tags": "refund"}).status_code == 403
    assert db_state() == before

    client.get(f"/tickets/{ticket.pk}/")
    token = client.cookies["csrftoken"].value
    assert client.post(url(ticket), {"tags": "refund", "csrfmiddlewaretoken": token}).status_code == 302
    assert names_on(ticket) == ["refund"]
