"""tickets.services.workflow: claim, release, resolve, reopen, close, priority, notes, and who may act."""

from datetime import UTC, datetime, timedelta

import pytest

from brands.models import Priority, Role
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import db_state, event_kinds
from tickets.models import Event, Note, TicketStatus
from tickets.services import delivery, replies, workflow
from tickets.services.workflow import ClaimConflict, WorkflowError

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def ticket(cast):
    return make_ticket(cast.brand_a, now=T0)


@pytest.fixture
def colleague(cast):
    """A second operator of brand A."""
    user = make_user("op_a2")
    make_member(user, cast.brand_a, Role.OPERATOR)
    return user


@pytest.fixture
def claimed(cast, ticket):
    return workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0 + timedelta(minutes=5))


# --- claim --------------------------------------------------------------------------------------------------


def test_claim_makes_the_user_the_assignee(cast, ticket):
    result = workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0 + timedelta(minutes=5))
    ticket.refresh_from_db()
    assert result == ticket
    assert (ticket.status, ticket.assignee, ticket.claimed_at) == (
        TicketStatus.OPEN,
        cast.operator,
        T0 + timedelta(minutes=5),
    )
    assert ticket.due_at == T0 + timedelta(minutes=60)
    event = Event.objects.get(kind="ticket.claimed")
    assert (event.actor, event.ticket, event.data) == (cast.operator, ticket, {"assignee": "op_a"})


def test_a_second_claim_is_told_who_won_and_changes_nothing(cast, claimed):
    before = db_state()
    with pytest.raises(ClaimConflict, match="^op_a claimed this ticket first.$"):
        workflow.claim_ticket(ticket=claimed, user=cast.supervisor)
    assert db_state() == before


def test_claiming_your_own_ticket_again_says_so(cast, claimed):
    before = db_state()
    with pytest.raises(ClaimConflict, match="^You already own this ticket.$"):
        workflow.claim_ticket(ticket=claimed, user=cast.operator)
    assert db_state() == before


def test_a_resolved_ticket_cannot_be_claimed(cast, ticket):
    workflow.resolve_ticket(ticket=ticket, user=cast.operator, now=T0)
    before = db_state()
    with pytest.raises(ClaimConflict, match="^A Resolved ticket cannot be claimed.$"):
        workflow.claim_ticket(ticket=ticket, user=cast.operator)
    assert db_state() == before


def test_a_stale_ticket_object_cannot_win_a_claim(cast, ticket):
    """The claim is a compare-and-set on the row, not on the caller's copy."""
    stale = type(ticket).objects.get(pk=ticket.pk)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    assert stale.assignee_id is None
    with pytest.raises(ClaimConflict, match="^op_a claimed this ticket first.$"):
        workflow.claim_ticket(ticket=stale, user=cast.supervisor)
    ticket.refresh_from_db()
    assert ticket.assignee == cast.operator


def test_a_reclaim_keeps_the_first_claim_time(cast, claimed):
    workflow.release_ticket(ticket=claimed, user=cast.operator)
    workflow.claim_ticket(ticket=claimed, user=cast.supervisor, now=T0 + timedelta(hours=2))
    claimed.refresh_from_db()
    assert (claimed.assignee, claimed.claimed_at) == (cast.supervisor, T0 + timedelta(minutes=5))


# --- release ------------------------------------------------------------------------------------------------


def test_release_gives_the_ticket_back_to_the_queue(cast, claimed):
    workflow.release_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(minutes=6))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.assignee) == (TicketStatus.NEW, None)
    event = Event.objects.get(kind="ticket.released")
    assert (event.actor, event.data) == (cast.operator, {"previous_assignee": "op_a"})


def test_a_supervisor_may_release_someone_elses_ticket(cast, claimed):
    workflow.release_ticket(ticket=claimed, user=cast.supervisor)
    claimed.refresh_from_db()
    assert claimed.assignee is None
    assert Event.objects.get(kind="ticket.released").actor == cast.supervisor


def test_another_operator_may_not_release_it(cast, claimed, colleague):
    before = db_state()
    with pytest.raises(WorkflowError, match="^This ticket is assigned to op_a.$"):
        workflow.release_ticket(ticket=claimed, user=colleague)
    assert db_state() == before


