"""The isolation matrix over the whole API, by key: every API route (from the resolver, through
tests/security/test_write_isolation.py's ROUTES and payloads) and every method it serves, called with brand A's
supervisor's **read-only key** for brand A and with the same person's **read-write key for brand B only**. A
read-only key reads what the person reads and writes nothing (403); a key of another brand finds nothing of
brand A (404). Either way: nothing written, queued, mailed or posted."""

import pytest
from django.contrib.auth import get_user_model

from brands.models import Role
from brands.services import api_keys
from tests.factories import make_member
from tests.helpers import KeyedAPIClient, db_state
from tests.security.test_write_isolation import (  # noqa: F401 (fixtures)
    ROUTES,
    UNKNOWN_ACTION,
    nothing_sent,
    paths,
    payloads,
    quiet,
    world,
)

pytestmark = pytest.mark.django_db

API_ROUTES = sorted(r for r in ROUTES if r.startswith("api/"))

#: the read-only key of brand A's supervisor: route → status per method it serves
READ_ONLY = {
    "api/v1/channel-accounts/": {"GET": 403},
    "api/v1/mentions/": {"POST": 403},
    "api/v1/replies/<int:pk>/": {"GET": 200},
    "api/v1/replies/<int:pk>/approve/": {"POST": 403},
    "api/v1/replies/<int:pk>/request-changes/": {"POST": 403},
    "api/v1/replies/<int:pk>/retry/": {"POST": 403},
    "api/v1/replies/<int:pk>/revise/": {"POST": 403},
    "api/v1/reviews/": {"GET": 200},
    "api/v1/snippets/": {"GET": 400},
    "api/v1/tickets/": {"GET": 200},
    "api/v1/tickets/bulk/": {"POST": 403},
    "api/v1/tickets/next/": {"POST": 403},
    "api/v1/views/": {"GET": 200, "POST": 403},
    "api/v1/views/<int:pk>/": {"DELETE": 403},
    "api/v1/tickets/<int:pk>/": {"GET": 200},
    "api/v1/tickets/<int:pk>/<slug:action>/": {"POST": 403},
    "api/v1/tickets/<int:pk>/assign/": {"POST": 403},
    "api/v1/tickets/<int:pk>/customer/": {"GET": 200},
    "api/v1/tickets/<int:pk>/customer/link/": {"POST": 403},
    "api/v1/tickets/<int:pk>/customer/unlink/": {"POST": 403},
    "api/v1/tickets/<int:pk>/notes/": {"GET": 200, "POST": 403},
    "api/v1/tickets/<int:pk>/priority/": {"POST": 403},
    "api/v1/tickets/<int:pk>/render/": {"POST": 403},
    "api/v1/tickets/<int:pk>/replies/": {"POST": 403},
    "api/v1/tickets/<int:pk>/suggestions/": {"GET": 403},
    "api/v1/tickets/<int:pk>/tags/": {"POST": 403},
    # knowledge is the knowledge page's (knowledge:edit), channel accounts the settings page's: not a read key's
    "api/v1/channel-accounts/<int:pk>/": {"GET": 403},
    "api/v1/channel-accounts/<int:pk>/status/": {"GET": 403},
    "api/v1/knowledge/<slug:slug>/products/": {"GET": 403, "POST": 403},
    "api/v1/knowledge/<slug:slug>/products/<int:pk>/": {"GET": 403, "PATCH": 403},
    "api/v1/knowledge/<slug:slug>/snippets/": {"GET": 403, "POST": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/": {"GET": 403, "PATCH": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/archive/": {"POST": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/": {"POST": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/unarchive/": {"POST": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/": {"GET": 403},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/<int:number>/": {"GET": 403},
    "api/v1/reports/<slug:slug>/": {"GET": 200},
    "api/v1/reports/<slug:slug>/tickets/": {"GET": 200},
    "api/v1/settings/<slug:slug>/": {"GET": 200},
    "api/v1/settings/<slug:slug>/csat/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/goals/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/review/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/sla/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/webhooks/": {"GET": 403, "POST": 403},
    "api/v1/settings/<slug:slug>/priority/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/priority/urgency/": {"POST": 403},
    "api/v1/settings/<slug:slug>/priority/urgency/<int:pk>/": {"DELETE": 403},
    "api/v1/settings/<slug:slug>/priority/spam/": {"POST": 403},
    "api/v1/settings/<slug:slug>/priority/spam/<int:pk>/": {"DELETE": 403},
    "api/v1/settings/<slug:slug>/priority/blocked/": {"POST": 403},
    "api/v1/settings/<slug:slug>/priority/blocked/<int:pk>/": {"DELETE": 403},
    "api/v1/settings/<slug:slug>/bounces/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/qa/": {"GET": 200, "PATCH": 403},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/": {"GET": 403, "PATCH": 403, "DELETE": 403},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/rotate/": {"POST": 403},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/deliveries/": {"GET": 403},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/again/": {"POST": 403},
    # QA and media (apiqa): a supervisor's read-only key reads QA (qa:view) and grades nothing
    "api/v1/qa/sample/": {"GET": 200},
    "api/v1/qa/calibration/": {"GET": 200},
    "api/v1/qa/replies/<int:pk>/": {"GET": 200, "POST": 403},
    "api/v1/scorecards/": {"GET": 200},
    "api/v1/scorecards/<int:pk>/acknowledge/": {"POST": 404},  # the operator's, not the key owner's
    # media and saved views (apigaps): our stored copies are read with ticket:view
    "api/v1/media/m/<int:pk>/": {"GET": 200},
    "api/v1/media/r/<int:pk>/": {"GET": 200},
}

#: a read-write key of the same person for brand B only, aimed at brand A's objects
OTHER_BRAND = {
    "api/v1/channel-accounts/": {"GET": 403},  # brand B has no account: as the page, nothing to configure
    "api/v1/mentions/": {"POST": 400},
    "api/v1/replies/<int:pk>/": {"GET": 404},
    "api/v1/replies/<int:pk>/approve/": {"POST": 404},
    "api/v1/replies/<int:pk>/request-changes/": {"POST": 404},
    "api/v1/replies/<int:pk>/retry/": {"POST": 404},
    "api/v1/replies/<int:pk>/revise/": {"POST": 404},
    "api/v1/reviews/": {"GET": 200},
    "api/v1/snippets/": {"GET": 400},
    "api/v1/tickets/": {"GET": 200},
    "api/v1/tickets/bulk/": {"POST": 404},
    "api/v1/tickets/next/": {"POST": 204},  # brand B has nothing to take
    "api/v1/views/": {"GET": 200, "POST": 404},
    "api/v1/views/<int:pk>/": {"DELETE": 404},
    "api/v1/tickets/<int:pk>/": {"GET": 404},
    "api/v1/tickets/<int:pk>/<slug:action>/": {"POST": 404},
    "api/v1/tickets/<int:pk>/assign/": {"POST": 404},
    "api/v1/tickets/<int:pk>/customer/": {"GET": 404},
    "api/v1/tickets/<int:pk>/customer/link/": {"POST": 404},
    "api/v1/tickets/<int:pk>/customer/unlink/": {"POST": 404},
    "api/v1/tickets/<int:pk>/notes/": {"GET": 404, "POST": 404},
    "api/v1/tickets/<int:pk>/priority/": {"POST": 404},
    "api/v1/tickets/<int:pk>/render/": {"POST": 404},
    "api/v1/tickets/<int:pk>/replies/": {"POST": 404},
    "api/v1/tickets/<int:pk>/suggestions/": {"GET": 404},
    "api/v1/tickets/<int:pk>/tags/": {"POST": 404},
    "api/v1/channel-accounts/<int:pk>/": {"GET": 404},
    "api/v1/channel-accounts/<int:pk>/status/": {"GET": 404},
    "api/v1/knowledge/<slug:slug>/products/": {"GET": 404, "POST": 404},
    "api/v1/knowledge/<slug:slug>/products/<int:pk>/": {"GET": 404, "PATCH": 404},
    "api/v1/knowledge/<slug:slug>/snippets/": {"GET": 404, "POST": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/": {"GET": 404, "PATCH": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/archive/": {"POST": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/restore/": {"POST": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/unarchive/": {"POST": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/": {"GET": 404},
    "api/v1/knowledge/<slug:slug>/snippets/<int:pk>/versions/<int:number>/": {"GET": 404},
    "api/v1/reports/<slug:slug>/": {"GET": 404},
    "api/v1/reports/<slug:slug>/tickets/": {"GET": 404},
    "api/v1/settings/<slug:slug>/": {"GET": 404},
    "api/v1/settings/<slug:slug>/csat/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/goals/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/review/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/sla/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/webhooks/": {"GET": 404, "POST": 404},
    "api/v1/settings/<slug:slug>/priority/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/priority/urgency/": {"POST": 404},
    "api/v1/settings/<slug:slug>/priority/urgency/<int:pk>/": {"DELETE": 404},
    "api/v1/settings/<slug:slug>/priority/spam/": {"POST": 404},
    "api/v1/settings/<slug:slug>/priority/spam/<int:pk>/": {"DELETE": 404},
    "api/v1/settings/<slug:slug>/priority/blocked/": {"POST": 404},
    "api/v1/settings/<slug:slug>/priority/blocked/<int:pk>/": {"DELETE": 404},
    "api/v1/settings/<slug:slug>/bounces/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/qa/": {"GET": 404, "PATCH": 404},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/": {"GET": 404, "PATCH": 404, "DELETE": 404},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/rotate/": {"POST": 404},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/deliveries/": {"GET": 404},
    "api/v1/settings/<slug:slug>/webhooks/<int:pk>/again/": {"POST": 404},
    # QA and media (apiqa)
    "api/v1/qa/sample/": {"GET": 404},
    "api/v1/qa/calibration/": {"GET": 404},
    "api/v1/qa/replies/<int:pk>/": {"GET": 404, "POST": 404},
    "api/v1/scorecards/": {"GET": 200},
    "api/v1/scorecards/<int:pk>/acknowledge/": {"POST": 404},
    # media and saved views (apigaps)
    "api/v1/media/m/<int:pk>/": {"GET": 404},
    "api/v1/media/r/<int:pk>/": {"GET": 404},
}


def test_the_matrices_cover_every_api_route():
    assert sorted(READ_ONLY) == sorted(OTHER_BRAND) == API_ROUTES
    for route, spec in READ_ONLY.items():
        assert set(spec) == set(ROUTES[route].serves) == set(OTHER_BRAND[route]), route


@pytest.mark.parametrize("which", ["read_only", "other_brand"])
def test_every_api_route_and_method_with_a_narrow_key(cast, world, quiet, which):  # noqa: F811 (fixtures)
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    person = get_user_model().objects.get(pk=cast.supervisor.pk)  # their memberships read afresh
    scope, brand, want = ("read", "acme", READ_ONLY) if which == "read_only" else ("write", "globex", OTHER_BRAND)
    token = api_keys.create_key(user=person, name="narrow", scope=scope, brand_slugs=[brand]).token
    client = KeyedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    before = db_state()
    got = {}
    for route in API_ROUTES:
        for method in ROUTES[route].serves:
            for path in paths(route, world):
                for data in payloads(route, world) if method != "GET" else [{}]:
                    if method == "GET":
                        response = client.get(path)
                    else:
                        response = getattr(client, method.lower())(path, data, format="json")
                    status = response.status_code
                    if path.endswith(f"/{UNKNOWN_ACTION}/"):
                        assert status == 404, path
                        continue
                    got.setdefault(route, {}).setdefault(method, set()).add(status)
                    if which == "other_brand" and status == 200:
                        assert "ACME-WRITE" not in response.content.decode(), path
    assert {r: {m: sorted(s) for m, s in spec.items()} for r, spec in got.items()} == {
        r: {m: [s] for m, s in spec.items()} for r, spec in want.items()
    }
    after = db_state()
    assert {k for k in after if after[k] != before[k]} <= {"api_keys"}
    assert nothing_sent(quiet) == {"tasks": [], "calls": [], "callbacks": 0, "mail": []}
