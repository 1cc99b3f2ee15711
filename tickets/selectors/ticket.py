"""Scoped reads of a ticket and what belongs to it (mentions, replies, notes, events, its author), and the scopers
every other read starts from.

``*_for(user)`` returns what the user may see; ``get_*_for_user`` answers 404 out of scope and 403 in scope
without the capability. Every function here starts from :func:`brands.access.scope_to_brands`.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from brands.access import brand_ids_for, has_perm, scope_to_brands

from ..models import (
    Author,
    CsatSurvey,
    Event,
    LinkedIdentity,
    Mention,
    MentionMedia,
    Note,
    NoteVisibility,
    Reply,
    Tag,
    Ticket,
    TicketTag,
)


def tickets_for(user, perm: str = "ticket:view") -> QuerySet[Ticket]:
    return scope_to_brands(Ticket.objects.all(), user, perm=perm)


def mentions_for(user) -> QuerySet[Mention]:
    return scope_to_brands(Mention.objects.all(), user)


def replies_for(user) -> QuerySet[Reply]:
    return scope_to_brands(Reply.objects.all(), user)


def events_for(user) -> QuerySet[Event]:
    return scope_to_brands(Event.objects.all(), user)


def notes_for(user) -> QuerySet[Note]:
    """The notes ``user`` may read: every note of the brands where they read the team's notes (``note:team``),
    only the notes meant for the client elsewhere (brand managers)."""
    team = brand_ids_for(user, "note:team")
    qs = scope_to_brands(Note.objects.all(), user)
    if team is None:
        return qs
    return qs.filter(Q(brand_id__in=team) | Q(visibility=NoteVisibility.CLIENT))


def sees_team_notes(user, ticket: Ticket) -> bool:
    return has_perm(user, ticket.brand_id, "note:team")


def shown_notes(notes, *, team: bool) -> list[Note]:
    """``notes`` (of one ticket) as ``user`` may read them: all for the team, the client's only otherwise."""
    return [n for n in notes if team or n.visibility == NoteVisibility.CLIENT]


def authors_for(user) -> QuerySet[Author]:
    """The customer profiles of the user's brands (each brand keeps its own)."""
    return scope_to_brands(Author.objects.all(), user)


#: never read with a ticket: pages do not need them, and what is not read cannot leak
SECRET_COLUMNS = (
    "assignee__password",
    "channel_account__access_token",
    "channel_account__webhook_secret",
    "channel_account__verify_token",
)


def ticket_page_queryset() -> QuerySet[Ticket]:
    """What the ticket page reads with the ticket. Not scoped: only for ``get_ticket_for_user(queryset=...)``."""
    return Ticket.objects.select_related("brand", "author", "assignee", "channel_account", "csat_survey").defer(
        *SECRET_COLUMNS
    )


def ticket_detail_queryset() -> QuerySet[Ticket]:
    """The API detail: the ticket with its mentions, replies and notes, a fixed number of queries.
    Not scoped: only for ``get_ticket_for_user(queryset=...)``."""
    return Ticket.objects.select_related("brand", "author", "assignee").prefetch_related(
        ticket_tags_prefetch(),
        Prefetch(
            "mentions",
            Mention.objects.select_related("author")
            .prefetch_related(Prefetch("media", MentionMedia.objects.order_by("position", "pk")))
            .order_by("posted_at", "pk"),
        ),
        Prefetch(
            "replies",
            Reply.objects.select_related("author").prefetch_related("attachments").order_by("created_at", "pk"),
        ),
        Prefetch("notes", Note.objects.select_related("author").order_by("created_at", "pk")),
    )


def ticket_detail_for(user, pk: int) -> Ticket:
    """The API detail of ticket ``pk`` (404/403 as :func:`get_ticket_for_user`), its notes as ``shown_notes``:
    the ones ``user`` may read."""
    ticket = get_ticket_for_user(user, pk, queryset=ticket_detail_queryset())
    ticket.shown_notes = shown_notes(ticket.notes.all(), team=sees_team_notes(user, ticket))
    return ticket


def ticket_tags_prefetch() -> Prefetch:
    """The ticket's tags by name, for ``prefetch_related`` (one query for a page of tickets)."""
    return Prefetch("tags", Tag.objects.order_by("name"))


@dataclass(frozen=True)
class TicketTags:
    on_ticket: list[str]
    #: every tag of the ticket's brand, offered by the tag editor
    of_brand: list[str]


def tags_of(ticket: Ticket) -> TicketTags:
    """The ticket's tags and its brand's, from one query (the brand's tags, each marked when on the ticket)."""
    rows = (
        Tag.objects.filter(brand_id=ticket.brand_id)
        .annotate(on_ticket=Exists(TicketTag.objects.filter(ticket_id=ticket.pk, tag_id=OuterRef("pk"))))
        .order_by("name")
        .values_list("name", "on_ticket")
    )
    names = list(rows)
    return TicketTags(on_ticket=[n for n, on in names if on], of_brand=[n for n, _on in names])


