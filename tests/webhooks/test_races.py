"""Send again, four clicks at once, on SQLite and on PostgreSQL (``DATABASE_URL``): one new delivery, one call to
the receiver. The threads race as in tests/security/test_concurrency.py: each its own client and connection,
released together; ``transaction=True`` so ``on_commit`` runs and the eager task really sends."""

import pytest
import responses
from django.test import Client

from brands.services import webhooks
from tests.concurrency.test_races import run_together
from tickets.models import WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)

URL = "https://hooks.example.com/race"


def test_send_again_clicked_four_times_at_once_sends_once(cast):
    sub = webhooks.create(brand=cast.brand_a, name="CRM", url=URL, events=["ticket.created"])
    first = WebhookDelivery.objects.create(
        subscription=sub, brand=cast.brand_a, kind="ticket.created", body='{"id":"r"}', status="delivered"
    )
    clients = [Client() for _ in range(4)]
    for client in clients:
        client.force_login(cast.supervisor)
    path = f"/settings/acme/webhooks/{sub.pk}/"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as receiver:
        receiver.post(URL, status=200)
        results = run_together(
            *[lambda c=c: c.post(path, {"action": "again", "delivery": first.pk}).status_code for c in clients],
            timeout=60,
        )
        assert results == [302] * 4
        again = WebhookDelivery.objects.exclude(pk=first.pk)
        assert again.count() == 1
        assert again.get().event_id == first.event_id
        assert len(receiver.calls) == 1
