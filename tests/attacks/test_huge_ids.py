"""Ids no database holds, in every route of the project: each ``<int:…>`` of every URL (pages, API, media) given
2**63, 2**64 and a thirty-digit number, with every method, by a supervisor who sees brand A. SQLite stores at
most 2**63 - 1 and raises ``OverflowError`` past it; PostgreSQL's bigint the same as a ``DataError``. Each is
a 404 (or the route's refusal of the method), never a 500."""

import re

import pytest
from django.test import Client
from django.urls import get_resolver
from rest_framework.test import APIClient

from tests.test_isolation import walk

pytestmark = pytest.mark.django_db

IDS = [str(2**63), str(2**64), "9" * 30]
METHODS = ("get", "post", "put", "patch", "delete")


def test_every_route_takes_an_id_past_2_63_without_a_500(cast):
    routes = [r for r, _p in walk(get_resolver().url_patterns) if "<int:" in r and not r.startswith("admin/")]
    assert len(routes) > 40
    page = Client(raise_request_exception=False)
    page.force_login(cast.supervisor)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(cast.supervisor)
    bad = []
    for route in routes:
        for value in IDS:
            path = "/" + re.sub(r"<slug:\w+>", cast.brand_a.slug, re.sub(r"<int:\w+>", value, route))
            path = re.sub(r"<str:\w+>", "x", path)
            client = api if path.startswith("/api/") else page
            for method in METHODS:
                if method == "get":
                    response = client.get(path)
                else:
                    response = getattr(client, method)(path, "{}", content_type="application/json")
                if response.status_code >= 500:
                    bad.append(f"{method.upper()} {path} {response.status_code}")
    assert bad == [], "\n".join(bad)
