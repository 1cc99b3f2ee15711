"""REST API v1: ingest mentions, list and read tickets, act on them. Thin callers of selectors and services."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for, channel_accounts_for, has_perm
from brands.models import ChannelAccount, Platform, Priority, Snippet
from brands.services.customer_data import MAX_COUNT, MAX_URL_LENGTH, clean_handle, gate_url, platform_link
from smrc.bounds import ID_MAX, ApiIdField, ApiIntegerField, parse_int

from ..channels.base import NormalizedAuthor, NormalizedMention
from ..models import ChangesReason, Mention, Ticket, TicketStatus
from ..selectors import (
    get_ticket_for_user,
    replies_for,
    ticket_detail_queryset,
    ticket_page_queryset,
    ticket_tags_prefetch,
    tickets_for,
)
from ..selectors_review import get_reply_for_user, review_queue_for, with_review_details
from ..services import composer, idempotency, ingest, replies, workflow

# --- ingest -------------------------------------------------------------------------------------------------


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


def _route(data: dict, *, user, brand_ids: dict[str, int], channels: dict[int, ChannelAccount]) -> NormalizedMention:
    """Resolve brand and channel account within the user's scope; raise ValidationError if unknown."""
    channel = None
    if data.get("channel_account"):
        channel = channels.get(data["channel_account"])
        if channel is None:
            raise ValidationError({"channel_account": [_("Unknown channel account.")]})
        if channel.platform != data["platform"]:
            raise ValidationError({"channel_account": [_("This channel account is on another platform.")]})
    if data.get("brand"):
        brand_id = brand_ids.get(data["brand"])
        if brand_id is None:
            raise ValidationError({"brand": [_("Unknown brand.")]})
        if channel and channel.brand_id != brand_id:
            raise ValidationError({"channel_account": [_("This channel account belongs to another brand.")]})
    else:
        brand_id = channel.brand_id  # type: ignore[union-attr]
    author = data["author"]
    return NormalizedMention(
        brand_id=brand_id,
        channel_account_id=channel.pk if channel else None,
        platform=data["platform"],
        platform_id=data["platform_id"],
        kind=data["kind"],
        author=NormalizedAuthor(
            platform_user_id=author["id"],
            handle=author["handle"],
            name=author["name"],
            followers_count=author["followers_count"],
            following_count=author["following_count"],
            verified_type=author["verified_type"],
        ),
        text=data["text"],
        language=data["language"],
        posted_at=data["posted_at"],
        conversation_id=data["conversation_id"],
        parent_id=data["parent_id"],
        url=data["url"],
        raw=data["raw"],
    )


