"""tickets.services.ingest: idempotent replay, threading (docs/domain.md), author upsert, clocks and events."""

from datetime import UTC, datetime, timedelta

import pytest

from brands.models import Priority, Role, SlaPolicy
from tests.factories import make_brand, make_member, make_normalized, make_user
from tests.helpers import db_state, event_kinds
from tickets.channels.base import NormalizedAuthor
from tickets.models import Author, Event, Mention, Ticket, TicketStatus
from tickets.services import delivery, ingest, replies, workflow

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def ingest_one(brand, *, now=T0, **kwargs) -> ingest.IngestResult:
    return ingest.ingest_mentions(items=[make_normalized(brand, **kwargs)], now=now)[0]


def test_a_first_mention_makes_a_new_ticket_with_its_clocks(cast):
    posted = T0 - timedelta(minutes=7)
    result = ingest_one(
        cast.brand_a,
        platform_id="tw-1",
        text="  Halo,\n paket   saya belum sampai  ",
        posted_at=posted,
        language="id",
        url="https://x.com/budi/status/tw-1",
    )

    mention = Mention.objects.get()
    ticket = Ticket.objects.get()
    assert result == ingest.IngestResult("created", mention.pk, ticket.pk, ticket_created=True)
    assert (ticket.brand, ticket.platform, ticket.author, ticket.assignee) == (cast.brand_a, "x", mention.author, None)
    assert (ticket.status, ticket.priority, ticket.is_private) == (TicketStatus.NEW, Priority.NORMAL, False)
    assert ticket.subject == "Halo, paket saya belum sampai"
    assert ticket.conversation_key == "x:tw-1"
    assert ticket.mention_count == 1
    assert (ticket.posted_at, ticket.received_at, ticket.last_customer_at) == (posted, T0, T0)
    assert (ticket.claimed_at, ticket.first_response_at, ticket.resolved_at) == (None, None, None)
    # DEFAULT_TARGETS for NORMAL: first response 60 min, next response 60 min, resolution 24 h
    assert ticket.first_response_due_at == T0 + timedelta(minutes=60)
    assert ticket.next_response_due_at is None
    assert ticket.resolution_due_at == T0 + timedelta(hours=24)
    assert ticket.due_at == T0 + timedelta(minutes=60)
    assert (mention.ticket, mention.brand, mention.platform_id, mention.kind) == (ticket, cast.brand_a, "tw-1", "post")
    assert (mention.text, mention.language) == ("  Halo,\n paket   saya belum sampai  ", "id")
    assert (mention.posted_at, mention.received_at, mention.url) == (posted, T0, "https://x.com/budi/status/tw-1")


def test_it_writes_a_ticket_created_event(cast):
    result = ingest_one(cast.brand_a)
    event = Event.objects.get()
    assert (event.kind, event.brand_id, event.ticket_id, event.actor, event.reply) == (
        "ticket.created",
        cast.brand_a.pk,
        result.ticket_id,
        None,
        None,
    )
    assert event.data == {"mention_id": result.mention_id}
    assert event.created_at == T0


def test_the_brand_sla_policy_sets_the_due_times(cast):
    SlaPolicy.objects.create(
        brand=cast.brand_a,
        priority=Priority.NORMAL,
        first_response_minutes=10,
        next_response_minutes=20,
        resolution_minutes=120,
    )
    ticket = Ticket.objects.get(pk=ingest_one(cast.brand_a).ticket_id)
    assert ticket.first_response_due_at == T0 + timedelta(minutes=10)
    assert ticket.resolution_due_at == T0 + timedelta(minutes=120)
    assert ticket.due_at == T0 + timedelta(minutes=10)


def test_a_direct_message_makes_a_private_ticket(cast):
    ticket = Ticket.objects.get(pk=ingest_one(cast.brand_a, kind="dm").ticket_id)
    assert ticket.is_private is True