def get_ticket_for_user(user, pk: int, perm: str = "ticket:view", *, queryset: QuerySet | None = None) -> Ticket:
    """The ticket ``pk`` if ``user`` may see it (else 404) and holds ``perm`` on its brand (else 403)."""
    qs = queryset if queryset is not None else Ticket.objects.all()
    ticket = scope_to_brands(qs, user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    if not has_perm(user, ticket.brand_id, perm):
        raise PermissionDenied
    return ticket


# --- the ticket page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConversationItem:
    kind: str  # "mention" | "reply" | "note"
    at: datetime
    obj: object


#: a mention's images and videos in the order the customer sent them
_MEDIA = Prefetch("media", queryset=MentionMedia.objects.order_by("position"))


def conversation_of(ticket: Ticket, *, team_notes: bool) -> list[ConversationItem]:
    """Mentions, replies and notes of ``ticket`` in time order, with the mentions' media and the replies' images:
    at most five queries whatever their number.
    ``team_notes``: the reader holds ``note:team`` (:func:`sees_team_notes`); otherwise only the notes meant for
    the client are read.

    ``ticket`` must come from a scoped fetcher; everything read here belongs to it.
    """
    mentions = ticket.mentions.select_related("author").prefetch_related(_MEDIA).order_by("posted_at", "pk")
    replies = ticket.replies.select_related("author").prefetch_related("attachments").order_by("created_at", "pk")
    notes = ticket.notes.select_related("author").order_by("created_at", "pk")
    if not team_notes:
        notes = notes.filter(visibility=NoteVisibility.CLIENT)
    items = chain(
        (ConversationItem("mention", m.posted_at, m) for m in mentions),
        (ConversationItem("reply", r.sent_at or r.submitted_at or r.created_at, r) for r in replies),
        (ConversationItem("note", n.created_at, n) for n in notes),
    )
    return sorted(items, key=lambda item: item.at)


def timeline_of(ticket: Ticket, *, team_notes: bool, limit: int = 200) -> list[Event]:
    """The ticket's events, newest first. Without ``team_notes`` (brand managers) a team-only note is not even
    mentioned: its ``note.added`` event is left out (events written before notes had a visibility were team
    notes)."""
    events = ticket.events.select_related("actor").order_by("-created_at", "-pk")
    if not team_notes:
        events = events.exclude(Q(kind="note.added") & ~Q(data__visibility=NoteVisibility.CLIENT))
    return list(events[:limit])


def author_history(ticket: Ticket) -> dict:
    """How often this author wrote to this brand (tickets and mentions, one query) and how they rated its help:
    how many ratings and their average (docs/csat.md, one query)."""
    row = Ticket.objects.filter(brand_id=ticket.brand_id, author_id=ticket.author_id).aggregate(
        tickets=Count("pk", distinct=True), mentions=Count("mentions")
    )
    rated = CsatSurvey.objects.filter(
        brand_id=ticket.brand_id, ticket__author_id=ticket.author_id, rating__isnull=False
    ).aggregate(ratings=Count("pk"), average=Avg("rating"))
    average = rated["average"]
    return {
        "tickets": row["tickets"],
        "mentions": row["mentions"] or 0,
        "ratings": rated["ratings"],
        "rating_average": round(float(average), 1) if average is not None else None,
    }


#: the customer's tickets listed on the customer card (the count says how many there are in all)
HISTORY_LIMIT = 20


@dataclass(frozen=True)
class CustomerHistory:
    #: the other platform identities of this customer linked by the brand (``services/customers.py``)
    identities: list[Author]
    #: the most recent tickets of the customer and their linked identities, with this brand only, newest first
    tickets: list[Ticket]
    total: int


def customer_history(ticket: Ticket, limit: int = HISTORY_LIMIT) -> CustomerHistory:
    """Every ticket of this ticket's customer with its brand, across channels and linked identities, never
    another brand's: the linked identities (one query), the newest tickets and their count (two)."""
    person = LinkedIdentity.objects.filter(author_id=ticket.author_id, brand_id=ticket.brand_id).values("person")[:1]
    identities = list(
        Author.objects.filter(brand_id=ticket.brand_id, identity__brand_id=ticket.brand_id, identity__person=person)
        .exclude(pk=ticket.author_id)
        .order_by("platform", "handle", "pk")
    )
    mine = Ticket.objects.filter(
        brand_id=ticket.brand_id, author_id__in=[ticket.author_id, *(a.pk for a in identities)]
    )
    rows = list(
        mine.select_related("author")
        .only(
            "pk",
            "brand_id",
            "platform",
            "status",
            "subject",
            "received_at",
            "is_private",
            "author__handle",
            "author__platform",
        )
        .order_by("-received_at", "-pk")[:limit]
    )
    total = len(rows) if len(rows) < limit else mine.count()
    return CustomerHistory(identities=identities, tickets=rows, total=total)
