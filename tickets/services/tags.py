"""Ticket tags: a brand's own labels on its tickets (docs/domain.md), counted by the report's "By tag" breakdown.

Callers fetch the ticket with ``ticket:work`` (operators and supervisors). Tags are metadata like notes: any
operator of the brand may change them, whoever owns the ticket.
"""

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from .. import events
from ..models import TAG_MAX_LENGTH, Tag, Ticket, TicketTag
from .workflow import WorkflowError

#: the most tags one ticket carries
MAX_TAGS = 20
#: lower-case letters and digits, then also ``-`` and ``_``
TAG_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def normalize_tag_names(names: Iterable[str]) -> list[str]:
    """The tag names as stored: stripped, lower-cased, first occurrence kept, in order. Raises
    :class:`WorkflowError` for an empty, too long or malformed name, or too many tags."""
    result: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            raise WorkflowError(_("A tag cannot be empty."))
        if len(name) > TAG_MAX_LENGTH:
            raise WorkflowError(
                _("The tag “%(name)s” is too long: at most %(n)d characters.") % {"name": name, "n": TAG_MAX_LENGTH}
            )
        if not TAG_NAME.fullmatch(name):
            raise WorkflowError(
                _(
                    "The tag “%(name)s” may hold only letters, digits, hyphens and underscores, "
                    "and starts with a letter or digit."
                )
                % {"name": name}
            )
        if name not in result:
            result.append(name)
    if len(result) > MAX_TAGS:
        raise WorkflowError(_("A ticket can have at most %(n)d tags.") % {"n": MAX_TAGS})
    return result


def set_ticket_tags(*, ticket: Ticket, user, names: Iterable[str]) -> Ticket:
    """Make ``names`` the ticket's tags (an empty list removes them all). Creates the brand's missing tags and
    writes ``ticket.tags_changed`` with the sorted names before and after, in one transaction under the
    ticket's row lock, so two editors never interleave. The same tags change nothing and write no event.
    Validation happens first: a refused call changes nothing."""
    wanted = sorted(normalize_tag_names(names))
    with transaction.atomic():
        current = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        links = dict(
            TicketTag.objects.filter(ticket_id=current.pk).values_list("tag__name", "pk").order_by("tag__name")
        )
        before = sorted(links)
        if before == wanted:
            return current
        missing = [name for name in wanted if name not in links]
        if missing:
            # Another ticket may create the same tag at this moment: the unique (brand, name) decides, and the
            # read below finds whichever row won.
            Tag.objects.bulk_create([Tag(brand_id=current.brand_id, name=n) for n in missing], ignore_conflicts=True)
            tag_ids = Tag.objects.filter(brand_id=current.brand_id, name__in=missing).values_list("pk", flat=True)
            TicketTag.objects.bulk_create([TicketTag(ticket_id=current.pk, tag_id=pk) for pk in tag_ids])
        removed = [links[name] for name in before if name not in wanted]
        if removed:
            TicketTag.objects.filter(pk__in=removed).delete()
        current.save(update_fields=["updated_at"])
        events.tags_changed(current, actor=user, before=before, after=wanted)
    return current
