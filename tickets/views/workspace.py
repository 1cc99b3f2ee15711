"""The operator's workspace actions: bulk actions on the queue's selected rows, assigning a ticket to a
teammate, and linking or unlinking a customer's platform identities. Each: a scoped fetch with its capability,
the service, a message saying what happened, a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from brands.access import has_perm
from brands.models import Platform, Priority

from ..forms.workspace import AssignForm, BulkForm, LinkIdentityForm, UnlinkIdentityForm
from ..models import ACTIVE_STATUSES, TAG_MAX_LENGTH
from ..selectors.teammates import active_user, teammates_of
from ..selectors.ticket import customer_history, get_ticket_for_user
from ..services import bulk, customers, workflow

#: how many skipped tickets the summary names one by one (the rest are counted)
SKIPPED_NAMED = 10


def _refused(request, form, back: str):
    """A form that cannot be valid as the page sends it (a forged or hostile value): 400, naming each field and
    its error, and a way back; nothing was done."""
    return render(request, "tickets/form_refused.html", {"form": form, "back": back}, status=400)


def _only_missing(form) -> bool:
    return all(e.code == "required" or e.code is None for errors in form.errors.as_data().values() for e in errors)


@login_required
@require_POST
def bulk_action(request):
    """The queue's bulk bar: the selected rows and one action. 404 when no selected ticket is in scope, 403 when
    the caller may only read them all; otherwise a summary of what was done and what was skipped, and why."""
    form = BulkForm(request.POST)
    back = reverse("tickets:queue")
    if not form.is_valid():
        if set(form.errors) <= {"tickets", "assignee", "priority", "tag"} and _only_missing(form):
            # what a person can do with the bar (nothing ticked, no teammate chosen): say it and go back
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect(back + form.back_query())
        return _refused(request, form, back)
    data = form.cleaned_data
    assignee = None
    if data["action"] == "assign":
        assignee = active_user(data["assignee"])
        if assignee is None:
            messages.error(request, _("Choose whom to assign the tickets to."))
            return redirect(back + form.back_query())
    try:
        outcome = bulk.apply(
            user=request.user,
            selection=data["tickets"],
            action=data["action"],
            assignee=assignee,
            priority=data.get("priority"),
            tag=data.get("tag") or "",
        )
    except bulk.NothingInScope as exc:
        raise Http404 from exc
    except bulk.NothingToWork as exc:
        raise PermissionDenied from exc
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(back + form.back_query())
    if outcome.done:
        n = len(outcome.done)
        messages.success(
            request,
            ngettext("Done for %(n)d ticket: %(refs)s.", "Done for %(n)d tickets: %(refs)s.", n)
            % {"n": n, "refs": ", ".join(outcome.done)},
        )
    if outcome.skipped:
        n = len(outcome.skipped)
        named = "; ".join(f"{ref}: {why}" for ref, why in outcome.skipped[:SKIPPED_NAMED])
        more = n - SKIPPED_NAMED
        if more > 0:
            named += " " + ngettext("(and %(n)d more)", "(and %(n)d more)", more) % {"n": more}
        messages.warning(
            request,
            ngettext("Skipped %(n)d ticket — %(why)s", "Skipped %(n)d tickets — %(why)s", n) % {"n": n, "why": named},
        )
    return redirect(back + form.back_query())


@login_required
@require_POST
def assign(request, pk: int):
    """Hand the ticket to a teammate of its brand, with an optional note for them."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, reverse("tickets:detail", args=[pk]))
    assignee = active_user(form.cleaned_data["assignee"])
    try:
        if assignee is None:
            raise workflow.WorkflowError(_("Choose whom to assign the ticket to."))
        workflow.assign_ticket(
            ticket=ticket,
            user=request.user,
            assignee=assignee,
            expected_assignee_id=form.cleaned_data["expected"] or workflow.NOBODY,
            note=form.cleaned_data["note"],
        )
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.get_username()})
    back = form.cleaned_data["back"]
    if back == "all":
        return redirect("tickets:team")
    if back == "brand":
        return redirect("tickets:team_brand", ticket.brand.slug)
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def link_identity(request, pk: int):
    """Link the ticket's customer with another platform identity of the same person, for this brand."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = LinkIdentityForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, reverse("tickets:detail", args=[pk]))
    try:
        other = customers.link(
            ticket=ticket, user=request.user, platform=form.cleaned_data["platform"], handle=form.cleaned_data["handle"]
        )
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Linked @%(handle)s as the same customer.") % {"handle": other.handle})
    return redirect("tickets:detail", pk=pk)


@login_required
@require_POST
def unlink_identity(request, pk: int):
    """Undo a link: the identity is a customer of its own again."""
    ticket = get_ticket_for_user(request.user, pk, perm="ticket:work")
    form = UnlinkIdentityForm(request.POST)
    if not form.is_valid():
        return _refused(request, form, reverse("tickets:detail", args=[pk]))
    try:
        other = customers.unlink(ticket=ticket, user=request.user, author_id=form.cleaned_data["author"])
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("@%(handle)s is no longer linked to this customer.") % {"handle": other.handle})
    return redirect("tickets:detail", pk=pk)


# --- what the pages show of the workspace (the queue's bulk bar, the ticket's assign picker and customer card) ---


def queue_context(request, brands) -> dict:
    """The bulk bar: shown to whoever works a brand of the queue, with the teammates of those brands (one query)."""
    working = [b for b in brands if has_perm(request.user, b.pk, "ticket:work")]
    if not working:
        return {"can_bulk": False}
    if request.htmx and request.htmx.target == "queue-body":  # the refresh swaps the rows only, not the bar
        return {"can_bulk": True}
    team = teammates_of([b.pk for b in working], now=timezone.now())
    return {
        "can_bulk": True,
        "bulk_teams": [(b, team.get(b.pk, [])) for b in working],
        "bulk_priorities": [(p.value, p.label) for p in reversed(Priority)],
        "bulk_max": bulk.MAX_SELECTED,
        "bulk_tag_max": TAG_MAX_LENGTH,
    }


def ticket_context(request, ticket, *, perms, others) -> dict:
    """The assign picker (its brand's teammates with their load and presence, one query) and the customer card's
    history (three queries)."""
    can_work = "ticket:work" in perms
    owner_or_free = ticket.assignee_id in (None, request.user.pk) or "ticket:assign" in perms
    can_assign = can_work and ticket.status in ACTIVE_STATUSES and owner_or_free
    viewing = {p["name"] for p in others}
    team = []
    if can_assign:
        team = [
            {"person": p, "viewing": p.name in viewing}
            for p in teammates_of([ticket.brand_id], now=timezone.now())[ticket.brand_id]
            if p.user_id != ticket.assignee_id
        ]
    return {
        "can_assign": can_assign,
        "teammates": team,
        "customer": customer_history(ticket),
        "link_platforms": Platform.choices,
    }
