"""The SLA engine: due times in business time, pauses, and the warning / escalation scan (exactly once)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from brands.models import Priority, Role, SlaPolicy
from brands.services.sla import DEFAULT_TARGETS
from brands.services.sla.business_hours import calendar_for, forget_calendar, set_business_hours
from tests.factories import make_member, make_ticket, make_user
from tickets.models import Event, Notification, Ticket, TicketStatus
from tickets.services import replies, sla, workflow

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args):
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def office_brand(cast):
    """Brand A on 09:00–17:00 WIB Monday to Friday, with 2026-11-23 as its own holiday."""
    brand = cast.brand_a
    brand.round_the_clock = False
    brand.holiday_country = "ID"
    brand.save()
    set_business_hours(brand=brand, periods={day: [(time(9), time(17))] for day in range(5)})
    brand.holidays.create(date=date(2026, 11, 23), name="Tutup buku")
    forget_calendar(brand.pk)
    return brand


def test_defaults_count_calendar_time_round_the_clock(cast):
    received = wib(2026, 11, 21, 23)  # a Saturday night
    ticket = make_ticket(cast.brand_a, now=received)
    assert ticket.first_response_due_at == received + timedelta(hours=1)
    assert ticket.resolution_due_at == received + timedelta(hours=24)
    assert ticket.due_at == ticket.first_response_due_at
    assert DEFAULT_TARGETS[Priority.NORMAL].first_response == timedelta(hours=1)


def test_first_response_is_due_in_business_time_across_a_weekend_and_a_holiday(office_brand):
    ticket = make_ticket(office_brand, now=wib(2026, 11, 20, 16, 30))  # Friday 16:30
    # 30 minutes on Friday, Monday the 23rd closed, the other 30 minutes on Tuesday.
    assert ticket.first_response_due_at == wib(2026, 11, 24, 9, 30)
    # 24 business hours: 0.5 h Friday, then Tue 8 h, Wed 8 h, Thu 7.5 h.
    assert ticket.resolution_due_at == wib(2026, 11, 26, 16, 30)


def test_public_holidays_come_from_the_library(office_brand):
    calendar = calendar_for(office_brand)
    assert date(2026, 8, 17) in calendar.closed_dates  # Independence Day
    assert date(2026, 11, 23) in calendar.closed_dates  # the brand's own day


def test_the_brand_policy_overrides_the_default(cast):
    SlaPolicy.objects.create(
        brand=cast.brand_a,
        priority=Priority.NORMAL,
        first_response_minutes=5,
        next_response_minutes=10,
        resolution_minutes=120,
    )
    sla.forget_targets(cast.brand_a.pk)
    received = wib(2026, 11, 19, 10)
    ticket = make_ticket(cast.brand_a, now=received)
    assert ticket.first_response_due_at == received + timedelta(minutes=5)
    assert ticket.resolution_due_at == received + timedelta(minutes=120)


def test_pending_pauses_resolution_by_the_business_time_spent_waiting(
    office_brand, cast, django_capture_on_commit_callbacks
):
    with time_machine.travel(wib(2026, 11, 19, 9), tick=False):
        ticket = make_ticket(office_brand, author_id="c1")
    with time_machine.travel(wib(2026, 11, 19, 9, 10), tick=False):
        ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with time_machine.travel(wib(2026, 11, 19, 16, 20), tick=False), django_capture_on_commit_callbacks(execute=True):
        replies.send_reply(ticket=ticket, user=cast.operator, body="Halo kak")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.due_at) == (TicketStatus.PENDING, None)
    # The customer answers on Friday at 10:20: 0:40 Thursday + 1:20 Friday = 2 business hours paused.
    with time_machine.travel(wib(2026, 11, 20, 10, 20), tick=False):
        make_ticket(office_brand, author_id="c1")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.paused_business_seconds == 2 * 3600
    assert ticket.paused_seconds == 18 * 3600
    # The next response is due an hour of business time after the customer wrote.
    assert ticket.next_response_due_at == wib(2026, 11, 20, 11, 20)
    # Resolution: 24 business hours from Thursday 09:00 plus the 2 paused → Wednesday 11:00 (Monday closed).
    assert ticket.resolution_due_at == wib(2026, 11, 25, 11)
    assert ticket.due_at == ticket.next_response_due_at


def test_a_late_reply_leaves_first_response_breached_in_the_clock_fields(cast):
    received = wib(2026, 11, 19, 10)
    ticket = make_ticket(cast.brand_a, now=received)
    ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator, now=received)
    assert ticket.first_response_due_at == received + timedelta(hours=1)


# --- the scan ----------------------------------------------------------------------------------------------


@pytest.fixture
def supervisors(cast):
    cast.supervisor.email = "sup_a@example.com"
    cast.supervisor.save()
    second = make_user("sup_a2")
    second.email = ""
    second.save()
    make_member(second, cast.brand_a, Role.SUPERVISOR)
    return [cast.supervisor, second]


def test_the_scan_warns_once_before_the_deadline(cast, supervisors, django_capture_on_commit_callbacks):
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    ticket = make_ticket(cast.brand_a, now=received)  # first response due 04:00 UTC, warning 15 min before
    with django_capture_on_commit_callbacks(execute=True):
        assert sla.scan(now=received + timedelta(minutes=40)) == sla.ScanResult(warned=0, escalated=0)
        assert sla.scan(now=received + timedelta(minutes=46)) == sla.ScanResult(warned=1, escalated=0)
        assert sla.scan(now=received + timedelta(minutes=50)) == sla.ScanResult(warned=0, escalated=0)
    notes = Notification.objects.filter(ticket=ticket).order_by("user__username")
    assert [(n.user.username, n.kind, n.data["clock"]) for n in notes] == [
        ("sup_a", "sla.warning", "first_response"),
        ("sup_a2", "sla.warning", "first_response"),
    ]
    assert [m.to for m in mail.outbox] == [["sup_a@example.com"]]
    # The brand's first language is Indonesian, so is the mail.
    assert mail.outbox[0].subject == f"[Acme Telco] {ticket.reference} segera jatuh tempo"
    # Nobody outside the brand's supervisors is told.
    assert not Notification.objects.exclude(user__in=supervisors).exists()


def test_an_english_brand_mails_in_english(cast, supervisors, django_capture_on_commit_callbacks):
    cast.brand_a.languages = "en,id"
    cast.brand_a.save()
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    ticket = make_ticket(cast.brand_a, now=received)
    with django_capture_on_commit_callbacks(execute=True):
        sla.scan(now=received + timedelta(hours=2))
    assert [m.subject for m in mail.outbox] == [f"[Acme Telco] SLA breached on {ticket.reference}"]
    assert f"The deadline of {ticket.reference} passed at 19 Nov 2026, 11:00 WIB." in mail.outbox[0].body


def test_the_scan_escalates_once_on_breach_and_raises_priority_when_asked(cast, supervisors):
    cast.brand_a.escalation_raises_priority = True
    cast.brand_a.save()
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    ticket = make_ticket(cast.brand_a, now=received)
    first = sla.scan(now=received + timedelta(hours=2))
    second = sla.scan(now=received + timedelta(hours=3))
    assert (first, second) == (sla.ScanResult(0, 1), sla.ScanResult(0, 0))
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.breached_at == received + timedelta(hours=2)
    assert ticket.sla_escalated_at == received + timedelta(hours=2)
    assert list(Notification.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["sla.breach"] * 2
    assert list(Event.objects.filter(ticket=ticket, kind__startswith="sla.").values_list("kind", "data")) == [
        ("sla.breach", {"clock": "first_response", "due_at": "2026-11-19T04:00:00+00:00"})
    ]


def test_a_new_deadline_is_warned_again(cast, supervisors, django_capture_on_commit_callbacks):
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    ticket = make_ticket(cast.brand_a, now=received, author_id="c9")
    sla.scan(now=received + timedelta(minutes=50))
    with (
        time_machine.travel(received + timedelta(minutes=52), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator)
        replies.send_reply(ticket=ticket, user=cast.operator, body="Siap kak")
    with time_machine.travel(received + timedelta(hours=2), tick=False):
        make_ticket(cast.brand_a, author_id="c9")  # the customer writes again
    ticket.refresh_from_db()
    assert ticket.sla_warned_at is None
    assert sla.scan(now=received + timedelta(hours=2, minutes=50)) == sla.ScanResult(warned=1, escalated=0)
    assert list(
        Notification.objects.filter(ticket=ticket, user=cast.supervisor)
        .order_by("created_at")
        .values_list("data__clock", flat=True)
    ) == ["first_response", "next_response"]


def test_pending_and_resolved_tickets_are_not_escalated(cast, supervisors):
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    ticket = make_ticket(cast.brand_a, now=received)
    workflow.resolve_ticket(ticket=ticket, user=cast.supervisor, now=received + timedelta(minutes=5))
    assert sla.scan(now=received + timedelta(days=3)) == sla.ScanResult(0, 0)
    assert Notification.objects.count() == 0


def test_the_scan_reads_only_what_it_notifies(cast, supervisors, django_assert_num_queries):
    received = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    for n in range(30):
        make_ticket(cast.brand_a, now=received, author_id=f"quiet-{n}")
    Ticket.objects.update(sla_warned_at=received, sla_escalated_at=received)
    # Everything already notified: one query for the brands, then per brand and kind one empty read in its
    # own transaction (savepoint, read, release) — the same count for 30 tickets as for 30 million.
    with django_assert_num_queries(1 + 2 * 2 * 3):
        assert sla.scan(now=received + timedelta(hours=5)) == sla.ScanResult(0, 0)
