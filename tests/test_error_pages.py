"""Errors answer with SMRC's own pages, in the user's language, never a bare server page."""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import make_ticket


def test_an_out_of_scope_ticket_shows_the_not_found_page(cast):
    client = Client()
    client.force_login(cast.operator_b)
    response = client.get(reverse("tickets:detail", args=[make_ticket(cast.brand_a).pk]))
    assert response.status_code == 404
    assert "There is nothing here, or it belongs to a brand you do not work for." in response.content.decode()


def test_a_missing_role_shows_the_not_allowed_page(cast):
    client = Client()
    client.force_login(cast.operator)
    response = client.get(reverse("tickets:sla_settings", args=[cast.brand_a.slug]))
    assert response.status_code == 403
    assert "Your role on this brand does not allow this." in response.content.decode()


def test_the_not_found_page_speaks_indonesian(cast):
    client = Client()
    client.force_login(cast.operator_b)
    client.cookies["django_language"] = "id"
    response = client.get("/tickets/999999/")
    assert response.status_code == 404
    with translation.override("id"):
        assert translation.gettext("Not found") in response.content.decode()
