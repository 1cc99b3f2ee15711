"""Brand A's staff aiming the new writes at brand B's objects (forged ids and slugs), and script in QA comments,
coaching notes and snippet text: 404 for every other brand's object, nothing of brand B changed, text escaped."""

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from brands.models import Role
from tests.factories import make_member, make_product, make_snippet, make_ticket, make_user
from tests.helpers import db_state
from tests.qa.conftest import form_data, full_grade, publish
from tickets.models import SavedView
from tickets.services import qa

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def api(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def page(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def brand_b_world(cast):
    sup_b = make_user("sup_b")
    make_member(sup_b, cast.brand_b, Role.SUPERVISOR)
    reply = publish(cast.brand_b, cast.operator_b, at=timezone.now())
    card = qa.grade(reply=reply, grader=sup_b, grade=full_grade(score=3))
    return {
        "sup_b": sup_b,
        "reply": reply,
        "card": card,
        "ticket": make_ticket(cast.brand_b, author_id="b-2", handle="siti"),
        "snippet": make_snippet(cast.brand_b, title="B"),
        "product": make_product(cast.brand_b, name="Tabungan"),
        "view": SavedView.objects.create(name="B's", owner=sup_b, query="status=open", created_by=sup_b),
    }


def test_brand_a_aims_every_new_write_at_brand_b(cast, brand_b_world):
    w = brand_b_world
    a_ticket = make_ticket(cast.brand_a, author_id="a-1", handle="budi")
    a_snippet = make_snippet(cast.brand_a)
    before = db_state()
    sup = page(cast.supervisor)
    assert sup.post(f"/qa/replies/{w['reply'].pk}/", form_data(score=5)).status_code == 404
    assert sup.get(f"/qa/replies/{w['reply'].pk}/").status_code == 404
    assert page(cast.operator).post(f"/me/scorecards/{w['card'].pk}/acknowledge/").status_code == 404
    assert page(w["sup_b"]).post(f"/me/scorecards/{w['card'].pk}/acknowledge/").status_code == 404
    assert sup.post(f"/settings/{cast.brand_b.slug}/qa/", {"sample_percent": "50"}).status_code == 404
    assert sup.get(f"/qa/?brand={cast.brand_b.slug}").status_code == 404
    assert sup.get(f"/reports/{cast.brand_b.slug}/summary/?start=2026-11-01&end=2026-11-30").status_code == 404
    client = api(cast.supervisor)
    b = cast.brand_b.slug
    assert client.patch(f"/api/v1/settings/{b}/goals/", {"fr_p50": 1}, format="json").status_code == 404
    assert client.patch(f"/api/v1/settings/{b}/sla/", {"sla_warning_minutes": 1}, format="json").status_code == 404
    assert (
        client.patch(f"/api/v1/knowledge/{b}/snippets/{w['snippet'].pk}/", {"title": "x"}, format="json").status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/v1/knowledge/{cast.brand_a.slug}/snippets/{w['snippet'].pk}/", {"title": "x"}, format="json"
        ).status_code
        == 404
    )
    assert client.post(f"/api/v1/knowledge/{cast.brand_a.slug}/snippets/{w['snippet'].pk}/archive/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/knowledge/{cast.brand_a.slug}/products/{w['product'].pk}/", {"name": "x"}, format="json"
        ).status_code
        == 404
    )
    # brand B's product given to brand A's snippet: a 400 naming product, never a link across brands
    for method, url in (
        ("patch", f"/api/v1/knowledge/{cast.brand_a.slug}/snippets/{a_snippet.pk}/"),
        ("post", f"/api/v1/knowledge/{cast.brand_a.slug}/snippets/"),
    ):
        response = getattr(client, method)(url, {"title": "T", "body": "b", "product": w["product"].pk}, format="json")
        assert response.status_code == 400
        assert "product" in response.json()
    # customer identities of brand B: the handle is not known to brand A; unlinking B's author is refused
    link = client.post(
        f"/api/v1/tickets/{a_ticket.pk}/customer/link/", {"platform": "x", "handle": "siti"}, format="json"
    )
    assert link.status_code == 409
    unlink = client.post(
        f"/api/v1/tickets/{a_ticket.pk}/customer/unlink/", {"identity": w["ticket"].author_id}, format="json"
    )
    assert unlink.status_code == 409
    assert (
        client.post(
            f"/api/v1/tickets/{w['ticket'].pk}/customer/link/", {"platform": "x", "handle": "budi"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/tickets/{w['ticket'].pk}/assign/", {"assignee": "op_a"}, format="json").status_code == 404
    )
    assert client.post(f"/api/v1/replies/{w['reply'].pk}/revise/", {"body": "x"}, format="json").status_code == 404
    assert client.get(f"/api/v1/tickets/{w['ticket'].pk}/notes/").status_code == 404
    # another user's saved view
    assert client.get(f"/api/v1/tickets/?view={w['view'].pk}").status_code == 404
    # an assignee of brand B on a brand A ticket
    assert client.post(f"/api/v1/tickets/{a_ticket.pk}/assign/", {"assignee": "op_b"}, format="json").status_code == 409
    after = db_state()
    for key in before:
        if key not in ("tickets", "events", "authors"):
            assert after[key] == before[key], key


def test_script_in_qa_comments_and_coaching_is_escaped_everywhere(cast):
    reply = publish(cast.brand_a, cast.operator, body=f"Halo {SCRIPT}", at=timezone.now())
    grade = full_grade(score=2, comment=f"komentar {SCRIPT}", coaching=f"coach {SCRIPT}")
    card = qa.grade(reply=reply, grader=cast.supervisor, grade=grade)
    start = timezone.localdate().replace(day=1)
    pages = [
        (cast.operator, "/me/scorecards/"),
        (cast.operator, "/me/performance/"),
        (cast.supervisor, f"/qa/replies/{reply.pk}/"),
        (cast.supervisor, "/qa/"),
        (cast.supervisor, f"/reports/{cast.brand_a.slug}/?start={start}&end={timezone.localdate()}"),
        (cast.manager, f"/reports/{cast.brand_a.slug}/?start={start}&end={timezone.localdate()}"),
    ]
    for user, url in pages:
        response = page(user).get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.content.decode(), url
    assert card.coaching == f"coach {SCRIPT}"


def test_script_in_a_snippet_and_a_product_is_escaped_and_answered_as_data(cast):
    client = api(cast.supervisor)
    slug = cast.brand_a.slug
    made = client.post(
        f"/api/v1/knowledge/{slug}/snippets/", {"title": SCRIPT, "body": f"Halo {SCRIPT}"}, format="json"
    )
    assert made.status_code == 201
    assert made["Content-Type"] == "application/json"
    product = client.post(f"/api/v1/knowledge/{slug}/products/", {"name": SCRIPT, "faq": SCRIPT}, format="json")
    assert product.status_code == 201
    for url in (f"/knowledge/{slug}/", f"/knowledge/{slug}/snippets/{made.json()['id']}/"):
        response = page(cast.supervisor).get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.content.decode(), url


@pytest.mark.parametrize("name", [SCRIPT, "😀🔥 Toko 中文 العربية", "W" * 120, "a\u202eb"])
def test_the_monthly_summary_pdf_takes_any_brand_name_and_months_at_the_edges(cast, name):
    cast.brand_a.name = name
    cast.brand_a.save()
    client = page(cast.supervisor)
    for start, end in (("2026-11-01", "2026-11-30"), ("2000-01-01", "2000-01-31"), ("2999-12-01", "2999-12-31")):
        response = client.get(f"/reports/{cast.brand_a.slug}/summary/?start={start}&end={end}")
        assert response.status_code == 200, (start, response.status_code)
        assert response.content.startswith(b"%PDF")
        # the name is text inside the PDF (inert there); the file is downloaded, never rendered as a page
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/reports/{cast.brand_a.slug}/summary/?start=1999-12-01&end=1999-12-31").status_code == 400


def test_fields_the_api_does_not_take_are_never_assigned(cast, brand_b_world):
    """Mass assignment: brand, id, version, author and timestamps sent with a write change nothing of them."""
    from brands.models import Product, Snippet

    w = brand_b_world
    client = api(cast.supervisor)
    a = cast.brand_a.slug
    snippet = make_snippet(cast.brand_a)
    product = make_product(cast.brand_a)
    forged = {
        "brand": cast.brand_b.pk,
        "brand_id": cast.brand_b.pk,
        "id": w["snippet"].pk,
        "pk": w["snippet"].pk,
        "version": 99,
        "author": "sup_b",
        "created_at": "2000-01-01T00:00:00Z",
        "slug": cast.brand_b.slug,
    }
    assert (
        client.patch(
            f"/api/v1/knowledge/{a}/snippets/{snippet.pk}/", {"title": "T2", **forged}, format="json"
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/v1/knowledge/{a}/products/{product.pk}/", {"name": "P2", **forged}, format="json"
        ).status_code
        == 200
    )
    made = client.post(f"/api/v1/knowledge/{a}/snippets/", {"title": "N", "body": "b", **forged}, format="json")
    assert made.status_code == 201
    assert client.patch(f"/api/v1/settings/{a}/goals/", {"fr_p50": 30, **forged}, format="json").status_code == 200
    assert set(Snippet.objects.filter(brand=cast.brand_b).values_list("pk", "title")) == {(w["snippet"].pk, "B")}
    assert set(Product.objects.filter(brand=cast.brand_b).values_list("pk", "name")) == {(w["product"].pk, "Tabungan")}
    assert Snippet.objects.get(pk=made.json()["id"]).brand_id == cast.brand_a.pk
    assert made.json()["version"] == 1
