"""An operator's open load has one definition (``services.assignment.open_load`` / ``LOAD_STATUSES``: the
brand's tickets they own that are new, open or pending), counted the same by the team view (per brand and over the
brands shown), the teammate picker and automatic assignment; and the team view's assign list orders a ticket's
people by their load in that ticket's brand, as the picker does."""

import re

import pytest
from django.utils import timezone

from brands.models import Presence, Role
from tests.factories import make_member, make_ticket, make_user
from tickets.models import Ticket, TicketStatus
from tickets.selectors.team import shift
from tickets.selectors.teammates import teammates_of
from tickets.services import assignment

pytestmark = pytest.mark.django_db


def _owned(brand, user, status, n):
    for _ in range(n):
        key = f"load-{Ticket.objects.count()}"
        ticket = make_ticket(brand, platform_id=key, author_id=key)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=user, status=status)  # the counts read the columns


@pytest.fixture
def loads(cast):
    """op_a works both brands: in A 1 new, 1 open, 1 pending (3) and 2 resolved, 1 ignored (not load); in B 4
    open. op_a2 works A only: 2 open."""
    make_member(cast.operator, cast.brand_b, Role.OPERATOR)
    second = make_user("op_a2")
    make_member(second, cast.brand_a, Role.OPERATOR)
    for user in (cast.operator, second):
        Presence.objects.create(user=user, last_seen_at=timezone.now())
    for status, n in ((TicketStatus.NEW, 1), (TicketStatus.OPEN, 1), (TicketStatus.PENDING, 1),
                      (TicketStatus.RESOLVED, 2), (TicketStatus.IGNORED, 1)):  # fmt: skip
        _owned(cast.brand_a, cast.operator, status, n)
    _owned(cast.brand_b, cast.operator, TicketStatus.OPEN, 4)
    _owned(cast.brand_a, second, TicketStatus.OPEN, 2)
    return second


def test_the_team_view_the_picker_and_assignment_count_the_same_load(cast, loads):
    now = timezone.now()
    members = {m.name: m for m in shift([cast.brand_a, cast.brand_b], now=now).members}
    picker = {(brand_id, t.name): t.load for brand_id, people in
              teammates_of([cast.brand_a.pk, cast.brand_b.pk], now=now).items() for t in people}  # fmt: skip
    candidates = {
        c.membership.user.username: c.load
        for c in assignment.candidates(brand=cast.brand_a, language="", skills=set(), now=now)
    }
    assert (members["op_a"].load_in(cast.brand_a.pk), members["op_a"].load_in(cast.brand_b.pk)) == (3, 4)
    assert members["op_a"].load == 7  # over the brands shown
    assert members["op_a2"].load_in(cast.brand_a.pk) == 2
    assert picker[(cast.brand_a.pk, "op_a")] == 3
    assert picker[(cast.brand_b.pk, "op_a")] == 4
    assert picker[(cast.brand_a.pk, "op_a2")] == 2
    assert candidates == {"op_a": 3, "op_a2": 2}
    # one team view of brand A alone counts brand A only
    (alone,) = [m for m in shift([cast.brand_a], now=now).members if m.name == "op_a"]
    assert (alone.load, alone.load_by_brand) == (3, {cast.brand_a.pk: 3})


def test_the_assign_list_orders_by_the_load_in_the_tickets_brand(cast, loads, browser):
    """op_a has 7 tickets over both brands but 3 in A; op_a2 has 4, all in A: for a ticket of A, op_a comes first
    and each shows their load in A (a total over the brands would have put op_a2 first)."""
    _owned(cast.brand_a, loads, TicketStatus.OPEN, 2)  # op_a2: 4 in A, fewer than op_a's 7 in all, more than 3
    waiting = make_ticket(cast.brand_a, author_id="late", platform_id="late")
    Ticket.objects.filter(pk=waiting.pk).update(due_at=timezone.now())
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    page = browser(cast.supervisor).get("/team/").content.decode()
    form = page.split(f'action="/tickets/{waiting.pk}/assign/"', 1)[1].split("</form>", 1)[0]
    options = [re.sub(r"\s+", " ", o.split(">", 1)[1].split("</option", 1)[0]) for o in form.split("<option")[1:]]
    assert options[:2] == ["op_a · online · 3 active", "op_a2 · online · 4 active"]
