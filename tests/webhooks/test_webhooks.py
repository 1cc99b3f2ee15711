"""Outbound webhooks (docs/webhooks.md): the outbox written with the event, signed deliveries checked with the
documented example, retries with backoff, automatic pausing and resuming, "send again", the address check, and
the settings page scoped like the others. Receivers are faked at the HTTP boundary (``responses``)."""

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import responses
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from brands.models import ConfigChange, WebhookSubscription
from brands.services import webhooks
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import db_state
from tickets.models import Notification, WebhookDelivery
from tickets.services import hooks, workflow

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/smrc"
DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verify():
    """The ``verify`` function of docs/webhooks.md, run as written."""
    block = re.search(r"## Verifying a delivery.*?```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation's example
    return namespace["verify"]


def subscribe(brand, events=("ticket.resolved",), url=URL, user=None, name="CRM") -> WebhookSubscription:
    return webhooks.create(brand=brand, name=name, url=url, events=list(events), user=user)


@pytest.fixture
def receiver():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def resolve(cast, ticket, capture):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with capture(execute=True):
        workflow.resolve_ticket(ticket=ticket, user=cast.operator)


# --- the outbox and the signature ------------------------------------------------------------------------------


def test_a_resolved_ticket_is_pushed_signed_and_verified_by_the_documented_code(
    cast, receiver, django_capture_on_commit_callbacks
):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=204)
    ticket = make_ticket(cast.brand_a)
    resolve(cast, ticket, django_capture_on_commit_callbacks)
    assert len(receiver.calls) == 1
    request = receiver.calls[0].request
    body = request.body
    payload = json.loads(body)
    assert payload["type"] == "ticket.resolved"
    assert payload["ticket_id"] == ticket.pk
    assert payload["actor"] == "op_a"
    assert payload["data"] == {"before": "open", "after": "resolved"}
    assert request.headers["X-SMRC-Event-Id"] == payload["id"]
    verify = documented_verify()
    header = request.headers["X-SMRC-Signature"]
    assert verify(sub.secret, header, body)
    assert not verify(sub.secret, header, body.replace(b"resolved", b"reopened"))
    assert not verify("whsec_other", header, body)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_status, delivery.attempts) == ("delivered", 204, 1)
    assert delivery.duration_ms is not None


def test_the_replay_window_refuses_an_old_or_future_signature():
    verify = documented_verify()
    body = b'{"id":"x"}'
    header = hooks.signature_header("whsec_s", 1_700_000_000, body.decode())
    assert verify("whsec_s", header, body, now=1_700_000_000 + 299)
    assert not verify("whsec_s", header, body, now=1_700_000_000 + 301)
    assert not verify("whsec_s", header, body, now=1_700_000_000 - 301)
    assert not verify("whsec_s", "v1=abc", body)
    assert not verify("whsec_s", "t=x,v1=abc", body)


def test_only_the_events_chosen_and_the_brands_own_are_sent(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast.brand_a, events=["ticket.created"])
    subscribe(cast.brand_b, events=["ticket.created", "ticket.resolved"], name="B")
    receiver.post(URL, status=200)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(cast.brand_a)
    resolve(cast, ticket, django_capture_on_commit_callbacks)
    assert [json.loads(c.request.body)["type"] for c in receiver.calls] == ["ticket.created"]
    assert WebhookDelivery.objects.get().brand_id == cast.brand_a.pk


def _resolve_then_fail(ticket, user) -> None:
    with transaction.atomic():
        workflow.resolve_ticket(ticket=ticket, user=user)
        assert WebhookDelivery.objects.count() == 1  # written with the event, in its transaction
        raise RuntimeError("rolled back")


def test_a_rolled_back_change_writes_and_sends_nothing(cast, receiver, django_capture_on_commit_callbacks):
    subscribe(cast.brand_a)
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            _resolve_then_fail(ticket, cast.operator)
    assert WebhookDelivery.objects.count() == 0
    assert callbacks == []
    assert len(receiver.calls) == 0


