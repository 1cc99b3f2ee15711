"""Exactly once, on SQLite and on PostgreSQL (as tests/security/test_concurrency.py): four workers sending the same
survey publish it once; four answers to one survey at the same instant keep one; two resolutions at once plan
one survey. Every thread has its own connection, released together by a barrier; the platform is faked at its
HTTP boundary only."""

import pytest
from django.test import Client

from brands.services import csat as csat_settings
from tests.concurrency.test_races import run_together, slow
from tests.csat.conftest import dm_ticket
from tickets.models import CsatSurvey, Event, Notification
from tickets.services import csat, csat_answers, workflow

pytestmark = pytest.mark.django_db(transaction=True)
N = 4


@pytest.fixture
def enabled(cast):
    return csat_settings.update_csat_settings(brand=cast.brand_a, values={"enabled": True, "platforms": "facebook"})


def test_four_workers_send_a_survey_once(cast, enabled, fake_platform, monkeypatch):
    monkeypatch.setattr(csat, "enqueue_survey", lambda survey_id: None)  # the workers below are the queue
    ticket = dm_ticket(cast, fake_platform)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.status == "pending"
    monkeypatch.setattr(csat, "_message", slow(csat, "_message", 0.2))  # the winner is still sending

    results = run_together(*[lambda: csat.send_survey(survey_id=survey.pk) for _ in range(N)])

    assert [r.status for r in results if r is not None] == ["sent"]
    assert results.count(None) == N - 1
    assert len(fake_platform.posts()) == 1
    assert Event.objects.filter(ticket=ticket, kind="csat.sent").count() == 1
    survey.refresh_from_db()
    assert (survey.status, survey.attempts) == ("sent", 1)


def test_two_resolutions_at_once_plan_one_survey(cast, enabled, fake_platform):
    ticket = dm_ticket(cast, fake_platform)
    copies = [workflow.Ticket.objects.get(pk=ticket.pk) for _ in range(2)]

    results = run_together(
        lambda: workflow.resolve_ticket(ticket=copies[0], user=cast.operator),
        lambda: workflow.resolve_ticket(ticket=copies[1], user=cast.supervisor),
    )

    assert sum(isinstance(r, workflow.WorkflowError) for r in results) == 1, results
    assert CsatSurvey.objects.filter(ticket=ticket).count() == 1
    assert len(fake_platform.posts()) == 1


def test_four_answers_at_once_keep_one(cast, enabled, monkeypatch):
    ticket = dm_ticket(cast)
    ticket.channel_account.access_token = ""
    ticket.channel_account.save()
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    survey = CsatSurvey.objects.get(ticket=ticket)
    path = f"/csat/{csat.make_token(survey)}/"
    monkeypatch.setattr(csat_answers.events, "csat_answered", slow(csat_answers.events, "csat_answered", 0.2))

    results = run_together(*[lambda n=n: Client().post(path, {"rating": str(n + 1)}) for n in range(N)])

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [410] * (N - 1), statuses
    survey.refresh_from_db()
    assert survey.rating in range(1, N + 1)
    assert Event.objects.filter(ticket=ticket, kind="csat.answered").count() == 1
    low = 1 if survey.rating <= 2 else 0
    assert Notification.objects.filter(kind="csat.low").count() == low  # one supervisor in brand A
