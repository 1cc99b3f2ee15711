"""Hostile values in every new route's parameters and JSON fields: never a 500 (numbers past 2**63, junk cursors,
negative ids, wrong types, deep nesting, dates far away)."""

import base64
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from brands.services import webhooks
from tests.factories import make_product, make_snippet, make_ticket
from tests.qa.conftest import publish

pytestmark = pytest.mark.django_db

HUGE = 2**63
HUGE_STR = str(HUGE)
JUNK_CURSORS = [
    "x",
    "!!!",
    base64.urlsafe_b64encode(b"p=abc").decode(),
    base64.urlsafe_b64encode(b"o=1&p=abc").decode(),
    base64.urlsafe_b64encode(b"o=1&r=1&p=" + HUGE_STR.encode()).decode(),
    base64.urlsafe_b64encode(b"o=-1").decode(),
    base64.urlsafe_b64encode(b"o=99999999999999999999999").decode(),
    base64.urlsafe_b64encode(json.dumps({"p": [HUGE]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"p": ["d:0001-01-01T00:00:00+14:00", 1]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"p": [-1]}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"p": "[" * 5000}).encode()).decode(),
    "A" * 100_000,
]
WEEKS = ["2026-W00", "2026-W54", "0000-W01", "0001-W01", "9999-W52", "2999-W52", "-1-W01", f"{HUGE_STR}-W01"]
NUMBERS = [HUGE_STR, "-1", "-" + HUGE_STR, "1e400", "nan", "0x10", "١٢", "9" * 400, ""]


