"""The tickets: list, read, act on them (claim, release, resolve, reopen, replies, notes)."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for
from brands.models import Priority

from ..selectors.review import get_reply_for_user
from ..selectors.ticket import (
    get_ticket_for_user,
    replies_for,
    ticket_detail_for,
    ticket_tags_prefetch,
    tickets_for,
)
from ..services import idempotency, replies, tags, workflow
from .keyed import key_reused, keyed_answer, request_key
from .schema import IDEMPOTENCY_KEY, operation
from .serializers import (
    BodyIn,
    NoteIn,
    NoteOut,
    PriorityIn,
    ReplyOut,
    ReplyStatusOut,
    TagsIn,
    TicketDetailOut,
    TicketFilterIn,
    TicketOut,
    TicketPageOut,
)

TAGS = ["tickets"]


PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="The page's number, from 1 (404 past the last).")
PAGE_SIZE = OpenApiParameter("page_size", OpenApiTypes.INT, description="Items per page, at most 200 (default 50).")


class TicketPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class TicketListView(APIView):
    """``GET /api/v1/tickets/``: the tickets the caller may see, newest first, filtered and paginated."""

    @operation(
        "tickets_list",
        ok={200: TicketPageOut},
        errors=(400, 404),
        parameters=[TicketFilterIn, PAGE, PAGE_SIZE],
        summary="The tickets the caller may see, newest first",
        tags=TAGS,
    )
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

    @operation("tickets_retrieve", ok={200: TicketDetailOut}, errors=(404,), summary="One ticket", tags=TAGS)
    def get(self, request, pk: int):
        ticket = ticket_detail_for(request.user, pk)
        return Response(TicketDetailOut(ticket).data)


class TicketActionView(APIView):
    """``POST /api/v1/tickets/<id>/<action>/`` for claim, release, resolve and reopen (no body).

    ``claim`` needs an ``Idempotency-Key`` header (400 without): a repeat answers 200 as the first did and does
    nothing; the key sent with another request, 422. 409 with a message when the ticket's state refuses the
    action; nothing changes then. Another action: 404."""

    ACTIONS = {
        "claim": workflow.claim_ticket,
        "release": workflow.release_ticket,
        "resolve": workflow.resolve_ticket,
        "reopen": workflow.reopen_ticket,
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
        summary="Claim, release, resolve or reopen a ticket",
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
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        shown = ticket_detail_for(request.user, pk)
        return keyed_answer(result, TicketDetailOut(shown).data)


class TicketReplyCreateView(APIView):
    """``POST /api/v1/tickets/<id>/replies/`` ``{"body", "snippets"}``: send (or submit for review) a reply.
    Needs ``ticket:work`` and an ``Idempotency-Key``; 409 when the ticket's state or the text refuses it."""

    @operation(
        "tickets_replies_create",
        body=BodyIn,
        ok={201: ReplyOut, 200: OpenApiResponse(ReplyOut, description="A repeat of the key: the reply as it is now.")},
        errors=(403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Reply to the customer",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        key = request_key(request)
        data = BodyIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reply = replies.send_reply(
                ticket=ticket,
                user=request.user,
                body=data.validated_data["body"],
                snippet_ids=data.validated_data.get("snippets", []),
                key=key,
            )
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        shown = replies_for(request.user).select_related("author").get(pk=reply.pk)
        return keyed_answer(reply, ReplyOut(shown).data, created=True)


class TicketNoteCreateView(APIView):
    """``POST /api/v1/tickets/<id>/notes/`` ``{"body", "visibility"}``: a note, ``team`` (the default) or
    ``client``. Needs ``ticket:work`` and an
    ``Idempotency-Key``."""

    @operation(
        "tickets_notes_create",
        body=NoteIn,
        ok={201: NoteOut, 200: OpenApiResponse(NoteOut, description="A repeat of the key: the note.")},
        errors=(403, 404, 409, 422),
        parameters=[IDEMPOTENCY_KEY],
        summary="Add an internal note",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        key = request_key(request)
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            note = workflow.add_note(
                ticket=ticket,
                user=request.user,
                body=data.validated_data["body"],
                visibility=data.validated_data["visibility"],
                key=key,
            )
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return keyed_answer(note, NoteOut(note).data, created=True)


def _ticket_now(request, pk: int) -> Response:
    return Response(TicketDetailOut(ticket_detail_for(request.user, pk)).data)


class TicketPriorityView(APIView):
    """``POST /api/v1/tickets/<id>/priority/`` ``{"priority"}``: set the priority by hand, as the ticket page's
    supervisors do (``ticket:assign``); 409 when the ticket's state refuses it."""

    @operation(
        "tickets_priority",
        body=PriorityIn,
        ok={200: TicketDetailOut},
        errors=(403, 404, 409),
        summary="Set a ticket's priority by hand",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:assign")
        data = PriorityIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            workflow.change_priority(
                ticket=ticket, user=request.user, priority=Priority[data.validated_data["priority"].upper()]
            )
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
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


class ReplyDetailView(APIView):
    """``GET /api/v1/replies/<id>/``: one reply and where it stands (``status``, ``failure_reason``,
    ``retry_at``): the status of a reply sent through ``…/replies/``."""

    @operation("replies_retrieve", ok={200: ReplyStatusOut}, errors=(404,), summary="A reply's status", tags=TAGS)
    def get(self, request, pk: int):
        return Response(ReplyStatusOut(get_reply_for_user(request.user, pk)).data)


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
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return keyed_answer(result, ReplyStatusOut(get_reply_for_user(request.user, pk)).data)
