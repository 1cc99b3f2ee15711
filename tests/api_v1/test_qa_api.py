"""QA scorecards through the API (docs/qa.md, docs/api.md "QA scorecards"): the week's sample, grading (one
scorecard per reply and grader: a second submit 409, two at once keep one), blind grading, calibration, the
operator's own scorecards and acknowledging them; scoped as the pages (outsider 404, no ``qa:grade`` 403, a
read-only key reads and grades nothing) and a refusal writes and sends nothing."""

from decimal import Decimal

import pytest
from django.core import mail
from rest_framework.test import APIClient

from brands.models import Role
from brands.services import api_keys
from tests.concurrency.test_races import run_together, slow
from tests.factories import make_member, make_user
from tests.helpers import db_state
from tests.qa.conftest import WEDNESDAY, full_grade, publish
from tickets import events
from tickets.models import Event, Notification, Scorecard
from tickets.services import qa

pytestmark = pytest.mark.django_db

KEYS = ("tone", "knowledge", "ownership", "language", "etiquette")
WEEK = "2026-W10"


def grade_body(score=4, coaching="", **per_key) -> dict:
    return {
        "coaching": coaching,
        "scores": {k: {"score": per_key.get(k, score), "comment": ""} for k in KEYS},
    }


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def key_client(user, scope="read", brand="acme") -> APIClient:
    token = api_keys.create_key(user=user, name="k", scope=scope, brand_slugs=[brand]).token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def second_supervisor(cast):
    user = make_user("sup_a2")
    make_member(user, cast.brand_a, Role.SUPERVISOR)
    return user


@pytest.fixture
def second_operator(cast):
    user = make_user("op_a2")
    make_member(user, cast.brand_a, Role.OPERATOR)
    return user


def test_the_weeks_sample_lists_each_reply_with_why_and_who_graded(cast, second_supervisor):
    reply = publish(cast.brand_a, cast.operator)
    qa.grade(reply=reply, grader=second_supervisor, grade=full_grade())
    response = client_for(cast.supervisor).get(f"/api/v1/qa/sample/?brand=acme&week={WEEK}")
    assert response.status_code == 200
    assert response.json() == {
        "week": WEEK,
        "previous_week": "2026-W09",
        "next_week": "2026-W11",
        "brands": [
            {
                "brand": "acme",
                "week": WEEK,
                "percent": 5,
                "graded": 1,
                "replies": [
                    {
                        "id": reply.pk,
                        "ticket": reply.ticket_id,
                        "author": "op_a",
                        "body": "Halo Kak, sudah kami cek ya",
                        "sent_at": "2026-03-04T12:00:00+07:00",
                        "reasons": ["share"],
                        "graders": ["sup_a2"],
                        "mine": None,
                    }
                ],
            }
        ],
    }


def test_grading_through_the_api_is_the_pages_grade_once(cast):
    reply = publish(cast.brand_a, cast.operator)
    client = client_for(cast.supervisor)
    response = client.post(f"/api/v1/qa/replies/{reply.pk}/", grade_body(5, coaching="Bagus", tone=3), format="json")
    assert response.status_code == 201, response.content
    card = Scorecard.objects.get()
    body = response.json()
    assert (card.score, card.coaching, card.grader_id) == (Decimal("90.0"), "Bagus", cast.supervisor.pk)
    assert (body["gradable"], body["refusal"], body["mine"]["id"], body["mine"]["score"]) == (
        False,
        "You already graded this reply.",
        card.pk,
        90.0,
    )
    assert [(line["criterion"], line["weight"], line["score"]) for line in body["mine"]["lines"]] == [
        ("tone", 25, 3),
        ("knowledge", 25, 5),
        ("ownership", 20, 5),
        ("language", 15, 5),
        ("etiquette", 15, 5),
    ]
    assert Notification.objects.filter(kind="qa.graded", user=cast.operator).count() == 1
    before = db_state()
    again = client.post(f"/api/v1/qa/replies/{reply.pk}/", grade_body(1), format="json")
    assert (again.status_code, again.json()) == (409, {"detail": "You already graded this reply."})
    assert db_state() == before


def test_a_low_score_needs_a_comment_and_a_missing_score_is_named(cast):
    reply = publish(cast.brand_a, cast.operator)
    body = grade_body(4, tone=2)
    del body["scores"]["etiquette"]
    before = db_state()
    response = client_for(cast.supervisor).post(f"/api/v1/qa/replies/{reply.pk}/", body, format="json")
    assert (response.status_code, response.json()) == (
        400,
        {
            "scores": {
                "tone": ["Say why in a comment: a score of 1 or 2 needs one."],
                "etiquette": ["Give a score from 1 to 5."],
            }
        },
    )
    assert db_state() == before


def test_own_and_unpublished_replies_are_not_graded(cast):
    own = publish(cast.brand_a, cast.supervisor)
    response = client_for(cast.supervisor).post(f"/api/v1/qa/replies/{own.pk}/", grade_body(), format="json")
    assert (response.status_code, response.json()) == (409, {"detail": "You cannot grade your own reply."})
    assert Scorecard.objects.count() == 0


