"""A ticket's customer: who they are for the ticket's brand, their other platform identities linked as the same
person, their tickets with that brand across channels, and linking or unlinking identities (the ticket page's
customer card; the same selectors and services, audited on the ticket)."""

from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.ticket import author_history, customer_history, get_ticket_for_user, ticket_page_queryset
from ..services import customers, workflow
from .schema import operation
from .serializers import CustomerOut, LinkIn, UnlinkIn
from .ticket import conflict

TAGS = ["customers"]


def customer_of(ticket) -> dict:
    history = customer_history(ticket)
    return {
        "customer": ticket.author,
        "identities": history.identities,
        "tickets": history.tickets,
        "total": history.total,
        "history": author_history(ticket),
    }


def _answer(request, pk: int) -> Response:
    ticket = get_ticket_for_user(request.user, pk, queryset=ticket_page_queryset())
    return Response(CustomerOut(customer_of(ticket)).data)


class TicketCustomerView(APIView):
    """``GET /api/v1/tickets/<id>/customer/``: the ticket's customer card (``ticket:view``)."""

    @operation(
        "tickets_customer", ok={200: CustomerOut}, errors=(404,), summary="A ticket's customer and history", tags=TAGS
    )
    def get(self, request, pk: int):
        return _answer(request, pk)


class TicketCustomerLinkView(APIView):
    """``POST /api/v1/tickets/<id>/customer/link/`` ``{"platform", "handle"}``: the brand's author of that handle
    is the same person as the ticket's customer from now on, for this brand only (``ticket:work``; an event on
    the ticket). 409 with the reason: nobody of that handle wrote to the brand, already linked, too many."""

    @operation(
        "tickets_customer_link",
        body=LinkIn,
        ok={200: CustomerOut},
        errors=(403, 404, 409),
        summary="Link another identity of the customer",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        data = LinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            customers.link(ticket=ticket, user=request.user, **data.validated_data)
        except workflow.WorkflowError as exc:
            return conflict(exc)
        return _answer(request, pk)


class TicketCustomerUnlinkView(APIView):
    """``POST /api/v1/tickets/<id>/customer/unlink/`` ``{"identity"}``: undo a link (``ticket:work``; an event on
    the ticket). 409 when that identity is not linked to this customer (also the answer for another brand's)."""

    @operation(
        "tickets_customer_unlink",
        body=UnlinkIn,
        ok={200: CustomerOut},
        errors=(403, 404, 409),
        summary="Unlink an identity from the customer",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
        data = UnlinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            customers.unlink(ticket=ticket, user=request.user, author_id=data.validated_data["identity"])
        except workflow.WorkflowError as exc:
            return conflict(exc)
        return _answer(request, pk)
