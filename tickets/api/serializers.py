"""Serializers of the REST API v1: what each endpoint reads (``…In``, validated before any service is
called) and what it answers (``…Out``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from brands.models import Platform, Priority
from brands.services.customer_data import MAX_COUNT, MAX_URL_LENGTH, clean_handle, gate_url, platform_link
from smrc.bounds import ApiIdField, ApiIntegerField

from ..models import TAG_MAX_LENGTH, ChangesReason, Mention, NoteVisibility, Ticket
from ..services import media, replies, tags, workflow


def _gated_link(value: str) -> None:
    """The URL gate (``brands.services.customer_data.gate_url``): refused here with a 400, field named."""
    if gate_url(value)[1]:
        raise ValidationError(_("Enter a plain http or https link."))


class AuthorIn(serializers.Serializer):
    """``profile_url`` is not read: profile links are built from platform and handle."""

    id = serializers.CharField(max_length=64)
    handle = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    followers_count = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True, default=None
    )
    following_count = serializers.IntegerField(
        min_value=0, max_value=MAX_COUNT, required=False, allow_null=True, default=None
    )
    verified_type = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class MentionIn(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    platform_id = serializers.CharField(max_length=128)
    brand = serializers.SlugField(max_length=60, required=False)
    channel_account = ApiIdField(required=False)
    kind = serializers.ChoiceField(choices=Mention.Kind.choices, default=Mention.Kind.POST)
    author = AuthorIn()
    text = serializers.CharField(max_length=20000, allow_blank=True, trim_whitespace=False)
    language = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    posted_at = serializers.DateTimeField()
    conversation_id = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    parent_id = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    url = serializers.CharField(
        max_length=MAX_URL_LENGTH, required=False, allow_blank=True, default="", validators=[_gated_link]
    )
    raw = serializers.DictField(required=False, default=dict)

    def validate(self, attrs):
        if not attrs.get("brand") and not attrs.get("channel_account"):
            raise ValidationError({"brand": [_("Give a brand slug or a channel account id.")]})
        if platform_link(attrs["platform"], attrs["url"])[1]:
            label = Platform(attrs["platform"]).label
            raise ValidationError({"url": [_("Enter the link of the post on %(platform)s.") % {"platform": label}]})
        handle, problem = clean_handle(attrs["platform"], attrs["author"]["handle"])
        if problem:
            label = Platform(attrs["platform"]).label
            raise ValidationError(
                {"author": {"handle": [_("Not a valid handle on %(platform)s.") % {"platform": label}]}}
            )
        attrs["author"]["handle"] = handle
        return attrs


class AuthorOut(serializers.Serializer):
    platform = serializers.CharField()
    platform_user_id = serializers.CharField()
    handle = serializers.CharField()
    name = serializers.CharField()
    followers_count = serializers.IntegerField(allow_null=True)
    following_count = serializers.IntegerField(allow_null=True)
    verified_type = serializers.CharField()
    profile_url = serializers.CharField()


def _username(user) -> str | None:
    return user.get_username() if user else None


class TicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    brand = serializers.CharField(source="brand.slug")
    platform = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    author = AuthorOut()
    subject = serializers.CharField()
    is_private = serializers.BooleanField()
    mention_count = serializers.IntegerField()
    posted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    claimed_at = serializers.DateTimeField(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    first_approved_at = serializers.DateTimeField(allow_null=True)
    first_response_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    next_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    #: tag names, A→Z; read with ``selectors.ticket_tags_prefetch`` (one query for the page)
    tags = serializers.SerializerMethodField()

    def get_priority(self, ticket: Ticket) -> str:
        return Priority(ticket.priority).name.lower()

    def get_assignee(self, ticket: Ticket) -> str | None:
        return _username(ticket.assignee)

    def get_tags(self, ticket: Ticket) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]


class MentionMediaOut(serializers.Serializer):
    """A customer's image or video (docs/media.md): our own copy, served at ``url`` once stored."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="image, video or other")
    state = serializers.CharField(help_text="pending, stored, failed or too_large")
    content_type = serializers.CharField(help_text="Read from the bytes once stored; empty before.")
    size = serializers.IntegerField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt_text = serializers.CharField()
    url = serializers.SerializerMethodField(
        help_text="Our copy through the API (`/api/v1/media/m/<id>/`, an API key opens it), null until it is stored."
    )

    def get_url(self, media) -> str | None:
        return reverse("api-media-mention", args=[media.pk]) if media.state == "stored" else None


