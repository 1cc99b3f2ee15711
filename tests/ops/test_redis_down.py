"""Redis down (the cache and the broker): pages, actions and webhooks keep answering; a cache read is a miss and a
write is skipped (django-redis IGNORE_EXCEPTIONS), a task that cannot be queued is left for the sweep. Never a 500."""

import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import make_channel, make_ticket
from tests.helpers import keyed
from tickets.channels import x
from tickets.models import InboundDelivery, Ticket

DOWN = "redis://127.0.0.1:1/0"  # nothing listens there: every connection is refused


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DOWN,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "smrc.cache"
    settings.REDIS_URL = DOWN
    assert cache.get("anything") is None  # a miss, not an error


@pytest.mark.django_db
def test_the_queue_a_ticket_and_a_claim_answer_with_redis_down(cast, redis_down, caplog):
    ticket = make_ticket(cast.brand_a)
    client = Client()
    client.force_login(cast.operator)
    caplog.set_level(logging.ERROR, logger="smrc.cache")
    assert client.get("/queue/").status_code == 200
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert client.post(f"/tickets/{ticket.pk}/claim/", keyed()).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == cast.operator
    assert any(r.name == "smrc.cache" for r in caplog.records)  # the outage is in the log


@pytest.mark.django_db
def test_a_webhook_is_stored_with_redis_down_and_readyz_says_why(cast, redis_down, settings):
    secret = "x-secret-redis-down"
    make_channel(cast.brand_a, platform="x", external_id="1587000000000000001", webhook_secret=secret)
    body = json.dumps(
        {
            "for_user_id": "1587000000000000001",
            "tweet_create_events": [
                {
                    "created_at": "Fri Nov 20 03:15:42 +0000 2026",
                    "id_str": "1861234567899",
                    "text": "@TelkoraCare sinyal hilang dari pagi",
                    "user": {"id_str": "42", "screen_name": "budi_s", "name": "Budi"},
                    "timestamp_ms": "1795144542000",
                }
            ],
        }
    ).encode()
    response = Client().post(
        "/webhooks/x/",
        data=body,
        content_type="application/json",
        HTTP_X_TWITTER_WEBHOOKS_SIGNATURE="sha256=" + x._digest(secret, body),
    )
    assert response.status_code == 200
    assert InboundDelivery.objects.count() == 1
    assert Ticket.objects.count() == 1  # tasks are in-process here: processed at once
    ready = Client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"]["detail"].startswith("ConnectionError: Error 111 connecting to 127.0.0.1:1")
    assert ready.json()["checks"]["database"] == {"ok": True, "detail": "answers"}
