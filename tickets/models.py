"""The case lifecycle: authors, mentions, tickets, replies and the append-only event log."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand, ChannelAccount, Platform, Priority
from brands.services import customer_data


class Author(models.Model):
    """A person on a platform as one brand knows them. Each brand keeps its own profile: what one brand's ingest
    learns (name, handle, counts) never changes what another brand sees. The platform user id is shared only as
    a key (docs/architecture.md, "Authors")."""

    #: no index of its own: the unique (brand, platform, platform user id) index starts with it
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="authors", verbose_name=_("brand"), db_index=False
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    platform_user_id = models.CharField(_("platform user id"), max_length=64)
    handle = models.CharField(_("handle"), max_length=120, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    followers_count = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    following_count = models.PositiveIntegerField(_("following"), null=True, blank=True)
    verified_type = models.CharField(_("verified type"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "platform_user_id"], name="author_unique_brand_platform_user"
            ),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}" if self.handle else self.name or self.platform_user_id

    @property
    def display_name(self) -> str:
        return self.name or (f"@{self.handle}" if self.handle else self.platform_user_id)

    @property
    def profile_url(self) -> str:
        """The profile on the platform, built from platform, handle and id (never stored from a payload)."""
        return customer_data.profile_url(self.platform, self.handle, self.platform_user_id)


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    IGNORED = "ignored", _("Ignored")


#: statuses whose tickets still need work and appear in the live queue
ACTIVE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)

#: from-status → the statuses a transition may lead to (docs/domain.md, "Ticket lifecycle": who makes each move).
TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset({TicketStatus.OPEN, TicketStatus.RESOLVED, TicketStatus.IGNORED}),
    TicketStatus.OPEN: frozenset({TicketStatus.NEW, TicketStatus.PENDING, TicketStatus.RESOLVED, TicketStatus.IGNORED}),
    TicketStatus.PENDING: frozenset({TicketStatus.OPEN, TicketStatus.NEW, TicketStatus.RESOLVED}),
    TicketStatus.RESOLVED: frozenset({TicketStatus.OPEN, TicketStatus.NEW, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset({TicketStatus.OPEN, TicketStatus.NEW}),
    TicketStatus.IGNORED: frozenset({TicketStatus.NEW}),
}


#: the longest tag name
TAG_MAX_LENGTH = 40


class Tag(models.Model):
    """A brand's label for tickets (``refund``, ``delivery-late``): lower-case letters, digits, ``-`` and ``_``,
    at most :data:`TAG_MAX_LENGTH` characters, unique per brand. Made by ``tickets.services.tags``."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="tags", verbose_name=_("brand"))
    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="tag_unique_brand_name")]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("brand"))
    channel_account = models.ForeignKey(
        ChannelAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("channel account"),
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    author = models.ForeignKey(Author, on_delete=models.RESTRICT, related_name="tickets", verbose_name=_("author"))
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    is_private = models.BooleanField(_("private message"), default=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True, help_text=_("The first customer words."))
    #: the platform, a colon and the conversation (or first item) id: 20 + 1 + 128 characters
    conversation_key = models.CharField(_("conversation key"), max_length=149, blank=True)
    mention_count = models.PositiveIntegerField(_("mentions"), default=0)
    language = models.CharField(_("language"), max_length=12, blank=True)
    #: the factors that made ``priority`` (tickets.services.priority.Assessment.as_json), shown as "why"
    priority_factors = models.JSONField(_("priority factors"), default=dict, blank=True)
    #: a supervisor set the priority by hand: new mentions no longer recompute it
    priority_overridden = models.BooleanField(_("priority set by hand"), default=False)
    #: why the ticket was moved to ``ignored`` (tickets.services.noise.REASONS), empty otherwise
    ignored_reason = models.CharField(_("ignored because"), max_length=20, blank=True)
    #: the brand's tags on this ticket; always of the ticket's own brand (``tickets.services.tags``)
    tags = models.ManyToManyField(Tag, through="TicketTag", related_name="tickets", blank=True, verbose_name=_("tags"))

    # Clocks (docs/domain.md, "SLA clocks"), all UTC.
    posted_at = models.DateTimeField(_("posted"))
    received_at = models.DateTimeField(_("received"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first reply submitted"), null=True, blank=True)
    first_approved_at = models.DateTimeField(_("first reply approved"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response published"), null=True, blank=True)
    last_customer_at = models.DateTimeField(_("last customer message"), null=True, blank=True)
    last_response_at = models.DateTimeField(_("last response published"), null=True, blank=True)
    pending_since = models.DateTimeField(_("pending since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("seconds paused while pending"), default=0)
    paused_business_seconds = models.PositiveIntegerField(_("business seconds paused while pending"), default=0)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    #: the earliest deadline still running; the queue sorts on it (null when nothing is due)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    #: the warning and the escalation sent for the current ``due_at``; cleared when it moves
    sla_warned_at = models.DateTimeField(_("SLA warning sent"), null=True, blank=True)
    sla_escalated_at = models.DateTimeField(_("SLA escalation sent"), null=True, blank=True)
    #: the first time any deadline of this ticket passed
    breached_at = models.DateTimeField(_("first breach"), null=True, blank=True)
    #: business time of the brand's calendar, stamped when the first reply is published / the ticket is resolved
    #: (resolution without the business time spent pending), so reports never compute it per ticket
    first_response_business_seconds = models.PositiveIntegerField(
        _("first response (business seconds)"), null=True, blank=True
    )
    resolution_business_seconds = models.PositiveIntegerField(_("resolution (business seconds)"), null=True, blank=True)

    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # The live queue: active tickets ordered by due time, then age.
            models.Index(
                fields=["due_at", "received_at", "id"],
                name="ticket_active_due_idx",
                condition=Q(status__in=["new", "open", "pending"]),
            ),
            models.Index(
                fields=["brand", "due_at", "received_at"],
                name="ticket_brand_active_due_idx",
                condition=Q(status__in=["new", "open", "pending"]),
            ),
            # The SLA scan: only tickets whose current deadline has not been warned / escalated yet.
            models.Index(
                fields=["due_at"],
                name="ticket_sla_warn_idx",
                condition=Q(status__in=["new", "open"], sla_warned_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="ticket_sla_escalate_idx",
                condition=Q(status__in=["new", "open"], sla_escalated_at__isnull=True),
            ),
            # The unassigned queue: new tickets are exactly the unassigned ones, a correlation the planner cannot
            # see (it expects 70 rows, finds 3,500 and sorts them all); this index hands it the rows in order.
            models.Index(
                fields=["due_at", "received_at", "id"],
                name="ticket_unassigned_due_idx",
                condition=Q(status__in=["new", "open", "pending"], assignee__isnull=True),
            ),
            # The queue filtered on one status (closed, resolved…): the rows in queue order, so the page is read
            # from the head of the index instead of sorting every closed ticket of the user's brands.
            models.Index(fields=["status", "due_at", "received_at", "id"], name="ticket_status_due_idx"),
            models.Index(fields=["brand", "status", "priority"], name="ticket_brand_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["brand", "conversation_key"], name="ticket_brand_conversation_idx"),
            models.Index(fields=["brand", "author", "received_at"], name="ticket_brand_author_idx"),
            models.Index(fields=["brand", "received_at"], name="ticket_brand_received_idx"),
            # the team view: the active queue by owner, status, priority and due time, read from the index alone
            models.Index(
                fields=["brand", "assignee", "status", "priority", "due_at"],
                name="ticket_team_idx",
                condition=Q(status__in=["new", "open", "pending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in TicketStatus]), name="ticket_status_valid"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_valid"),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(assignee__isnull=False), name="ticket_open_has_assignee"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"T-{self.pk}"


class TicketTag(models.Model):
    """One tag on one ticket. The tag's brand is the ticket's brand (``tickets.services.tags`` ensures it)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", verbose_name=_("tag"))

    class Meta:
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")
        constraints = [models.UniqueConstraint(fields=["ticket", "tag"], name="ticket_tag_unique")]
        # the drill-down by tag walks a tag's tickets; (ticket, tag) above serves the ticket's tags
        indexes = [models.Index(fields=["tag", "ticket"], name="ticket_tag_by_tag_idx")]

    def __str__(self) -> str:
        return f"T-{self.ticket_id}: {self.tag_id}"


class SentimentSource(models.TextChoices):
    """Which model gave a mention its ``sentiment`` (docs/sentiment.md)."""

    INGEST = "ingest", _("ingest model")
    REFINED = "refined", _("refining model")


class Intent(models.TextChoices):
    """What a mention wants (docs/intent.md): one label per mention, given at ingest."""

    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")
    PRAISE = "praise", _("Praise")
    OTHER = "other", _("Other")


class Mention(models.Model):
    """One inbound item. Unique per brand and platform id: a mention routed to two brands is two rows."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        DM = "dm", _("Direct message")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("brand"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("ticket"))
    channel_account = models.ForeignKey(
        ChannelAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentions",
        verbose_name=_("channel account"),
    )
    author = models.ForeignKey(Author, on_delete=models.RESTRICT, related_name="mentions", verbose_name=_("author"))
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    platform_id = models.CharField(_("platform id"), max_length=128)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.POST)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=12, blank=True)
    url = models.URLField(_("url"), max_length=500, blank=True)
    conversation_id = models.CharField(_("conversation id"), max_length=128, blank=True)
    parent_id = models.CharField(_("parent id"), max_length=128, blank=True)
    posted_at = models.DateTimeField(_("posted"))
    received_at = models.DateTimeField(_("received"))
    raw = models.JSONField(_("raw payload"), default=dict, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, blank=True)
    #: the model that gave ``sentiment``: the ingest model, then the refining model once a worker has run it
    #: (``tickets.services.refinement``); a refined mention is never refined again
    sentiment_source = models.CharField(
        _("sentiment from"), max_length=10, choices=SentimentSource.choices, default=SentimentSource.INGEST
    )
    intent = models.CharField(_("intent"), max_length=10, choices=Intent.choices, blank=True)
    #: hash of the normalised text, to spot floods of the same text (tickets.services.noise)
    fingerprint = models.CharField(_("text fingerprint"), max_length=16, blank=True)
    is_edited = models.BooleanField(_("edited"), default=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "platform_id"], name="mention_unique_brand_platform_id"
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "posted_at"], name="mention_ticket_posted_idx"),
            models.Index(fields=["brand", "platform", "conversation_id"], name="mention_brand_conversation_idx"),
            models.Index(fields=["brand", "fingerprint", "received_at"], name="mention_brand_fingerprint_idx"),
            # the refining task's scan: the newest mentions not refined yet (a small index: refined rows leave it)
            models.Index(
                fields=["received_at", "id"], name="mention_unrefined_idx", condition=Q(sentiment_source="ingest")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.platform_id}"

    @property
    def link(self) -> str:
        """The "open on platform" link: the stored URL only when it passes the URL gate and leads to the
        mention's platform (rows stored before either check existed are checked again here), else ""."""
        return customer_data.platform_link(self.platform, self.url)[0]


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


#: a reply in one of these blocks another reply from being started on the same ticket
REPLY_OPEN_STATUSES = (ReplyStatus.IN_REVIEW, ReplyStatus.APPROVED, ReplyStatus.SENDING)


class Reply(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="replies", verbose_name=_("brand"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies", verbose_name=_("ticket"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="replies", verbose_name=_("author")
    )
    in_reply_to = models.ForeignKey(
        Mention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    delivery_channel = models.CharField(_("delivery channel"), max_length=20, default="console")
    platform_reply_id = models.CharField(_("platform reply id"), max_length=128, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    sent_at = models.DateTimeField(_("published"), null=True, blank=True)
    #: why the review policy sent this reply to a supervisor: [{"code": …, "params": {…}}]; empty: no review
    review_reasons = models.JSONField(_("why reviewed"), default=list, blank=True)
    #: its text sends the customer elsewhere (call center, office, another channel: brands.services.bounces), by
    #: the brand's settings when it was written; reports count the tickets resolved without such a reply
    sends_elsewhere = models.BooleanField(_("sends the customer elsewhere"), default=False)
    #: a reviewer first opened it / decided on it (the review part of the first response, docs/domain.md)
    review_started_at = models.DateTimeField(_("review started"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    #: the latest request for changes, shown to the author in place (every decision is a ReviewDecision)
    changes_code = models.CharField(_("changes requested because"), max_length=20, blank=True)
    changes_note = models.TextField(_("reviewer's note"), blank=True)
    #: the delivery lease: set by every approved → sending claim; recovery takes over a stale one by CAS on it
    sending_started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    #: a transient error or a rate limit: the next delivery attempt not before this time
    retry_at = models.DateTimeField(_("next attempt not before"), null=True, blank=True)
    #: set when this reply answered a customer message that followed our last published reply (a next response):
    #: the customer message's receipt, the next-response due time then running, and the business time between
    next_response_started_at = models.DateTimeField(_("next response clock started"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    next_response_business_seconds = models.PositiveIntegerField(
        _("next response (business seconds)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="reply_ticket_created_idx"),
            # the review queue and the delivery sweeps read only these few rows
            models.Index(fields=["brand", "submitted_at"], name="reply_in_review_idx", condition=Q(status="in_review")),
            models.Index(fields=["sending_started_at"], name="reply_sending_idx", condition=Q(status="sending")),
            # "resolved in channel": the few published replies that sent the customer elsewhere, by ticket
            models.Index(
                fields=["ticket"], name="reply_bounced_idx", condition=Q(sends_elsewhere=True, sent_at__isnull=False)
            ),
            # the team view: which open tickets have a reply on its way (a handful of rows)
            models.Index(
                fields=["brand", "ticket"],
                name="reply_in_flight_idx",
                condition=Q(status__in=["in_review", "approved", "sending"]),
            ),
            # the QA sample: a brand's replies published in a week (tickets.services.qa)
            models.Index(fields=["brand", "sent_at"], name="reply_brand_sent_idx", condition=Q(sent_at__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in ReplyStatus]), name="reply_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Reply {self.pk} on T-{self.ticket_id}"


class ReplyRevision(models.Model):
    """Every body a reply ever had, numbered from 1. Never updated or deleted."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("reply"))
    number = models.PositiveIntegerField(_("revision"))
    body = models.TextField(_("body"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply revision")
        verbose_name_plural = _("reply revisions")
        ordering = ["reply", "number"]
        constraints = [models.UniqueConstraint(fields=["reply", "number"], name="reply_revision_unique_number")]

    def __str__(self) -> str:
        return f"Reply {self.reply_id} r{self.number}"


class ChangesReason(models.TextChoices):
    """Why a reviewer sends a reply back (a fixed list, for the reports; the note says the rest)."""

    TONE = "tone", _("Tone")
    WRONG_INFORMATION = "wrong_info", _("Wrong information")
    MISSING_INFORMATION = "missing_info", _("Missing information")
    POLICY = "policy", _("Policy or legal")
    OTHER = "other", _("Other")


class ReviewDecision(models.Model):
    """One reviewer's decision on one revision of a reply. Never updated."""

    class Verdict(models.TextChoices):
        APPROVED = "approved", _("Approved")
        EDITED = "edited", _("Edited and approved")
        CHANGES = "changes_requested", _("Changes requested")

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("reply"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer")
    )
    verdict = models.CharField(_("decision"), max_length=20, choices=Verdict.choices)
    revision = models.PositiveIntegerField(_("revision decided on"))
    reason_code = models.CharField(_("reason"), max_length=20, choices=ChangesReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["reply", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.verdict} on reply {self.reply_id} r{self.revision}"


class DeliveryAttempt(models.Model):
    """One try to publish a reply through its delivery channel."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        #: the platform may or may not have published it (timeout, 5xx, a worker stopped): look it up first
        UNKNOWN = "unknown", _("Outcome unknown")
        #: the platform refused for now (429, quota, 5xx before it read anything): retried later
        DEFERRED = "deferred", _("Retry later")

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attempts", verbose_name=_("reply"))
    channel = models.CharField(_("channel"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.STARTED)
    platform_reply_id = models.CharField(_("platform reply id"), max_length=128, blank=True)
    payload = models.JSONField(_("payload sent"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome} for reply {self.reply_id}"


class NoteVisibility(models.TextChoices):
    """Who reads a note besides its team: ``team`` notes are for operators and supervisors only; ``client`` notes
    are also for the brand's managers (the client's people). Never sent to the customer either way."""

    TEAM = "team", _("Team only")
    CLIENT = "client", _("For the client")


class Note(models.Model):
    """A note on a ticket: never sent to the customer. Team-only notes are hidden from brand managers everywhere
    (the ticket page, the timeline, the API); notes for the client are marked as such (``visibility``)."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="notes", verbose_name=_("brand"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes", verbose_name=_("ticket"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("body"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=NoteVisibility.choices, default=NoteVisibility.TEAM
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"Note {self.pk} on T-{self.ticket_id}"


class Notification(models.Model):
    """An in-app notice for one user (SLA warnings and escalations); also mailed when the user has an address."""

    class Kind(models.TextChoices):
        SLA_WARNING = "sla.warning", _("SLA warning")
        SLA_BREACH = "sla.breach", _("SLA breach")
        REVIEW_REQUESTED = "review.requested", _("Review requested")
        REVIEW_APPROVED = "review.approved", _("Reply approved")
        REVIEW_CHANGES = "review.changes", _("Changes requested")
        REPLY_FAILED = "reply.failed", _("Reply not published")
        CSAT_LOW = "csat.low", _("Low satisfaction rating")
        ASSIGNED = "ticket.assigned", _("Assigned to you")
        WEBHOOK_PAUSED = "webhook.paused", _("Webhook paused")
        QA_GRADED = "qa.graded", _("Reply graded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("brand"))
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class LinkedIdentity(models.Model):
    """One brand's knowledge that an author is one person with the other authors of the same ``person``: an
    operator linked the customer's X account and their Instagram account, say. Brand-scoped twice over: authors
    are the brand's own (one row per brand and platform user), and the link carries its brand, which every read
    and write checks, so a link made by brand A never changes what brand B sees. Undone by deleting the row
    (``services/customers.py``); both ways leave an event on the ticket it was made from."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    author = models.OneToOneField(Author, on_delete=models.CASCADE, related_name="identity", verbose_name=_("author"))
    #: the group: every author of the brand with the same value is the same person
    person = models.UUIDField(_("person"), db_index=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked"))

    class Meta:
        verbose_name = _("linked identity")
        verbose_name_plural = _("linked identities")
        indexes = [models.Index(fields=["brand", "person"], name="identity_brand_person_idx")]

    def __str__(self) -> str:
        return f"{self.author_id} ~ {self.person}"


class AppendOnlyError(Exception):
    pass


class Event(models.Model):
    """Append-only timeline and audit entry. Written by ``tickets.events`` in the same transaction as the change."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="events", verbose_name=_("brand"))
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("ticket")
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("reply")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created_idx"),
            # one person's events of a kind over a period: "My performance" (the snippets they edit before sending)
            models.Index(fields=["actor", "kind", "created_at"], name="event_actor_kind_idx"),
            # the reopen rate: the few reopenings by a person or by the customer writing again, by ticket
            models.Index(fields=["ticket"], name="event_reopened_idx", condition=Q(kind="ticket.reopened")),
            models.Index(
                fields=["ticket"],
                name="event_customer_reopened_idx",
                condition=Q(kind="mention.added", data__status_before__in=["resolved", "closed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("events are append-only")


class MentionRevision(models.Model):
    """A text a mention had before the platform told us it was edited, numbered from 1. Never updated."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("mention"))
    number = models.PositiveIntegerField(_("revision"))
    text = models.TextField(_("text"), blank=True)
    replaced_at = models.DateTimeField(_("replaced"))

    class Meta:
        verbose_name = _("mention revision")
        verbose_name_plural = _("mention revisions")
        ordering = ["mention", "number"]
        constraints = [models.UniqueConstraint(fields=["mention", "number"], name="mention_revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.mention_id} r{self.number}"


class InboundDelivery(models.Model):
    """A webhook delivery exactly as received (after its signature was verified), stored before it is
    acknowledged and processed by a task. The sweep re-queues what stayed pending, so a broker outage loses
    nothing."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored (unknown account)")

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    channel_account = models.ForeignKey(
        ChannelAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("channel account"),
    )
    body = models.TextField(_("raw body"))
    #: sha256 of the raw body: the same bytes (a platform's retry, or a replay) are stored once
    body_sha256 = models.CharField(_("body hash"), max_length=64, blank=True, default="", editable=False)
    #: the request headers worth keeping (content type, signature scheme, delivery ids); never secrets
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    received_at = models.DateTimeField(_("received"))
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    #: what processing made of it: counts of created, duplicates, edits, echoes, actions, skipped (with reasons)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("inbound delivery")
        verbose_name_plural = _("inbound deliveries")
        indexes = [
            models.Index(fields=["received_at"], name="delivery_pending_idx", condition=Q(state="pending")),
            models.Index(fields=["state", "-received_at"], name="delivery_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "processed", "failed", "ignored"]), name="delivery_state_valid"
            ),
            models.UniqueConstraint(fields=["body_sha256"], condition=~Q(body_sha256=""), name="delivery_unique_body"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} delivery {self.pk} ({self.state})"


class Submission(models.Model):
    """One user's write sent with an idempotency key: the hidden field of the page's form or the API's
    ``Idempotency-Key`` header. Unique per user and key, so a repeat of the same submission (a double click, a
    retried request, both at once) finds this row and answers with its outcome instead of writing again;
    ``fingerprint`` is what was asked (action, object, text), and the same key with another request is refused
    (``tickets.services.idempotency``). Written in the transaction of the write itself; never updated."""

    class Action(models.TextChoices):
        REPLY = "reply", _("Reply")
        REVISE = "revise", _("Revision")
        RETRY = "retry", _("Retry")
        APPROVE = "approve", _("Approval")
        CHANGES = "changes", _("Request for changes")
        NOTE = "note", _("Internal note")
        CLAIM = "claim", _("Claim")
        TAKE_NEXT = "take_next", _("Get next")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.UUIDField(_("idempotency key"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("reply")
    )
    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("internal note")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.action} {self.key} by {self.user_id}"


#: the longest comment a customer may leave with a rating
CSAT_COMMENT_MAX_LENGTH = 1000


class CsatSurvey(models.Model):
    """The one satisfaction survey of a ticket (docs/csat.md): planned when the ticket is resolved (at most once:
    unique per ticket), sent by a task through the ticket's delivery channel (``pending`` → ``sending`` by a
    conditional UPDATE, so two workers never both send it), answered once on the public rating page."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")

    class Route(models.TextChoices):
        DM = "dm", _("Private message")
        PUBLIC = "public", _("Public reply")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="csat_surveys", verbose_name=_("brand"))
    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="csat_survey", verbose_name=_("ticket")
    )
    #: the ticket's owner when it was resolved: whose help the customer rates
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("operator"),
    )
    #: the customer message the survey answers (its conversation or DM thread)
    in_reply_to = models.ForeignKey(
        Mention, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("in reply to")
    )
    route = models.CharField(_("sent as"), max_length=10, choices=Route.choices)
    delivery_channel = models.CharField(_("delivery channel"), max_length=20, default="console")
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    body = models.TextField(_("message"), blank=True)
    platform_message_id = models.CharField(_("platform message id"), max_length=128, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: the last try may have published it (timeout, 5xx): the next try looks it up first
    outcome_unknown = models.BooleanField(_("outcome unknown"), default=False)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=CSAT_COMMENT_MAX_LENGTH)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [
            models.Index(fields=["brand", "answered_at"], name="csat_brand_answered_idx"),
            models.Index(fields=["created_at"], name="csat_pending_idx", condition=Q(status="pending")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="csat_rating_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed"]), name="csat_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"CSAT of T-{self.ticket_id}"


class SavedView(models.Model):
    """A named queue: filters, sort and search kept as the queue's query string parameters. Personal (``owner``
    set, no brand) or the team's of one brand (``brand`` set, no owner; made and removed by those holding
    ``view:team``, each change in the brand's configuration trail). Made by ``tickets.services.views``."""

    name = models.CharField(_("name"), max_length=60)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="saved_views", verbose_name=_("brand")
    )
    #: the queue's parameters (tickets.selectors.queue.QueueFilters.as_query): brand, status, priority, mine,
    #: unassigned, q, sort; validated again by the queue's form whenever it is used
    query = models.JSONField(_("filters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False, brand__isnull=True) | Q(owner__isnull=True, brand__isnull=False),
                name="saved_view_personal_or_team",
            ),
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_unique_owner_name"),
            models.UniqueConstraint(fields=["brand", "name"], name="saved_view_unique_brand_name"),
        ]

    def __str__(self) -> str:
        return self.name


class QueuePreference(models.Model):
    """One user's queue preferences: browser notifications (opt-in) for tickets assigned to them and urgent ones."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_preference", verbose_name=_("user")
    )
    browser_alerts = models.BooleanField(_("browser notifications"), default=False)

    class Meta:
        verbose_name = _("queue preference")
        verbose_name_plural = _("queue preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.browser_alerts}"


class WebhookDelivery(models.Model):
    """One event pushed to one subscription: the outbox row, written in the event's transaction, and its log
    (tickets.services.hooks). ``event_id`` is what a receiver deduplicates on; a "send again" is a new row with
    the same ``event_id`` and body."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        "brands.WebhookSubscription", on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook")
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True)
    kind = models.CharField(_("event"), max_length=40)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    response_status = models.PositiveIntegerField(_("answer status"), null=True, blank=True)
    response_excerpt = models.CharField(_("answer"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent again from")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="hookdelivery_sub_created_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="hookdelivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.subscription_id} ({self.status})"


#: a criterion's score on a scorecard: 1 (poor) to 5 (excellent); the overall score is a percent of the most
QA_SCORE_MIN, QA_SCORE_MAX = 1, 5


class Scorecard(models.Model):
    """One grader's QA grade of one published reply (tickets.services.qa; docs/qa.md): a score and a comment per
    criterion of the brand's rubric (:class:`ScorecardLine`), a coaching note, and the overall score as a percent
    of the most the weighted criteria allow. One per reply and grader; the operator acknowledges it once."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("brand"))
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("reply"))
    #: the reply's author: whose work is graded
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorecards", verbose_name=_("operator")
    )
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("grader")
    )
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1)
    coaching = models.TextField(_("coaching note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("graded"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        indexes = [
            models.Index(fields=["operator", "-created_at"], name="scorecard_operator_idx"),
            models.Index(fields=["brand", "created_at"], name="scorecard_brand_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reply", "grader"], name="scorecard_one_per_grader"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="scorecard_score_percent"),
        ]

    def __str__(self) -> str:
        return f"Scorecard of reply {self.reply_id} by {self.grader_id}"


class ScorecardLine(models.Model):
    """A criterion's score (1–5) and comment on a scorecard, with the criterion's weight when it was graded."""

    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="lines", verbose_name=_("scorecard")
    )
    criterion = models.ForeignKey(
        "brands.QaCriterion", on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    weight = models.PositiveSmallIntegerField(_("weight"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)

    class Meta:
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="scorecard_line_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=QA_SCORE_MIN, score__lte=QA_SCORE_MAX), name="scorecard_line_score_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


# --- media (docs/media.md) --------------------------------------------------------------------------------------


class MediaState(models.TextChoices):
    PENDING = "pending", _("Waiting to be fetched")
    STORED = "stored", _("Stored")
    FAILED = "failed", _("Not available")
    TOO_LARGE = "too_large", _("Too large to keep")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    OTHER = "other", _("Other file")


class MentionMedia(models.Model):
    """An image or video a customer sent with a mention: the platform's link (a CDN link that expires, never shown
    in a page) and our own copy in the default storage, fetched by ``tickets.services.media``. ``content_type`` is
    read from the bytes; pages show it through ``/media/m/<id>/`` only, scoped like the ticket."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="media", verbose_name=_("mention"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices, default=MediaKind.IMAGE)
    source_url = models.TextField(_("platform link"), max_length=2000)
    platform_media_id = models.CharField(_("platform media id"), max_length=128, blank=True)
    alt_text = models.CharField(_("description"), max_length=1000, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file = models.FileField(_("file"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=MediaState.choices, default=MediaState.PENDING)
    error = models.CharField(_("error"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("mention media")
        verbose_name_plural = _("mention media")
        constraints = [
            models.UniqueConstraint(fields=["mention", "position"], name="mention_media_unique_position"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in MediaState]), name="mention_media_state"),
        ]
        indexes = [
            # the retry sweep reads only the few copies still waiting
            models.Index(fields=["next_try_at"], name="mention_media_pending_idx", condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of mention {self.mention_id}"

    @property
    def is_stored(self) -> bool:
        return self.state == MediaState.STORED and bool(self.file)


class ReplyAttachment(models.Model):
    """The one image sent with a reply, checked when it was attached (type from the bytes, size, dimensions, the
    platform's rule) and sent by the platform module at publish time. ``upload_id`` / ``sent_id``: what a publish
    already did with it (an upload id, a message of its own on Messenger), so a retry never sends it twice."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+", verbose_name=_("brand"))
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("reply"))
    file = models.FileField(_("file"), max_length=200)
    name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    upload_id = models.CharField(_("platform upload id"), max_length=128, blank=True)
    sent_id = models.CharField(_("platform message id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("reply attachment")
        verbose_name_plural = _("reply attachments")
        constraints = [models.UniqueConstraint(fields=["reply"], name="reply_attachment_one_per_reply")]

    def __str__(self) -> str:
        return f"image {self.pk} of reply {self.reply_id}"