def test_a_broker_that_is_down_never_fails_the_request(cast, monkeypatch, django_capture_on_commit_callbacks):
    subscribe(cast.brand_a)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(hooks.deliver_webhook_task, "delay", down)
    ticket = make_ticket(cast.brand_a)
    resolve(cast, ticket, django_capture_on_commit_callbacks)  # no exception
    assert WebhookDelivery.objects.get().status == "pending"  # the sweep sends it


# --- retries, backoff, pausing ---------------------------------------------------------------------------------


def _delivery(sub) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=sub,
        brand_id=sub.brand_id,
        kind="ticket.resolved",
        body='{"id":"x"}',
        next_attempt_at=timezone.now(),
    )


def test_failures_are_retried_with_exponential_backoff_then_failed(cast, receiver):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=500, body="upstream down " * 100)
    delivery = _delivery(sub)
    waits = []
    for attempt in range(1, hooks.MAX_ATTEMPTS + 1):
        assert hooks.deliver(delivery.pk, now=timezone.now() + timedelta(days=attempt)) is not None
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.response_status == 500
        assert len(delivery.response_excerpt) == hooks.EXCERPT_CHARS
        if attempt < hooks.MAX_ATTEMPTS:
            waits.append(round((delivery.next_attempt_at - timezone.now()).total_seconds() / 30))
            assert hooks.deliver(delivery.pk) is None  # not due yet: nothing sent
    assert waits == [1, 4, 16, 64, 256]
    assert delivery.status == "failed"
    assert delivery.finished_at is not None
    assert len(receiver.calls) == hooks.MAX_ATTEMPTS


@pytest.mark.parametrize(
    ("answer", "excerpt"),
    [
        (requests.exceptions.ConnectTimeout(), "ConnectTimeout"),
        (requests.exceptions.ReadTimeout(), "ReadTimeout"),
        (requests.exceptions.ConnectionError(), "ConnectionError"),
    ],
)
def test_timeouts_and_connection_errors_are_failed_attempts(cast, receiver, answer, excerpt):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, body=answer)
    delivery = _delivery(sub)
    assert hooks.deliver(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert (delivery.response_status, delivery.response_excerpt) == (None, excerpt)


def test_a_redirect_is_not_followed(cast, receiver):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    delivery = _delivery(sub)
    assert hooks.deliver(delivery.pk) == "pending"
    assert [c.request.url for c in receiver.calls] == [URL]


def test_the_sending_call_uses_a_timeout_and_no_redirects(cast, monkeypatch):
    sub = subscribe(cast.brand_a)
    seen = {}

    def fake_post(session, url, **kwargs):
        seen.update(kwargs)
        raise requests.exceptions.ConnectTimeout()

    monkeypatch.setattr(requests.Session, "post", fake_post)
    hooks.deliver(_delivery(sub).pk)
    assert seen["timeout"] == hooks.TIMEOUT
    assert seen["allow_redirects"] is False


def test_a_subscription_that_keeps_failing_is_paused_supervisors_told_once_and_resumable(
    cast, receiver, settings, django_capture_on_commit_callbacks
):
    settings.SMRC_WEBHOOK_PAUSE_AFTER = 3
    sub = subscribe(cast.brand_a, events=["ticket.created"])
    receiver.post(URL, status=503)
    for _i in range(4):
        hooks.deliver(_delivery(sub).pk)
    sub.refresh_from_db()
    assert sub.paused_at is not None
    assert sub.consecutive_failures == 3
    assert len(receiver.calls) == 3
    notices = Notification.objects.filter(kind="webhook.paused")
    assert [n.user.username for n in notices] == ["sup_a"]
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(cast.brand_a)
    assert WebhookDelivery.objects.filter(kind="ticket.created").count() == 0  # paused: no new outbox rows
    receiver.replace(responses.POST, URL, status=200)
    with django_capture_on_commit_callbacks(execute=True):
        hooks.resume(sub=sub, user=cast.supervisor)
    sub.refresh_from_db()
    assert sub.sending
    assert sub.consecutive_failures == 0
    assert WebhookDelivery.objects.filter(status="delivered").count() == 1  # the one that waited
    assert ConfigChange.objects.filter(kind="webhook.resumed").count() == 1


def test_the_sweep_queues_what_is_due(cast, receiver):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=200)
    due, later = _delivery(sub), _delivery(sub)
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert hooks.sweep() == 1
    assert WebhookDelivery.objects.get(pk=due.pk).status == "delivered"
    assert WebhookDelivery.objects.get(pk=later.pk).status == "pending"


