"""Brand isolation (docs/domain.md, "Roles and capabilities"): walk every route of the project, pages and API
alike, as brand B's operator and as the outsider, against brand A's objects: every object route answers 404,
list routes never show brand-A data, and nothing changes. Plus a static guard: views and API read brand data
only through the scoping layer.
"""

import ast
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from tests.factories import make_channel, make_ticket
from tests.helpers import db_state
from tickets.api.ticket import TicketActionView
from tickets.services import delivery, replies, workflow

ROOT = Path(settings.BASE_DIR)

#: route prefixes not walked, each with its reason
SKIPPED = {
    "admin/": "Django admin: staff only; superusers see every brand by design (docs/domain.md: admins)",
    "login/": "authentication, no brand data",
    "logout/": "authentication, no brand data",
    "i18n/": "language switch, no brand data",
    "healthz": "liveness probe, no brand data",
    "readyz": "readiness probe: dependency states and the oldest delivery's age, no brand data",
    "metrics": "Prometheus metrics: counts by brand slug, for a bearer token or an allowed address only "
    "(tests/ops/test_metrics.py)",
    "static/": "static files, no brand data",
    "__debug__/": "debug toolbar, development only",
    "csat/": "the customer's rating page: public by design, the signed token is the only key (no brand data but "
    "the brand's name on a valid link; forged, expired and replayed links: tests/csat/test_rating_page.py)",
    "webhooks/": "platform webhooks: public, authenticated by the platform's signature instead of a session "
    "(tests/channels/test_webhooks.py: unsigned or wrongly signed requests store nothing)",
}

#: list routes whose POST acts on the caller's own brands (so it may write), walked by GET only here
OWN_BRAND_ACTIONS = {
    "queue/next/": "Get next claims the caller's own most urgent ticket (tests/priority/test_routing.py)",
}

#: values for the path converters the walker knows; a new parameter must be taught here
ACTION_VALUES = sorted({*TicketActionView.ACTIONS, "replies", "notes", "claim", "release", "reopen", "reply", "note"})

SECRET = "ACME-SECRET-7f3a"  # appears in every brand-A text the walk could leak


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def all_routes() -> list[str]:
    return [route for route, _ in walk(get_resolver().url_patterns)]


def walked_routes() -> list[str]:
    return [r for r in all_routes() if not any(r.startswith(p) for p in SKIPPED) and not r.startswith("^")]


def fill(route: str, pk: int, slug: str) -> list[str]:
    """Concrete paths for ``route`` with brand A's ticket ``pk`` and brand A's ``slug``; fails on a parameter it
    does not know."""
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    unknown = [name for _, name in params if name not in ("pk", "action", "slug", "number")]
    if unknown:
        pytest.fail(f"teach tests/test_isolation.py the route parameter(s) {unknown} of {route!r}")
    path = "/" + re.sub(r"<(?:int:)?pk>", str(pk), route)
    path = re.sub(r"<(?:slug:)?slug>", slug, path)
    path = path.replace("<int:number>", "1")  # a snippet's version
    if "<slug:action>" in path:
        return [path.replace("<slug:action>", action) for action in ACTION_VALUES]
    return [path]


@pytest.fixture
def brand_a_world(cast, django_capture_on_commit_callbacks):
    """Brand A with a worked ticket (claimed, a note, a sent reply, a second mention) and a channel, all marked."""
    channel = make_channel(cast.brand_a, platform="x", name=f"{SECRET} channel")
    ticket = make_ticket(
        cast.brand_a, platform_id="a-1", handle="acme_customer", text=f"{SECRET} paket", conversation_id="c-a"
    )
    make_ticket(cast.brand_a, platform_id="a-2", text=f"{SECRET} again", conversation_id="c-a")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    workflow.add_note(ticket=ticket, user=cast.operator, body=f"{SECRET} note")
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body=f"{SECRET} reply")
    delivery.deliver_reply(reply_id=reply.pk)
    other = make_ticket(cast.brand_a, platform_id="a-3", handle="acme_other", text=f"{SECRET} unclaimed")
    make_ticket(cast.brand_b, platform_id="b-1", handle="globex_customer", text="globex paket")
    return {"ticket": ticket, "other": other, "channel": channel}


def clients_for(user) -> list[tuple[Client, str]]:
    """The same user through the browser session (every route) and through an API token (API routes: pages do
    not take tokens)."""
    session = Client()
    session.force_login(user)
    token = Client(headers={"Authorization": f"Token {Token.objects.create(user=user).key}"})
    return [(session, ""), (token, "api/")]


