"""Characters a database cannot keep, in text from outside: NUL (PostgreSQL refuses it in text and JSONB) and
a lone UTF-16 surrogate (``\\ud83d`` without its pair: what a platform's cut of an emoji leaves; no UTF-8 encoder
writes it). JSON carries both as escapes.

* Through the API they are refused with a 400 before anything reads them (an echo of one in an error message
  was a 500: the answer itself could not be encoded).
* In a platform's signed delivery they are read as U+FFFD, so the customer's message is kept (it was lost on
  PostgreSQL: the whole delivery failed as unreadable, every other message in it too).

Run on SQLite and PostgreSQL."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import make_ticket
from tests.helpers import db_state
from tests.security.test_webhook_forgery import (  # noqa: F401 (fixtures)
    SECRETS,
    X_A,
    brands,
    client,
    queued,
    send_x,
    tweet,
    v11,
)
from tickets.models import InboundDelivery, Mention

pytestmark = pytest.mark.django_db

LONE = "\\ud83d"  # as JSON writes it: the first half of 😀 alone


def _post(api_client, url, text: str):
    return api_client.post(url, text, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_a_lone_surrogate_in_an_api_body_is_a_400_and_changes_nothing(cast):
    ticket = make_ticket(cast.brand_a)
    api_client = APIClient(raise_request_exception=False)
    api_client.force_authenticate(cast.supervisor)
    before = db_state()
    for url, body in (
        (f"/api/v1/tickets/{ticket.pk}/notes/", '{"body": "n", "visibility": "LONE"}'),
        (f"/api/v1/tickets/{ticket.pk}/notes/", '{"body": "n LONE", "visibility": "team"}'),
        ("/api/v1/views/", '{"name": "vLONE", "query": {}}'),
        ("/api/v1/views/", '{"name": "v", "query": {"LONE": "x"}}'),
        (f"/api/v1/tickets/{ticket.pk}/customer/link/", '{"platform": "x", "handle": "LONE"}'),
    ):
        response = _post(api_client, url, body.replace("LONE", LONE))
        assert response.status_code == 400, (url, body, response.status_code)
        assert "surrogate" in response.json()["detail"]
    assert db_state() == before


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("halo \\u0000 kak", "halo \ufffd kak"),
        (f"halo {LONE} kak", "halo \ufffd kak"),
        ("\\udc00\\ud83d\\ude00", "\ufffd😀"),  # a lone low half, then a pair that is one emoji
    ],
)
def test_a_signed_delivery_with_a_character_no_database_keeps_is_kept_readable(client, brands, queued, sent, kept):  # noqa: F811
    body = json.dumps(v11(X_A, tweet("2123616243545042945", "PLACEHOLDER"))).replace("PLACEHOLDER", sent).encode()
    response = send_x(client, None, secret=SECRETS["x_a"], body=body)
    assert response.status_code == 200
    assert list(InboundDelivery.objects.values_list("state", flat=True)) == ["processed"]
    assert list(Mention.objects.values_list("text", flat=True)) == [kept]
