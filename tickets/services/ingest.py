"""Turn normalized mentions into mentions on tickets: idempotent, threaded, race-safe.

Threading (DESIGN §3), in order:
1. the parent is a known mention of the brand, or one of our published replies → that ticket;
2. the same conversation (platform + conversation id) has a ticket that is not closed → that ticket;
3. the same author wrote to the brand on the same platform and that ticket is still active (new, open,
   pending) with its last customer message within the brand's threading window → that ticket;
4. otherwise a new ticket.
A resolved ticket that receives a mention through 1 or 2 is reopened.

A known item (same brand, platform and platform id) arriving again is a duplicate, or an edit when its text
changed: the mention takes the new text and keeps the earlier ones as :class:`MentionRevision` rows. Our own
posts echoed back by a platform are attached to their ticket (:func:`attach_echoes`), never a new ticket;
deletions, hides and reactions are recorded as events (:func:`apply_actions`).
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from brands.models import Brand

from .. import events
from ..channels.base import InboundAction, NormalizedAuthor, NormalizedMention
from ..models import ACTIVE_STATUSES, Author, Event, Mention, MentionRevision, Reply, Ticket, TicketStatus
from ..sentiment import classify
from . import noise, priority, routing, sla
from .rules import BrandRules, rules_for


@dataclass(frozen=True)
class IngestResult:
    status: str  # "created" | "duplicate" | "edited"; echoes: "echo" | "echo_unmatched"
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
    keys = _lock_keys(items)
    with connection.cursor() as cursor:
        # one round trip for the whole batch; the ordered subquery takes the locks in key order
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k ORDER BY 1) AS keys", [keys]
        )


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


def _new_ticket(
    item: NormalizedMention,
    author: Author,
    now: datetime,
    assessment: priority.Assessment,
    verdict: noise.Verdict | None,
) -> Ticket:
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
        language=item.language[:12],
        priority=assessment.priority,
        priority_factors=assessment.as_json(),
        status=TicketStatus.IGNORED if verdict else TicketStatus.NEW,
        ignored_reason=verdict.reason if verdict else "",
    )
    sla.refresh_due(ticket, now=now)
    ticket.save()
    return ticket


def _add_to_ticket(ticket: Ticket, now: datetime, assessment: priority.Assessment) -> str:
    """A customer wrote again: reopen, resume clocks, re-assess the priority unless a supervisor set it.
    Returns the status before."""
    before = ticket.status
    if not ticket.priority_overridden:
        ticket.priority = assessment.priority
        ticket.priority_factors = assessment.as_json()
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
    sentiments = classify([item.text for item in items])  # one call for the batch
    rules: dict[int, BrandRules] = {}
    results: list[IngestResult] = []
    with transaction.atomic():
        _lock(items)
        known = _known_mentions(items)  # read under the locks, so no concurrent batch adds one unseen
        for item, sentiment in zip(items, sentiments, strict=True):
            existing = known.get((item.brand_id, item.platform, item.platform_id))
            if existing:
                edited = _apply_edit(item, *existing, now=now)
                results.append(IngestResult("edited" if edited else "duplicate", existing[0], existing[1]))
                continue
            author = _upsert_author(item.platform, item.author)
            brand = brands[item.brand_id]
            brand_rules = rules.get(brand.pk) or rules.setdefault(brand.pk, rules_for(brand.pk))
            ticket = _find_ticket(item, author, brand, now)
            created = ticket is None
            fingerprint = noise.fingerprint(item.text)
            terms = brand_rules.match_urgency(item.text)
            assessment = _assess(item, author, ticket, sentiment, terms, now)
            verdict = _noise(item, author, brand_rules, fingerprint, now) if created else None
            before_priority = ticket.priority if ticket else None
            if created:
                ticket = _new_ticket(item, author, now, assessment, verdict)
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
                sentiment=sentiment,
                fingerprint=fingerprint,
            )
            if created:
                events.ticket_created(ticket, mention)
                if verdict:
                    events.ticket_ignored(ticket, reason=verdict.reason, detail=verdict.detail, at=now)
                else:
                    routing.auto_assign(ticket=ticket, brand=brand, skills={t.label.lower() for t in terms}, now=now)
            else:
                before = _add_to_ticket(ticket, now, assessment)
                events.mention_added(ticket, mention, status_before=before)
                if ticket.priority != before_priority:
                    events.priority_assessed(ticket, before=before_priority, after=ticket.priority, at=now)
            known[(item.brand_id, item.platform, item.platform_id)] = (mention.pk, ticket.pk, item.text)
            results.append(IngestResult("created", mention.pk, ticket.pk, created))
    return results


def _known_mentions(items: list[NormalizedMention]) -> dict[tuple[int, str, str], tuple[int, int, str]]:
    """(brand, platform, platform id) → (mention, ticket, text) of the batch's items already stored: one query
    per brand and platform instead of one per item."""
    wanted: dict[tuple[int, str], set[str]] = {}
    for item in items:
        wanted.setdefault((item.brand_id, item.platform), set()).add(item.platform_id)
    known = {}
    for (brand_id, platform), ids in wanted.items():
        rows = Mention.objects.filter(brand_id=brand_id, platform=platform, platform_id__in=ids).values_list(
            "platform_id", "pk", "ticket_id", "text"
        )
        for platform_id, pk, ticket_id, text in rows:
            known[(brand_id, platform, platform_id)] = (pk, ticket_id, text)
    return known


# --- edits, echoes and actions (inbound channels, DESIGN §6) ----------------------------------------------------


def _event(brand_id: int, ticket_id: int | None, kind: str, at: datetime, **data) -> Event:
    return Event.objects.create(brand_id=brand_id, ticket_id=ticket_id, kind=kind, data=data, created_at=at)


def _apply_edit(item: NormalizedMention, mention_id: int, ticket_id: int, text: str, *, now: datetime) -> bool:
    """A known item came with another text: keep the old one as a revision and take the new. An older version
    arriving late (its text is one of the revisions) changes nothing."""
    if not item.text or item.text == text:
        return False
    previous = list(MentionRevision.objects.filter(mention_id=mention_id).values_list("text", flat=True))
    if item.text in previous:
        return False
    MentionRevision.objects.create(mention_id=mention_id, number=len(previous) + 1, text=text, replaced_at=now)
    Mention.objects.filter(pk=mention_id).update(text=item.text, is_edited=True, raw=item.raw)
    _event(item.brand_id, ticket_id, "mention.edited", now, mention_id=mention_id, revision=len(previous) + 1)
    return True


def _ticket_of(brand_id: int, platform: str, platform_id: str) -> int | None:
    if not platform_id:
        return None
    return (
        Mention.objects.filter(brand_id=brand_id, platform=platform, platform_id=platform_id)
        .values_list("ticket_id", flat=True)
        .first()
    ) or (
        Reply.objects.filter(brand_id=brand_id, ticket__platform=platform, platform_reply_id=platform_id)
        .values_list("ticket_id", flat=True)
        .first()
    )


def attach_echoes(*, items: list[NormalizedMention], now: datetime | None = None) -> list[IngestResult]:
    """Our own posts echoed back by a platform: recorded on the ticket of the reply they are (platform reply id)
    or of what they answer (parent, then conversation) as a ``reply.echoed`` event, once. Never a new ticket."""
    now = now or timezone.now()
    results = []
    with transaction.atomic():
        for item in items:
            reply = (
                Reply.objects.filter(brand_id=item.brand_id, platform_reply_id=item.platform_id)
                .values_list("pk", "ticket_id")
                .first()
            )
            ticket_id = reply[1] if reply else _ticket_of(item.brand_id, item.platform, item.parent_id)
            if not ticket_id and item.conversation_id:
                ticket_id = (
                    Ticket.objects.filter(
                        brand_id=item.brand_id, conversation_key=f"{item.platform}:{item.conversation_id}"
                    )
                    .order_by("-received_at")
                    .values_list("pk", flat=True)
                    .first()
                )
            if not ticket_id:
                results.append(IngestResult("echo_unmatched", 0, 0))
                continue
            seen = Event.objects.filter(ticket_id=ticket_id, kind="reply.echoed", data__platform_id=item.platform_id)
            if not seen.exists():
                Event.objects.create(
                    brand_id=item.brand_id,
                    ticket_id=ticket_id,
                    reply_id=reply[0] if reply else None,
                    kind="reply.echoed",
                    data={"platform_id": item.platform_id, "text": item.text[:2000], "ours": bool(reply)},
                    created_at=now,
                )
            results.append(IngestResult("echo", 0, ticket_id))
    return results


ACTION_EVENTS = {
    "delete": "mention.deleted",
    "hide": "mention.hidden",
    "unhide": "mention.unhidden",
    "reaction": "mention.reaction",
}


def apply_actions(*, brand_id: int, actions: list[InboundAction], now: datetime | None = None) -> int:
    """Deletions mark the mention deleted; hides, unhides and reactions are events on its ticket (or on the brand
    when we do not hold the item). A replayed action records nothing new. Returns the number recorded."""
    now = now or timezone.now()
    recorded = 0
    with transaction.atomic():
        for action in actions:
            mention = (
                Mention.objects.filter(brand_id=brand_id, platform=action.platform, platform_id=action.platform_id)
                .values_list("pk", "ticket_id", "is_deleted")
                .first()
            )
            key = f"{action.action}:{action.platform}:{action.platform_id}:{action.at.isoformat() if action.at else ''}"
            key += f":{action.data.get('by', '')}:{action.data.get('reaction', '')}"
            if Event.objects.filter(brand_id=brand_id, kind=ACTION_EVENTS[action.action], data__key=key).exists():
                continue
            if action.action == "delete":
                if mention is None or mention[2]:
                    continue
                Mention.objects.filter(pk=mention[0]).update(is_deleted=True)
            _event(
                brand_id,
                mention[1] if mention else None,
                ACTION_EVENTS[action.action],
                action.at or now,
                key=key,
                platform_id=action.platform_id,
                mention_id=mention[0] if mention else None,
                **{k: v for k, v in action.data.items() if k in ("reaction", "by", "item", "verb")},
            )
            recorded += 1
    return recorded


def _assess(
    item: NormalizedMention,
    author: Author,
    ticket: Ticket | None,
    sentiment: str,
    terms: list[priority.Term],
    now: datetime,
) -> priority.Assessment:
    """The priority of ``ticket`` (None: the ticket this mention opens) once this mention is on it. Two
    queries at most: the author's other tickets with the brand (all, and recent) and their messages on this
    ticket."""
    others = Ticket.objects.filter(brand_id=item.brand_id, author=author)
    if ticket is not None:
        others = others.exclude(pk=ticket.pk)
    since = now - timedelta(days=priority.RECENT_DAYS)
    history = others.aggregate(earlier=Count("pk"), recent=Count("pk", filter=Q(received_at__gte=since)))
    earlier, recent = history["earlier"], history["recent"]
    on_ticket = 1 + (Mention.objects.filter(ticket=ticket, author=author).count() if ticket is not None else 0)
    created = priority.account_created_from_raw(item.raw)
    signals = priority.AuthorSignals(
        followers=author.followers_count,
        following=author.following_count,
        verified_type=author.verified_type,
        engagement=priority.engagement_from_raw(item.raw),
        account_age_days=(now - created).days if created else None,
        earlier_tickets=earlier,
    )
    # Urgency terms stay with the ticket: those matched by earlier messages still count.
    known = {}
    if ticket is not None:
        for factor in (ticket.priority_factors or {}).get("factors", []):
            if factor.get("code") in ("urgency_term", "urgency_term_capped"):
                params = factor.get("params") or {}
                weight = int(params.get("weight", factor.get("points", 0)))
                known[params.get("label", "")] = priority.Term(params.get("term", ""), params.get("label", ""), weight)
    for term in terms:
        if term.label not in known or term.weight > known[term.label].weight:
            known[term.label] = term
    return priority.assess(
        priority.PriorityInputs(
            sentiment=sentiment,
            influence=priority.influence(signals),
            terms=tuple(known.values()),
            is_private=item.kind == Mention.Kind.DM or bool(ticket and ticket.is_private),
            mentions_on_ticket=on_ticket,
            recent_tickets=recent,
        )
    )


def _noise(
    item: NormalizedMention, author: Author, rules: BrandRules, fingerprint: str, now: datetime
) -> noise.Verdict | None:
    same = {"n": 0, "mine": 0}
    if fingerprint:
        same = Mention.objects.filter(
            brand_id=item.brand_id,
            fingerprint=fingerprint,
            received_at__gte=now - timedelta(minutes=noise.FLOOD_MINUTES),
        ).aggregate(n=Count("pk"), mine=Count("pk", filter=Q(author=author)))
    return noise.check(
        text=item.text,
        handle=item.author.handle,
        blocked_handles=rules.blocked_handles.get(item.platform, frozenset()),
        spam_terms=rules.spam_terms,
        same_text_recently=same["n"],
        same_text_same_author=same["mine"],
    )
