"""The request id: taken from X-Request-ID when sane, else made; answered; kept with a webhook delivery and logged
when the delivery is processed (then or later, by the sweep); logged when a reply is submitted and published; and
carried in a task's message headers to the worker that runs it."""

import json
import logging
import re
from types import SimpleNamespace

import pytest
from django.test import Client

from smrc import logs, requestid
from smrc.celery import _bind_request_id, _carry_request_id, _unbind_request_id
from tests.factories import make_channel, make_ticket
from tests.helpers import keyed
from tickets.models import InboundDelivery, Reply, ReplyStatus
from tickets.services import inbound, workflow

X_ACCOUNT = "1587000000000000001"
SECRET = "x-secret-for-request-ids"
GENERATED = re.compile(r"[0-9a-f]{32}")


def x_body(post_id: str) -> bytes:
    return json.dumps(
        {
            "for_user_id": X_ACCOUNT,
            "tweet_create_events": [
                {
                    "created_at": "Fri Nov 20 03:15:42 +0000 2026",
                    "id_str": post_id,
                    "text": "@TelkoraCare sinyal hilang dari pagi",
                    "user": {"id_str": "42", "screen_name": "budi_s", "name": "Budi", "followers_count": 10},
                    "lang": "in",
                    "timestamp_ms": "1795144542000",
                }
            ],
        }
    ).encode()


def post_x(client, body: bytes, **extra):
    from tickets.channels import x

    signature = "sha256=" + x._digest(SECRET, body)
    return client.post(
        "/webhooks/x/", data=body, content_type="application/json", HTTP_X_TWITTER_WEBHOOKS_SIGNATURE=signature, **extra
    )


def records(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("abc-123.XYZ:00", True),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),
        ("short", False),  # under 8 characters
        ("x" * 129, False),
        ("<script>alert(1)</script>", False),
        ("id with spaces", False),
        ("ünïcode-request", False),
        ("line\nbreak-request", False),
    ],
)
def test_a_sane_request_id_is_kept_and_anything_else_replaced(client, given, kept):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    if kept:
        assert response["X-Request-ID"] == given
    else:
        assert GENERATED.fullmatch(response["X-Request-ID"])


