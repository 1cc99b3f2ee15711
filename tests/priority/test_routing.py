"""Routing modes, online status, language and skills, capacity, idle owners and `Get next` (docs/priority.md)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from brands.models import Membership, Priority, Role
from tests.factories import make_member, make_normalized, make_ticket, make_user
from tests.priority.conftest import make_online
from tickets.models import Event, Ticket, TicketStatus
from tickets.services import assignment, ingest, workflow

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def route(brand, mode: str, **fields) -> None:
    brand.routing_mode = mode
    for name, value in fields.items():
        setattr(brand, name, value)
    brand.save()


def arrive(brand, n: int = 1, *, now=T0, language: str = "", text: str = "Halo, paket saya belum sampai", **kw):
    """``n`` new tickets of different authors; returns their assignees' usernames (None: unassigned)."""
    names = []
    for i in range(n):
        item = make_normalized(
            brand, author_id=f"a-{now.timestamp()}-{i}", language=language, text=f"{text} #{i}", **kw
        )
        ticket = Ticket.objects.get(
            pk=ingest.ingest_mentions(items=[item], now=now + timedelta(seconds=i))[0].ticket_id
        )
        names.append(ticket.assignee.username if ticket.assignee else None)
    return names


@pytest.fixture
def team(cast):
    """Brand A's operator plus two more operators, all online."""
    op2, op3 = make_user("op_a2"), make_user("op_a3")
    make_member(op2, cast.brand_a, Role.OPERATOR)
    make_member(op3, cast.brand_a, Role.OPERATOR)
    make_online(cast.operator, op2, op3, at=T0)
    return [cast.operator, op2, op3]


def test_claim_only_assigns_nobody(cast, team):
    assert arrive(cast.brand_a, 2) == [None, None]


def test_round_robin_takes_turns_and_records_the_event(cast, team):
    route(cast.brand_a, "round_robin")
    assert arrive(cast.brand_a, 4) == ["op_a", "op_a2", "op_a3", "op_a"]
    ticket = Ticket.objects.filter(assignee=cast.operator).order_by("pk").first()
    assert (ticket.status, ticket.claimed_at) == (TicketStatus.OPEN, T0)
    event = ticket.events.get(kind="ticket.auto_assigned")
    assert (event.actor, event.data) == (None, {"after": "op_a", "mode": "round_robin"})
    assert Membership.objects.get(user=cast.operator, brand=cast.brand_a).last_assigned_at == T0 + timedelta(seconds=3)


def test_only_operators_seen_recently_get_tickets(cast, team, settings):
    settings.SMRC_ONLINE_MINUTES = 5
    route(cast.brand_a, "round_robin")
    make_online(team[1], at=T0 - timedelta(minutes=6))
    make_online(team[2], at=T0 - timedelta(minutes=4))
    assert arrive(cast.brand_a, 3) == ["op_a", "op_a3", "op_a"]


def test_nobody_online_leaves_the_ticket_in_the_queue(cast, team):
    route(cast.brand_a, "load")
    make_online(*team, at=T0 - timedelta(hours=1))
    assert arrive(cast.brand_a) == [None]


def test_supervisors_managers_and_other_brands_operators_are_not_routed(cast):
    route(cast.brand_a, "round_robin")
    make_online(cast.supervisor, cast.manager, cast.operator_b, at=T0)
    assert arrive(cast.brand_a) == [None]


def test_load_based_gives_the_least_loaded_operator(cast, team):
    for _ in range(2):
        workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id=f"x-{_}", now=T0), user=cast.operator)
    workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="y", now=T0), user=team[1])
    route(cast.brand_a, "load")
    # loads: op_a 2, op_a2 1, op_a3 0 → op_a3, then op_a2 / op_a3 tie (1 each): op_a2 was assigned longest ago
    assert arrive(cast.brand_a, 3, now=T0 + timedelta(minutes=1)) == ["op_a3", "op_a2", "op_a3"]


def test_capacity_stops_assignment(cast, team):
    route(cast.brand_a, "round_robin", operator_capacity=1)
    assert arrive(cast.brand_a, 4) == ["op_a", "op_a2", "op_a3", None]


