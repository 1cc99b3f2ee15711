"""Hostile JSON on the write routes tests/attacks/test_bodies.py leaves out: grading a reply and acknowledging a
scorecard through the API, the QA rubric through the API, webhooks (create, change, rotate, send again), saved
views, notes, the priority lists. Each field takes numbers past 2**63, NUL characters, wrong types, deep
nesting; never a 500 (PostgreSQL refuses a NUL in text where SQLite keeps it: run these on both)."""

import json
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from brands.services import webhooks
from tests.factories import make_ticket
from tests.qa.conftest import full_grade, publish
from tickets.models import WebhookDelivery
from tickets.services import qa

pytestmark = pytest.mark.django_db

HUGE = 2**63
VALUES = [
    HUGE,
    -HUGE - 1,
    -1,
    0,
    1.5,
    "1",
    "x" * 70_000,
    None,
    True,
    [],
    {},
    [[[[]]]],
    {"a": {"b": {}}},
    "\x00",
    "a\x00b",
    {"\x00": "\x00"},
    ["\x00"],
    "\ud800",
]


def client_for(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _send(client, method, url, body):
    raw = json.dumps(body) if not isinstance(body, bytes) else body
    return getattr(client, method)(url, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def _hostile(client, writes) -> list[str]:
    bad = []
    for method, url, good in writes:
        for field in good:
            for value in VALUES:
                response = _send(client, method, url, dict(good, **{field: value}))
                if response.status_code >= 500:
                    bad.append(f"{method} {url} {field}={str(value)[:20]!r} {response.status_code}")
            # the same inside a nested list or object, where the good value is one
            if isinstance(good[field], (list, dict)):
                inner = good[field]
                for value in VALUES:
                    if isinstance(inner, list) and inner:
                        nested = [value] + inner[1:]
                    elif isinstance(inner, dict) and inner:
                        first = next(iter(inner))
                        nested = dict(inner, **{first: value})
                        nested[str(value)[:50]] = inner[first]
                    else:
                        continue
                    response = _send(client, method, url, dict(good, **{field: nested}))
                    if response.status_code >= 500:
                        bad.append(f"{method} {url} {field}[…]={str(value)[:20]!r} {response.status_code}")
        for raw in (b'{"a": "\\u0000"}', b'"\\u0000"', b'{"\\u0000": 1}', b"[" * 600 + b"]" * 600):
            response = _send(client, method, url, raw)
            if response.status_code >= 500:
                bad.append(f"{method} {url} raw {raw[:12]!r} {response.status_code}")
    return bad


def test_qa_and_rubric_writes_take_hostile_values(cast):
    reply = publish(cast.brand_a, cast.operator, at=timezone.now())
    other = publish(cast.brand_a, cast.operator, at=timezone.now())
    card = qa.grade(reply=other, grader=cast.supervisor, grade=full_grade(score=4))
    slug = cast.brand_a.slug
    scores = {"tone": {"score": 4, "comment": ""}, "knowledge": {"score": 2, "comment": "c"}}
    criterion = {"key": "", "name": "Empati", "description": "d", "weight": 10, "is_active": True}
    writes = [
        ("post", f"/api/v1/qa/replies/{reply.pk}/", {"scores": scores, "coaching": "x"}),
        ("patch", f"/api/v1/settings/{slug}/qa/", {"sample_percent": 5, "criteria": [criterion]}),
    ]
    bad = _hostile(client_for(cast.supervisor), writes)
    ack = f"/api/v1/scorecards/{card.pk}/acknowledge/"
    for value in VALUES:
        response = _send(client_for(cast.operator), "post", ack, {"x": value})
        if response.status_code >= 500:
            bad.append(f"ack {value!r:.20} {response.status_code}")
    assert bad == [], "\n".join(bad)


def test_webhook_view_note_and_priority_writes_take_hostile_values(cast):
    slug = cast.brand_a.slug
    ticket = make_ticket(cast.brand_a)
    sub = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    delivery = WebhookDelivery.objects.create(
        subscription=sub, brand_id=sub.brand_id, kind="sla.breach", body="{}", status="failed"
    )
    hook = {"name": "CRM2", "url": "https://hooks.example.com/b", "events": ["sla.breach"]}
    writes = [
        ("post", f"/api/v1/settings/{slug}/webhooks/", hook),
        ("patch", f"/api/v1/settings/{slug}/webhooks/{sub.pk}/", dict(hook, is_active=True)),
        ("post", f"/api/v1/settings/{slug}/webhooks/{sub.pk}/again/", {"delivery": delivery.pk}),
        ("post", f"/api/v1/settings/{slug}/webhooks/{sub.pk}/rotate/", {"x": 1}),
        ("post", "/api/v1/views/", {"name": "Mine", "team": None, "query": {"status": "open", "q": "x"}}),
        ("post", "/api/v1/views/", {"name": "Team", "team": slug, "query": {"status": "open"}}),
        ("post", f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "n", "visibility": "team"}),
        ("post", "/api/v1/tickets/next/", {"x": 1}),
        ("patch", f"/api/v1/settings/{slug}/priority/", {"routing_mode": "manual", "operator_capacity": 5}),
        ("post", f"/api/v1/settings/{slug}/priority/urgency/", {"term": "rusak", "language": "id"}),
        ("post", f"/api/v1/settings/{slug}/priority/spam/", {"pattern": "promo", "kind": "keyword"}),
        ("post", f"/api/v1/settings/{slug}/priority/blocked/", {"platform": "x", "handle": "spammer", "reason": "r"}),
        ("patch", f"/api/v1/settings/{slug}/bounces/", {"enabled": True}),
    ]
    bad = _hostile(client_for(cast.supervisor), writes)
    assert bad == [], "\n".join(bad)


def test_ticket_work_writes_take_hostile_values(cast):
    from tickets.services import workflow

    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.supervisor)
    reply = publish(cast.brand_a, cast.operator, at=timezone.now())
    writes = [
        ("post", f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Halo Kak", "snippets": [1, 2]}),
        ("post", f"/api/v1/tickets/{ticket.pk}/render/", {"snippet": 1}),
        ("post", f"/api/v1/tickets/{ticket.pk}/priority/", {"priority": "high"}),
        ("post", f"/api/v1/tickets/{ticket.pk}/tags/", {"tags": ["vip", "b"]}),
        ("post", f"/api/v1/tickets/{ticket.pk}/resolve/", {"note": "x"}),
        ("post", f"/api/v1/replies/{reply.pk}/approve/", {"note": "x"}),
        ("post", f"/api/v1/replies/{reply.pk}/request-changes/", {"note": "x"}),
        ("post", f"/api/v1/replies/{reply.pk}/retry/", {"x": 1}),
    ]
    bad = _hostile(client_for(cast.supervisor), writes)
    assert bad == [], "\n".join(bad)


def test_knowledge_writes_take_nul_and_surrogates_in_keys_and_values(cast):
    """A NUL in a JSON object's key, where no CharField looks (PostgreSQL's JSONB refuses it)."""
    from tests.factories import make_product

    product = make_product(cast.brand_a)
    slug = cast.brand_a.slug
    writes = [
        ("post", f"/api/v1/knowledge/{slug}/products/", {"name": "N", "specifications": {"a": "b"}, "faq": ""}),
        ("patch", f"/api/v1/knowledge/{slug}/products/{product.pk}/", {"specifications": {"a": "b"}}),
        ("post", f"/api/v1/knowledge/{slug}/snippets/", {"title": "t", "body": "b", "tags": ["a"]}),
    ]
    bad = _hostile(client_for(cast.supervisor), writes)
    assert bad == [], "\n".join(bad)
