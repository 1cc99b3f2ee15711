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

A batch is read, decided and written in three steps (docs/performance.md, "Webhooks"): everything it needs is
read in a fixed number of queries (:class:`_Batch`), each item is then threaded, assessed and checked for
noise in Python in the batch's order, against the rows read and the tickets earlier items opened or touched
(exactly as if the items came one at a time), and the new rows are written with one ``INSERT`` per table.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from brands.models import Brand
from brands.services.business_hours import calendar_for_brand_id
from brands.services.calendars import Calendar
from brands.services.sla_settings import Targets, targets_by_priority

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


# --- authors --------------------------------------------------------------------------------------------------

AUTHOR_FIELDS = ("handle", "name", "followers_count", "following_count", "verified_type", "profile_url")
#: what an item's assessment reads of its author: followers, following, verified type
AuthorView = tuple[int | None, int | None, str]


def _author_fields(data: NormalizedAuthor) -> dict:
    return {name: getattr(data, name) for name in AUTHOR_FIELDS}


def _author_key(item: NormalizedMention) -> tuple[str, str]:
    return (item.platform, item.author.platform_user_id)


@dataclass
class _Authors:
    by_key: dict[tuple[str, str], Author]
    #: per item, the author as that item saw it (later items of the batch may update it)
    views: list[AuthorView]
    #: authors this batch created: they have no tickets, mentions or history yet
    created: set[int]


def _upsert_author(items: list[NormalizedMention]) -> _Authors:
    """The authors of ``items``, created or updated: one read, one ``INSERT … ON CONFLICT DO NOTHING`` for the
    new ones (and one more read if another transaction stored some of them meanwhile), one ``UPDATE`` for those
    that changed. A platform omitting a field (None or "") keeps what we knew; later items win, as they would
    one at a time."""
    stored = _read_authors({_author_key(item) for item in items})
    by_key, views, changed = _merge_authors(list(enumerate(items)), stored)
    new = [author for author in by_key.values() if author.pk is None]
    created: set[int] = set()
    if new:
        ids = _insert_authors(new)
        for author in new:
            author.pk = ids.get((author.platform, author.platform_user_id))
            if author.pk is not None:
                created.add(author.pk)
        lost = {(a.platform, a.platform_user_id) for a in new if a.pk is None}
        if lost:  # stored by another brand's batch since our read: merge into theirs
            stored.update(_read_authors(lost))
            again = [(i, item) for i, item in enumerate(items) if _author_key(item) in lost]
            more, more_views, more_changed = _merge_authors(again, stored)
            by_key.update(more)
            views.update(more_views)
            changed.update(more_changed)
    if changed:
        stamp = timezone.now()
        for key in changed:
            by_key[key].updated_at = stamp
        names = sorted(set().union(*changed.values()))
        Author.objects.bulk_update([by_key[key] for key in sorted(changed)], [*names, "updated_at"])
    return _Authors(by_key, [views[i] for i in range(len(items))], created)


def _read_authors(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Author]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for platform, user_id in keys:
        wanted[platform].add(user_id)
    condition = Q()
    for platform, user_ids in wanted.items():
        condition |= Q(platform=platform, platform_user_id__in=user_ids)
    return {(a.platform, a.platform_user_id): a for a in Author.objects.filter(condition)}


def _merge_authors(
    items: list[tuple[int, NormalizedMention]], stored: dict[tuple[str, str], Author]
) -> tuple[dict[tuple[str, str], Author], dict[int, AuthorView], dict[tuple[str, str], set[str]]]:
    by_key: dict[tuple[str, str], Author] = {}
    views: dict[int, AuthorView] = {}
    changed: dict[tuple[str, str], set[str]] = {}
    for index, item in items:
        key = _author_key(item)
        fields = _author_fields(item.author)
        author = by_key.get(key) or stored.get(key)
        if author is None:
            author = Author(platform=item.platform, platform_user_id=item.author.platform_user_id, **fields)
        elif diff := [n for n, value in fields.items() if value not in (None, "") and getattr(author, n) != value]:
            for name in diff:
                setattr(author, name, fields[name])
            if author.pk is not None:
                changed.setdefault(key, set()).update(diff)
        by_key[key] = author
        views[index] = (author.followers_count, author.following_count, author.verified_type)
    return by_key, views, changed


