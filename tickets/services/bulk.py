"""Bulk actions on tickets selected in the queue: assign, release, resolve, set the priority, add a tag.

Each selected ticket goes through the same service as its one-ticket button (:mod:`.workflow`, :mod:`.tags`), in
a transaction of its own under its row lock, so each writes its one event and a refusal of one ticket leaves the
others done. The selection carries the owner each row showed when it was selected: a ticket that changed hands
since (a claim, an assignment, a release) is skipped, never overwritten. Tickets out of the caller's scope are
skipped unread ("not found", the same answer as an id that does not exist); the capability is checked per
ticket's brand. The outcome says what was done and what was skipped, and why.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import has_perm, scope_to_brands
from brands.models import Priority

from ..models import Tag, Ticket, TicketTag
from . import tags, workflow

#: the most tickets one bulk action takes (the queue shows 50 a page)
MAX_SELECTED = 100
ACTIONS = ("assign", "release", "resolve", "priority", "tag")


@dataclass(frozen=True)
class Selected:
    """A ticket id and the owner its row showed (``workflow.NOBODY`` for none)."""

    ticket_id: int
    expected_assignee_id: int


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    #: (ticket reference, why)
    skipped: list[tuple[str, str]] = field(default_factory=list)


class NothingInScope(Exception):
    """No selected ticket is one the caller may see (the view answers 404)."""


class NothingToWork(Exception):
    """The caller may see the selected tickets but works none of them (the view answers 403)."""


def _reference(ticket_id: int) -> str:
    return f"T-{ticket_id}"


def apply(
    *,
    user,
    selection: list[Selected],
    action: str,
    assignee=None,
    priority: int | None = None,
    tag: str = "",
    now: datetime | None = None,
) -> Outcome:
    """Run ``action`` on each selected ticket; see the module's description. Raises :class:`NothingInScope` or
    :class:`NothingToWork` before anything is written when no selected ticket can be acted on at all, and
    ``workflow.WorkflowError`` for a malformed request (an unknown action, too many tickets, a bad tag)."""
    now = now or timezone.now()
    if action not in ACTIONS:
        raise workflow.WorkflowError(_("Unknown action."))
    if len(selection) > MAX_SELECTED:
        raise workflow.WorkflowError(_("Select at most %(n)d tickets.") % {"n": MAX_SELECTED})
    if action == "assign" and assignee is None:
        raise workflow.WorkflowError(_("Choose whom to assign the tickets to."))
    if action == "priority" and priority not in Priority.values:
        raise workflow.WorkflowError(_("Choose a priority."))
    if action == "tag":
        (tag,) = tags.normalize_tag_names([tag])
    wanted: dict[int, int] = {}
    for item in selection:
        wanted.setdefault(item.ticket_id, item.expected_assignee_id)
    visible = dict(scope_to_brands(Ticket.objects.filter(pk__in=sorted(wanted)), user).values_list("pk", "brand_id"))
    if not visible:
        raise NothingInScope
    if not any(has_perm(user, brand_id, "ticket:work") for brand_id in set(visible.values())):
        raise NothingToWork
    outcome = Outcome()
    for ticket_id, expected in wanted.items():
        ref = _reference(ticket_id)
        brand_id = visible.get(ticket_id)
        if brand_id is None:
            outcome.skipped.append((ref, _("not found")))
            continue
        if not has_perm(user, brand_id, "ticket:work"):
            outcome.skipped.append((ref, _("you may only read this brand's tickets")))
            continue
        if action == "priority" and not has_perm(user, brand_id, "ticket:assign"):
            outcome.skipped.append((ref, _("only a supervisor changes the priority")))
            continue
        try:
            why = _one(
                ticket_id,
                user=user,
                expected=expected,
                action=action,
                assignee=assignee,
                priority=priority,
                tag=tag,
                now=now,
            )
        except workflow.WorkflowError as exc:
            why = str(exc)
        if why:
            outcome.skipped.append((ref, why))
        else:
            outcome.done.append(ref)
    return outcome


def _one(ticket_id: int, *, user, expected: int, action: str, assignee, priority, tag: str, now: datetime) -> str:
    """Act on one ticket in its own transaction; the reason it was skipped, or ``""`` when done."""
    with transaction.atomic():
        current = workflow.locked_fresh(ticket_id)
        conflict = workflow.ownership_conflict(current, expected)
        if conflict:
            return conflict
        if action == "assign":
            workflow.assign_ticket(ticket=current, user=user, assignee=assignee, expected_assignee_id=expected, now=now)
        elif action == "release":
            workflow.release_ticket(ticket=current, user=user, now=now)
        elif action == "resolve":
            workflow.resolve_ticket(ticket=current, user=user, now=now)
        elif action == "priority":
            if current.priority == priority:
                return _("it already has this priority")
            workflow.change_priority(ticket=current, user=user, priority=priority, now=now)
        else:
            names = list(
                Tag.objects.filter(pk__in=TicketTag.objects.filter(ticket_id=current.pk).values("tag_id")).values_list(
                    "name", flat=True
                )
            )
            if tag in names:
                return _("it already has this tag")
            tags.set_ticket_tags(ticket=current, user=user, names=[*names, tag])
    return ""
