"""The tickets: list, read, act on them (claim, release, resolve, reopen, replies, notes)."""

import base64
import binascii
import json
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import BasePagination
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from brands.access import brand_ids_for, get_brand_for_user, require_writing_key
from brands.models import Priority
from smrc.bounds import parse_int
from smrc.parsers import BodyTooLarge, BoundedJSONParser

from ..forms.queue import QueueFilterForm
from ..selectors.keyset import ordering_of, page_from, position_of
from ..selectors.review import get_reply_for_user
from ..selectors.teammates import active_user_named, user_ids_named
from ..selectors.ticket import (
    SECRET_COLUMNS,
    get_ticket_for_user,
    notes_for,
    replies_for,
    ticket_detail_for,
    ticket_tags_prefetch,
    tickets_for,
)
from ..selectors.views import get_view_for_user, saved_views_for, view_rows_for
from ..services import assignment, bulk, idempotency, replies, tags, workflow
from ..services import views as views_service
from .filters import TicketFilterSet
from .keyed import key_reused, keyed_answer, request_key
from .schema import IDEMPOTENCY_KEY, operation
from .serializers import (
    AssignIn,
    BodyIn,
    BulkIn,
    BulkOut,
    NoteIn,
    NoteOut,
    PriorityIn,
    ReplyIn,
    ReplyOut,
    ReplyStatusOut,
    ReviseIn,
    SavedViewIn,
    SavedViewOut,
    TagsIn,
    TicketDetailOut,
    TicketOut,
)

TAGS = ["tickets"]


PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="The page's number, from 1 (404 past the last).")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page, at most 200 (default 50).")


class KeysetPagination(BasePagination):
    """Cursor pages (docs/api.md, "Pagination"): ``next`` and ``previous`` are links carrying an opaque
    ``cursor``, the position of the page's last (or first) row in the list's ordering, whose last field is the
    ticket's id: a page never repeats or skips a ticket when others arrive meanwhile. No count (it would cost a
    scan of the whole list on every page). ``page_size``: 1 to 200, 50 by default. A cursor that is not one
    this API made: 400 naming ``cursor``."""

    page_size = 50
    max_page_size = 200

    def _size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        size = parse_int(raw, min_value=1, max_value=self.max_page_size)
        if size is None:
            raise ValidationError(
                {"page_size": [_("Ensure this value is between 1 and %(n)d.") % {"n": self.max_page_size}]}
            )
        return size

    def _cursor(self, request, ordering) -> tuple[list | None, bool]:
        raw = request.query_params.get("cursor")
        if raw is None:
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")[:2000] + b"=="))
            values = data["p"]
            backwards = data.get("r", False)
            if not isinstance(values, list) or len(values) != len(ordering) or not isinstance(backwards, bool):
                raise ValueError
            position = [
                _decode(v, whole=name in WHOLE_NUMBERS) for v, (name, _desc) in zip(values, ordering, strict=True)
            ]
        except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, RecursionError, OverflowError):
            raise ValidationError(
                {"cursor": [_("This cursor is not valid: follow the next and previous links.")]}
            ) from None
        return position, backwards

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self._size(request)
        ordering = ordering_of(queryset)
        position, backwards = self._cursor(request, ordering)
        rows = page_from(queryset, ordering, position, backwards=backwards, size=size)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = position is not None if backwards else more
        has_previous = more if backwards else position is not None
        self.next = self._link(position_of(rows[-1], ordering), False) if has_next and rows else None
        self.previous = self._link(position_of(rows[0], ordering), True) if has_previous and rows else None
        if backwards and not rows and position is not None:
            self.next = None
        return rows

    def _link(self, position, backwards: bool) -> str:
        data = {"p": [_encode(v) for v in position]}
        if backwards:
            data["r"] = True
        token = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), "cursor", token)

    def get_paginated_response(self, data):
        return Response({"next": self.next, "previous": self.previous, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "The position to read from: take it from a `next` or `previous` link.",
                "schema": {"type": "string", "maxLength": 2000},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": "Items per page, 1 to 200 (default 50).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def _encode(value):
    if isinstance(value, datetime):
        return "d:" + value.isoformat()
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(value)
    return value


#: the sort fields that are whole numbers (every other one is a moment)
WHOLE_NUMBERS = frozenset({"pk", "id", "priority"})


def _decode(value, *, whole: bool):
    """A cursor's value for one field of the ordering, of that field's type, else ``ValueError``."""
    if whole:
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
            raise ValueError(value)
        return value
    if not isinstance(value, str) or not value.startswith("d:"):
        raise ValueError(value)
    moment = datetime.fromisoformat(value[2:])
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


class TicketListView(ListAPIView):
    """``GET /api/v1/tickets/``: the tickets the caller may see (the queue's scope), filtered as the queue
    filters (:class:`~tickets.api.filters.TicketFilterSet`), newest first unless sorted, in cursor pages."""

    serializer_class = TicketOut
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilterSet

    def get_queryset(self):
        return (
            tickets_for(self.request.user)
            .select_related("brand", "author", "assignee")
            .defer(*SECRET_COLUMNS[:1])
            .prefetch_related(ticket_tags_prefetch())
        )

    @operation(
        "tickets_list",
        ok={200: TicketOut(many=True)},
        errors=(400, 404),
        summary="The tickets the caller may see, filtered as the queue, in cursor pages",
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TicketDetailView(APIView):
    """``GET /api/v1/tickets/<id>/``: one ticket with its mentions, replies and internal notes."""

    @operation("tickets_retrieve", ok={200: TicketDetailOut}, errors=(404,), summary="One ticket", tags=TAGS)
    def get(self, request, pk: int):
        ticket = ticket_detail_for(request.user, pk)
        return Response(TicketDetailOut(ticket).data)


class TicketActionView(APIView):
    """``POST /api/v1/tickets/<id>/<action>/`` for claim, release, resolve, reopen and restore (an ignored ticket
    back to the queue), no body, ``ticket:work``.

    ``claim`` needs an ``Idempotency-Key`` header (400 without): a repeat answers 200 as the first did and does
    nothing; the key sent with another request, 422. 409 with a message when the ticket's state refuses the
    action; nothing changes then. Another action: 404."""

    ACTIONS = {
        "claim": workflow.claim_ticket,
        "release": workflow.release_ticket,
        "resolve": workflow.resolve_ticket,
        "reopen": workflow.reopen_ticket,
        "restore": workflow.restore_ticket,
    }
    KEYED = ("claim",)

    @operation(
        "tickets_action",
        ok={200: TicketDetailOut},
        errors=(400, 403, 404, 409, 422),
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS)),
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description="Required for `claim` (docs/api.md, Idempotency-Key); ignored by the others.",
            ),
        ],
        summary="Claim, release, resolve, reopen or restore a ticket",
        tags=TAGS,
    )
    def post(self, request, pk: int, action: str):
        if action not in self.ACTIONS:
            raise Http404
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        key = {"key": request_key(request)} if action in self.KEYED else {}
        try:
            result = self.ACTIONS[action](ticket=ticket, user=request.user, **key)
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return conflict(exc)
        shown = ticket_detail_for(request.user, pk)
        return keyed_answer(result, TicketDetailOut(shown).data)


