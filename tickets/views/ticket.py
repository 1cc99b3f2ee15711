"""The ticket page and its actions. Each action: scoped fetch with its capability, one service call, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import perms_for

from ..forms import NoteForm, ReplyForm
from ..models import ACTIVE_STATUSES, REPLY_OPEN_STATUSES
from ..selectors import author_history, conversation_of, get_ticket_for_user, ticket_page_queryset, timeline_of
from ..services import charcount, replies, workflow


@login_required
def ticket_detail(request, pk: int, reply_form: ReplyForm | None = None, note_form: NoteForm | None = None):
    ticket = get_ticket_for_user(request.user, pk, queryset=ticket_page_queryset())
    conversation = conversation_of(ticket)
    perms = perms_for(request.user, ticket.brand_id)
    reply_in_flight = any(item.kind == "reply" and item.obj.status in REPLY_OPEN_STATUSES for item in conversation)
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "timeline": timeline_of(ticket),
        "history": author_history(ticket),
        "perms": perms,
        "can_work": "ticket:work" in perms,
        "is_mine": ticket.assignee_id == request.user.pk,
        "is_active": ticket.status in ACTIVE_STATUSES,
        "reply_in_flight": reply_in_flight,
        "reply_form": reply_form or ReplyForm(),
        "note_form": note_form or NoteForm(),
        "reply_limit": charcount.LIMITS.get(ticket.platform, replies.REPLY_MAX_LENGTH),
    }
    if reply_form or note_form:
        response = render(request, "tickets/ticket.html", context, status=400)
        if request.htmx:
            # A boosted form answered in place: keep the ticket's address in the bar, not the action's.
            response["HX-Replace-Url"] = reverse("tickets:detail", args=[ticket.pk])
        return response
    return render(request, "tickets/ticket.html", context)


def _act(request, pk: int, action, success: str):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    try:
        action(ticket=ticket, user=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def claim(request, pk: int):
    return _act(request, pk, workflow.claim_ticket, _("You own this ticket now."))


@login_required
@require_POST
def release(request, pk: int):
    return _act(request, pk, workflow.release_ticket, _("The ticket is back in the queue."))


@login_required
@require_POST
def resolve(request, pk: int):
    return _act(request, pk, workflow.resolve_ticket, _("Ticket resolved."))


@login_required
@require_POST
def reopen(request, pk: int):
    return _act(request, pk, workflow.reopen_ticket, _("Ticket reopened."))


@login_required
@require_POST
def reply(request, pk: int):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return ticket_detail(request, pk, reply_form=form)
    try:
        replies.send_reply(
            ticket=ticket,
            user=request.user,
            body=form.cleaned_data["body"],
            snippet_ids=form.cleaned_data["snippets"],
        )
    except workflow.WorkflowError as exc:
        form.add_error("body", str(exc))
        return ticket_detail(request, pk, reply_form=form)
    messages.success(request, _("Reply sent."))
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def note(request, pk: int):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = NoteForm(request.POST)
    if not form.is_valid():
        return ticket_detail(request, pk, note_form=form)
    try:
        workflow.add_note(ticket=ticket, user=request.user, body=form.cleaned_data["body"])
    except workflow.WorkflowError as exc:
        form.add_error("body", str(exc))
        return ticket_detail(request, pk, note_form=form)
    messages.success(request, _("Note added."))
    return redirect("tickets:detail", pk=pk)
