"""Priority override, restoring an ignored ticket, `Get next`, and the brand's priority and routing settings
(docs/priority.md). Each: scoped fetch with its capability, one service call, redirect."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.access import get_brand_for_user
from brands.models import Priority
from brands.services import assignment as assignment_settings
from brands.services import priority as priority_rules
from smrc.bounds import parse_id

from ..forms.priority import (
    ADD_FORMS,
    AUTOMATIC,
    BlockedAuthorForm,
    PriorityForm,
    RoutingForm,
    SpamPatternForm,
    UrgencyTermForm,
    add_rule_form,
)
from ..selectors.ticket import get_ticket_for_user
from ..services import assignment, idempotency, workflow
from ..services.priority import DEFAULT_URGENCY_TERMS


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
        if priority == AUTOMATIC:
            changed = workflow.restore_automatic_priority(ticket=ticket, user=request.user)
        else:
            changed = workflow.change_priority(ticket=ticket, user=request.user, priority=priority)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        label = Priority(changed.priority).label
        if priority == AUTOMATIC:
            messages.success(request, _("Priority computed again: %(priority)s.") % {"priority": label})
        else:
            messages.success(request, _("Priority set to %(priority)s.") % {"priority": label})
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
    """`Get next`; its form carries an idempotency key, so a double click claims one ticket, not two."""
    key = idempotency.parse(request.POST.get(idempotency.FIELD))
    if key is None:
        messages.error(request, _("This page was out of date, so nothing was done. Try again."))
        return redirect("tickets:queue")
    try:
        ticket = assignment.take_next(user=request.user, key=key)
    except idempotency.KeyReused as exc:
        messages.error(request, str(exc))
        return redirect("tickets:queue")
    if ticket is None:
        messages.info(request, _("There is no ticket for you to take right now."))
        return redirect("tickets:queue")
    messages.success(request, _("You own this ticket now."))
    return redirect("tickets:detail", pk=ticket.pk)


# --- settings: routing, urgency terms, spam patterns, blocked authors (brand:configure) -------------------------


def _apply(brand, action: str, data, user) -> tuple[str | None, dict]:
    """One settings change from ``data`` (one service call, which records it): a success message, or None and the
    forms to show with their errors."""
    if action == "routing":
        form = RoutingForm(data, instance=copy.copy(brand))  # a form writes into its instance
        if form.is_valid():
            assignment_settings.update_assignment(brand=brand, **form.cleaned_data, user=user)
            return _("Routing saved."), {}
        return None, {"routing": form}
    if action in ADD_FORMS:
        form = add_rule_form(action, data, brand=brand)
        if form.is_valid():
            try:
                priority_rules.add_rule(brand=brand, kind=action, user=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return _("Rule added."), {}
        return None, {action: form}
    if action.startswith("delete-") and action.removeprefix("delete-") in priority_rules.RULE_MODELS:
        pk = parse_id(data.get("pk", ""))
        kind = action.removeprefix("delete-")
        if pk is not None and priority_rules.delete_rule(brand=brand, kind=kind, pk=pk, user=user):
            return _("Rule removed."), {}
    return None, {}


@login_required
def priority_settings(request, slug: str):
    brand = get_brand_for_user(request.user, slug, perm="brand:configure")
    forms_shown: dict = {}
    status = 200
    if request.method == "POST":
        message, result = _apply(brand, request.POST.get("action", ""), request.POST, request.user)
        if message:
            messages.success(request, message)
            return redirect("tickets:priority_settings", slug=brand.slug)
        forms_shown = result
        status = 400
    context = {
        "brand": brand,
        "routing_form": forms_shown.get("routing") or RoutingForm(instance=brand),
        "urgency_form": forms_shown.get("urgency") or UrgencyTermForm(),
        "spam_form": forms_shown.get("spam") or SpamPatternForm(),
        "blocked_form": forms_shown.get("blocked") or BlockedAuthorForm(),
        "urgency_terms": priority_rules.with_problems(brand.urgency_terms.all()),
        "default_terms": DEFAULT_URGENCY_TERMS,
        "spam_patterns": priority_rules.with_problems(brand.spam_patterns.all()),
        "blocked_authors": list(brand.blocked_authors.all()),
    }
    return render(request, "tickets/priority_settings.html", context, status=status)
