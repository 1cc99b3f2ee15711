"""Contract tests: schemathesis generates requests from the OpenAPI schema the code serves and sends them to the
Django WSGI app, signed in with a read-write key of brand A's supervisor, on demo-like data (brand A with open
tickets, a reply in review, snippets; brand B beside it). Every answer: never a 500, a status the schema
documents, the content type and the body it describes. Half the generated ids are replaced by real ones, so the
actions run against real tickets and replies, not only 404s. Bounded: a few examples per operation (< 2 min)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from brands.models import BlockedAuthor, ReviewPolicy, Role, SpamPattern, UrgencyTerm
from brands.services import api_keys, webhooks
from smrc.wsgi import application
from tests.factories import make_channel, make_member, make_product, make_snippet, make_ticket
from tickets.models import WebhookDelivery
from tickets.selectors.queue import QueueFilters
from tickets.services import customers, replies, views, workflow

#: the examples and fuzzing phases (positive data, within the schema); the coverage phase's thousands of boundary
#: cases would take minutes, and the boundaries are walked by tests/security/test_boundaries.py
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=CONFIG)
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(__import__("os").environ.get("SMRC_CONTRACT_EXAMPLES", "12"))


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The WSGI handler closes old connections when a request starts and ends; the test's transaction lives on one
    connection, so (as Django's test client does) those two handlers are off while the app is called directly."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def demo(cast, settings, wsgi_keeps_the_test_connection):
    """Brand A as the demo has it: tickets in every state the actions meet, a reply in review, snippets."""
    settings.SMRC_API_RATE_PER_KEY = settings.SMRC_API_RATE_PER_USER = "100000/minute"
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    make_member(cast.supervisor, cast.brand_b, Role.MANAGER)
    tickets = [
        make_ticket(cast.brand_a, platform_id=f"demo-{n}", text=f"Paket {n} belum sampai", author_id=f"c{n}")
        for n in range(4)
    ]
    workflow.claim_ticket(ticket=tickets[1], user=cast.operator)
    reply = replies.submit_reply(ticket=tickets[1], user=cast.operator, body="Mohon ditunggu ya Kak")
    workflow.claim_ticket(ticket=tickets[2], user=cast.supervisor)
    workflow.resolve_ticket(ticket=tickets[2], user=cast.supervisor)
    make_ticket(cast.brand_b, platform_id="demo-b", text="Kartu kredit")
    snippet = make_snippet(cast.brand_a, status="published")
    # a reply sent back for changes (to revise), a customer with a linked identity, a saved view
    workflow.claim_ticket(ticket=tickets[3], user=cast.operator)
    sent_back = replies.submit_reply(ticket=tickets[3], user=cast.operator, body="Halo Kak")
    replies.request_changes(reply=sent_back, user=cast.supervisor, code="tone", note="Sapa namanya")
    ig = make_ticket(cast.brand_a, platform="instagram", platform_id="demo-ig", author_id="c0-ig", handle="c0.ig")
    customers.link(ticket=tickets[0], user=cast.supervisor, platform="instagram", handle="c0.ig")
    view = views.save_view(user=cast.supervisor, name="Mine", filters=QueueFilters(mine=True))
    product = make_product(cast.brand_a, "Kuota Max", specifications={"kuota": "10 GB"})
    channel = make_channel(cast.brand_a, platform="x", external_id="4242", access_token="tok")
    token = api_keys.create_key(user=cast.supervisor, name="contract", scope="write", brand_slugs=["acme"]).token
    # the settings' rules and a webhook with a delivery (apiset)
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    WebhookDelivery.objects.create(subscription=hook, brand=cast.brand_a, kind="sla.breach", body="{}")
    urgency = UrgencyTerm.objects.create(brand=cast.brand_a, pattern="darurat", label="urgent")
    spam = SpamPattern.objects.create(brand=cast.brand_a, pattern="judi", label="judi")
    blocked = BlockedAuthor.objects.create(brand=cast.brand_a, platform="x", handle="bot")
    return {
        "tickets": [t.pk for t in tickets],
        "reply": reply.pk,
        "replies": [reply.pk, sent_back.pk],
        "snippet": snippet.pk,
        "identity": ig.author_id,
        "view": view.pk,
        "product": product.pk,
        "channel": channel.pk,
        "token": token,
        "webhook": hook.pk,
        "urgency": urgency.pk,
        "spam": spam.pk,
        "blocked": blocked.pk,
    }


#: the path's real objects by its prefix (the first match wins); else a ticket
POOLS = (
    ("/api/v1/replies/", "replies"),
    ("/api/v1/knowledge/{slug}/snippets/", "snippet"),
    ("/api/v1/knowledge/{slug}/products/", "product"),
    ("/api/v1/channel-accounts/", "channel"),
    ("/api/v1/settings/{slug}/webhooks/", "webhook"),
    ("/api/v1/settings/{slug}/priority/urgency/", "urgency"),
    ("/api/v1/settings/{slug}/priority/spam/", "spam"),
    ("/api/v1/settings/{slug}/priority/blocked/", "blocked"),
)


def _real_ids(case, demo) -> None:
    """Replace about half the generated path ids, brand slugs and snippet versions, and the snippet to render, with
    demo objects: brand A, its objects, version 1."""
    params = case.path_parameters or {}
    ident = params.get("id")
    if isinstance(ident, int) and ident % 2 == 0:
        name = next((name for prefix, name in POOLS if case.path.startswith(prefix)), None)
        pool = demo[name] if name == "replies" else [demo[name]] if name else demo["tickets"]
        params["id"] = pool[ident // 2 % len(pool)]
    if isinstance(params.get("slug"), str) and len(params["slug"]) % 2 == 0:
        params["slug"] = "acme"
    if isinstance(params.get("number"), int) and params["number"] % 2 == 0:
        params["number"] = 1
    body = case.body if isinstance(case.body, dict) else {}
    for name in ("snippet", "identity"):
        if isinstance(body.get(name), int) and body[name] % 2 == 0:
            body[name] = demo[name]
    for row in body.get("tickets") or []:
        if isinstance(row, dict) and isinstance(row.get("id"), int) and row["id"] % 2 == 0:
            row["id"] = demo["tickets"][row["id"] // 2 % len(demo["tickets"])]
    view = (case.query or {}).get("view")
    if isinstance(view, int) and view % 2 == 0:
        case.query["view"] = demo["view"]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_is_one_the_schema_describes(case, demo):
    _real_ids(case, demo)
    case.call_and_validate(headers={"Authorization": f"Bearer {demo['token']}"}, checks=CHECKS)
