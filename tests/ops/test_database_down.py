"""The database down answers 503 with Retry-After (SMRC's page, or JSON for the API and webhooks), wherever in the
request it fails; any other error is still the 500 page."""

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation

from tests.factories import make_ticket


def refuse(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def client_500():
    return Client(raise_request_exception=False)


def test_a_page_answers_503_when_the_database_is_down(cast, client_500):
    ticket = make_ticket(cast.brand_a)
    client_500.force_login(cast.operator)
    with connection.execute_wrapper(refuse):
        response = client_500.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "SMRC is briefly unavailable" in response.content.decode()


def test_the_page_speaks_indonesian(cast, client_500):
    client_500.force_login(cast.operator)
    client_500.cookies["django_language"] = "id"
    with connection.execute_wrapper(refuse):
        response = client_500.get("/queue/")
    assert response.status_code == 503
    with translation.override("id"):
        assert translation.gettext("SMRC is briefly unavailable") in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/webhooks/x/", "/api/v1/tickets/"])
def test_the_api_and_the_webhooks_answer_json(client_500, path):
    with connection.execute_wrapper(refuse):
        response = client_500.post(
            path,
            data=b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION="Token x",
            HTTP_X_TWITTER_WEBHOOKS_SIGNATURE="sha256=" + "A" * 43 + "=",
        )
    assert response.status_code == 503
    assert response.json() == {"detail": "The service is briefly unavailable; try again."}
    assert response["Retry-After"] == "5"


def test_another_error_is_still_the_500_page(cast, client_500):
    def bug(execute, sql, params, many, context):
        raise ValueError("a bug, not an outage")

    client_500.force_login(cast.operator)
    with connection.execute_wrapper(bug):
        response = client_500.get("/queue/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()
