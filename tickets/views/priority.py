"""Priority override, restoring an ignored ticket, and `Get next` (docs/priority.md). Each: scoped fetch with
its capability, one service call, redirect."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brands.models import Priority

from ..selectors import get_ticket_for_user
from ..services import routing, workflow


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=gettext_lazy("Priority"), choices=Priority.choices, coerce=int)


@login_required
@require_POST
def change_priority(request, pk: int):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:assign")
    form = PriorityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a priority."))
        return redirect("tickets:detail", pk=pk)
    priority = form.cleaned_data["priority"]
    try:
        workflow.change_priority(ticket=ticket, user=request.user, priority=priority)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Priority set to %(priority)s.") % {"priority": Priority(priority).label})
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def restore(request, pk: int):
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    try:
        workflow.restore_ticket(ticket=ticket, user=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The ticket is back in the queue."))
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def take_next(request):
    ticket = routing.take_next(user=request.user)
    if ticket is None:
        messages.info(request, _("There is no ticket for you to take right now."))
        return redirect("tickets:queue")
    messages.success(request, _("You own this ticket now."))
    return redirect("tickets:detail", pk=ticket.pk)