def _insert_authors(authors: list[Author]) -> dict[tuple[str, str], int]:
    """Insert ``authors``, skipping any another transaction stored meanwhile; (platform, user id) → id of the
    rows inserted. In key order, so two batches inserting the same new authors never deadlock."""
    opts = Author._meta
    fields = [opts.get_field(name) for name in ("platform", "platform_user_id", *AUTHOR_FIELDS, "created_at")]
    fields.append(opts.get_field("updated_at"))
    quote = connection.ops.quote_name
    stamp = timezone.now()
    ids: dict[tuple[str, str], int] = {}
    ordered = sorted(authors, key=lambda a: (a.platform, a.platform_user_id))
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        params = []
        for author in chunk:
            author.created_at = author.updated_at = stamp
            params.extend(f.get_db_prep_save(getattr(author, f.attname), connection) for f in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([row] * len(chunk))} "
            f"ON CONFLICT ({quote('platform')}, {quote('platform_user_id')}) DO NOTHING "
            f"RETURNING {quote('id')}, {quote('platform')}, {quote('platform_user_id')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids.update({(platform, user_id): pk for pk, platform, user_id in cursor.fetchall()})
    return ids


# --- the batch ------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Thread:
    """A ticket the batch read or opened, shared by every item that lands on it."""

    ticket: Ticket
    order: int  # ties on a timestamp go to the later ticket, as ids would
    saved: bool = True  # False: opened by this batch and not written yet
    dirty: bool = False  # saved, changed since
    #: author id → that author's mentions on the ticket
    mentions_by: Counter = field(default_factory=Counter)


@dataclass(eq=False)
class _Known:
    """A mention of the brand: stored (ids) or added by this batch (objects, written at the next flush)."""

    mention: Mention | int
    ticket: _Thread | int
    text: str

    def ids(self) -> tuple[int, int]:
        mention = self.mention if isinstance(self.mention, int) else self.mention.pk
        ticket = self.ticket if isinstance(self.ticket, int) else self.ticket.ticket.pk
        return mention, ticket


#: what a new mention may change on its ticket (:func:`_add_to_ticket`, :func:`sla.refresh_due`)
TOUCHED_FIELDS = [
    "priority",
    "priority_factors",
    "status",
    "resolved_at",
    "pending_since",
    "paused_seconds",
    "paused_business_seconds",
    "last_customer_at",
    "mention_count",
    *sla.DUE_FIELDS,
    "updated_at",
]


