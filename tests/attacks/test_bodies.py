"""Hostile JSON bodies on every new write endpoint of the API: numbers past 2**63, negative and wrong-typed ids,
deep nesting, huge strings. Never a 500; another brand's objects mixed in change nothing of that brand."""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import make_product, make_snippet, make_ticket

pytestmark = pytest.mark.django_db

HUGE = 2**63
VALUES = [HUGE, -HUGE - 1, -1, 0, 1e308, "1", "x" * 70_000, None, True, [], {}, [[[[]]]], {"a": {"b": {}}}, "\x00"]


def client_for(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=None)


def test_every_field_of_every_write_takes_hostile_values(cast):
    ticket = make_ticket(cast.brand_a)
    snippet = make_snippet(cast.brand_a)
    product = make_product(cast.brand_a)
    slug = cast.brand_a.slug
    writes = [
        ("post", f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": "op_a", "expected_assignee": None, "note": ""}),
        ("post", "/api/v1/tickets/bulk/", {"action": "priority", "tickets": [{"id": ticket.pk}], "priority": "high"}),
        ("post", "/api/v1/tickets/bulk/", {"action": "tag", "tickets": [{"id": ticket.pk}], "tag": "vip"}),
        ("post", f"/api/v1/tickets/{ticket.pk}/customer/link/", {"platform": "x", "handle": "someone"}),
        ("post", f"/api/v1/tickets/{ticket.pk}/customer/unlink/", {"identity": 1}),
        ("post", f"/api/v1/knowledge/{slug}/snippets/", {"title": "t", "body": "b", "product": product.pk}),
        ("patch", f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/", {"product": product.pk, "tags": ["a"]}),
        ("post", f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/restore/", {"number": 1}),
        ("post", f"/api/v1/knowledge/{slug}/products/", {"name": "n", "specifications": {"a": "b"}}),
        ("patch", f"/api/v1/knowledge/{slug}/products/{product.pk}/", {"specifications": {"a": "b"}, "faq": ""}),
        ("patch", f"/api/v1/settings/{slug}/sla/", {"sla_warning_minutes": 30, "target_1_first": 60}),
        ("patch", f"/api/v1/settings/{slug}/review/", {"sample_percent": 5, "influence_threshold": 1000}),
        ("patch", f"/api/v1/settings/{slug}/csat/", {"expiry_days": 3, "low_rating": 2, "platforms": ["x"]}),
        ("patch", f"/api/v1/settings/{slug}/goals/", {"fr_p50": 30, "handoffs": 1}),
        ("post", "/api/v1/replies/1/revise/", {"body": "x"}),
    ]
    client = client_for(cast.supervisor)
    bad = []
    for method, url, good in writes:
        for field in good:
            for value in VALUES:
                body = dict(good, **{field: value})
                response = _send(client, method, url, body)
                if response.status_code >= 500:
                    bad.append(f"{method} {url} {field}={str(value)[:30]} {response.status_code}")
        if "tickets" in good:
            for value in VALUES:
                body = dict(good, tickets=[{"id": value, "expected_assignee": None}])
                response = _send(client, method, url, body)
                if response.status_code >= 500:
                    bad.append(f"{method} {url} tickets.id={str(value)[:30]} {response.status_code}")
            body = dict(good, tickets=[{"id": ticket.pk}] * 1000)
            if _send(client, method, url, body).status_code >= 500:
                bad.append("1000 tickets")
        field = next(iter(good)).encode()
        deep = b'{"' + field + b'": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
        response = getattr(client, method)(url, deep, content_type="application/json")
        if response.status_code >= 500:
            bad.append(f"{url} deep json {response.status_code}")
        for raw in (b"[", b"\xff\xfe", b'{"a": 1e999999}', b"[" * 100_000 + b"]" * 100_000, b"null", b"[]", b'"s"'):
            response = getattr(client, method)(url, raw, content_type="application/json")
            if response.status_code >= 500:
                bad.append(f"{url} raw {raw[:10]!r} {response.status_code}")
    assert bad == [], "\n".join(bad)


def test_bulk_rows_of_another_brand_are_skipped_unread_and_unchanged(cast):
    from tickets.models import Event, Ticket

    mine = make_ticket(cast.brand_a)
    theirs = make_ticket(cast.brand_b, author_id="b-1")
    client = client_for(cast.supervisor)
    rows = [{"id": mine.pk, "expected_assignee": None}, {"id": theirs.pk, "expected_assignee": None}]
    for action, extra in (
        ("priority", {"priority": "urgent"}),
        ("tag", {"tag": "vip"}),
        ("resolve", {}),
        ("assign", {"assignee": "op_a"}),
        ("release", {}),
    ):
        before = list(Ticket.objects.filter(pk=theirs.pk).values())
        events = Event.objects.filter(ticket=theirs).count()
        response = _send(client, "post", "/api/v1/tickets/bulk/", {"action": action, "tickets": rows, **extra})
        assert response.status_code == 200, response.content
        assert {"ticket": f"T-{theirs.pk}", "reason": "not found"} in response.json()["skipped"]
        assert list(Ticket.objects.filter(pk=theirs.pk).values()) == before
        assert Event.objects.filter(ticket=theirs).count() == events
    only_theirs = _send(
        client,
        "post",
        "/api/v1/tickets/bulk/",
        {"action": "resolve", "tickets": [{"id": theirs.pk, "expected_assignee": None}]},
    )
    assert only_theirs.status_code == 404


def test_huge_bodies_are_refused_without_a_500(cast):
    ticket = make_ticket(cast.brand_a)
    slug = cast.brand_a.slug
    client = client_for(cast.supervisor)
    huge = json.dumps({"title": "t", "body": "x" * 6_000_000, "tags": ["a"] * 200_000}).encode()
    bad = []
    for method, url in (
        ("post", f"/api/v1/knowledge/{slug}/snippets/"),
        ("patch", f"/api/v1/settings/{slug}/review/"),
        ("post", "/api/v1/tickets/bulk/"),
        ("post", f"/api/v1/tickets/{ticket.pk}/customer/link/"),
    ):
        response = getattr(client, method)(url, huge, content_type="application/json")
        if response.status_code >= 500:
            bad.append(f"{url} {response.status_code}")
    from django.test import Client

    page = Client(raise_request_exception=False)
    page.force_login(cast.supervisor)
    response = page.post(f"/settings/{slug}/qa/", {"sample_percent": "5", "c-0-description": "x" * 6_000_000})
    if response.status_code >= 500:
        bad.append(f"qa settings {response.status_code}")
    assert bad == [], bad
