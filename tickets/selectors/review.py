"""Scoped reads of the review workflow (the companion of ``tickets.selectors.ticket`` for replies and review policies).
Every query starts from the user's brands: outside them 404, in them without the capability 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404

from brands.access import has_perm, scope_to_brands
from brands.models import Brand, Membership, ReviewPolicy, Role

from ..models import ChangesReason, Reply, ReplyRevision, ReplyStatus


def review_queue_for(user) -> QuerySet[Reply]:
    """Replies in review on the brands where ``user`` approves replies, the most urgent SLA deadline first."""
    return (
        scope_to_brands(Reply.objects.filter(status=ReplyStatus.IN_REVIEW), user, perm="reply:approve")
        .select_related("ticket", "ticket__brand", "ticket__author", "author")
        .order_by(F("ticket__due_at").asc(nulls_last=True), "submitted_at", "pk")
    )


def with_review_details(queryset: QuerySet[Reply]) -> QuerySet[Reply]:
    """``queryset`` with what a reviewer's API answer shows, in the same query: the ticket and its brand, the
    author and reviewer, and ``latest_revision`` (the number to send back as ``revision``)."""
    latest = ReplyRevision.objects.filter(reply=OuterRef("pk")).order_by("-number").values("number")[:1]
    return (
        queryset.select_related("ticket", "ticket__brand", "author", "reviewer")
        .prefetch_related("attachments")
        .annotate(latest_revision=Subquery(latest))
    )


def get_reply_for_user(user, pk: int, perm: str = "ticket:view") -> Reply:
    """The reply ``pk`` (with its ticket and author) if ``user`` sees its brand (else 404) and holds ``perm`` there
    (else 403)."""
    reply = (
        scope_to_brands(Reply.objects.select_related("ticket", "ticket__brand", "ticket__author", "author"), user)
        .filter(pk=pk)
        .first()
    )
    if reply is None:
        raise Http404
    if not has_perm(user, reply.brand_id, perm):
        raise PermissionDenied
    return reply


def mentions_of(reply: Reply) -> list:
    return list(reply.ticket.mentions.select_related("author").prefetch_related("media").order_by("posted_at", "pk"))


def revisions_of(replies: list[Reply]) -> dict[int, list[ReplyRevision]]:
    """reply id → its revisions in order (one query)."""
    found: dict[int, list[ReplyRevision]] = {}
    for rev in ReplyRevision.objects.filter(reply__in=replies).select_related("author").order_by("reply", "number"):
        found.setdefault(rev.reply_id, []).append(rev)
    return found


def reviewer_names(replies: list[Reply]) -> dict[int, str]:
    """reply id → the username of its latest reviewer (one query, none when nobody reviewed any)."""
    ids = [r.pk for r in replies if r.reviewer_id]
    return dict(Reply.objects.filter(pk__in=ids).values_list("pk", "reviewer__username")) if ids else {}


def decisions_of(reply: Reply) -> list:
    return list(reply.decisions.select_related("reviewer").order_by("created_at", "pk"))


def review_policy_for(brand: Brand) -> ReviewPolicy:
    """The brand's policy, or an unsaved one with the defaults (which reviews nothing)."""
    return ReviewPolicy.objects.filter(brand=brand).first() or ReviewPolicy(brand=brand)


def operators_of(brand: Brand) -> list[Membership]:
    return list(
        Membership.objects.filter(brand=brand, role=Role.OPERATOR).select_related("user").order_by("user__username")
    )


def changes_label(reply: Reply) -> str:
    """The reviewer's reason code in words, empty when there is none."""
    return ChangesReason(reply.changes_code).label if reply.changes_code in ChangesReason.values else ""
