"""Two clicks at once on the new writes (SQLite and PostgreSQL): linking one customer identity, unlinking it,
creating a snippet with one shortcut or a product with one name, saving the QA rubric the first time. One wins,
the others are told why; never a 500, never a duplicate."""

import pytest
from rest_framework.test import APIClient

from brands.models import ConfigChange, Product, QaCriterion, Snippet
from tests.concurrency.test_races import run_together
from tests.factories import make_ticket
from tickets.models import Event, LinkedIdentity

pytestmark = pytest.mark.django_db(transaction=True)

N = 4


def clients(user, n: int = N) -> list[APIClient]:
    out = []
    for _ in range(n):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        out.append(client)
    return out


def _codes(answers) -> list:
    return sorted(a.status_code if hasattr(a, "status_code") else repr(a) for a in answers)


def test_one_customer_link_sent_four_times_at_once_links_once(cast):
    ticket = make_ticket(cast.brand_a, author_id="x-1", handle="budi")
    make_ticket(cast.brand_a, platform="instagram", author_id="ig-1", handle="budi.s")
    url = f"/api/v1/tickets/{ticket.pk}/customer/link/"
    answers = run_together(
        *(
            lambda c=c: c.post(url, {"platform": "instagram", "handle": "budi.s"}, format="json")
            for c in clients(cast.operator)
        )
    )
    assert _codes(answers) == [200] + [409] * (N - 1)
    assert LinkedIdentity.objects.filter(brand=cast.brand_a).count() == 2
    assert len(set(LinkedIdentity.objects.values_list("person", flat=True))) == 1
    assert Event.objects.filter(kind="customer.linked").count() == 1

    other = LinkedIdentity.objects.exclude(author_id=ticket.author_id).get().author_id
    url = f"/api/v1/tickets/{ticket.pk}/customer/unlink/"
    answers = run_together(
        *(lambda c=c: c.post(url, {"identity": other}, format="json") for c in clients(cast.operator))
    )
    assert _codes(answers) == [200] + [409] * (N - 1)
    assert LinkedIdentity.objects.count() == 0
    assert Event.objects.filter(kind="customer.unlinked").count() == 1


def test_one_snippet_with_one_shortcut_sent_four_times_at_once_is_one_snippet(cast):
    url = f"/api/v1/knowledge/{cast.brand_a.slug}/snippets/"
    body = {"title": "Salam", "body": "Halo Kak", "shortcut": "salam"}
    answers = run_together(*(lambda c=c: c.post(url, body, format="json") for c in clients(cast.supervisor)))
    assert _codes(answers) == [201] + [400] * (N - 1)
    assert Snippet.objects.filter(brand=cast.brand_a, shortcut="salam").count() == 1


def test_one_product_sent_four_times_at_once_is_one_product(cast):
    url = f"/api/v1/knowledge/{cast.brand_a.slug}/products/"
    body = {"name": "Kuota Max", "category": "paket"}
    answers = run_together(*(lambda c=c: c.post(url, body, format="json") for c in clients(cast.supervisor)))
    assert _codes(answers) == [201] + [400] * (N - 1)
    assert Product.objects.filter(brand=cast.brand_a).count() == 1


def test_the_first_rubric_save_four_times_at_once_stores_the_defaults_once(cast):
    from django.test import Client

    data = {"sample_percent": "7", "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0", "c-0-name": "Empati"}
    data.update({"c-0-weight": "10", "c-0-is_active": "on"})
    pages = []
    for _ in range(N):
        page = Client(raise_request_exception=False)
        page.force_login(cast.supervisor)
        pages.append(page)
    url = f"/settings/{cast.brand_a.slug}/qa/"
    answers = run_together(*(lambda p=p: p.post(url, data) for p in pages))
    assert _codes(answers) == [302] + [400] * (N - 1)
    names = list(QaCriterion.objects.filter(brand=cast.brand_a).values_list("name", flat=True))
    assert names.count("Empati") == 1
    assert len(names) == 6  # the five defaults and Empati, once
    assert ConfigChange.objects.filter(brand=cast.brand_a, area="qa").count() == 1


def test_a_new_criterion_sent_again_is_refused_and_the_limit_holds_over_stored_criteria(cast):
    """No race needed: the same page sent twice, and rows sent without the stored ones."""
    from django.test import Client

    page = Client()
    page.force_login(cast.supervisor)
    url = f"/settings/{cast.brand_a.slug}/qa/"
    data = {"sample_percent": "5", "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0"}
    data.update({"c-0-name": "Empati", "c-0-weight": "10", "c-0-is_active": "on"})
    assert page.post(url, data).status_code == 302
    assert page.post(url, data).status_code == 400
    for n in range(20):
        data.update({"c-0-name": f"Kriteria {n}"})
        page.post(url, data)
    assert QaCriterion.objects.filter(brand=cast.brand_a).count() == 12


