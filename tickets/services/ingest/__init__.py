"""Turn normalized mentions into mentions on tickets: idempotent, threaded, race-safe.

Threading (docs/domain.md), in order:
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

A batch is read, decided and written in three steps (docs/performance.md, "Webhooks"): everything it needs is
read in a fixed number of queries (:class:`_Batch`), each item is then threaded, assessed and checked for
noise in Python in the batch's order, against the rows read and the tickets earlier items opened or touched
(exactly as if the items came one at a time), and the new rows are written with one ``INSERT`` per table.
The authors' upsert is in :mod:`.authors`, the reads, decisions and writes in :mod:`.batch`.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from brands.models import Brand
from smrc.jsonlimits import stored_raw

from ...channels.base import InboundAction, NormalizedMention, screened
from ...models import Event, Mention, MentionRevision, Reply, Ticket
from ...sentiment import classify
from .authors import _author_key, _Authors, _upsert_author
from .batch import _Batch, _Known


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


def ingest_mentions(*, items: list[NormalizedMention], now: datetime | None = None) -> list[IngestResult]:
    """Store ``items`` (already validated and matched to their brands) in one transaction; a replay creates
    nothing new. Each item passes :func:`screened` first: a link, handle or count that may not be stored is
    dropped and recorded.

    Takes advisory locks on PostgreSQL (see :func:`_lock`) before reading anything; callers must not hold other
    ticket locks. Each item is threaded as if the items came one at a time, in order: onto tickets stored
    before or opened by an earlier item of the batch (see :class:`_Batch`).
    """
    now = now or timezone.now()
    items = [screened(item) for item in items]  # the one gate: links, handles, counts (docs/channels.md)
    brands = Brand.objects.in_bulk({item.brand_id for item in items})
    sentiments = classify([item.text for item in items])  # one call for the batch
    outcomes: list[tuple[str, _Known, bool]] = []
    with transaction.atomic():
        _lock(items)
        batch = _Batch(items, brands, now)  # reads the stored mentions under the locks: none added unseen
        new, seen = [], set()
        for item in items:
            key = (item.brand_id, item.platform, item.platform_id)
            if key not in batch.known and key not in seen:
                seen.add(key)
                new.append(item)
        authors = _upsert_author(new) if new else _Authors({}, [], set())
        if new:
            batch.read(new, authors)
        views = iter(authors.views)
        for item, sentiment in zip(items, sentiments, strict=True):
            existing = batch.known.get((item.brand_id, item.platform, item.platform_id))
            if existing:
                edited = False
                if item.text and item.text != existing.text:
                    batch.flush()  # the edit reads and writes the mention
                    edited = _apply_edit(item, *existing.ids(), existing.text, now=now)
                outcomes.append(("edited" if edited else "duplicate", existing, False))
                continue
            entry, created = batch.add(item, authors.by_key[_author_key(item)], next(views), sentiment)
            outcomes.append(("created", entry, created))
        batch.flush()
    return [IngestResult(status, *entry.ids(), created) for status, entry, created in outcomes]


# --- edits, echoes and actions (inbound channels, docs/channels.md) -----------------------------------------------


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
    Mention.objects.filter(pk=mention_id).update(text=item.text, is_edited=True, raw=stored_raw(item.raw))
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