def test_send_again_makes_one_new_delivery_of_the_same_event(cast, receiver):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=200)
    first = _delivery(sub)
    hooks.deliver(first.pk)
    again = hooks.send_again(delivery=WebhookDelivery.objects.get(pk=first.pk))
    assert hooks.send_again(delivery=first) == again  # a second click: the same one
    assert again.event_id == first.event_id
    assert again.body == first.body
    assert again.pk != first.pk
    webhooks.set_active(sub=sub, active=False, user=cast.supervisor)
    with pytest.raises(ValidationError):
        hooks.send_again(delivery=first)


# --- the address check (SSRF) ----------------------------------------------------------------------------------

REFUSED = [
    "http://hooks.example.com/x",
    "https://127.0.0.1/x",
    "https://localhost/x",
    "https://10.0.0.8/x",
    "https://192.168.1.1/x",
    "https://[::1]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://0x7f000001/",
    "https://2130706433/",
    "https://hooks.internal/x",
    "https://user:pw@hooks.example.com/x",
    "https://hooks.example.com@127.0.0.1/x",
    "https://hooks.example.com:99999/x",
    "https://" + "a" * 600 + ".com/",
    "https://hooks.example.com/" + "x" * 500,
    "https://hooks.example.com/a b",
    "https://hooks.example.com/\x00",
    "ftp://hooks.example.com/",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https:///nohost",
    "",
    "https://[::1",
]


@pytest.mark.parametrize("url", REFUSED)
def test_odd_huge_and_private_urls_are_refused(cast, url):
    with pytest.raises(ValidationError):
        subscribe(cast.brand_a, url=url)
    assert not WebhookSubscription.objects.exists()
    assert not ConfigChange.objects.exists()


def test_private_addresses_are_allowed_only_when_the_setting_says_so(cast, settings):
    settings.SMRC_WEBHOOKS_ALLOW_PRIVATE = True
    assert subscribe(cast.brand_a, url="http://localhost:8001/hook").url == "http://localhost:8001/hook"