class ReplyAttachmentOut(serializers.Serializer):
    """The image sent with a reply (docs/media.md), served at ``url``."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="Our copy through the API: `/api/v1/media/r/<id>/`.")

    def get_url(self, attachment) -> str:
        return reverse("api-media-reply-image", args=[attachment.pk])


class MentionOut(serializers.Serializer):
    id = serializers.IntegerField()
    platform_id = serializers.CharField()
    kind = serializers.CharField()
    author = serializers.CharField(source="author.platform_user_id")
    text = serializers.CharField()
    language = serializers.CharField()
    url = serializers.CharField(source="link")
    conversation_id = serializers.CharField()
    parent_id = serializers.CharField()
    posted_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    is_edited = serializers.BooleanField()
    is_deleted = serializers.BooleanField()
    media = MentionMediaOut(many=True, help_text="What the customer sent with it, in order.")


class ReplyOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    status = serializers.CharField()
    platform_reply_id = serializers.CharField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    image = serializers.SerializerMethodField(help_text="The image sent with the reply, or null.")

    @extend_schema_field(ReplyAttachmentOut(allow_null=True))
    def get_image(self, reply):
        found = list(reply.attachments.all())
        return ReplyAttachmentOut(found[0]).data if found else None


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    visibility = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketDetailOut(TicketOut):
    mentions = MentionOut(many=True)
    replies = ReplyOut(many=True)
    #: the notes the caller may read (``tickets.selectors.ticket.ticket_detail_for``)
    notes = NoteOut(many=True, source="shown_notes")


class BodyIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=True)
    snippets = serializers.ListField(child=ApiIdField(), max_length=20, required=False)


class ReplyIn(BodyIn):
    """The reply as ``multipart/form-data``: ``body``, ``snippets`` (repeated) and one ``image`` where the platform
    takes one with this reply; checked from its bytes as the composer checks it (``media.check_image``)."""

    image = serializers.FileField(required=False, allow_empty_file=False, help_text="One image (docs/media.md).")

    def validate_image(self, upload):
        ticket = self.context["target"]
        rule = media.reply_image_rule(ticket)
        if rule is None:
            raise ValidationError(_("Replies on this platform cannot carry an image."))
        if upload.size > rule.max_bytes:  # refused before it is read
            raise ValidationError(_("The image is too large: at most %(mb)s MB here.") % {"mb": rule.megabytes})
        try:
            return media.check_image(content=upload.read(), name=upload.name or "", rule=rule)
        except workflow.WorkflowError as exc:
            raise ValidationError(str(exc)) from exc


class NoteIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=True)
    visibility = serializers.ChoiceField(choices=NoteVisibility.choices, default=NoteVisibility.TEAM)


class SnippetHitOut(serializers.Serializer):
    id = serializers.IntegerField(source="entry.id")
    title = serializers.CharField(source="entry.title")
    shortcut = serializers.CharField(source="entry.shortcut")
    language = serializers.CharField(source="entry.language")
    tone = serializers.CharField(source="entry.tone")
    tags = serializers.CharField(source="entry.tags")
    product = serializers.CharField(source="entry.product_name")
    excerpt = serializers.CharField(source="entry.excerpt")
    score = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class SnippetSearchIn(serializers.Serializer):
    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    brand = serializers.SlugField(max_length=60, required=False)
    limit = ApiIntegerField(min_value=1, max_value=50, default=20)


class RenderIn(serializers.Serializer):
    snippet = ApiIdField()


class ReviewReplyOut(ReplyOut):
    ticket = serializers.IntegerField(source="ticket_id")
    reference = serializers.CharField(source="ticket.reference")
    brand = serializers.CharField(source="ticket.brand.slug")
    ticket_due_at = serializers.DateTimeField(source="ticket.due_at", allow_null=True)
    revision = serializers.IntegerField(source="latest_revision")
    review_reasons = serializers.ListField(child=serializers.DictField())
    reviewer = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    changes_reason = serializers.CharField(source="changes_code")
    changes_note = serializers.CharField()

    def get_reviewer(self, reply) -> str | None:
        return _username(reply.reviewer)


class ApproveIn(serializers.Serializer):
    body = serializers.CharField(max_length=replies.REPLY_MAX_LENGTH, required=False)
    revision = ApiIntegerField(min_value=1, required=False)


class RequestChangesIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ChangesReason.choices)
    note = serializers.CharField(max_length=replies.REVIEW_NOTE_MAX_LENGTH)
    revision = ApiIntegerField(min_value=1, required=False)


class ReviewPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReviewReplyOut(many=True)


class IngestResultOut(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "duplicate"])
    mention = serializers.IntegerField()
    ticket = serializers.IntegerField()
    ticket_created = serializers.BooleanField()


class IngestOut(serializers.Serializer):
    created = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    results = IngestResultOut(many=True)


class SnippetSearchOut(serializers.Serializer):
    brand = serializers.CharField()
    results = SnippetHitOut(many=True)


class SuggestionsOut(serializers.Serializer):
    ticket = serializers.IntegerField()
    results = SnippetHitOut(many=True)


class RenderOut(serializers.Serializer):
    snippet = serializers.IntegerField()
    text = serializers.CharField()
    unfilled = serializers.ListField(child=serializers.CharField())


class PriorityIn(serializers.Serializer):
    priority = serializers.ChoiceField(
        choices=[*(p.name.lower() for p in Priority), "automatic"],
        help_text="A priority set by hand, or `automatic`: computed again from the ticket (as the ticket page).",
    )


class TagsIn(serializers.Serializer):
    """The ticket's tags, all of them (``[]`` removes every tag); the names as the ticket page takes them."""

    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH), max_length=tags.MAX_TAGS, allow_empty=True
    )