def test_language_must_match_when_the_operator_has_languages(cast, team):
    route(cast.brand_a, "round_robin")
    Membership.objects.filter(user=team[0]).update(languages="id")
    Membership.objects.filter(user=team[1]).update(languages="en")
    Membership.objects.filter(user=team[2]).update(languages="id,en")
    assert arrive(cast.brand_a, 2, language="en") == ["op_a2", "op_a3"]
    assert arrive(cast.brand_a, 2, language="id", now=T0 + timedelta(minutes=1)) == ["op_a", "op_a3"]


def test_skill_tags_matching_the_urgency_labels_come_first(cast, team, monkeypatch):
    route(cast.brand_a, "round_robin")
    Membership.objects.filter(user=team[2]).update(skills="legal, fraud")
    assert arrive(cast.brand_a, 2, text="Saya akan somasi kalian") == ["op_a3", "op_a3"]
    assert arrive(cast.brand_a, 1, text="halo", now=T0 + timedelta(minutes=1)) == ["op_a"]


def test_ignored_tickets_are_not_assigned(cast, team):
    route(cast.brand_a, "round_robin")
    assert arrive(cast.brand_a, text="slot gacor maxwin") == [None]


# --- idle owners ----------------------------------------------------------------------------------------------


def test_an_idle_owner_is_unassigned_with_an_event(cast, team):
    route(cast.brand_a, "round_robin", idle_owner_minutes=30)
    arrive(cast.brand_a, 2)  # op_a and op_a2 at T0
    busy = Ticket.objects.get(assignee=team[1])
    workflow.add_note(ticket=busy, user=team[1], body="checking")  # an action now (after T0)
    Event.objects.filter(kind="note.added").update(created_at=T0 + timedelta(minutes=20))
    assert assignment.unassign_idle_owners(now=T0 + timedelta(minutes=29)) == 0
    assert assignment.unassign_idle_owners(now=T0 + timedelta(minutes=31)) == 1
    idle = Ticket.objects.get(events__kind="ticket.idle_unassigned")
    assert (idle.assignee, idle.status) == (None, TicketStatus.NEW)
    assert idle.events.get(kind="ticket.idle_unassigned").data == {"previous_assignee": "op_a", "minutes": 30}
    assert Ticket.objects.get(pk=busy.pk).assignee == team[1]
    assert assignment.unassign_idle_owners(now=T0 + timedelta(minutes=51)) == 1  # op_a2: 31 min after the note


def test_idle_owners_are_kept_where_the_brand_has_no_timeout_and_pending_tickets_wait(cast, team):
    ticket = make_ticket(cast.brand_a, now=T0)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    assert assignment.unassign_idle_owners(now=T0 + timedelta(days=3)) == 0
    route(cast.brand_a, "claim", idle_owner_minutes=10)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.PENDING)
    assert assignment.unassign_idle_owners(now=T0 + timedelta(days=3)) == 0


def test_the_beat_schedule_runs_the_idle_sweep(settings):
    from smrc.celery import app

    assert assignment.unassign_idle_owners_task.name == "tickets.tasks.unassign_idle_owners_task"
    entry = settings.CELERY_BEAT_SCHEDULE["unassign-idle-owners"]
    assert entry == {"task": "tickets.tasks.unassign_idle_owners_task", "schedule": 60.0}
    assert entry["task"] in app.tasks


# --- Get next -------------------------------------------------------------------------------------------------


def test_get_next_takes_the_most_urgent_in_queue_order(cast):
    normal = make_ticket(cast.brand_a, author_id="u-1", now=T0)
    urgent = make_ticket(cast.brand_a, author_id="u-2", now=T0 + timedelta(minutes=5))
    workflow.change_priority(ticket=urgent, user=cast.supervisor, priority=Priority.URGENT, now=T0)
    make_ticket(cast.brand_b, author_id="u-3", now=T0 - timedelta(hours=1))
    assert assignment.take_next(user=cast.operator, now=T0 + timedelta(minutes=6)).pk == urgent.pk
    assert assignment.take_next(user=cast.operator, now=T0 + timedelta(minutes=6)).pk == normal.pk
    assert assignment.take_next(user=cast.operator) is None
    assert Ticket.objects.get(pk=urgent.pk).assignee == cast.operator
    assert list(Ticket.objects.get(pk=urgent.pk).events.values_list("kind", flat=True).order_by("pk"))[-1] == (
        "ticket.claimed"
    )