def test_a_replay_creates_nothing_new(cast):
    item = make_normalized(cast.brand_a, platform_id="tw-1")
    first = ingest.ingest_mentions(items=[item], now=T0)[0]
    before = db_state()

    again = ingest.ingest_mentions(items=[item], now=T0 + timedelta(minutes=5))

    assert again == [ingest.IngestResult("duplicate", first.mention_id, first.ticket_id, ticket_created=False)]
    assert db_state() == before


def test_a_duplicate_within_one_batch_is_stored_once(cast):
    item = make_normalized(cast.brand_a, platform_id="tw-1")
    results = ingest.ingest_mentions(items=[item, item], now=T0)
    assert [r.status for r in results] == ["created", "duplicate"]
    assert results[0].mention_id == results[1].mention_id
    assert Mention.objects.count() == 1
    assert Ticket.objects.get().mention_count == 1


def test_the_same_platform_id_for_two_brands_is_two_mentions_and_two_tickets(cast):
    a = ingest_one(cast.brand_a, platform_id="tw-1")
    b = ingest_one(cast.brand_b, platform_id="tw-1")
    assert (a.status, b.status) == ("created", "created")
    assert a.ticket_id != b.ticket_id
    assert sorted(Mention.objects.values_list("brand__slug", flat=True)) == ["acme", "globex"]


# --- authors ------------------------------------------------------------------------------------------------


def test_it_upserts_the_author_keeping_what_a_platform_omits(cast):
    first = make_normalized(cast.brand_a, author_id="u-9", handle="budi")
    ingest.ingest_mentions(items=[first], now=T0)
    author = Author.objects.get()
    assert (author.platform, author.platform_user_id, author.handle, author.name) == ("x", "u-9", "budi", "Budi")
    assert author.followers_count is None

    later = make_normalized(cast.brand_a, author_id="u-9", handle="budi")
    later = type(later)(
        **{
            **later.__dict__,
            "author": NormalizedAuthor(platform_user_id="u-9", handle="budi_s", name="", followers_count=120),
        }
    )
    ingest.ingest_mentions(items=[later], now=T0 + timedelta(minutes=1))

    author.refresh_from_db()
    assert Author.objects.count() == 1
    assert (author.handle, author.name, author.followers_count) == ("budi_s", "Budi", 120)


def test_the_same_user_id_on_another_platform_is_another_author(cast):
    ingest_one(cast.brand_a, platform="x", author_id="u-1")
    ingest_one(cast.brand_a, platform="facebook", author_id="u-1")
    assert sorted(Author.objects.values_list("platform", flat=True)) == ["facebook", "x"]
    assert Ticket.objects.count() == 2


# --- threading (docs/domain.md) -----------------------------------------------------------------------------------


def test_a_reply_to_a_known_mention_joins_its_ticket(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1", author_id="u-1")
    other = ingest_one(
        cast.brand_a, platform_id="tw-2", author_id="u-2", parent_id="tw-1", now=T0 + timedelta(hours=99)
    )
    assert other.ticket_id == first.ticket_id
    assert other.ticket_created is False
    assert Ticket.objects.get().mention_count == 2


def test_a_reply_to_our_published_reply_joins_its_ticket(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1", author_id="u-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Mohon DM nomor resi ya", now=T0)
    reply = delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=1))
    assert reply.platform_reply_id == f"console-{reply.idempotency_key}"

    answer = ingest_one(
        cast.brand_a, platform_id="tw-3", author_id="u-7", parent_id=reply.platform_reply_id, now=T0 + timedelta(days=9)
    )
    assert answer.ticket_id == ticket.pk
    ticket.refresh_from_db()
    assert (ticket.status, ticket.mention_count) == (TicketStatus.OPEN, 2)