def test_releasing_an_unowned_ticket_is_refused(cast, ticket):
    before = db_state()
    with pytest.raises(WorkflowError, match="^Nobody owns this ticket.$"):
        workflow.release_ticket(ticket=ticket, user=cast.operator)
    assert db_state() == before


# --- resolve and reopen -------------------------------------------------------------------------------------


def test_resolve_stops_the_clocks(cast, claimed):
    workflow.resolve_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(minutes=30))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.resolved_at, claimed.due_at) == (
        TicketStatus.RESOLVED,
        T0 + timedelta(minutes=30),
        None,
    )
    event = Event.objects.get(kind="ticket.resolved")
    assert (event.actor, event.data) == (cast.operator, {"before": "open", "after": "resolved"})


def test_resolving_a_pending_ticket_counts_the_paused_time(cast, claimed):
    reply = replies.send_reply(ticket=claimed, user=cast.operator, body="Sudah beres", now=T0 + timedelta(minutes=6))
    delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=10))
    workflow.resolve_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(minutes=40))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.pending_since, claimed.paused_seconds) == (TicketStatus.RESOLVED, None, 30 * 60)
    assert claimed.resolution_due_at == T0 + timedelta(hours=24, minutes=30)


def test_an_unowned_ticket_may_be_resolved_by_any_operator(cast, ticket):
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.RESOLVED, None)


def test_only_the_assignee_or_a_supervisor_resolves(cast, claimed, colleague):
    before = db_state()
    with pytest.raises(WorkflowError, match="^This ticket is assigned to op_a.$"):
        workflow.resolve_ticket(ticket=claimed, user=colleague)
    assert db_state() == before
    workflow.resolve_ticket(ticket=claimed, user=cast.supervisor)
    claimed.refresh_from_db()
    assert claimed.status == TicketStatus.RESOLVED


def test_a_resolved_ticket_cannot_be_resolved_again(cast, claimed):
    workflow.resolve_ticket(ticket=claimed, user=cast.operator)
    before = db_state()
    with pytest.raises(WorkflowError, match="^A Resolved ticket cannot become Resolved.$"):
        workflow.resolve_ticket(ticket=claimed, user=cast.operator)
    assert db_state() == before


def test_reopen_puts_an_owned_ticket_back_to_open(cast, claimed):
    workflow.resolve_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(minutes=30))
    workflow.reopen_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(minutes=45))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.assignee, claimed.resolved_at) == (TicketStatus.OPEN, cast.operator, None)
    assert claimed.due_at == T0 + timedelta(minutes=60)
    event = Event.objects.get(kind="ticket.reopened")
    assert (event.actor, event.data) == (cast.operator, {"before": "resolved", "after": "open"})


def test_reopen_puts_an_unowned_ticket_back_to_new(cast, ticket):
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    workflow.reopen_ticket(ticket=ticket, user=cast.supervisor)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (TicketStatus.NEW, None)


def test_a_closed_ticket_can_be_reopened(cast, claimed):
    workflow.resolve_ticket(ticket=claimed, user=cast.operator, now=T0)
    workflow.close_quiet_tickets(older_than=T0 + timedelta(hours=1), now=T0 + timedelta(days=3))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.closed_at) == (TicketStatus.CLOSED, T0 + timedelta(days=3))
    workflow.reopen_ticket(ticket=claimed, user=cast.operator, now=T0 + timedelta(days=4))
    claimed.refresh_from_db()
    assert (claimed.status, claimed.closed_at, claimed.resolved_at) == (TicketStatus.OPEN, None, None)


def test_only_a_resolved_or_closed_ticket_can_be_reopened(cast, claimed):
    before = db_state()
    with pytest.raises(WorkflowError, match="^Only a resolved or closed ticket can be reopened.$"):
        workflow.reopen_ticket(ticket=claimed, user=cast.operator)
    assert db_state() == before