def conflict(exc: Exception) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


def keyed_create(request, *, perm: str, ticket=None, reply=None, body, run, out, max_bytes: int | None = None):
    """The keyed POSTs that make something (a reply, a note, a revision): the scoped fetch with ``perm`` (404,
    403), the ``Idempotency-Key`` (400; read after the scope, so a stranger learns nothing), the body (400), the
    service with the key (its repeat answers 200 with the first result and does nothing again; the key with
    another request, 422; the state refusing it, 409), then the answer as ``out(result)`` shows it. ``max_bytes``:
    a body declared longer is refused unread (413), after the scope. The body's serializer gets the scoped object
    as ``context["target"]``."""
    target = (
        get_ticket_for_user(request.user, ticket, perm=perm)
        if reply is None
        else get_reply_for_user(request.user, reply, perm=perm)
    )
    key = request_key(request)
    if max_bytes is not None:
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0")
        if length is None or length > max_bytes:
            raise BodyTooLarge(_("The upload is too large, so nothing was done."))
    data = body(data=request.data, context={"target": target})
    data.is_valid(raise_exception=True)
    try:
        result = run(target, data.validated_data, key)
    except idempotency.KeyReused:
        return key_reused()
    except workflow.WorkflowError as exc:
        return conflict(exc)
    return keyed_answer(result, out(result), created=reply is None)