class _Batch:
    """One call's reads, in-memory threading state and pending writes.

    Reads (:meth:`read`) take one query each and only when there is something to look for: the stored
    mentions of the items and their parents (at construction), our replies they answer, the tickets they may
    thread onto (locked, in id order), the authors' ticket history, their mentions on those tickets and the
    recent mentions with the same text. Items are then decided one by one (:meth:`add`) against those rows
    and against what earlier items of the batch opened or changed; new rows wait for :meth:`flush`, which
    writes each table in one statement. A flush also runs before anything that reads the database mid-batch
    (an edit of a mention, automatic assignment), so those see the rows as if the items came one at a time.
    """

    def __init__(self, items: list[NormalizedMention], brands: dict[int, Brand], now: datetime) -> None:
        self.now = now
        self.brands = brands
        self.known = _stored_mentions(items)
        self.rules: dict[int, BrandRules] = {}
        self.clocks: dict[int, tuple[dict[int, Targets], Calendar]] = {}
        self.replies: dict[tuple[int, str], int] = {}
        self.by_pk: dict[int, _Thread] = {}
        self.by_conversation: dict[tuple[int, str], list[_Thread]] = defaultdict(list)
        self.by_author: dict[tuple[int, int], list[_Thread]] = defaultdict(list)
        #: (brand, author) → [tickets, tickets in the last RECENT_DAYS] stored before the batch
        self.history: dict[tuple[int, int], list[int]] = {}
        #: (brand, author) → tickets this batch opened
        self.opened: Counter = Counter()
        #: (brand, fingerprint) and (brand, fingerprint, author) → mentions within FLOOD_MINUTES
        self.same_text: Counter = Counter()
        self.same_text_mine: Counter = Counter()
        self.next_order = 1 << 62  # after every stored ticket id
        self.new_threads: list[_Thread] = []
        self.new_mentions: list[Mention] = []
        self.new_events: list[tuple[Event, Mention | None]] = []
        self.dirty: list[_Thread] = []

    # --- reads ---

    def read(self, items: list[NormalizedMention], authors: _Authors) -> None:
        """What deciding ``items`` (new to the brand, in the batch's order) needs from the database."""
        now = self.now
        old: dict[int, set[int]] = defaultdict(set)  # brand → authors stored before this batch
        conversations: dict[int, set[str]] = defaultdict(set)
        parents: dict[int, set[str]] = defaultdict(set)
        fingerprints: dict[int, set[str]] = defaultdict(set)
        for item in items:
            author = authors.by_key[_author_key(item)]
            if author.pk not in authors.created:
                old[item.brand_id].add(author.pk)
            if item.conversation_id:
                conversations[item.brand_id].add(f"{item.platform}:{item.conversation_id}")
            if item.parent_id and (item.brand_id, item.platform, item.parent_id) not in self.known:
                parents[item.brand_id].add(item.parent_id)
            if fingerprint := noise.fingerprint(item.text):
                fingerprints[item.brand_id].add(fingerprint)

        if parents:
            replies = Reply.objects.filter(_any(Q(brand_id=b, platform_reply_id__in=ids) for b, ids in parents.items()))
            for brand_id, reply_id, ticket_id in replies.order_by("pk").values_list(
                "brand_id", "platform_reply_id", "ticket_id"
            ):
                self.replies.setdefault((brand_id, reply_id), ticket_id)

        wanted = [Q(brand_id=b, conversation_key__in=keys) for b, keys in conversations.items()]
        parent_tickets = set(self.replies.values())
        for item in items:
            parent = self.known.get((item.brand_id, item.platform, item.parent_id)) if item.parent_id else None
            if parent is not None and isinstance(parent.ticket, int):
                parent_tickets.add(parent.ticket)
        if parent_tickets:
            wanted.append(Q(pk__in=parent_tickets))
        for brand_id, author_ids in old.items():
            window_start = now - timedelta(hours=self.brands[brand_id].thread_window_hours)
            wanted.append(
                Q(brand_id=brand_id, author_id__in=author_ids, status__in=ACTIVE_STATUSES)
                & Q(last_customer_at__gte=window_start)
            )
        if wanted:
            tickets = Ticket.objects.select_for_update().filter(_any(wanted)).exclude(status=TicketStatus.CLOSED)
            for ticket in tickets.order_by("pk"):
                self._remember(_Thread(ticket, order=ticket.pk))

        if old:
            by_brand = _any(Q(brand_id=b, author_id__in=ids) for b, ids in old.items())
            since = now - timedelta(days=priority.RECENT_DAYS)
            history = (
                Ticket.objects.filter(by_brand)
                .order_by()
                .values_list("brand_id", "author_id")
                .annotate(earlier=Count("pk"), recent=Count("pk", filter=Q(received_at__gte=since)))
            )
            for brand_id, author_id, earlier, recent in history:
                self.history[(brand_id, author_id)] = [earlier, recent]
            if self.by_pk:
                on_tickets = (
                    Mention.objects.filter(ticket_id__in=list(self.by_pk), author_id__in=set().union(*old.values()))
                    .order_by()
                    .values_list("ticket_id", "author_id")
                    .annotate(n=Count("pk"))
                )
                for ticket_id, author_id, n in on_tickets:
                    self.by_pk[ticket_id].mentions_by[author_id] = n

        if fingerprints:
            same = (
                Mention.objects.filter(_any(Q(brand_id=b, fingerprint__in=f) for b, f in fingerprints.items()))
                .filter(received_at__gte=now - timedelta(minutes=noise.FLOOD_MINUTES))
                .order_by()
                .values_list("brand_id", "fingerprint", "author_id")
                .annotate(n=Count("pk"))
            )
            for brand_id, fingerprint, author_id, n in same:
                self.same_text[(brand_id, fingerprint)] += n
                self.same_text_mine[(brand_id, fingerprint, author_id)] += n

    def _remember(self, thread: _Thread) -> None:
        ticket = thread.ticket
        if ticket.pk is not None:
            self.by_pk[ticket.pk] = thread
        self.by_conversation[(ticket.brand_id, ticket.conversation_key)].append(thread)
        self.by_author[(ticket.brand_id, ticket.author_id)].append(thread)

    def _rules(self, brand_id: int) -> BrandRules:
        if brand_id not in self.rules:
            self.rules[brand_id] = rules_for(brand_id)
        return self.rules[brand_id]

    def _clocks(self, brand_id: int) -> tuple[dict[int, Targets], Calendar]:
        if brand_id not in self.clocks:
            self.clocks[brand_id] = (targets_by_priority(brand_id), calendar_for_brand_id(brand_id))
        return self.clocks[brand_id]

    # --- decisions ---

    def add(self, item: NormalizedMention, author: Author, view: AuthorView, sentiment: str) -> tuple[_Known, bool]:
        """Store ``item`` (new to the brand) on the ticket it threads onto, or on a new one."""
        now = self.now
        brand = self.brands[item.brand_id]
        rules = self._rules(brand.pk)
        thread = self._find(item, author, brand)
        created = thread is None
        fingerprint = noise.fingerprint(item.text)
        terms = rules.match_urgency(item.text)
        assessment = self._assess(item, author, view, thread, sentiment, terms)
        verdict = self._noise(item, author, rules, fingerprint) if created else None
        before_priority = thread.ticket.priority if thread else None
        if thread is None:
            thread = self._open(item, author, assessment, verdict)
        ticket = thread.ticket
        mention = Mention(
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
        self.new_mentions.append(mention)
        thread.mentions_by[author.pk] += 1
        if fingerprint:
            self.same_text[(item.brand_id, fingerprint)] += 1
            self.same_text_mine[(item.brand_id, fingerprint, author.pk)] += 1
        if created:
            self.new_events.append((events.ticket_created(ticket, mention), mention))
            if verdict:
                self.new_events.append(
                    (events.ticket_ignored(ticket, reason=verdict.reason, detail=verdict.detail, at=now), None)
                )
            elif brand.routing_mode in routing.AUTOMATIC_MODES:
                self.flush()  # routing reads the operators' load from the database
                routing.auto_assign(ticket=ticket, brand=brand, skills={t.label.lower() for t in terms}, now=now)
        else:
            before = _add_to_ticket(ticket, now, assessment, *self._clocks(item.brand_id))
            if thread.saved and not thread.dirty:
                thread.dirty = True
                self.dirty.append(thread)
            self.new_events.append((events.mention_added(ticket, mention, status_before=before), mention))
            if ticket.priority != before_priority:
                self.new_events.append(
                    (events.priority_assessed(ticket, before=before_priority, after=ticket.priority, at=now), None)
                )
        entry = _Known(mention, thread, item.text)
        self.known[(item.brand_id, item.platform, item.platform_id)] = entry
        return entry, created

    def _find(self, item: NormalizedMention, author: Author, brand: Brand) -> _Thread | None:
        if item.parent_id:
            parent = self.known.get((item.brand_id, item.platform, item.parent_id))
            if parent is not None:
                thread = parent.ticket if isinstance(parent.ticket, _Thread) else self.by_pk.get(parent.ticket)
            else:
                thread = self.by_pk.get(self.replies.get((item.brand_id, item.parent_id)))
            if thread and thread.ticket.brand_id == item.brand_id and thread.ticket.status != TicketStatus.CLOSED:
                return thread
        if item.conversation_id:
            same = self.by_conversation.get((item.brand_id, f"{item.platform}:{item.conversation_id}"), ())
            found = [t for t in same if t.ticket.status != TicketStatus.CLOSED]
            if found:
                return max(found, key=lambda t: (t.ticket.received_at, t.order))
        window_start = self.now - timedelta(hours=brand.thread_window_hours)
        found = [
            t
            for t in self.by_author.get((item.brand_id, author.pk), ())
            if t.ticket.platform == item.platform
            and t.ticket.status in ACTIVE_STATUSES
            and t.ticket.last_customer_at is not None
            and t.ticket.last_customer_at >= window_start
        ]
        return max(found, key=lambda t: (t.ticket.last_customer_at, t.order), default=None)

    def _assess(
        self,
        item: NormalizedMention,
        author: Author,
        view: AuthorView,
        thread: _Thread | None,
        sentiment: str,
        terms: list[priority.Term],
    ) -> priority.Assessment:
        """The priority of ``thread``'s ticket (None: the ticket this mention opens) once this mention is on
        it: the author's other tickets with the brand (all, and recent) and their messages on this ticket
        count, from the rows read and what the batch added."""
        now = self.now
        ticket = thread.ticket if thread else None
        key = (item.brand_id, author.pk)
        earlier, recent = self.history.get(key, (0, 0))
        earlier, recent = earlier + self.opened[key], recent + self.opened[key]  # opened now: recent
        if ticket is not None and ticket.author_id == author.pk:  # the other tickets: not this one
            earlier -= 1
            recent -= int(ticket.received_at >= now - timedelta(days=priority.RECENT_DAYS))
        on_ticket = 1 + (thread.mentions_by[author.pk] if thread else 0)
        created = priority.account_created_from_raw(item.raw)
        followers, following, verified_type = view
        signals = priority.AuthorSignals(
            followers=followers,
            following=following,
            verified_type=verified_type,
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
                    label = params.get("label", "")
                    known[label] = priority.Term(params.get("term", ""), label, weight)
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
        self, item: NormalizedMention, author: Author, rules: BrandRules, fingerprint: str
    ) -> noise.Verdict | None:
        return noise.check(
            text=item.text,
            handle=item.author.handle,
            blocked_handles=rules.blocked_handles.get(item.platform, frozenset()),
            spam_terms=rules.spam_terms,
            same_text_recently=self.same_text[(item.brand_id, fingerprint)] if fingerprint else 0,
            same_text_same_author=self.same_text_mine[(item.brand_id, fingerprint, author.pk)] if fingerprint else 0,
        )

    def _open(
        self, item: NormalizedMention, author: Author, assessment: priority.Assessment, verdict: noise.Verdict | None
    ) -> _Thread:
        now = self.now
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
        targets, calendar = self._clocks(item.brand_id)
        sla.refresh_due(ticket, now=now, targets=targets[ticket.priority], calendar=calendar)
        thread = _Thread(ticket, order=self.next_order, saved=False)
        self.next_order += 1
        self.new_threads.append(thread)
        self._remember(thread)
        self.opened[(item.brand_id, author.pk)] += 1
        return thread

    # --- writes ---

    def flush(self) -> None:
        """Write what the batch decided so far: new tickets, mentions and events (one ``INSERT`` each; the ids
        come back) and the stored tickets new mentions changed (one ``UPDATE``)."""
        if self.new_threads:
            Ticket.objects.bulk_create([thread.ticket for thread in self.new_threads])
            for thread in self.new_threads:
                thread.saved = True
            self.new_threads = []
        if self.new_mentions:
            Mention.objects.bulk_create(self.new_mentions)
            self.new_mentions = []
        if self.new_events:
            for event, mention in self.new_events:
                if mention is not None:
                    event.data["mention_id"] = mention.pk
            events.save_all([event for event, _ in self.new_events])
            self.new_events = []
        if self.dirty:
            stamp = timezone.now()
            for thread in self.dirty:
                thread.ticket.updated_at = stamp
                thread.dirty = False
            Ticket.objects.bulk_update([thread.ticket for thread in self.dirty], TOUCHED_FIELDS)
            self.dirty = []


def _any(conditions) -> Q:
    """``conditions`` OR-ed together."""
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


def _stored_mentions(items: list[NormalizedMention]) -> dict[tuple[int, str, str], _Known]:
    """(brand, platform, platform id) → the stored mention, for the batch's items and the parents they answer:
    one query per brand and platform instead of one per item."""
    wanted: dict[tuple[int, str], set[str]] = defaultdict(set)
    for item in items:
        wanted[(item.brand_id, item.platform)].add(item.platform_id)
        if item.parent_id:
            wanted[(item.brand_id, item.platform)].add(item.parent_id)
    known = {}
    for (brand_id, platform), ids in wanted.items():
        rows = Mention.objects.filter(brand_id=brand_id, platform=platform, platform_id__in=ids).values_list(
            "platform_id", "pk", "ticket_id", "text"
        )
        for platform_id, pk, ticket_id, text in rows:
            known[(brand_id, platform, platform_id)] = _Known(pk, ticket_id, text)
    return known


def _add_to_ticket(
    ticket: Ticket, now: datetime, assessment: priority.Assessment, targets: dict[int, Targets], calendar: Calendar
) -> str:
    """A customer wrote again: reopen, resume clocks, re-assess the priority unless a supervisor set it.
    Returns the status before. Mutates ``ticket``; the batch saves it."""
    before = ticket.status
    if not ticket.priority_overridden:
        ticket.priority = assessment.priority
        ticket.priority_factors = assessment.as_json()
    if ticket.status in (TicketStatus.PENDING, TicketStatus.RESOLVED):
        sla.end_pause(ticket, now=now, calendar=calendar)
        ticket.resolved_at = None
        ticket.status = TicketStatus.OPEN if ticket.assignee_id else TicketStatus.NEW
    ticket.last_customer_at = now
    ticket.mention_count += 1
    sla.refresh_due(ticket, now=now, targets=targets[ticket.priority], calendar=calendar)
    return before


def ingest_mentions(*, items: list[NormalizedMention], now: datetime | None = None) -> list[IngestResult]:
    """Store ``items`` (already validated and routed) in one transaction; a replay creates nothing new.

    Takes advisory locks on PostgreSQL (see :func:`_lock`) before reading anything; callers must not hold other
    ticket locks. Each item is threaded as if the items came one at a time, in order: onto tickets stored
    before or opened by an earlier item of the batch (see :class:`_Batch`).
    """
    now = now or timezone.now()
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