class ReplyStatusOut(ReplyOut):
    ticket = serializers.IntegerField(source="ticket_id")
    retry_at = serializers.DateTimeField(allow_null=True, help_text="A transient failure: not retried before this.")


class ChannelAccountOut(serializers.Serializer):
    id = serializers.IntegerField(source="account.pk")
    brand = serializers.CharField(source="account.brand.slug")
    platform = serializers.CharField(source="account.platform")
    external_id = serializers.CharField(source="account.external_id")
    name = serializers.CharField(source="account.name")
    handle = serializers.CharField(source="account.handle")
    status = serializers.CharField(source="account.status")
    status_detail = serializers.CharField(source="account.status_detail")
    has_access_token = serializers.SerializerMethodField()
    has_webhook_secret = serializers.SerializerMethodField()
    last_polled_at = serializers.DateTimeField(source="account.last_polled_at", allow_null=True)
    last_delivery_at = serializers.DateTimeField(source="account.last_delivery_at", allow_null=True)
    pending_deliveries = serializers.IntegerField(source="pending")
    failed_deliveries = serializers.IntegerField(source="failed")
    last_error = serializers.CharField()
    last_error_at = serializers.DateTimeField(allow_null=True)

    def get_has_access_token(self, row) -> bool:
        return bool(row["account"].access_token)

    def get_has_webhook_secret(self, row) -> bool:
        return bool(row["account"].webhook_secret)


# --- tickets, replies, notes, customers (apitickets) -------------------------------------------------------------