def test_the_walker_sees_the_routes_we_know(cast):
    routes = set(all_routes())
    assert {
        "queue/",
        "tickets/<int:pk>/",
        "tickets/<int:pk>/claim/",
        "tickets/<int:pk>/release/",
        "tickets/<int:pk>/resolve/",
        "tickets/<int:pk>/reopen/",
        "tickets/<int:pk>/reply/",
        "tickets/<int:pk>/note/",
        "api/v1/mentions/",
        "api/v1/tickets/",
        "api/v1/tickets/<int:pk>/",
        "api/v1/tickets/<int:pk>/<slug:action>/",
        "knowledge/<slug:slug>/snippets/<int:pk>/",
        "tickets/<int:pk>/snippets/render/",
        "api/v1/snippets/",
        "api/v1/tickets/<int:pk>/suggestions/",
        "api/v1/tickets/<int:pk>/render/",
    } <= routes
    assert all(any(r.startswith(p) for p in SKIPPED) or r in walked_routes() for r in routes)


@pytest.mark.parametrize("who", ["operator_b", "outsider"])
def test_every_object_route_answers_404_outside_the_brand(cast, brand_a_world, who):
    before = db_state()
    object_routes = [r for r in walked_routes() if "<" in r]
    assert object_routes, "the walk found no object routes"
    for client, scope in clients_for(getattr(cast, who)):
        for ticket in (brand_a_world["ticket"], brand_a_world["other"]):
            for route in (r for r in object_routes if r.startswith(scope)):
                for path in fill(route, ticket.pk, cast.brand_a.slug):
                    answers = {
                        "GET": client.get(path).status_code,
                        "POST": client.post(path, {"body": "leak?"}).status_code,
                        "DELETE": client.delete(path).status_code,
                    }
                    # Each route answers 404 to the method it serves; the other methods may be refused with 405
                    # before any lookup, which tells nothing either.
                    assert set(answers.values()) <= {404, 405}, (who, path, answers)
                    assert 404 in answers.values(), (who, path, answers)
    assert db_state() == before


@pytest.mark.parametrize("who", ["operator_b", "outsider"])
def test_list_routes_never_show_brand_a(cast, brand_a_world, who):
    before = db_state()
    list_routes = [r for r in walked_routes() if "<" not in r]
    assert "queue/" in list_routes
    assert "api/v1/tickets/" in list_routes
    a_ids = {brand_a_world["ticket"].pk, brand_a_world["other"].pk}
    ingest_brand_a = json.dumps(
        [
            {
                "platform": "x",
                "platform_id": "leak-1",
                "brand": "acme",
                "author": {"id": "z"},
                "text": "x",
                "posted_at": "2025-03-03T09:00:00Z",
            }
        ]
    )
    queries = ["", "?brand=acme", f"?brand={cast.brand_a.pk}", "?status=open", "?assignee=op_a", "?mine=1"]
    for client, scope in clients_for(getattr(cast, who)):
        for route in (r for r in list_routes if r.startswith(scope)):
            for query in queries:
                response = client.get(f"/{route}{query}", follow=True)
                body = response.content.decode()
                assert SECRET not in body, (who, route, query)
                assert "acme_customer" not in body, (who, route, query)
                if response.get("Content-Type", "").startswith("application/json") and response.status_code == 200:
                    answer = response.json()
                    # paginated lists of tickets (a plain list, such as the saved views, holds no ticket)
                    listed = {row["id"] for row in answer.get("results", [])} if isinstance(answer, dict) else set()
                    assert not listed & a_ids, (who, route, query)
                    if route == "api/v1/views/":
                        assert answer == [], (who, query)
            if route in OWN_BRAND_ACTIONS:
                continue
            post = client.post(f"/{route}", data=ingest_brand_a, content_type="application/json")
            assert SECRET not in post.content.decode(), (who, route)
            assert post.status_code != 201, (who, route, post.status_code)  # and db_state() below: nothing written
    assert db_state() == before


def test_brand_b_operator_still_sees_their_own(cast, brand_a_world):
    (session, _), (token, _) = clients_for(cast.operator_b)
    assert "globex paket" in session.get("/queue/").content.decode()
    assert [row["subject"] for row in token.get("/api/v1/tickets/").json()["results"]] == ["globex paket"]


# --- static guard -------------------------------------------------------------------------------------------

#: modules that answer requests; they must read brand data through tickets.selectors / brands.access
REQUEST_MODULES = sorted(
    {*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py"), *ROOT.glob("*/api.py"), *ROOT.glob("*/api/*.py")}
)
MANAGERS = {"objects", "_default_manager", "_base_manager"}


def manager_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Name) and node.id == "get_object_or_404":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: get_object_or_404 (use a scoped fetcher)")
    return found


def test_the_guard_finds_the_request_modules():
    names = {str(p.relative_to(ROOT)) for p in REQUEST_MODULES}
    assert {"tickets/api/ticket.py", "tickets/views/queue.py", "tickets/views/ticket.py"} <= names


def test_the_guard_catches_a_direct_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text("from tickets.models import Ticket\n\ndef v(request):\n    return Ticket.objects.get(pk=1)\n")
    tree = ast.parse(bad.read_text())
    assert [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr in MANAGERS] == ["objects"]


@pytest.mark.parametrize("path", REQUEST_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_and_api_query_only_through_the_scoping_layer(path):
    assert manager_uses(path) == []