def test_get_next_respects_languages_and_roles(cast):
    english = make_ticket(cast.brand_a, author_id="u-1", language="en", now=T0)
    Membership.objects.filter(user=cast.operator).update(languages="id")
    assert assignment.take_next(user=cast.operator) is None
    assert assignment.take_next(user=cast.manager) is None  # read-only role
    assert assignment.take_next(user=cast.outsider) is None
    assert assignment.take_next(user=cast.operator_b) is None  # another brand's ticket
    assert assignment.take_next(user=cast.supervisor).pk == english.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tickets", [2, 1])
def test_two_operators_pressing_get_next_at_once_get_different_tickets(cast, tickets):
    op2 = make_user("op_a2")
    make_member(op2, cast.brand_a, Role.OPERATOR)
    made = {make_ticket(cast.brand_a, author_id=f"u-{i}", now=T0 + timedelta(minutes=i)).pk for i in range(tickets)}
    barrier = threading.Barrier(2)
    got: dict[str, int | None] = {}
    errors: list[BaseException] = []

    def press(user):
        try:
            barrier.wait(timeout=10)
            ticket = assignment.take_next(user=user)
            got[user.username] = ticket.pk if ticket else None
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(u,)) for u in (cast.operator, op2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    taken = [pk for pk in got.values() if pk is not None]
    assert sorted(taken) == sorted(made)  # each ticket once: different tickets, or one gets none
    assert len(got) == 2
    assignees = {t.assignee_id for t in Ticket.objects.filter(pk__in=made)}
    if tickets == 2:
        assert assignees == {cast.operator.pk, op2.pk}
    else:
        assert sorted(got.values(), key=lambda v: v is None) == [next(iter(made)), None]
        assert assignees < {cast.operator.pk, op2.pk}


def test_an_idle_owners_ticket_goes_to_another_online_operator_where_the_brand_routes(cast, team):
    route(cast.brand_a, "round_robin", idle_owner_minutes=30)
    arrive(cast.brand_a)  # op_a at T0
    later = T0 + timedelta(minutes=31)
    make_online(*team, at=later)
    assert assignment.unassign_idle_owners(now=later) == 1
    ticket = Ticket.objects.get()
    assert (ticket.assignee.username, ticket.status) == ("op_a2", TicketStatus.OPEN)  # never op_a again
    assert [e.kind for e in ticket.events.order_by("pk")][-2:] == ["ticket.idle_unassigned", "ticket.auto_assigned"]


def test_one_batch_assigns_in_turn_as_its_items_one_at_a_time(cast, team):
    """Each new ticket of a batch is assigned against the load and turns the earlier ones left; the author
    writing again in the same batch joins their assigned ticket."""
    route(cast.brand_a, "load", operator_capacity=2)
    items = [
        make_normalized(cast.brand_a, author_id=f"b-{i}", text=f"Halo, paket saya belum sampai #{i}") for i in range(5)
    ]
    items.append(make_normalized(cast.brand_a, author_id="b-0", text="Halo? masih belum"))
    results = ingest.ingest_mentions(items=items, now=T0)
    tickets = [Ticket.objects.get(pk=r.ticket_id) for r in results]
    assert [t.assignee.username for t in tickets] == ["op_a", "op_a2", "op_a3", "op_a", "op_a2", "op_a"]
    assert results[5].ticket_id == results[0].ticket_id
    assert event_kinds_of(tickets[0]) == ["ticket.created", "ticket.auto_assigned", "mention.added"]
    assert (tickets[0].status, tickets[0].mention_count) == (TicketStatus.OPEN, 2)


def event_kinds_of(ticket) -> list[str]:
    return list(ticket.events.order_by("pk").values_list("kind", flat=True))