class AssignIn(serializers.Serializer):
    """Hand the ticket to ``assignee`` (a username); ``expected_assignee`` is the owner the client saw (a
    username, or null for nobody): someone else's claim or assignment meanwhile is refused (409), never
    overwritten. Left out, the owner as it is now."""

    assignee = serializers.CharField(max_length=150)
    expected_assignee = serializers.CharField(max_length=150, required=False, allow_null=True)
    note = serializers.CharField(
        max_length=workflow.ASSIGN_NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class BulkRowIn(serializers.Serializer):
    id = ApiIdField()
    expected_assignee = serializers.CharField(
        max_length=150, allow_null=True, help_text="The owner the client saw on this ticket (null: nobody)."
    )


class BulkIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["assign", "release", "resolve", "priority", "tag"])
    tickets = BulkRowIn(many=True, allow_empty=False, max_length=100)
    assignee = serializers.CharField(max_length=150, required=False, help_text="For `assign`: a username.")
    priority = serializers.ChoiceField(
        choices=[p.name.lower() for p in Priority], required=False, help_text="For `priority`."
    )
    tag = serializers.CharField(max_length=TAG_MAX_LENGTH, required=False, help_text="For `tag`: the tag to add.")

    def validate(self, attrs):
        needs = {
            "assign": ("assignee", _("Choose whom to assign the tickets to.")),
            "priority": ("priority", _("Choose a priority.")),
            "tag": ("tag", _("Type the tag to add.")),
        }
        if attrs["action"] in needs:
            name, message = needs[attrs["action"]]
            if not attrs.get(name):
                raise ValidationError({name: [message]})
        return attrs


class BulkSkippedOut(serializers.Serializer):
    ticket = serializers.CharField(help_text="The ticket's reference.")
    reason = serializers.CharField()


class BulkOut(serializers.Serializer):
    """What was done (references) and what was skipped, and why: the queue's summary, row by row."""

    done = serializers.ListField(child=serializers.CharField())
    skipped = BulkSkippedOut(many=True)


class ReviseIn(serializers.Serializer):
    body = serializers.CharField(max_length=replies.REPLY_MAX_LENGTH, trim_whitespace=True)


class IdentityOut(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    platform_user_id = serializers.CharField()
    handle = serializers.CharField()
    name = serializers.CharField()
    profile_url = serializers.CharField()


class CustomerTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    platform = serializers.CharField()
    status = serializers.CharField()
    subject = serializers.CharField()
    received_at = serializers.DateTimeField()
    is_private = serializers.BooleanField()
    handle = serializers.CharField(source="author.handle")


class CustomerHistoryOut(serializers.Serializer):
    tickets = serializers.IntegerField(help_text="How many tickets this identity opened with the brand.")
    mentions = serializers.IntegerField()
    ratings = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)


class CustomerOut(serializers.Serializer):
    """The ticket's customer for its brand: the identity, the other identities linked as the same person, their
    newest tickets with this brand across channels (at most 20; ``total`` counts them all) and the history."""

    customer = IdentityOut()
    identities = IdentityOut(many=True)
    tickets = CustomerTicketOut(many=True)
    total = serializers.IntegerField()
    history = CustomerHistoryOut()


class LinkIn(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField(max_length=120, trim_whitespace=True)


class UnlinkIn(serializers.Serializer):
    identity = ApiIdField(help_text="The id of a linked identity (``identities[].id``).")


class SavedViewIn(serializers.Serializer):
    """A saved view to make: ``query`` holds the ticket list's parameters (as ``GET /api/v1/views/`` shows them),
    read by the queue's form each time the view is opened; ``team``: a brand's slug to share it with that brand's
    team (``view:team``), absent or null for your own."""

    name = serializers.CharField(max_length=60)
    team = serializers.SlugField(max_length=50, required=False, allow_null=True, default=None)
    query = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True), required=False, default=dict
    )


class SavedViewOut(serializers.Serializer):
    id = serializers.IntegerField(source="view.pk")
    name = serializers.CharField(source="view.name")
    team = serializers.SerializerMethodField(help_text="The brand whose team view this is; null for your own.")
    query = serializers.DictField(child=serializers.CharField(), help_text="The queue's parameters it applies.")
    count = serializers.IntegerField(help_text="How many tickets it shows now.")

    def get_team(self, row) -> str | None:
        return row.view.brand.slug if row.view.brand_id else None