def test_blind_grading_the_others_are_shown_only_after_grading(cast, second_supervisor):
    reply = publish(cast.brand_a, cast.operator)
    theirs = qa.grade(reply=reply, grader=second_supervisor, grade=full_grade(3))
    client = client_for(cast.supervisor)
    before = client.get(f"/api/v1/qa/replies/{reply.pk}/").json()
    assert (before["gradable"], before["mine"], before["others_count"], before["others"]) == (True, None, 1, [])
    assert [c["key"] for c in before["criteria"]] == list(KEYS)
    client.post(f"/api/v1/qa/replies/{reply.pk}/", grade_body(5), format="json")
    after = client.get(f"/api/v1/qa/replies/{reply.pk}/").json()
    assert [(c["id"], c["grader"], c["score"]) for c in after["others"]] == [(theirs.pk, "sup_a2", 60.0)]
    calibration = client.get(f"/api/v1/qa/calibration/?brand=acme&week={WEEK}").json()
    (item,) = calibration["brands"][0]["replies"]
    assert (item["reply"], [c["score"] for c in item["scorecards"]]) == (reply.pk, [60.0, 100.0])
    assert item["criteria"][0] == {"name": "Nada pelayanan", "pairs": 1, "mean_difference": 2.0, "exact_percent": 0.0}


def test_the_operator_reads_and_acknowledges_their_own_scorecards_once(cast, second_supervisor):
    card = qa.grade(reply=publish(cast.brand_a, cast.operator), grader=cast.supervisor, grade=full_grade())
    qa.grade(reply=publish(cast.brand_a, second_supervisor), grader=cast.supervisor, grade=full_grade())
    client = client_for(cast.operator)
    listed = client.get("/api/v1/scorecards/").json()
    assert (listed["count"], [c["id"] for c in listed["results"]]) == (1, [card.pk])
    first = client.post(f"/api/v1/scorecards/{card.pk}/acknowledge/")
    assert (first.status_code, first.json()["acknowledged_now"]) == (200, True)
    at = Scorecard.objects.get(pk=card.pk).acknowledged_at
    assert first.json()["acknowledged_at"] is not None
    second = client.post(f"/api/v1/scorecards/{card.pk}/acknowledge/")
    assert (second.status_code, second.json()["acknowledged_now"]) == (200, False)
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at == at
    assert Event.objects.filter(kind="qa.acknowledged").count() == 1
    # anyone else: not theirs, 404, nothing changed
    other = qa.grade(reply=publish(cast.brand_a, second_supervisor), grader=cast.operator, grade=full_grade())
    assert client.post(f"/api/v1/scorecards/{other.pk}/acknowledge/").status_code == 404


@pytest.mark.parametrize(
    ("who", "sample", "reply_get", "reply_post"),
    [
        ("outsider", 404, 404, 404),
        ("operator_b", 404, 404, 404),
        ("operator", 403, 403, 403),
        ("manager", 403, 403, 403),
        ("read_key", 200, 200, 403),
    ],
)
def test_scoped_as_the_pages_and_a_refusal_changes_and_sends_nothing(
    cast, second_operator, who, sample, reply_get, reply_post
):
    reply = publish(cast.brand_a, second_operator)
    card = qa.grade(reply=reply, grader=cast.admin, grade=full_grade())
    client = key_client(cast.supervisor) if who == "read_key" else client_for(getattr(cast, who))
    before = db_state()
    assert client.get(f"/api/v1/qa/sample/?brand=acme&week={WEEK}").status_code == sample
    assert client.get(f"/api/v1/qa/calibration/?brand=acme&week={WEEK}").status_code == sample
    assert client.get(f"/api/v1/qa/replies/{reply.pk}/").status_code == reply_get
    assert client.post(f"/api/v1/qa/replies/{reply.pk}/", grade_body(), format="json").status_code == reply_post
    assert client.post(f"/api/v1/scorecards/{card.pk}/acknowledge/").status_code == 404
    after = db_state()
    assert {k for k in after if after[k] != before[k]} <= {"api_keys"}
    assert mail.outbox == []


def test_the_operators_read_only_key_reads_their_scorecards_and_acknowledges_nothing(cast):
    card = qa.grade(reply=publish(cast.brand_a, cast.operator), grader=cast.supervisor, grade=full_grade())
    client = key_client(cast.operator)
    assert [c["id"] for c in client.get("/api/v1/scorecards/").json()["results"]] == [card.pk]
    assert client.post(f"/api/v1/scorecards/{card.pk}/acknowledge/").status_code == 403
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at is None


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_through_the_api_keep_one_scorecard(cast, monkeypatch):
    reply = publish(cast.brand_a, cast.operator, at=WEDNESDAY)
    monkeypatch.setattr(qa.events, "qa_graded", slow(events, "qa_graded"))

    def submit(score):
        return lambda: client_for(cast.supervisor).post(
            f"/api/v1/qa/replies/{reply.pk}/", grade_body(score), format="json"
        )

    results = run_together(submit(5), submit(3))
    assert sorted(r.status_code for r in results) == [201, 409], results
    assert Scorecard.objects.count() == 1
    assert Notification.objects.filter(kind="qa.graded").count() == 1
    (refused,) = [r for r in results if r.status_code == 409]
    assert refused.json() == {"detail": "You already graded this reply."}