def test_a_customer_clock_behind_ours_never_makes_paused_time_negative(cast):
    """Web and worker machines' clocks differ a little: a mention stamped before ``pending_since`` must still be
    stored (it used to fail the ``paused_seconds >= 0`` check and lose the mention)."""
    first = ingest_one(cast.brand_a, platform_id="tw-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Sudah kami kirim", now=T0)
    delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=10))

    late = ingest_one(cast.brand_a, platform_id="tw-2", parent_id="tw-1", now=T0 + timedelta(minutes=9))

    ticket.refresh_from_db()
    assert late.ticket_id == ticket.pk
    assert (ticket.status, ticket.paused_seconds, ticket.pending_since) == (TicketStatus.OPEN, 0, None)


def test_the_same_conversation_joins_its_ticket(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1", author_id="u-1", conversation_id="conv-1")
    other = ingest_one(cast.brand_a, platform_id="tw-2", author_id="u-2", conversation_id="conv-1")
    assert other.ticket_id == first.ticket_id
    assert Ticket.objects.get().conversation_key == "x:conv-1"


def test_a_conversation_on_another_platform_is_another_ticket(cast):
    first = ingest_one(cast.brand_a, platform="x", conversation_id="conv-1")
    other = ingest_one(cast.brand_a, platform="facebook", conversation_id="conv-1")
    assert other.ticket_id != first.ticket_id


def test_the_same_author_within_the_window_joins_the_open_ticket(cast):
    first = ingest_one(cast.brand_a, author_id="u-1")
    second = ingest_one(cast.brand_a, author_id="u-1", now=T0 + timedelta(hours=71))
    assert second.ticket_id == first.ticket_id
    ticket = Ticket.objects.get()
    assert ticket.mention_count == 2
    assert ticket.last_customer_at == T0 + timedelta(hours=71)
    assert ticket.received_at == T0
    event = Event.objects.get(kind="mention.added")
    assert event.data == {"mention_id": second.mention_id, "status_before": "new", "status_after": "new"}
    assert event.created_at == T0 + timedelta(hours=71)


def test_the_same_author_outside_the_window_gets_a_new_ticket(cast):
    first = ingest_one(cast.brand_a, author_id="u-1")
    second = ingest_one(cast.brand_a, author_id="u-1", now=T0 + timedelta(hours=72, seconds=1))
    assert second.ticket_created is True
    assert second.ticket_id != first.ticket_id
    assert Ticket.objects.get(pk=first.ticket_id).mention_count == 1


def test_the_window_is_the_brand_setting(cast):
    brand = make_brand("short", thread_window_hours=1)
    first = ingest_one(brand, author_id="u-1")
    inside = ingest_one(brand, author_id="u-1", now=T0 + timedelta(minutes=59))
    outside = ingest_one(brand, author_id="u-1", now=T0 + timedelta(minutes=59) + timedelta(hours=1, seconds=1))
    assert inside.ticket_id == first.ticket_id
    assert outside.ticket_id != first.ticket_id


def test_the_same_author_in_another_brand_is_another_ticket(cast):
    a = ingest_one(cast.brand_a, author_id="u-1")
    b = ingest_one(cast.brand_b, author_id="u-1")
    assert a.ticket_id != b.ticket_id


def test_a_new_mention_in_the_conversation_reopens_a_resolved_ticket(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator, now=T0 + timedelta(minutes=30))

    again = ingest_one(cast.brand_a, platform_id="tw-2", parent_id="tw-1", now=T0 + timedelta(hours=5))

    ticket.refresh_from_db()
    assert again.ticket_id == ticket.pk
    assert (ticket.status, ticket.assignee, ticket.resolved_at) == (TicketStatus.OPEN, cast.operator, None)
    assert ticket.due_at == T0 + timedelta(minutes=60)  # first response still owed
    event = Event.objects.get(kind="mention.added")
    assert event.data == {"mention_id": again.mention_id, "status_before": "resolved", "status_after": "open"}


def test_a_resolved_ticket_without_owner_reopens_as_new(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1", conversation_id="c-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator, now=T0)
    ingest_one(cast.brand_a, platform_id="tw-2", conversation_id="c-1", now=T0 + timedelta(hours=1))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.mention_count) == (TicketStatus.NEW, None, 2)