def test_one_grade_sent_four_times_through_the_api_with_a_second_grader_at_once(cast):
    """The brand's first grades (its rubric not stored yet): four copies of one supervisor's grade and another
    supervisor's, all at once. Each grader keeps one scorecard; the copies are told 409; the rubric is stored
    once."""
    from django.utils import timezone

    from brands.models import Role
    from tests.factories import make_member, make_user
    from tests.qa.conftest import publish
    from tickets.models import Notification, Scorecard

    second = make_user("sup_a2")
    make_member(second, cast.brand_a, Role.SUPERVISOR)
    reply = publish(cast.brand_a, cast.operator, at=timezone.now())
    url = f"/api/v1/qa/replies/{reply.pk}/"
    body = {"scores": {k: {"score": 4} for k in ("tone", "knowledge", "ownership", "language", "etiquette")}}
    jobs = [lambda c=c: c.post(url, body, format="json") for c in clients(cast.supervisor)]
    (other,) = clients(second, 1)
    jobs.append(lambda: other.post(url, body, format="json"))
    answers = run_together(*jobs)
    assert _codes(answers) == [201, 201, 409, 409, 409]
    assert sorted(Scorecard.objects.filter(reply=reply).values_list("grader__username", flat=True)) == [
        "sup_a",
        "sup_a2",
    ]
    assert Event.objects.filter(kind="qa.graded").count() == 2
    assert Notification.objects.filter(kind="qa.graded").count() == 2
    assert ConfigChange.objects.filter(brand=cast.brand_a, kind="qa_rubric.created").count() == 1
    assert QaCriterion.objects.filter(brand=cast.brand_a).count() == 5


def test_one_acknowledgement_sent_four_times_through_the_api_acknowledges_once(cast):
    from django.utils import timezone

    from tests.qa.conftest import full_grade, publish
    from tickets.services import qa

    reply = publish(cast.brand_a, cast.operator, at=timezone.now())
    card = qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=4))
    url = f"/api/v1/scorecards/{card.pk}/acknowledge/"
    answers = run_together(*(lambda c=c: c.post(url) for c in clients(cast.operator)))
    assert _codes(answers) == [200] * N
    assert sorted(a.json()["acknowledged_now"] for a in answers) == [False] * (N - 1) + [True]
    assert len({a.json()["acknowledged_at"] for a in answers}) == 1
    assert Event.objects.filter(kind="qa.acknowledged").count() == 1


def test_send_again_through_the_api_four_times_at_once_makes_one_delivery(cast):
    from brands.services import webhooks
    from tickets.models import WebhookDelivery

    sub = webhooks.create(brand=cast.brand_a, name="CRM", url="https://hooks.example.com/a", events=["sla.breach"])
    first = WebhookDelivery.objects.create(
        subscription=sub, brand_id=sub.brand_id, kind="sla.breach", body="{}", status="failed"
    )
    url = f"/api/v1/settings/{cast.brand_a.slug}/webhooks/{sub.pk}/again/"
    answers = run_together(
        *(lambda c=c: c.post(url, {"delivery": first.pk}, format="json") for c in clients(cast.supervisor))
    )
    assert _codes(answers) == [201] * N
    assert len({a.json()["id"] for a in answers}) == 1
    assert WebhookDelivery.objects.filter(resent_from=first).count() == 1


@pytest.mark.parametrize("team", [False, True])
def test_the_last_free_place_for_a_saved_view_taken_four_times_at_once_is_taken_once(cast, team):
    """Nineteen views of the twenty allowed, four new ones (other names) saved at once: one is kept, the others
    are told the limit; never twenty-three."""
    from tickets.models import SavedView
    from tickets.services.views import MAX_VIEWS

    owner = {"brand": cast.brand_a} if team else {"owner": cast.supervisor}
    for n in range(MAX_VIEWS - 1):
        SavedView.objects.create(name=f"v{n}", query={}, created_by=cast.supervisor, **owner)
    body = {"query": {"status": "open"}}
    if team:
        body["team"] = cast.brand_a.slug
    answers = run_together(
        *(
            lambda c=c, i=i: c.post("/api/v1/views/", {**body, "name": f"new {i}"}, format="json")
            for i, c in enumerate(clients(cast.supervisor))
        )
    )
    assert _codes(answers) == [201] + [400] * (N - 1)
    assert SavedView.objects.filter(**owner).count() == MAX_VIEWS


def test_the_last_free_place_for_an_api_key_taken_four_times_at_once_is_taken_once(cast):
    from brands.models import ApiKey
    from brands.services import api_keys

    for n in range(api_keys.MAX_KEYS - 1):
        api_keys.create_key(user=cast.supervisor, name=f"k{n}", scope="read", brand_slugs=[cast.brand_a.slug])
    answers = run_together(
        *(
            lambda i=i: api_keys.create_key(
                user=cast.supervisor, name=f"new {i}", scope="read", brand_slugs=[cast.brand_a.slug]
            )
            for i in range(N)
        )
    )
    refused = [a for a in answers if isinstance(a, api_keys.KeyRefused)]
    assert (len(answers) - len(refused), len(refused)) == (1, N - 1), answers
    assert ApiKey.objects.filter(user=cast.supervisor, revoked_at__isnull=True).count() == api_keys.MAX_KEYS
