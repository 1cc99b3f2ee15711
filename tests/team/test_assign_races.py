"""Assigning from the team view at the same instant, on SQLite and on PostgreSQL (the pattern of
tests/security/test_concurrency.py): two supervisors giving the same ticket to two people, or a supervisor
assigning while an operator claims. One change wins; the other is told who owns the ticket now and changes
nothing: one ``ticket.assigned`` event, one notice."""

import html
import re

import pytest
from django.test import Client

from brands.models import Role
from tests.concurrency.test_races import run_together, slow
from tests.factories import make_member, make_ticket, make_user
from tickets import events
from tickets.models import Event, Notification, Ticket
from tickets.services import workflow

pytestmark = pytest.mark.django_db(transaction=True)


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    """The messages shown on the page (from its HTML: the test client's captured contexts are shared by threads)."""
    return [html.unescape(m) for m in re.findall(r'<p class="msg msg-[a-z]+">(.*?)</p>', response.content.decode())]


def test_two_supervisors_assigning_one_ticket_at_once_one_wins_the_other_is_told(cast, monkeypatch):
    ticket = make_ticket(cast.brand_a)
    second_supervisor = make_user("sup_a2")
    make_member(second_supervisor, cast.brand_a, Role.SUPERVISOR)
    other_operator = make_user("op_a2")
    make_member(other_operator, cast.brand_a, Role.OPERATOR)
    monkeypatch.setattr(workflow.events, "ticket_assigned", slow(events, "ticket_assigned"))
    url = f"/tickets/{ticket.pk}/assign/"

    answers = run_together(
        lambda: _browser(cast.supervisor).post(url, {"assignee": cast.operator.pk, "expected": ""}, follow=True),
        lambda: _browser(second_supervisor).post(url, {"assignee": other_operator.pk, "expected": ""}, follow=True),
    )

    owner = Ticket.objects.get(pk=ticket.pk).assignee
    assert owner in (cast.operator, other_operator)
    said = sorted(m for a in answers for m in _messages(a))
    assert said == sorted(
        [
            f"Assigned to {owner.username}.",
            f"{owner.username} took it meanwhile.",
        ]
    )
    assert Event.objects.filter(kind="ticket.assigned").count() == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == [owner.username]


def test_a_claim_and_an_assignment_at_once_leave_one_owner(cast, monkeypatch):
    ticket = make_ticket(cast.brand_a)
    monkeypatch.setattr(workflow.events, "ticket_claimed", slow(events, "ticket_claimed"))
    monkeypatch.setattr(workflow.events, "ticket_assigned", slow(events, "ticket_assigned"))

    results = run_together(
        lambda: workflow.claim_ticket(ticket=ticket, user=cast.operator),
        lambda: workflow.assign_ticket(
            ticket=ticket, user=cast.supervisor, assignee=cast.supervisor, expected_assignee_id=workflow.NOBODY
        ),
    )

    failures = [r for r in results if isinstance(r, Exception)]
    assert [type(f) for f in failures] == [workflow.ClaimConflict], results
    kinds = sorted(Event.objects.filter(kind__in=["ticket.claimed", "ticket.assigned"]).values_list("kind", flat=True))
    assert len(kinds) == 1
    owner = Ticket.objects.get(pk=ticket.pk).assignee
    assert owner == (cast.operator if kinds == ["ticket.claimed"] else cast.supervisor)