def test_the_same_author_without_thread_keys_does_not_reopen_a_resolved_ticket(cast):
    first = ingest_one(cast.brand_a, author_id="u-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator, now=T0)
    second = ingest_one(cast.brand_a, author_id="u-1", now=T0 + timedelta(minutes=10))
    assert second.ticket_created is True
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED


def test_a_closed_ticket_is_never_reopened_a_new_one_starts(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1", conversation_id="c-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator, now=T0)
    assert workflow.close_quiet_tickets(older_than=T0 + timedelta(seconds=1), now=T0 + timedelta(days=4)) == 1

    by_parent = ingest_one(cast.brand_a, platform_id="tw-2", parent_id="tw-1", now=T0 + timedelta(days=5))
    by_conversation = ingest_one(cast.brand_a, platform_id="tw-3", conversation_id="c-1", now=T0 + timedelta(days=5))

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.mention_count == 1
    assert by_parent.ticket_created is True
    assert by_parent.ticket_id != ticket.pk
    # the new ticket carries the conversation on, so the next message joins it rather than the closed one
    assert by_conversation.ticket_id == by_parent.ticket_id


def test_a_customer_message_on_a_pending_ticket_resumes_its_clocks(cast):
    first = ingest_one(cast.brand_a, platform_id="tw-1")
    ticket = Ticket.objects.get(pk=first.ticket_id)
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0)
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Kami cek dulu ya", now=T0)
    delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=10))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.pending_since, ticket.due_at) == (
        TicketStatus.PENDING,
        T0 + timedelta(minutes=10),
        None,
    )

    ingest_one(cast.brand_a, platform_id="tw-2", parent_id="tw-1", now=T0 + timedelta(minutes=40))

    ticket.refresh_from_db()
    assert (ticket.status, ticket.pending_since, ticket.paused_seconds) == (TicketStatus.OPEN, None, 30 * 60)
    assert ticket.next_response_due_at == T0 + timedelta(minutes=40 + 60)
    assert ticket.resolution_due_at == T0 + timedelta(hours=24, minutes=30)
    assert ticket.due_at == T0 + timedelta(minutes=100)


def test_a_batch_is_one_transaction(cast, monkeypatch):
    """If storing the batch fails after its first rows are written, none of them is kept."""
    good = make_normalized(cast.brand_a, platform_id="tw-1")
    bad = make_normalized(cast.brand_a, platform_id="tw-2")
    real_bulk_create = Mention.objects.bulk_create
    calls = []

    def write_then_fail(objs, *args, **kwargs):  # the mentions are one INSERT: fail once it ran
        calls.append([m.platform_id for m in objs])
        written = real_bulk_create(objs, *args, **kwargs)
        if any(m.platform_id == "tw-2" for m in written):
            raise RuntimeError("disk full")
        return written

    monkeypatch.setattr(Mention.objects, "bulk_create", write_then_fail)
    before = db_state()
    with pytest.raises(RuntimeError, match="disk full"):
        ingest.ingest_mentions(items=[good, bad], now=T0)
    assert calls == [["tw-1", "tw-2"]]
    assert db_state() == before


def test_the_event_log_of_a_threaded_ticket(cast):
    first = ingest_one(cast.brand_a, author_id="u-1")
    ingest_one(cast.brand_a, author_id="u-1", now=T0 + timedelta(minutes=1))
    ingest_one(cast.brand_a, author_id="u-1", now=T0 + timedelta(minutes=2))
    # the third message (negative 20 + two repeats 10 = 30 points) raises it to high (docs/priority.md)
    assert event_kinds(Ticket.objects.get(pk=first.ticket_id)) == [
        "ticket.created",
        "mention.added",
        "mention.added",
        "ticket.priority_changed",
    ]


def test_a_member_is_not_needed_to_ingest_the_service_trusts_its_caller(cast):
    """The service stores what it is given; the API checks ``mention:ingest`` (tests/tickets/api)."""
    nobody = make_user("nobody")
    make_member(nobody, cast.brand_b, Role.MANAGER)
    assert ingest_one(cast.brand_a).status == "created"


