"""Two submissions of one grade at the same instant (a double click, two tabs), on SQLite and on PostgreSQL: one
scorecard is kept, the other submission is told the reply is already graded; one notification, one event. Two
first uses of a brand's rubric at once store the defaults once."""

import pytest

from brands.models import ConfigChange, QaCriterion
from tests.concurrency.test_races import run_together, slow
from tickets import events
from tickets.models import Event, Notification, Scorecard, ScorecardLine
from tickets.services import qa

from .conftest import full_grade, publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submissions_of_one_grade_at_once_keep_one_scorecard(cast, monkeypatch):
    reply = publish(cast.brand_a, cast.operator)
    # the first to insert holds its transaction open (the event is written after the scorecard), so the second
    # meets the unique constraint (PostgreSQL) or waits for the writer and then finds the scorecard (SQLite)
    monkeypatch.setattr(qa.events, "qa_graded", slow(events, "qa_graded"))
    results = run_together(
        lambda: qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=5)),
        lambda: qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=3)),
    )
    kept = [r for r in results if isinstance(r, Scorecard)]
    refused = [r for r in results if isinstance(r, qa.AlreadyGraded)]
    assert (len(kept), len(refused)) == (1, 1), results
    assert list(Scorecard.objects.values_list("pk", flat=True)) == [kept[0].pk]
    assert ScorecardLine.objects.count() == 5
    assert Notification.objects.filter(kind="qa.graded").count() == 1
    assert Event.objects.filter(kind="qa.graded").count() == 1
    # the rubric was stored once, with one record
    assert QaCriterion.objects.count() == 5
    assert ConfigChange.objects.filter(kind="qa_rubric.created").count() == 1


def test_two_graders_at_once_both_keep_their_scorecards(cast, second_supervisor, monkeypatch):
    reply = publish(cast.brand_a, cast.operator)
    monkeypatch.setattr(qa.events, "qa_graded", slow(events, "qa_graded"))
    results = run_together(
        lambda: qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=5)),
        lambda: qa.grade(reply=reply, grader=second_supervisor, grade=full_grade(score=3)),
    )
    assert all(isinstance(r, Scorecard) for r in results), results
    assert sorted(Scorecard.objects.values_list("grader_id", flat=True)) == sorted(
        [cast.supervisor.pk, second_supervisor.pk]
    )
    assert QaCriterion.objects.count() == 5  # both used the rubric for the first time: stored once
    assert ConfigChange.objects.filter(kind="qa_rubric.created").count() == 1


def test_two_acknowledgements_at_once_record_one(cast, monkeypatch):
    card = qa.grade(reply=publish(cast.brand_a, cast.operator), grader=cast.supervisor, grade=full_grade())
    monkeypatch.setattr(qa.events, "qa_acknowledged", slow(events, "qa_acknowledged"))
    results = run_together(
        lambda: qa.acknowledge(scorecard=card, user=cast.operator),
        lambda: qa.acknowledge(scorecard=card, user=cast.operator),
    )
    assert sorted(results) == [False, True]
    assert Event.objects.filter(kind="qa.acknowledged").count() == 1