def test_close_quiet_tickets_closes_only_old_resolved_tickets(cast):
    old = make_ticket(cast.brand_a, now=T0, author_id="u-1")
    recent = make_ticket(cast.brand_a, now=T0, author_id="u-2")
    active = make_ticket(cast.brand_a, now=T0, author_id="u-3")
    workflow.resolve_ticket(ticket=old, user=cast.operator, now=T0)
    workflow.resolve_ticket(ticket=recent, user=cast.operator, now=T0 + timedelta(hours=10))

    assert workflow.close_quiet_tickets(older_than=T0 + timedelta(hours=1), now=T0 + timedelta(hours=20)) == 1

    statuses = {t.pk: t.status for t in type(old).objects.all()}
    assert statuses == {old.pk: "closed", recent.pk: "resolved", active.pk: "new"}
    event = Event.objects.get(kind="ticket.closed")
    assert (event.ticket_id, event.actor, event.data) == (old.pk, None, {"before": "resolved", "after": "closed"})


# --- priority -----------------------------------------------------------------------------------------------


def test_change_priority_recomputes_the_due_times(cast, ticket):
    workflow.change_priority(ticket=ticket, user=cast.supervisor, priority=Priority.URGENT)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    # DEFAULT_TARGETS for URGENT: first response 15 min, resolution 4 h, counted from receipt
    assert ticket.first_response_due_at == T0 + timedelta(minutes=15)
    assert ticket.resolution_due_at == T0 + timedelta(hours=4)
    assert ticket.due_at == T0 + timedelta(minutes=15)
    event = Event.objects.get(kind="ticket.priority_changed")
    assert (event.actor, event.data) == (cast.supervisor, {"before": 2, "after": 4})


def test_the_same_priority_changes_nothing(cast, ticket):
    before = db_state()
    workflow.change_priority(ticket=ticket, user=cast.supervisor, priority=Priority.NORMAL)
    assert db_state() == before


# --- notes --------------------------------------------------------------------------------------------------


def test_a_note_is_stored_stripped_with_its_event(cast, ticket):
    note = workflow.add_note(ticket=ticket, user=cast.operator, body="  Pelanggan VIP, hati-hati  ")
    assert (note.body, note.author, note.ticket, note.brand) == (
        "Pelanggan VIP, hati-hati",
        cast.operator,
        ticket,
        cast.brand_a,
    )
    event = Event.objects.get(kind="note.added")
    assert (event.actor, event.data, event.created_at) == (
        cast.operator,
        {"note_id": note.pk, "visibility": "team"},
        note.created_at,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "A note cannot be empty."),
        ("   \n ", "A note cannot be empty."),
        ("x" * 5001, "A note can be at most 5000 characters."),
    ],
)
def test_an_empty_or_overlong_note_is_refused(cast, ticket, body, message):
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        workflow.add_note(ticket=ticket, user=cast.operator, body=body)
    assert str(exc.value) == message
    assert db_state() == before


def test_a_note_of_exactly_the_limit_is_accepted(cast, ticket):
    workflow.add_note(ticket=ticket, user=cast.operator, body="x" * 5000)
    assert Note.objects.get().body == "x" * 5000


def test_the_timeline_of_a_worked_ticket(cast, ticket):
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    workflow.add_note(ticket=ticket, user=cast.operator, body="cek resi")
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    workflow.reopen_ticket(ticket=ticket, user=cast.operator)
    workflow.release_ticket(ticket=ticket, user=cast.operator)
    assert event_kinds(ticket) == [
        "ticket.created",
        "ticket.claimed",
        "note.added",
        "ticket.resolved",
        "ticket.reopened",
        "ticket.released",
    ]


def test_an_operator_cannot_reopen_a_colleagues_ticket(cast):
    from tests.factories import make_member, make_ticket, make_user
    from tickets.models import TicketStatus
    from tickets.services import workflow

    colleague = make_user("op_a2")
    make_member(colleague, cast.brand_a, "operator")
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    with pytest.raises(workflow.WorkflowError, match="This ticket is assigned to op_a"):
        workflow.reopen_ticket(ticket=ticket, user=colleague)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert workflow.reopen_ticket(ticket=ticket, user=cast.supervisor).status == TicketStatus.OPEN
