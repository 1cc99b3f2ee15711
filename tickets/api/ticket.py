"""The tickets: list, read, act on them (claim, release, resolve, reopen, replies, notes)."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for
from brands.models import Priority

from ..selectors.ticket import (
    get_ticket_for_user,
    replies_for,
    ticket_detail_for,
    ticket_tags_prefetch,
    tickets_for,
)
from ..services import idempotency, replies, workflow
from .keyed import key_reused, keyed_answer, request_key
from .serializers import BodyIn, NoteIn, NoteOut, ReplyOut, TicketDetailOut, TicketFilterIn, TicketOut


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
        ticket = ticket_detail_for(request.user, pk)
        return Response(TicketDetailOut(ticket).data)


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
        key = {"key": request_key(request)} if action in self.KEYED else {}
        try:
            if action in self.ACTIONS:
                result = self.ACTIONS[action](ticket=ticket, user=request.user, **key)
            else:
                data = (BodyIn if action == "replies" else NoteIn)(data=request.data)
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
                    return keyed_answer(reply, ReplyOut(shown).data, created=True)
                note = workflow.add_note(
                    ticket=ticket,
                    user=request.user,
                    body=data.validated_data["body"],
                    visibility=data.validated_data["visibility"],
                    **key,
                )
                return keyed_answer(note, NoteOut(note).data, created=True)
        except idempotency.KeyReused:
            return key_reused()
        except workflow.WorkflowError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        shown = ticket_detail_for(request.user, pk)
        return keyed_answer(result, TicketDetailOut(shown).data)
