"""One customer, several platform identities: linking two authors of a brand as one person, and undoing it.

Authors are each brand's own (docs/architecture.md, "Authors"); a link (:class:`~tickets.models.LinkedIdentity`)
joins authors of one brand only, and carries that brand. The ticket page's customer card then lists the tickets
of every linked identity, of that brand only. Callers fetch the ticket with ``ticket:work``. Both ways write an
event on the ticket they were made from (the audit trail), in the same transaction, under the brand's row lock
and then the authors' row locks (taken in id order), so two links made at once never leave a person split or
merged halfway, and never pass :data:`MAX_IDENTITIES` together: two links from two identities of one person lock
different authors, but every link and unlink of the brand takes the brand's row first, so the second reads the
group the first committed (decision 90).
"""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.services.locks import lock_brand

from .. import events
from ..models import Author, LinkedIdentity, Ticket
from .workflow import WorkflowError

#: the most platform identities one person may have within a brand
MAX_IDENTITIES = 10


def _lock_authors(ids: list[int]) -> dict[int, Author]:
    return {a.pk: a for a in Author.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}


def identities_of(author: Author) -> list[Author]:
    """The authors of ``author``'s brand linked to it as the same person, itself excluded (one query)."""
    person = LinkedIdentity.objects.filter(author_id=author.pk, brand_id=author.brand_id).values("person")[:1]
    return list(
        Author.objects.filter(brand_id=author.brand_id, identity__brand_id=author.brand_id, identity__person=person)
        .exclude(pk=author.pk)
        .order_by("platform", "handle", "pk")
    )


def find_author(*, brand_id: int, platform: str, handle: str) -> Author | None:
    """The brand's author on ``platform`` with this handle (without ``@``, any case), or None."""
    handle = handle.strip().lstrip("@")
    if not handle:
        return None
    return Author.objects.filter(brand_id=brand_id, platform=platform, handle__iexact=handle).order_by("pk").first()


def link(*, ticket: Ticket, user, platform: str, handle: str, now: datetime | None = None) -> Author:
    """Link the ticket's customer with the brand's author ``@handle`` on ``platform``: from now on they are one
    person for this brand. Returns the linked author. Refused: nobody of that handle has written to the brand,
    the same identity, already linked, or a person of more than :data:`MAX_IDENTITIES` identities."""
    now = now or timezone.now()
    other = find_author(brand_id=ticket.brand_id, platform=platform, handle=handle)
    if other is None:
        raise WorkflowError(_("No customer with this handle has written to this brand on that platform."))
    if other.pk == ticket.author_id:
        raise WorkflowError(_("That is this customer's own identity."))
    with transaction.atomic():
        lock_brand(ticket.brand_id, no_key=True)  # the one row every link of the brand's people takes: the cap holds
        authors = _lock_authors([ticket.author_id, other.pk])
        mine, theirs = authors[ticket.author_id], authors[other.pk]
        if mine.brand_id != ticket.brand_id or theirs.brand_id != ticket.brand_id:  # never across brands
            raise WorkflowError(_("No customer with this handle has written to this brand on that platform."))
        found = {
            i.author_id: i
            for i in LinkedIdentity.objects.filter(brand_id=ticket.brand_id, author_id__in=[mine.pk, theirs.pk])
        }
        a, b = found.get(mine.pk), found.get(theirs.pk)
        if a and b and a.person == b.person:
            raise WorkflowError(_("These identities are already linked."))
        groups = [i.person for i in (a, b) if i]
        size = (
            LinkedIdentity.objects.filter(brand_id=ticket.brand_id, person__in=groups).count() if groups else 0
        ) + sum(1 for i in (a, b) if i is None)
        if size > MAX_IDENTITIES:
            raise WorkflowError(_("A customer can have at most %(n)d linked identities.") % {"n": MAX_IDENTITIES})
        person = a.person if a else b.person if b else uuid.uuid4()
        if a and b:  # two people become one: the other group joins this one
            LinkedIdentity.objects.filter(brand_id=ticket.brand_id, person=b.person).update(person=person)
        for author, existing in ((mine, a), (theirs, b)):
            if existing is None:
                LinkedIdentity.objects.create(
                    brand_id=ticket.brand_id, author=author, person=person, linked_by=user, linked_at=now
                )
        events.customer_linked(ticket, actor=user, author=theirs, at=now)
    return theirs


def unlink(*, ticket: Ticket, user, author_id: int, now: datetime | None = None) -> Author:
    """Undo a link: the author ``author_id``, linked to the ticket's customer, is a person of its own again (and
    the customer too, when it was the last other identity). Refused for an author not linked to this customer,
    which is also the answer for one of another brand."""
    now = now or timezone.now()
    with transaction.atomic():
        lock_brand(ticket.brand_id, no_key=True)
        authors = _lock_authors([ticket.author_id, author_id])
        other = authors.get(author_id)
        if other is None or other.pk == ticket.author_id or other.brand_id != ticket.brand_id:
            raise WorkflowError(_("That identity is not linked to this customer."))
        found = {
            i.author_id: i
            for i in LinkedIdentity.objects.filter(brand_id=ticket.brand_id, author_id__in=[ticket.author_id, other.pk])
        }
        mine, theirs = found.get(ticket.author_id), found.get(other.pk)
        if not mine or not theirs or mine.person != theirs.person:
            raise WorkflowError(_("That identity is not linked to this customer."))
        theirs.delete()
        remaining = LinkedIdentity.objects.filter(brand_id=ticket.brand_id, person=mine.person)
        if remaining.count() == 1:
            remaining.delete()
        events.customer_unlinked(ticket, actor=user, author=other, at=now)
    return other