def api_client(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def page_client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _no_500(responses):
    bad = [(label, r.status_code) for label, r in responses if r.status_code >= 500]
    assert bad == [], "\n".join(f"{where} {code}" for where, code in bad)


def test_numbers_and_cursors_in_query_params(cast):
    ticket = make_ticket(cast.brand_a)
    snippet = make_snippet(cast.brand_a)
    make_product(cast.brand_a)
    client = api_client(cast.supervisor)
    slug = cast.brand_a.slug
    hook = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    gets = []
    lists = [
        f"/api/v1/settings/{slug}/webhooks/{hook.pk}/deliveries/",
        "/api/v1/scorecards/",
        "/api/v1/tickets/",
        f"/api/v1/knowledge/{slug}/snippets/",
        f"/api/v1/knowledge/{slug}/products/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/versions/",
        f"/api/v1/reports/{slug}/tickets/?start=2026-01-01&end=2026-01-31&metric=volume&value=all",
        f"/api/v1/tickets/{ticket.pk}/notes/",
        "/api/v1/reviews/",
    ]
    for url in lists:
        sep = "&" if "?" in url else "?"
        for cursor in JUNK_CURSORS:
            gets.append((f"{url} cursor", client.get(f"{url}{sep}cursor={cursor}")))
        for n in NUMBERS:
            for param in ("page_size", "page", "brand", "view", "product", "priority", "assignee", "limit"):
                gets.append((f"{url} {param}={n}", client.get(f"{url}{sep}{param}={n}")))
    for n in NUMBERS:
        for url in (
            f"/api/v1/tickets/{n}/",
            f"/api/v1/tickets/{n}/customer/",
            f"/api/v1/tickets/{n}/notes/",
            f"/api/v1/replies/{n}/",
            f"/api/v1/channel-accounts/{n}/",
            f"/api/v1/channel-accounts/{n}/status/",
            f"/api/v1/knowledge/{slug}/snippets/{n}/",
            f"/api/v1/knowledge/{slug}/snippets/{n}/versions/",
            f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/versions/{n}/",
            f"/api/v1/knowledge/{slug}/products/{n}/",
            f"/api/v1/snippets/?brand={n}&limit={n}",
        ):
            gets.append((url, client.get(url)))
    for start, end in (
        ("0001-01-01", "9999-12-31"),
        ("1900-01-01", "1900-01-02"),
        ("9999-12-30", "9999-12-31"),
        ("0001-01-01", "0001-01-02"),
        ("2026-02-30", "2026-03-01"),
        ("2026-03-01", "2026-01-01"),
        (HUGE_STR, HUGE_STR),
    ):
        for url in (f"/api/v1/reports/{slug}/", f"/api/v1/reports/{slug}/tickets/"):
            gets.append((f"{url} {start} {end}", client.get(url, {"start": start, "end": end, "metric": "volume"})))
    for params in (
        {"received_after": "0001-01-01T00:00:00+14:00"},
        {"received_before": "9999-12-31T23:59:59-12:00"},
        {"sort": "due", "cursor": base64.urlsafe_b64encode(b'{"p":["d:9999-12-31T23:59:59-12:00",1]}').decode()},
        {"q": "x" * 100_000},
        {"q": "\x00"},
        {"tag": "\x00"},
        {"assignee": "\x00"},
        {"brand": "\x00"},
    ):
        gets.append((str(params)[:60], client.get("/api/v1/tickets/", params)))
    _no_500(gets)


def test_numbers_in_page_params(cast):
    reply = publish(cast.brand_a, cast.operator)
    client = page_client(cast.supervisor)
    slug = cast.brand_a.slug
    gets = []
    for n in NUMBERS + WEEKS:
        for url in ("/qa/", "/me/scorecards/", f"/reports/{slug}/summary/", f"/reports/{slug}/"):
            for param in ("week", "brand", "page", "month", "start", "end", "year"):
                gets.append((f"{url} {param}={n}", client.get(url, {param: n})))
        gets.append((f"/qa/replies/{n}/", client.get(f"/qa/replies/{n}/")))
        gets.append((f"/media/m/{n}/", client.get(f"/media/m/{n}/")))
        gets.append((f"/media/r/{n}/", client.get(f"/media/r/{n}/")))
    for month in ("0001-01", "9999-12", "2026-13", "2026-00", "1-1"):
        gets.append((month, client.get(f"/reports/{slug}/summary/", {"month": month})))
    assert reply.pk
    _no_500(gets)


def test_every_method_on_every_new_route_is_answered_without_a_500(cast):
    ticket = make_ticket(cast.brand_a)
    snippet = make_snippet(cast.brand_a)
    product = make_product(cast.brand_a)
    reply = publish(cast.brand_a, cast.operator)
    slug = cast.brand_a.slug
    routes = [
        "/api/v1/tickets/bulk/",
        f"/api/v1/tickets/{ticket.pk}/assign/",
        f"/api/v1/tickets/{ticket.pk}/customer/",
        f"/api/v1/tickets/{ticket.pk}/customer/link/",
        f"/api/v1/tickets/{ticket.pk}/customer/unlink/",
        f"/api/v1/tickets/{ticket.pk}/notes/",
        f"/api/v1/replies/{reply.pk}/revise/",
        f"/api/v1/knowledge/{slug}/snippets/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/archive/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/unarchive/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/restore/",
        f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/versions/1/",
        f"/api/v1/knowledge/{slug}/products/{product.pk}/",
        f"/api/v1/reports/{slug}/",
        f"/api/v1/settings/{slug}/",
        f"/api/v1/settings/{slug}/sla/",
        f"/api/v1/settings/{slug}/webhooks/",
    ]
    pages = [
        "/qa/",
        f"/qa/replies/{reply.pk}/",
        "/me/scorecards/",
        "/me/scorecards/1/acknowledge/",
        f"/settings/{slug}/qa/",
        f"/reports/{slug}/summary/",
        "/media/m/1/",
        "/media/r/1/",
    ]
    client = api_client(cast.supervisor)
    browser = page_client(cast.supervisor)
    answers = []
    for method in ("put", "delete", "patch", "options", "head", "post"):
        for url in routes:
            if method in ("head", "options"):
                answers.append((f"{method} {url}", getattr(client, method)(url)))
            else:
                answers.append((f"{method} {url}", getattr(client, method)(url, "{}", content_type="application/json")))
        for url in pages:
            answers.append((f"{method} {url}", getattr(browser, method)(url)))
    _no_500(answers)


def test_hostile_values_in_the_grade_and_rubric_forms(cast):
    from brands.services import qa as rubric
    from tickets.models import Scorecard

    reply = publish(cast.brand_a, cast.operator)
    browser = page_client(cast.supervisor)
    keys = [d.key for d in rubric.DEFAULTS]
    answers = []
    for value in NUMBERS + ["0", "6", "3.5", "1e3", HUGE_STR + "0"]:
        data = {f"score-{k}": value for k in keys} | {f"comment-{k}": "x" for k in keys} | {"coaching": "c"}
        answers.append((f"grade {value}", browser.post(f"/qa/replies/{reply.pk}/", data)))
    extra = {f"score-{k}": "4" for k in keys} | {"score-forged": "5", "score-": "5", "coaching": "x" * 100_000}
    answers.append(("forged key", browser.post(f"/qa/replies/{reply.pk}/", extra)))
    url = f"/settings/{cast.brand_a.slug}/qa/"
    for value in NUMBERS:
        for field in ("sample_percent", "c-TOTAL_FORMS", "c-INITIAL_FORMS", "c-0-weight"):
            data = {
                "sample_percent": "5",
                "c-TOTAL_FORMS": "1",
                "c-INITIAL_FORMS": "0",
                "c-0-name": "N",
                "c-0-weight": "5",
                "c-0-is_active": "on",
                field: value,
            }
            answers.append((f"rubric {field}={value}", browser.post(url, data)))
    for key in ("../x", "tone", "nope", "a" * 500):
        data = {"sample_percent": "5", "c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0"}
        data |= {"c-0-key": key, "c-0-name": "A", "c-0-weight": "5", "c-0-is_active": "on"}
        data |= {"c-1-key": key, "c-1-name": "B", "c-1-weight": "5", "c-1-is_active": "on"}
        answers.append((f"rubric key {key[:10]}", browser.post(url, data)))
    _no_500(answers)
    assert Scorecard.objects.filter(reply=reply).count() <= 1


@pytest.mark.parametrize("moment", ["0715-04-11T01:08:09Z", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00Z"])
def test_a_snippets_expiry_outside_the_years_2000_to_2999_is_refused(cast, moment):
    """Decision 80 for the snippet's expiry: at year 715 the brand's zone has only its local mean time, and the
    answer's ``+07:07:12`` offset is no RFC 3339 moment (the API's schema broke); at year 1 or 9999 the zone
    conversion overflows. The page, the API and the CSV import refuse it alike; nothing changes."""
    from brands.models import Snippet
    from brands.services import knowledge

    snippet = make_snippet(cast.brand_a)
    client = api_client(cast.supervisor)
    slug = cast.brand_a.slug
    patched = client.patch(f"/api/v1/knowledge/{slug}/snippets/{snippet.pk}/", {"expires_at": moment}, format="json")
    assert patched.status_code == 400
    assert "expires_at" in patched.json()
    made = client.post(
        f"/api/v1/knowledge/{slug}/snippets/", {"title": "T", "body": "b", "expires_at": moment}, format="json"
    )
    assert made.status_code == 400
    page = page_client(cast.supervisor).post(
        f"/knowledge/{slug}/snippets/new/",
        {"title": "T2", "body": "b", "language": "id", "tone": "formal", "status": "draft", "expires_at": moment[:16]},
    )
    assert page.status_code == 400  # the form again, with the error
    with pytest.raises(ValueError, match="2000 to 2999"):
        knowledge.parse_expiry(moment[:10])
    assert list(Snippet.objects.values_list("pk", "expires_at")) == [(snippet.pk, None)]