class TicketReplyCreateView(APIView):
    """``POST /api/v1/tickets/<id>/replies/`` ``{"body", "snippets"}``: send (or submit for review) a reply, as
    the ticket page's composer. Needs ``ticket:work`` and an ``Idempotency-Key``: the same key again answers 200
    with the same reply (``Idempotent-Replayed: true``), never a second one. 409 when the ticket's state or the
    text refuses it.

    As ``multipart/form-data`` it takes one ``image`` too, where the platform takes one with this reply
    (docs/media.md): checked from its bytes as the composer checks it (400 naming ``image``; a body far over any
    image limit, 413, unread). The image's digest is part of the key's fingerprint: a repeat makes no second
    reply and no second image."""

    parser_classes = [BoundedJSONParser, MultiPartParser]

    @operation(
        "tickets_replies_create",
        body={"application/json": BodyIn, "multipart/form-data": ReplyIn},
        ok={201: ReplyOut, 200: OpenApiResponse(ReplyOut, description="A repeat of the key: the reply as it is now.")},
        errors=(400, 403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Reply to the customer",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        return keyed_create(
            request,
            perm="ticket:work",
            ticket=pk,
            body=ReplyIn,
            run=lambda ticket, data, key: replies.send_reply(
                ticket=ticket,
                user=request.user,
                body=data["body"],
                snippet_ids=data.get("snippets", []),
                key=key,
                image=data.get("image"),
            ),
            out=lambda reply: (
                ReplyOut(
                    replies_for(request.user).select_related("author").prefetch_related("attachments").get(pk=reply.pk)
                ).data
            ),
            max_bytes=settings.SMRC_REPLY_IMAGE_MAX_BYTES + 256 * 1024,
        )


class TicketNotesView(APIView):
    """``GET /api/v1/tickets/<id>/notes/``: the notes the caller may read, oldest first (a brand's managers read
    only the notes meant for the client, as on the ticket page). ``POST`` ``{"body", "visibility"}``: a note,
    ``team`` (the default) or ``client``; needs ``ticket:work`` and an ``Idempotency-Key``."""

    @operation("tickets_notes_list", ok={200: NoteOut(many=True)}, errors=(404,), summary="A ticket's notes", tags=TAGS)
    def get(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk)
        notes = (
            notes_for(request.user).filter(ticket_id=ticket.pk).select_related("author").order_by("created_at", "pk")
        )
        return Response(NoteOut(notes, many=True).data)

    @operation(
        "tickets_notes_create",
        body=NoteIn,
        ok={201: NoteOut, 200: OpenApiResponse(NoteOut, description="A repeat of the key: the note.")},
        errors=(400, 403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Add a note",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        return keyed_create(
            request,
            perm="ticket:work",
            ticket=pk,
            body=NoteIn,
            run=lambda ticket, data, key: workflow.add_note(
                ticket=ticket, user=request.user, body=data["body"], visibility=data["visibility"], key=key
            ),
            out=lambda note: NoteOut(note).data,
        )


def _ticket_now(request, pk: int) -> Response:
    return Response(TicketDetailOut(ticket_detail_for(request.user, pk)).data)


class TicketPriorityView(APIView):
    """``POST /api/v1/tickets/<id>/priority/`` ``{"priority"}``: set the priority by hand, or ``automatic`` to
    compute it again, as the ticket page's supervisors do (``ticket:assign``); 409 when the ticket's state
    refuses it."""

    @operation(
        "tickets_priority",
        body=PriorityIn,
        ok={200: TicketDetailOut},
        errors=(403, 404, 409),
        summary="Set a ticket's priority by hand, or compute it again",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:assign")
        data = PriorityIn(data=request.data)
        data.is_valid(raise_exception=True)
        chosen = data.validated_data["priority"]
        try:
            if chosen == "automatic":
                workflow.restore_automatic_priority(ticket=ticket, user=request.user)
            else:
                workflow.change_priority(ticket=ticket, user=request.user, priority=Priority[chosen.upper()])
        except workflow.WorkflowError as exc:
            return conflict(exc)
        return _ticket_now(request, pk)


class TicketTagsView(APIView):
    """``POST /api/v1/tickets/<id>/tags/`` ``{"tags": [...]}``: the ticket's tags, all of them (``ticket:work``).
    A name the ticket page would refuse answers 400 naming ``tags``."""

    @operation(
        "tickets_tags_set",
        body=TagsIn,
        ok={200: TicketDetailOut},
        errors=(403, 404),
        summary="Replace a ticket's tags",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        data = TagsIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tags.set_ticket_tags(ticket=ticket, user=request.user, names=data.validated_data["tags"])
        except workflow.WorkflowError as exc:
            raise ValidationError({"tags": [str(exc)]}) from exc
        return _ticket_now(request, pk)


class TicketAssignView(APIView):
    """``POST /api/v1/tickets/<id>/assign/`` ``{"assignee", "expected_assignee", "note"}``: hand the ticket to a
    teammate of its brand with an optional note for them, as the ticket page's assign picker (the same service,
    rules, event and notification). ``ticket:work``; an assigned ticket only its owner or a supervisor hands on.
    409 with the reason: someone else took it meanwhile, the ticket is closed, or the person does not work
    tickets of this brand (the same answer whether or not the name exists)."""

    @operation(
        "tickets_assign",
        body=AssignIn,
        ok={200: TicketDetailOut},
        errors=(403, 404, 409),
        summary="Assign a ticket to a teammate",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["assignee"]
        assignee = active_user_named(name)
        if "expected_assignee" in data.validated_data:
            expected_name = data.validated_data["expected_assignee"]
            expected = user_ids_named([expected_name]).get(expected_name, -1) if expected_name else workflow.NOBODY
        else:
            expected = ticket.assignee_id or workflow.NOBODY
        try:
            if assignee is None:
                raise workflow.WorkflowError(_("%(name)s does not work tickets of this brand.") % {"name": name})
            workflow.assign_ticket(
                ticket=ticket,
                user=request.user,
                assignee=assignee,
                expected_assignee_id=expected,
                note=data.validated_data["note"],
            )
        except workflow.WorkflowError as exc:
            return conflict(exc)
        return _ticket_now(request, pk)


class TicketBulkView(APIView):
    """``POST /api/v1/tickets/bulk/`` ``{"action", "tickets": [{"id", "expected_assignee"}], ...}``: the queue's
    bulk bar (``tickets.services.bulk``): assign (``assignee``), release, resolve, priority (``priority``) or tag
    (``tag``) on up to 100 tickets. Each ticket is done or skipped with the reason, as the queue's summary says:
    one out of scope is skipped as "not found", one whose owner changed since the client read it is skipped,
    never overwritten. 404 when no ticket is in scope, 403 when the caller works none of them (a read-only key)."""

    @operation(
        "tickets_bulk",
        body=BulkIn,
        ok={200: BulkOut},
        errors=(403, 404),
        summary="Act on many tickets at once",
        tags=TAGS,
    )
    def post(self, request):
        data = BulkIn(data=request.data)
        data.is_valid(raise_exception=True)
        f = data.validated_data
        owners = user_ids_named([row["expected_assignee"] for row in f["tickets"] if row["expected_assignee"]])
        selection = [
            bulk.Selected(
                row["id"], owners.get(row["expected_assignee"], -1) if row["expected_assignee"] else workflow.NOBODY
            )
            for row in f["tickets"]
        ]
        assignee = None
        if f["action"] == "assign":
            assignee = active_user_named(f["assignee"])
            if assignee is None:
                raise ValidationError({"assignee": [_("Choose whom to assign the tickets to.")]})
        try:
            outcome = bulk.apply(
                user=request.user,
                selection=selection,
                action=f["action"],
                assignee=assignee,
                priority=Priority[f["priority"].upper()] if f.get("priority") else None,
                tag=f.get("tag", ""),
            )
        except bulk.NothingInScope as exc:
            raise Http404 from exc
        except bulk.NothingToWork as exc:
            raise PermissionDenied from exc
        except workflow.WorkflowError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        skipped = [{"ticket": ref, "reason": why} for ref, why in outcome.skipped]
        return Response(BulkOut({"done": outcome.done, "skipped": skipped}).data)


class ReplyDetailView(APIView):
    """``GET /api/v1/replies/<id>/``: one reply and where it stands (``status``, ``failure_reason``,
    ``retry_at``): the status of a reply sent through ``…/replies/``."""

    @operation("replies_retrieve", ok={200: ReplyStatusOut}, errors=(404,), summary="A reply's status", tags=TAGS)
    def get(self, request, pk: int):
        return Response(ReplyStatusOut(get_reply_for_user(request.user, pk)).data)


class ReplyReviseView(APIView):
    """``POST /api/v1/replies/<id>/revise/`` ``{"body"}``: a new revision of a reply sent back for changes or not
    published, which then goes through review again, as on the ticket page (``ticket:work``, an
    ``Idempotency-Key``: a repeat answers 200 with the reply and writes no second revision). 409 when the
    reply's state refuses it."""

    @operation(
        "replies_revise",
        body=ReviseIn,
        ok={200: ReplyStatusOut},
        errors=(400, 403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Revise a reply sent back for changes",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        return keyed_create(
            request,
            perm="ticket:work",
            reply=pk,
            body=ReviseIn,
            run=lambda reply, data, key: replies.revise_reply(
                reply=reply, user=request.user, body=data["body"], key=key
            ),
            out=lambda reply: ReplyStatusOut(get_reply_for_user(request.user, pk)).data,
        )


class ReplyRetryView(APIView):
    """``POST /api/v1/replies/<id>/retry/``: publish a failed reply again, as it is (``ticket:work``, an
    ``Idempotency-Key``); 409 unless it failed."""

    @operation(
        "replies_retry",
        ok={200: ReplyStatusOut},
        errors=(400, 403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Publish a failed reply again",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        reply = get_reply_for_user(request.user, pk, perm="ticket:work")
        key = request_key(request)
        try:
            result = replies.retry_reply(reply=reply, user=request.user, key=key)
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return conflict(exc)
        return keyed_answer(result, ReplyStatusOut(get_reply_for_user(request.user, pk)).data)


class TicketTakeNextView(APIView):
    """``POST /api/v1/tickets/next/``: the queue's `Get next`: the most urgent unassigned new ticket the caller may
    work, in a language they answer in, claimed for them (``tickets.services.assignment.take_next``). Needs an
    ``Idempotency-Key``: a repeat answers the ticket the first call claimed instead of claiming another. ``204``
    when there is nothing to take; ``403`` for someone who works no brand (a manager, a read-only key)."""

    @operation(
        "tickets_take_next",
        ok={
            200: TicketDetailOut,
            204: OpenApiResponse(description="There is no ticket for you to take right now."),
        },
        errors=(400, 403, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Take the next ticket (the queue's Get next)",
        tags=TAGS,
    )
    def post(self, request):
        if brand_ids_for(request.user, "ticket:work") == []:
            raise PermissionDenied
        key = request_key(request)
        try:
            ticket = assignment.take_next(user=request.user, key=key)
        except idempotency.KeyReused:
            return key_reused()
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return keyed_answer(ticket, TicketDetailOut(ticket_detail_for(request.user, ticket.pk)).data)


class SavedViewListView(APIView):
    """``GET /api/v1/views/``: the saved queue views the caller may use — their own, then their brands' team views
    — each with its filters (the ticket list's parameters) and how many tickets it shows now. Pass an ``id`` as
    ``view`` to ``GET /api/v1/tickets/``."""

    @operation("views_list", ok={200: SavedViewOut(many=True)}, summary="Saved queue views", tags=TAGS)
    def get(self, request):
        rows = view_rows_for(request.user, saved_views_for(request.user), QueueFilterForm)
        return Response(SavedViewOut(rows, many=True).data)

    @operation(
        "views_create",
        ok={201: SavedViewOut},
        errors=(403, 404),
        body=SavedViewIn,
        summary="Save a queue view (yours, or a brand's team view)",
        tags=TAGS,
    )
    def post(self, request):
        """``POST /api/v1/views/``: as "Save view" on the queue. A team view (``team``: a brand's slug) needs
        ``view:team`` (404 for a brand out of scope, 403 without it) and is recorded in the brand's settings
        history; a personal view needs a key that writes (403 for a read-only key). A taken name or the limit
        of views: 400 naming ``name``."""
        data = SavedViewIn(data=request.data)
        data.is_valid(raise_exception=True)
        team = data.validated_data["team"]
        if team is None:
            require_writing_key(request.user)
            team_brand_id = None
        else:
            team_brand_id = get_brand_for_user(request.user, team, "view:team").pk
        try:
            view = views_service.save_view(
                user=request.user,
                name=data.validated_data["name"],
                filters=QueueFilterForm(data.validated_data["query"]).filters(),
                team_brand_id=team_brand_id,
                via_api=True,
            )
        except views_service.ViewError as error:
            raise ValidationError({"name": [str(error)]}) from None
        (row,) = view_rows_for(request.user, [view], QueueFilterForm)
        return Response(SavedViewOut(row).data, status=status.HTTP_201_CREATED)


class SavedViewDetailView(APIView):
    """``DELETE /api/v1/views/<id>/``: remove one of your own views, or a team view of your brand with
    ``view:team`` (recorded in the brand's settings history). A view you do not see: 404; a team view without
    ``view:team``, or your own with a read-only key: 403. Nothing is removed then."""

    @operation("views_destroy", ok={204: None}, errors=(403, 404), summary="Remove a saved view", tags=TAGS)
    def delete(self, request, pk: int):
        view = get_view_for_user(request.user, pk)
        if view.brand_id is None:
            require_writing_key(request.user)
        views_service.delete_view(user=request.user, view=view, via_api=True)
        return Response(status=status.HTTP_204_NO_CONTENT)