class MentionIngestView(APIView):
    """``POST /api/v1/mentions/``: a batch (a JSON list, or ``{"mentions": [...]}``) of normalized mentions.

    All or nothing: any invalid item answers 400 with a result per item and writes nothing; otherwise every
    item is ``created`` or ``duplicate``. Over the size limits: 413.
    """

    def post(self, request):
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0", max_value=ID_MAX)
        if length is None or length > settings.SMRC_INGEST_MAX_BYTES:
            return Response(
                {"detail": _("The body is over the limit of %(n)d bytes.") % {"n": settings.SMRC_INGEST_MAX_BYTES}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        payload = request.data
        if isinstance(payload, dict) and "mentions" in payload:
            payload = payload["mentions"]
        if not isinstance(payload, list) or not payload:
            raise ParseError(_('Send a non-empty JSON list of mentions, or {"mentions": [...]}.'))
        if len(payload) > settings.SMRC_INGEST_MAX_ITEMS:
            return Response(
                {"detail": _("A batch can hold at most %(n)d mentions.") % {"n": settings.SMRC_INGEST_MAX_ITEMS}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )

        visible = {b.slug: b.pk for b in brands_for(request.user)}
        channels = channel_accounts_for(request.user).in_bulk()
        items: list[NormalizedMention | None] = []
        errors: dict[int, dict] = {}
        for index, raw in enumerate(payload):
            serializer = MentionIn(data=raw) if isinstance(raw, dict) else None
            try:
                if serializer is None:
                    raise ValidationError({"non_field_errors": [_("Each mention must be a JSON object.")]})
                serializer.is_valid(raise_exception=True)
                items.append(_route(serializer.validated_data, user=request.user, brand_ids=visible, channels=channels))
            except ValidationError as exc:
                errors[index] = exc.detail
                items.append(None)
        denied = {
            item.brand_id for item in items if item and not has_perm(request.user, item.brand_id, "mention:ingest")
        }
        if denied:
            raise PermissionDenied
        if errors:
            results = [
                {"index": i, "status": "error", "errors": errors[i]} if i in errors else {"index": i, "status": "valid"}
                for i in range(len(payload))
            ]
            return Response(
                {
                    "detail": _("Nothing was stored: %(n)d of the mentions are invalid.") % {"n": len(errors)},
                    "results": results,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        outcome = ingest.ingest_mentions(items=[item for item in items if item])
        created = sum(1 for r in outcome if r.status == "created")
        body = {
            "created": created,
            "duplicates": len(outcome) - created,
            "results": [
                {
                    "index": i,
                    "status": r.status,
                    "mention": r.mention_id,
                    "ticket": r.ticket_id,
                    "ticket_created": r.ticket_created,
                }
                for i, r in enumerate(outcome)
            ],
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- tickets ------------------------------------------------------------------------------------------------


class AuthorOut(serializers.Serializer):
    platform = serializers.CharField()
    platform_user_id = serializers.CharField()
    handle = serializers.CharField()
    name = serializers.CharField()
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
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
    claimed_at = serializers.DateTimeField()
    first_submitted_at = serializers.DateTimeField()
    first_approved_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField()
    next_response_due_at = serializers.DateTimeField()
    resolution_due_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    #: tag names, A→Z; read with ``selectors.ticket_tags_prefetch`` (one query for the page)
    tags = serializers.SerializerMethodField()

    def get_priority(self, ticket: Ticket) -> str:
        return Priority(ticket.priority).name.lower()

    def get_assignee(self, ticket: Ticket) -> str | None:
        return _username(ticket.assignee)

    def get_tags(self, ticket: Ticket) -> list[str]:
        return [tag.name for tag in ticket.tags.all()]


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


class ReplyOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    status = serializers.CharField()
    platform_reply_id = serializers.CharField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField()


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class TicketDetailOut(TicketOut):
    mentions = MentionOut(many=True)
    replies = ReplyOut(many=True)
    notes = NoteOut(many=True)


class TicketFilterIn(serializers.Serializer):
    brand = serializers.SlugField(max_length=60, required=False)
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=[p.name.lower() for p in Priority], required=False)
    assignee = serializers.CharField(max_length=150, required=False, help_text="a username, 'me' or 'none'")


class TicketPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class TicketListView(APIView):
    """``GET /api/v1/tickets/``: the tickets the caller may see, newest first, filtered and paginated."""

    def get(self, request):
        filters = TicketFilterIn(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = tickets_for(request.user)
        if "brand" in f:
            brand = brands_for(request.user).filter(slug=f["brand"]).first()
            if brand is None:
                raise ValidationError({"brand": [_("Unknown brand.")]})
            qs = qs.filter(brand=brand)
        if "status" in f:
            qs = qs.filter(status=f["status"])
        if "priority" in f:
            qs = qs.filter(priority=Priority[f["priority"].upper()])
        if "assignee" in f:
            if f["assignee"] == "none":
                qs = qs.filter(assignee__isnull=True)
            elif f["assignee"] == "me":
                qs = qs.filter(assignee=request.user)
            else:
                # Filter on the name rather than look the user up: an unknown name and a user of another brand
                # give the same empty page, so the API does not tell who exists.
                qs = qs.filter(assignee__username=f["assignee"])
        qs = (
            qs.select_related("brand", "author", "assignee")
            .prefetch_related(ticket_tags_prefetch())
            .order_by("-received_at", "-pk")
        )
        paginator = TicketPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(TicketOut(page, many=True).data)


class TicketDetailView(APIView):
    """``GET /api/v1/tickets/<id>/``: one ticket with its mentions, replies and internal notes."""

    def get(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, queryset=ticket_detail_queryset())
        return Response(TicketDetailOut(ticket).data)


def _key(request):
    """The request's ``Idempotency-Key`` (a UUID the client makes per submission and sends again with every repeat
    of it), or 400. Read after the scoping and the capability: a stranger learns nothing from it."""
    value = request.headers.get(idempotency.HEADER)
    if not value:
        raise ParseError(
            _("Send an Idempotency-Key header: a UUID you make for this submission, the same one if you send it again.")
        )
    key = idempotency.parse(value)
    if key is None:
        raise ParseError(_("The Idempotency-Key header must be a UUID, like 0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40."))
    return key


def _answer(result, data, *, created: bool = False) -> Response:
    """201 (``created``) or 200 for a new submission; a repeat of one answers 200 with the object as it is now and
    ``Idempotent-Replayed: true``, having done nothing."""
    if idempotency.was_replayed(result):
        return Response(data, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _key_reused() -> Response:
    detail = _("This Idempotency-Key was already used with a different request; nothing was done. Use a new key.")
    return Response({"detail": detail}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


class BodyIn(serializers.Serializer):
    body = serializers.CharField(max_length=20000, trim_whitespace=True)
    snippets = serializers.ListField(child=ApiIdField(), max_length=20, required=False)


class TicketActionView(APIView):
    """``POST /api/v1/tickets/<id>/<action>/`` for claim, release, resolve, reopen, replies and notes.

    ``claim``, ``replies`` and ``notes`` need an ``Idempotency-Key`` header (400 without): a repeat answers 200 as
    the first did and does nothing; the key sent with another request, 422. 409 with a message when the ticket's
    state refuses the action; nothing changes then."""

    ACTIONS = {
        "claim": workflow.claim_ticket,
        "release": workflow.release_ticket,
        "resolve": workflow.resolve_ticket,
        "reopen": workflow.reopen_ticket,
    }
    KEYED = ("claim", "replies", "notes")

    def post(self, request, pk: int, action: str):
        if action not in (*self.ACTIONS, "replies", "notes"):
            raise Http404
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        key = {"key": _key(request)} if action in self.KEYED else {}
        try:
            if action in self.ACTIONS:
                result = self.ACTIONS[action](ticket=ticket, user=request.user, **key)
            else:
                data = BodyIn(data=request.data)
                data.is_valid(raise_exception=True)
                if action == "replies":
                    reply = replies.send_reply(
                        ticket=ticket,
                        user=request.user,
                        body=data.validated_data["body"],
                        snippet_ids=data.validated_data.get("snippets", []),
                        **key,
                    )
                    shown = replies_for(request.user).select_related("author").get(pk=reply.pk)
                    return _answer(reply, ReplyOut(shown).data, created=True)
                note = workflow.add_note(ticket=ticket, user=request.user, body=data.validated_data["body"], **key)
                return _answer(note, NoteOut(note).data, created=True)
        except idempotency.KeyReused:
            return _key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        shown = get_ticket_for_user(request.user, pk, queryset=ticket_detail_queryset())
        return _answer(result, TicketDetailOut(shown).data)


# --- snippets -----------------------------------------------------------------------------------------------


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


class SnippetSearchView(APIView):
    """``GET /api/v1/snippets/?q=&brand=``: published, unexpired snippets of one of the caller's brands
    matching words or ``/shortcut``. ``brand`` may be left out by a member of a single brand."""

    def get(self, request):
        params = SnippetSearchIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        brands = brands_for(request.user, perm="ticket:work")
        brand = brands.filter(slug=f["brand"]).first() if "brand" in f else None
        if brand is None:
            candidates = list(brands[:2]) if "brand" not in f else []
            if len(candidates) != 1:
                raise ValidationError({"brand": [_("Unknown brand.") if "brand" in f else _("Give a brand slug.")]})
            brand = candidates[0]
        hits = composer.search(brand_id=brand.pk, q=f["q"], limit=f["limit"])
        return Response({"brand": brand.slug, "results": SnippetHitOut(hits, many=True).data})


class TicketSuggestionsView(APIView):
    """``GET /api/v1/tickets/<id>/suggestions/``: snippets ranked for this ticket, with why."""

    def get(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        return Response(
            {"ticket": ticket.pk, "results": SnippetHitOut(composer.suggestions(ticket=ticket), many=True).data}
        )


class RenderIn(serializers.Serializer):
    snippet = ApiIdField()


class TicketRenderSnippetView(APIView):
    """``POST /api/v1/tickets/<id>/render/`` ``{"snippet": id}``: the snippet filled for this ticket and the
    placeholders left unfilled. 404 for a snippet of another brand; 409 for a draft, archived or expired one."""

    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work", queryset=ticket_page_queryset())
        data = RenderIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            snippet = composer.usable_snippet(ticket=ticket, snippet_id=data.validated_data["snippet"])
        except Snippet.DoesNotExist as exc:
            raise Http404 from exc
        except composer.SnippetUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        rendered = composer.render(ticket=ticket, user=request.user, snippet=snippet)
        return Response({"snippet": snippet.pk, "text": rendered.text, "unfilled": rendered.unfilled})


# --- review -------------------------------------------------------------------------------------------------


class ReviewReplyOut(ReplyOut):
    ticket = serializers.IntegerField(source="ticket_id")
    reference = serializers.CharField(source="ticket.reference")
    brand = serializers.CharField(source="ticket.brand.slug")
    ticket_due_at = serializers.DateTimeField(source="ticket.due_at")
    revision = serializers.IntegerField(source="latest_revision")
    review_reasons = serializers.ListField(child=serializers.DictField())
    reviewer = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField()
    changes_reason = serializers.CharField(source="changes_code")
    changes_note = serializers.CharField()

    def get_reviewer(self, reply) -> str | None:
        return _username(reply.reviewer)


class ReviewPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReviewListView(APIView):
    """``GET /api/v1/reviews/``: replies waiting for review on the brands where the caller approves replies, the
    most urgent SLA deadline first (as the browser's review queue). Anyone else gets an empty page."""

    def get(self, request):
        paginator = ReviewPagination()
        page = paginator.paginate_queryset(with_review_details(review_queue_for(request.user)), request, view=self)
        return paginator.get_paginated_response(ReviewReplyOut(page, many=True).data)


class ApproveIn(serializers.Serializer):
    body = serializers.CharField(max_length=replies.REPLY_MAX_LENGTH, required=False)
    revision = ApiIntegerField(min_value=1, required=False)


class RequestChangesIn(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ChangesReason.choices)
    note = serializers.CharField(max_length=replies.REVIEW_NOTE_MAX_LENGTH)
    revision = ApiIntegerField(min_value=1, required=False)


class ReplyReviewView(APIView):
    """``POST /api/v1/replies/<id>/approve/`` (``{"body"}`` to edit and approve) and ``.../request-changes/``
    (``{"reason", "note"}``); ``revision``, the revision read, is optional. Needs ``reply:approve`` on the reply's
    brand (another brand: 404, another role: 403) and an ``Idempotency-Key`` header (400 without; a repeat answers
    200 and decides nothing again; the key with another request, 422). 409 with the service's message when the
    reply left review, was revised since ``revision``, or is the caller's own; nothing changes then."""

    action = ""

    def post(self, request, pk: int):
        reply = get_reply_for_user(request.user, pk, perm="reply:approve")
        key = _key(request)
        try:
            if self.action == "approve":
                data = ApproveIn(data=request.data)
                data.is_valid(raise_exception=True)
                result = replies.approve_reply(
                    reply=reply,
                    user=request.user,
                    body=data.validated_data.get("body"),
                    expected_revision=data.validated_data.get("revision"),
                    key=key,
                )
            else:
                data = RequestChangesIn(data=request.data)
                data.is_valid(raise_exception=True)
                result = replies.request_changes(
                    reply=reply,
                    user=request.user,
                    code=data.validated_data["reason"],
                    note=data.validated_data["note"],
                    expected_revision=data.validated_data.get("revision"),
                    key=key,
                )
        except idempotency.KeyReused:
            return _key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return _answer(result, ReviewReplyOut(with_review_details(replies_for(request.user)).get(pk=reply.pk)).data)