# --- the batch (docs/performance.md, "Webhooks") ----------------------------------------------------------------


def _shape(brand) -> list[tuple]:
    """A brand's tickets as what ingest decided: which mentions, status, priority, counts and events."""
    rows = []
    for ticket in Ticket.objects.filter(brand=brand).order_by("pk"):
        mentions = list(ticket.mentions.order_by("pk").values_list("platform_id", "text", "is_edited"))
        kinds = list(ticket.events.order_by("pk").values_list("kind", flat=True))
        rows.append(
            (mentions, ticket.status, ticket.priority, ticket.mention_count, ticket.priority_factors, ticket.due_at)
            + (ticket.ignored_reason, kinds)
        )
    return rows


def test_a_batch_decides_exactly_as_its_items_one_at_a_time(cast):
    """Threading onto tickets the batch opened (parent, conversation, author), duplicates, an edit, repeats
    and the flood check: one call and one call per item give the same tickets, mentions and events."""
    flood = "Kirim ulang kode OTP saya sekarang juga tolong"
    script = [
        {"platform_id": "m1", "author_id": "u-1", "text": "Paket saya belum sampai, kecewa"},
        {"platform_id": "m2", "author_id": "u-2", "parent_id": "m1", "text": "Saya juga sama"},
        {"platform_id": "m3", "author_id": "u-1", "text": "Halo? penipuan ini"},
        {"platform_id": "m4", "author_id": "u-3", "conversation_id": "c-9", "text": "Refund saya mana"},
        {"platform_id": "m5", "author_id": "u-4", "conversation_id": "c-9", "text": "Ikut tanya"},
        {"platform_id": "m1", "author_id": "u-1", "text": "Paket saya belum sampai, kecewa"},
        {"platform_id": "m4", "author_id": "u-3", "conversation_id": "c-9", "text": "Refund saya mana?? (edit)"},
        *[{"platform_id": f"f{i}", "author_id": f"u-f{i}", "text": flood} for i in range(22)],
        {"platform_id": "m6", "author_id": "u-5", "kind": "dm", "text": "Saldo hilang"},
        {"platform_id": "m7", "author_id": "u-5", "kind": "dm", "text": "Tolong cek saldo"},
    ]
    batch_brand, single_brand = make_brand("batch"), make_brand("single")

    ingest.ingest_mentions(items=[make_normalized(batch_brand, **step) for step in script], now=T0)
    for step in script:
        ingest.ingest_mentions(items=[make_normalized(single_brand, **step)], now=T0)

    shape = _shape(batch_brand)
    assert shape == _shape(single_brand)
    assert [len(row[0]) for row in shape][:3] == [3, 2, 1]  # m1 + m2 + m3, m4 + m5 (edited), f0
    assert [row[6] for row in shape].count("flood") == 3  # the 20th, 21st and 22nd copy


def test_a_batch_takes_as_many_queries_for_one_item_as_for_many(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(items) -> int:
        with CaptureQueriesContext(connection) as captured:
            ingest.ingest_mentions(items=items, now=T0)
        return len(captured)

    def new(n, tag):
        return [
            make_normalized(cast.brand_a, author_id=f"{tag}-{i}", text=f"{tag} pesan {i} belum dibalas")
            for i in range(n)
        ]

    # 20: SQLite splits a bulk INSERT into statements of at most 999 parameters (27 tickets)
    queries(new(1, "warm"))  # the brand's SLA targets and calendar are read once, then cached
    assert queries(new(1, "a")) == queries(new(20, "b"))
    again = [
        make_normalized(cast.brand_a, author_id=f"b-{i}", text=f"b pesan {i} belum dibalas juga", parent_id=f"x-{i}")
        for i in range(20)
    ]
    assert queries(again[:1]) == queries(again[1:])
    assert Ticket.objects.count() == 22
