"""Races of the workspace on SQLite and PostgreSQL: a bulk action against a claim, two assignments of one ticket,
two bulk resolves of the same rows, two links of one customer. Each thread has its own connection, released at the
same instant (``run_together``); the first's event is slowed so its transaction is still open when the second
arrives. On PostgreSQL the second waits on the ticket's row lock, on SQLite on the writer lock (``BEGIN
IMMEDIATE``); either way it then reads the first's commit and is skipped or refused, never overwriting it.
Exact counts of what a double would duplicate: ownership events, notifications, status events, links."""

import pytest

from brands.models import Role
from tests.concurrency.test_races import run_together, slow
from tests.factories import make_member, make_ticket, make_user
from tickets.models import Event, LinkedIdentity, Notification, Ticket
from tickets.services import bulk, customers, workflow
from tickets.services.bulk import Selected

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def teammate(cast):
    user = make_user("op_a2")
    make_member(user, cast.brand_a, Role.OPERATOR)
    return user


def ownership_events(ticket) -> list[str]:
    return list(
        Event.objects.filter(ticket=ticket, kind__in=["ticket.claimed", "ticket.assigned"]).values_list(
            "kind", flat=True
        )
    )


def test_a_bulk_assign_and_a_claim_at_once_one_takes_the_ticket_the_other_is_skipped(cast, teammate, monkeypatch):
    ticket = make_ticket(cast.brand_a)
    monkeypatch.setattr(workflow.events, "ticket_claimed", slow(workflow.events, "ticket_claimed"))
    monkeypatch.setattr(workflow.events, "ticket_assigned", slow(workflow.events, "ticket_assigned"))
    claim, assigned = run_together(
        lambda: workflow.claim_ticket(ticket=ticket, user=cast.operator),
        lambda: bulk.apply(
            user=cast.supervisor, selection=[Selected(ticket.pk, workflow.NOBODY)], action="assign", assignee=teammate
        ),
    )
    current = Ticket.objects.get(pk=ticket.pk)
    assert len(ownership_events(ticket)) == 1
    if isinstance(claim, Ticket):  # the claim went first: the bulk row is skipped with who took it
        assert current.assignee == cast.operator
        assert (assigned.done, assigned.skipped) == ([], [(f"T-{ticket.pk}", "op_a took it meanwhile.")])
        assert Notification.objects.count() == 0
    else:  # the assignment went first: the claim is told
        assert isinstance(claim, workflow.ClaimConflict), claim
        assert current.assignee == teammate
        assert assigned.done == [f"T-{ticket.pk}"]
        assert Notification.objects.filter(user=teammate).count() == 1


def test_two_supervisors_assigning_one_ticket_at_once_only_the_first_counts(cast, teammate, monkeypatch):
    second = make_user("sup_a2")
    make_member(second, cast.brand_a, Role.SUPERVISOR)
    ticket = make_ticket(cast.brand_a)
    monkeypatch.setattr(workflow.events, "ticket_assigned", slow(workflow.events, "ticket_assigned"))
    results = run_together(
        lambda: workflow.assign_ticket(ticket=ticket, user=cast.supervisor, assignee=teammate, expected_assignee_id=0),
        lambda: workflow.assign_ticket(ticket=ticket, user=second, assignee=cast.operator, expected_assignee_id=0),
    )
    won = [r for r in results if isinstance(r, Ticket)]
    lost = [r for r in results if isinstance(r, workflow.ClaimConflict)]
    assert (len(won), len(lost)) == (1, 1), results
    winner = Ticket.objects.get(pk=ticket.pk).assignee
    assert str(lost[0]) == f"{winner.username} took it meanwhile."
    assert ownership_events(ticket) == ["ticket.assigned"]
    assert list(Notification.objects.values_list("user", flat=True)) == [winner.pk]


def test_two_bulk_resolves_of_the_same_rows_resolve_each_ticket_once(cast, monkeypatch):
    tickets = [make_ticket(cast.brand_a, author_id=f"r{i}") for i in range(3)]
    selection = [Selected(t.pk, workflow.NOBODY) for t in tickets]
    monkeypatch.setattr(workflow.events, "status_changed", slow(workflow.events, "status_changed", 0.1))
    first, second = run_together(
        lambda: bulk.apply(user=cast.supervisor, selection=selection, action="resolve"),
        lambda: bulk.apply(user=cast.operator, selection=selection, action="resolve"),
    )
    assert sorted(first.done + second.done) == sorted(f"T-{t.pk}" for t in tickets)
    assert {why for _ref, why in first.skipped + second.skipped} <= {"A Resolved ticket cannot become Resolved."}
    assert Event.objects.filter(kind="ticket.resolved").count() == 3
    assert set(Ticket.objects.values_list("status", flat=True)) == {"resolved"}


def test_two_links_of_one_customer_at_once_make_one_person(cast, monkeypatch):
    ticket = make_ticket(cast.brand_a, platform_id="x", author_id="budi-x", handle="budi")
    make_ticket(cast.brand_a, platform="instagram", platform_id="ig", author_id="budi-ig", handle="budi.ig")
    make_ticket(cast.brand_a, platform="youtube", platform_id="yt", author_id="UCbudi", handle="budi_yt")
    monkeypatch.setattr(customers.events, "customer_linked", slow(customers.events, "customer_linked"))
    results = run_together(
        lambda: customers.link(ticket=ticket, user=cast.operator, platform="instagram", handle="budi.ig"),
        lambda: customers.link(ticket=ticket, user=cast.supervisor, platform="youtube", handle="budi_yt"),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert LinkedIdentity.objects.count() == 3
    assert len(set(LinkedIdentity.objects.values_list("person", flat=True))) == 1
    assert Event.objects.filter(kind="customer.linked").count() == 2
