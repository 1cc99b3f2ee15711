"""One ingest batch: its reads, the in-memory threading state its items are decided against, and its writes."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from brands.models import Brand
from brands.services.sla import Targets, targets_by_priority
from brands.services.sla.business_hours import calendar_for_brand_id
from brands.services.sla.calendars import Calendar
from smrc.jsonlimits import stored_raw

from ... import events
from ...channels.base import NormalizedMention
from ...models import ACTIVE_STATUSES, Author, Event, Mention, Reply, SentimentSource, Ticket, TicketStatus
from .. import assignment, media, noise, priority, sla
from ..priority import BrandRules, rules_for
from .authors import AuthorView, _author_key, _Authors


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
        #: the images and videos of new mentions (docs/media.md), written after their mentions
        self.new_media: list[tuple[Mention, tuple]] = []
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

    def add(
        self, item: NormalizedMention, author: Author, view: AuthorView, sentiment: str, intent: str
    ) -> tuple[_Known, bool]:
        """Store ``item`` (new to the brand) on the ticket it threads onto, or on a new one, with the ingest
        model's ``sentiment`` and the ``intent`` read beside it (the refining task reads both again later)."""
        now = self.now
        brand = self.brands[item.brand_id]
        rules = self._rules(brand.pk)
        thread = self._find(item, author, brand)
        created = thread is None
        fingerprint = noise.fingerprint(item.text)
        terms = rules.match_urgency(item.text)
        assessment = self._assess(item, author, view, thread, sentiment, intent, terms)
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
            raw=stored_raw(item.raw),
            sentiment=sentiment,
            sentiment_source=SentimentSource.INGEST,
            intent=intent,
            fingerprint=fingerprint,
        )
        self.new_mentions.append(mention)
        if item.media:
            self.new_media.append((mention, item.media))
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
            elif brand.routing_mode in assignment.AUTOMATIC_MODES:
                self.flush()  # assignment reads the operators' load from the database
                assignment.auto_assign(ticket=ticket, brand=brand, skills={t.label.lower() for t in terms}, now=now)
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
        intent: str,
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
                intent=intent,
                sentiment_source=SentimentSource.INGEST,
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
        if self.new_media:
            media.record(self.new_media)
            self.new_media = []
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