def test_a_name_that_now_resolves_inside_is_not_called(cast, receiver, monkeypatch):
    sub = subscribe(cast.brand_a)
    monkeypatch.setattr(webhooks, "resolve", lambda host: ["127.0.0.1"])
    delivery = _delivery(sub)
    assert hooks.deliver(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert len(receiver.calls) == 0
    assert "public address" in delivery.response_excerpt


# --- the page --------------------------------------------------------------------------------------------------


def page(cast, who="supervisor") -> Client:
    client = Client()
    client.force_login(getattr(cast, who))
    return client


FORM = {"name": "CRM", "url": URL, "events": ["ticket.created", "sla.breach"]}


def test_a_supervisor_adds_a_webhook_and_sees_its_secret_once(cast, caplog, receiver):
    caplog.set_level(logging.DEBUG)
    client = page(cast)
    response = client.post("/settings/acme/webhooks/", FORM)
    assert response.status_code == 200
    sub = WebhookSubscription.objects.get()
    assert sub.secret in response.content.decode()
    assert sub.events == ["ticket.created", "sla.breach"]
    detail = f"/settings/acme/webhooks/{sub.pk}/"
    for shown in (client.get("/settings/acme/webhooks/"), client.get(detail), client.get("/settings/acme/history/")):
        assert shown.status_code == 200
        assert sub.secret not in shown.content.decode()
    change = ConfigChange.objects.get(kind="webhook.created")
    assert change.after["secret"] == "(set)"
    assert sub.secret not in json.dumps(change.after)
    rotated = client.post(detail, {"action": "rotate"})
    sub.refresh_from_db()
    assert sub.secret in rotated.content.decode()
    assert ConfigChange.objects.get(kind="webhook.updated").after == {"secret": "(changed)"}
    assert sub.secret not in client.get(detail).content.decode()
    assert sub.secret not in caplog.text


def test_the_page_shows_the_delivery_log_and_sends_again(cast, receiver, django_capture_on_commit_callbacks):
    sub = subscribe(cast.brand_a)
    receiver.post(URL, status=418, body="<b>short</b> and stout")
    delivery = _delivery(sub)
    hooks.deliver(delivery.pk)
    client = page(cast)
    text = client.get(f"/settings/acme/webhooks/{sub.pk}/").content.decode()
    assert "418" in text
    assert "&lt;b&gt;short&lt;/b&gt; and stout" in text
    assert "<b>short" not in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/settings/acme/webhooks/{sub.pk}/", {"action": "again", "delivery": delivery.pk})
    assert response.status_code == 302
    assert WebhookDelivery.objects.count() == 2
    assert len(receiver.calls) == 2


def test_the_detail_page_takes_a_fixed_number_of_queries(cast, browser, django_assert_num_queries):
    sub = subscribe(cast.brand_a)
    for _i in range(10):
        _delivery(sub)
    client = browser(cast.supervisor)
    # session, user, memberships, brand, subscription, deliveries
    with django_assert_num_queries(6):
        assert client.get(f"/settings/acme/webhooks/{sub.pk}/").status_code == 200


def _writes(sub_pk: int, delivery_pk: int) -> list[tuple[str, dict]]:
    detail = f"/settings/acme/webhooks/{sub_pk}/"
    return [
        ("/settings/acme/webhooks/", FORM),
        (detail, {**FORM, "action": "update", "name": "Changed"}),
        (detail, {"action": "rotate"}),
        (detail, {"action": "pause"}),
        (detail, {"action": "resume"}),
        (detail, {"action": "again", "delivery": delivery_pk}),
        (detail, {"action": "delete"}),
    ]


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("operator_b", 404), ("operator", 403)])
def test_others_change_nothing_and_send_nothing(cast, receiver, who, status, django_capture_on_commit_callbacks):
    sub = subscribe(cast.brand_a)
    delivery = _delivery(sub)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="delivered")
    client = page(cast, who)
    before = db_state()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for path, data in _writes(sub.pk, delivery.pk):
            assert client.post(path, data).status_code == status, path
        for path in ("/settings/acme/webhooks/", f"/settings/acme/webhooks/{sub.pk}/"):
            response = client.get(path)
            assert response.status_code == status
            assert sub.secret not in response.content.decode()
    assert db_state() == before
    assert callbacks == []
    assert len(receiver.calls) == 0


def test_brand_b_never_sees_or_edits_brand_as_subscription(cast, receiver):
    sub_a = subscribe(cast.brand_a, name="AcmeHook-7c1d")

    sup_b = make_user("sup_b")
    make_member(sup_b, cast.brand_b, "supervisor")
    client = Client()
    client.force_login(sup_b)
    assert client.get("/settings/globex/webhooks/").status_code == 200
    assert "AcmeHook-7c1d" not in client.get("/settings/globex/webhooks/").content.decode()
    before = db_state()
    for path in (f"/settings/globex/webhooks/{sub_a.pk}/", f"/settings/acme/webhooks/{sub_a.pk}/"):
        assert client.get(path).status_code == 404
        for data in ({"action": "rotate"}, {"action": "delete"}, {**FORM, "action": "update"}):
            assert client.post(path, data).status_code == 404
    assert db_state() == before


def test_hostile_form_values_are_a_400_naming_the_field(cast):
    client = page(cast)
    for data, name in (
        ({**FORM, "url": "https://127.0.0.1/"}, "url"),
        ({**FORM, "name": "x" * 81}, "name"),
        ({**FORM, "events": ["ticket.deleted"]}, "events"),
        ({**FORM, "events": []}, "events"),
    ):
        response = client.post("/settings/acme/webhooks/", data)
        assert response.status_code == 400
        assert name in response.context["form"].errors
    sub = subscribe(cast.brand_a)
    response = client.post(f"/settings/acme/webhooks/{sub.pk}/", {"action": "again", "delivery": str(2**63)})
    assert response.status_code == 400
    assert "delivery" in response.context["resend_form"].errors
    assert client.post(f"/settings/acme/webhooks/{sub.pk}/", {"action": "explode"}).status_code == 400
    assert not WebhookDelivery.objects.exists()