def test_every_response_gets_a_fresh_id(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert GENERATED.fullmatch(first)
    assert GENERATED.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_the_request_line_is_logged_with_the_id(client, caplog):
    caplog.set_level(logging.INFO, logger="smrc.request")
    client.get("/readyz", HTTP_X_REQUEST_ID="probe-req-0001")
    (line,) = records(caplog, "smrc.request")
    assert line.getMessage() == "GET /readyz 200"
    assert (line.request_id, line.view, line.status) == ("probe-req-0001", "smrc.health.readyz", 200)
    assert line.path == "/readyz"


@pytest.mark.django_db
def test_a_mention_keeps_its_request_id_from_webhook_to_ticket(cast, caplog):
    make_channel(cast.brand_a, platform="x", external_id=X_ACCOUNT, handle="TelkoraCare", webhook_secret=SECRET)
    caplog.set_level(logging.INFO)
    response = post_x(Client(), x_body("1861234567890"), HTTP_X_REQUEST_ID="hook-req-0001")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "hook-req-0001"
    delivery = InboundDelivery.objects.get()
    assert delivery.headers["HTTP_X_REQUEST_ID"] == "hook-req-0001"
    assert delivery.state == "processed"
    (line,) = records(caplog, "smrc.inbound")
    assert line.getMessage().startswith(f"inbound delivery {delivery.pk} processed: ")
    assert line.request_id == "hook-req-0001"
    assert line.delivery_id == delivery.pk


@pytest.mark.django_db
def test_a_delivery_processed_again_later_is_logged_under_the_id_it_came_with(cast, caplog):
    """Retried by an admin (or re-queued by the sweep) outside the request it came with: the log line still
    carries the id it was accepted under."""
    make_channel(cast.brand_a, platform="x", external_id=X_ACCOUNT, handle="TelkoraCare", webhook_secret=SECRET)
    made = post_x(Client(), x_body("1861234567891"))["X-Request-ID"]
    delivery = InboundDelivery.objects.get()
    InboundDelivery.objects.filter(pk=delivery.pk).update(state="failed")

    caplog.set_level(logging.INFO)
    caplog.clear()
    with requestid.bound("admin-req-0001"):
        assert inbound.retry_deliveries([delivery.pk]) == 1
    (line,) = records(caplog, "smrc.inbound")
    assert line.getMessage().startswith(f"inbound delivery {delivery.pk} processed: ")
    assert line.request_id == made
    assert GENERATED.fullmatch(made)


@pytest.mark.django_db(transaction=True)  # the delivery is queued when the submission commits, inside the request
def test_a_reply_is_logged_under_the_composer_request_from_submit_to_publish(cast, caplog):
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    client = Client()
    client.force_login(cast.operator)
    caplog.set_level(logging.INFO)
    body = keyed({"body": "Mohon DM nomor resinya ya"})
    response = client.post(f"/tickets/{ticket.pk}/reply/", body, HTTP_X_REQUEST_ID="compose-req-0001")
    assert response.status_code in (200, 302), response.content[:500]
    reply = Reply.objects.get()
    assert reply.status == ReplyStatus.SENT
    submitted = [r for r in records(caplog, "tickets.services.replies") if "submitted" in r.getMessage()]
    published = [r for r in records(caplog, "tickets.services.delivery") if "published" in r.getMessage()]
    assert [r.getMessage() for r in submitted] == [f"reply {reply.pk} submitted on ticket {ticket.pk}: approved"]
    assert [r.getMessage() for r in published] == [
        f"reply {reply.pk} published on ticket {ticket.pk} as {reply.platform_reply_id}"
    ]
    assert {r.request_id for r in submitted + published} == {"compose-req-0001"}


def test_a_task_queued_under_a_request_carries_its_id_to_the_worker():
    headers: dict = {}
    _carry_request_id(headers=headers)
    assert headers == {}  # nothing bound: nothing carried
    with requestid.bound("queue-req-0001"):
        _carry_request_id(headers=headers)
    assert headers == {"request_id": "queue-req-0001"}

    # the worker side: bound while the task runs, the previous one back afterwards
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, request_id="queue-req-0001", headers=None))
    _bind_request_id(task_id="t-1", task=task)
    assert requestid.get() == "queue-req-0001"
    _unbind_request_id(task_id="t-1")
    assert requestid.get() is None

    # beat's own tasks carry none: the task id stands in; a forged header is replaced like a request's
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, request_id=None, headers={}))
    _bind_request_id(task_id="5c1d2f3a-task", task=task)
    assert requestid.get() == "5c1d2f3a-task"
    _unbind_request_id(task_id="5c1d2f3a-task")
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False, request_id="<bad id>", headers={}))
    _bind_request_id(task_id="t-3", task=task)
    assert GENERATED.fullmatch(requestid.get())
    _unbind_request_id(task_id="t-3")


def test_json_log_lines_carry_the_request_and_the_task():
    formatter_config = logs.config(level="INFO", fmt="json")["formatters"]["json"]
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(**{k: v for k, v in formatter_config.items() if k != "()"})
    record = logging.LogRecord("smrc.inbound", logging.INFO, __file__, 1, "delivery %s processed", (7,), None)
    with requestid.bound("json-req-0001"):
        logs.ContextFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert {k: line[k] for k in ("level", "logger", "message", "request_id", "task_id", "task_name")} == {
        "level": "INFO",
        "logger": "smrc.inbound",
        "message": "delivery 7 processed",
        "request_id": "json-req-0001",
        "task_id": None,
        "task_name": None,
    }


def test_an_unknown_log_format_stops_the_start():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be json or plain, got 'xml'"):
        logs.config(level="INFO", fmt="xml")
