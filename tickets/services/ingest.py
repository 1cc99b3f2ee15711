"""Turn normalized mentions into mentions on tickets: idempotent, threaded, race-safe.

Threading (DESIGN §3), in order:
1. the parent is a known mention of the brand, or one of our published replies → that ticket;
2. the same conversation (platform + conversation id) has a ticket that is not closed → that ticket;
3. the same author wrote to the brand on the same platform and that ticket is still active (new, open,
   pending) with its last customer message within the brand's threading window → that ticket;
4. otherwise a new ticket.
A resolved ticket that receives a mention through 1 or 2 is reopened.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from brands.models import Brand

from .. import events
from ..channels.base import NormalizedAuthor, NormalizedMention
from ..models import ACTIVE_STATUSES, Author, Mention, Reply, Ticket, TicketStatus
from . import sla


@dataclass(frozen=True)
class IngestResult:
    status: str  # "created" | "duplicate"
    mention_id: int
    ticket_id: int
    ticket_created: bool = False


def _lock_keys(items: list[NormalizedMention]) -> list[int]:
    """Advisory-lock keys serialising work on one author or one conversation within a brand."""
    names = set()
    for item in items:
        names.add(f"a:{item.brand_id}:{item.platform}:{item.author.platform_user_id}")
        if item.conversation_id:
            names.add(f"c:{item.brand_id}:{item.platform}:{item.conversation_id}")
    keys = {int.from_bytes(hashlib.blake2b(n.encode(), digest_size=8).digest(), "big", signed=True) for n in names}
    return sorted(keys)


def _lock(items: list[NormalizedMention]) -> None:
    # SQLite serialises writers already (BEGIN IMMEDIATE); PostgreSQL takes transaction advisory locks in a
    # fixed order, so two batches never deadlock and the same author/conversation is threaded one at a time.
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in _lock_keys(items):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _upsert_author(platform: str, data: NormalizedAuthor) -> Author:
    fields = {
        "handle": data.handle,
        "name": data.name,
        "followers_count": data.followers_count,
        "following_count": data.following_count,
        "verified_type": data.verified_type,
        "profile_url": data.profile_url,
    }
    author, created = Author.objects.get_or_create(
        platform=platform, platform_user_id=data.platform_user_id, defaults=fields
    )
    if not created:
        # Keep what we knew when a platform omits a field (None or ""), take what it says otherwise.
        changed = [name for name, value in fields.items() if value not in (None, "") and getattr(author, name) != value]
        for name in changed:
            setattr(author, name, fields[name])
        if changed:
            author.save(update_fields=[*changed, "updated_at"])
    return author


def _find_ticket(item: NormalizedMention, author: Author, brand: Brand, now: datetime) -> Ticket | None:
    tickets = Ticket.objects.select_for_update().filter(brand_id=item.brand_id)
    if item.parent_id:
        parent = (
            Mention.objects.filter(brand_id=item.brand_id, platform=item.platform, platform_id=item.parent_id)
            .values_list("ticket_id", flat=True)
            .first()
        ) or (
            Reply.objects.filter(brand_id=item.brand_id, platform_reply_id=item.parent_id)
            .values_list("ticket_id", flat=True)
            .first()
        )
        if parent:
            ticket = tickets.filter(pk=parent).exclude(status=TicketStatus.CLOSED).first()
            if ticket:
                return ticket
    if item.conversation_id:
        ticket = (
            tickets.filter(conversation_key=f"{item.platform}:{item.conversation_id}")
            .exclude(status=TicketStatus.CLOSED)
            .order_by("-received_at")
            .first()
        )
        if ticket:
            return ticket
    window_start = now - timedelta(hours=brand.thread_window_hours)
    return (
        tickets.filter(
            author=author, platform=item.platform, status__in=ACTIVE_STATUSES, last_customer_at__gte=window_start
        )
        .order_by("-last_customer_at")
        .first()
    )


def _new_ticket(item: NormalizedMention, author: Author, now: datetime) -> Ticket:
    conversation = item.conversation_id or item.platform_id
    ticket = Ticket(
        brand_id=item.brand_id,
        channel_account_id=item.channel_account_id,
        platform=item.platform,
        author=author,
        is_private=item.kind == Mention.Kind.DM,
        subject=" ".join(item.text.split())[:200],
        conversation_key=f"{item.platform}:{conversation}",
        posted_at=item.posted_at,
        received_at=now,
        last_customer_at=now,
        mention_count=1,
    )
    sla.refresh_due(ticket, now=now)
    ticket.save()
    return ticket


def _add_to_ticket(ticket: Ticket, now: datetime) -> str:
    """A customer wrote again: reopen, resume clocks. Returns the status before."""
    before = ticket.status
    if ticket.status in (TicketStatus.PENDING, TicketStatus.RESOLVED):
        sla.end_pause(ticket, now=now)
        ticket.resolved_at = None
        ticket.status = TicketStatus.OPEN if ticket.assignee_id else TicketStatus.NEW
    ticket.last_customer_at = now
    ticket.mention_count += 1
    sla.refresh_due(ticket, now=now)
    ticket.save()
    return before


def ingest_mentions(*, items: list[NormalizedMention], now: datetime | None = None) -> list[IngestResult]:
    """Store ``items`` (already validated and routed) in one transaction; a replay creates nothing new.

    Takes advisory locks on PostgreSQL (see :func:`_lock`); callers must not hold other ticket locks.
    """
    now = now or timezone.now()
    brands = Brand.objects.in_bulk({item.brand_id for item in items})
    results: list[IngestResult] = []
    with transaction.atomic():
        _lock(items)
        for item in items:
            existing = (
                Mention.objects.filter(brand_id=item.brand_id, platform=item.platform, platform_id=item.platform_id)
                .values_list("pk", "ticket_id")
                .first()
            )
            if existing:
                results.append(IngestResult("duplicate", existing[0], existing[1]))
                continue
            author = _upsert_author(item.platform, item.author)
            ticket = _find_ticket(item, author, brands[item.brand_id], now)
            created = ticket is None
            if created:
                ticket = _new_ticket(item, author, now)
            mention = Mention.objects.create(
                brand_id=item.brand_id,
                ticket=ticket,
                channel_account_id=item.channel_account_id,
                author=author,
                platform=item.platform,
                platform_id=item.platform_id,
                kind=item.kind,
                text=item.text,
                language=item.language,
                url=item.url,
                conversation_id=item.conversation_id,
                parent_id=item.parent_id,
                posted_at=item.posted_at,
                received_at=now,
                raw=item.raw,
            )
            if created:
                events.ticket_created(ticket, mention)
            else:
                before = _add_to_ticket(ticket, now)
                events.mention_added(ticket, mention, status_before=before)
            results.append(IngestResult("created", mention.pk, ticket.pk, created))
    return results
