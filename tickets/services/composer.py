"""The reply composer: snippets offered for a ticket, filled from it, and counted when a reply uses them.

Operators are offered only published, unexpired snippets of the ticket's brand (:func:`usable_snippet`).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import ReviewPolicy, Snippet, SnippetStatus
from brands.services import knowledge, review_policy
from brands.services.bounces import Bounce
from brands.services.knowledge import placeholders, snippet_index

from ..models import Mention, Ticket

RECENT_MENTIONS = 5


#: ``usable_snippet``'s answer for an id that is not one of the ticket's brand's snippets (the pages answer 404).
SnippetNotFound = Snippet.DoesNotExist


class SnippetUnavailable(Exception):
    """The snippet exists in the brand but may not be inserted (draft, archived or expired)."""


@dataclass(frozen=True)
class Rendered:
    snippet: Snippet
    text: str
    unfilled: list[str]


def placeholder_values(*, ticket: Ticket, user, snippet: Snippet | None = None) -> dict[str, str]:
    author = ticket.author
    values = {
        "customer_name": author.name or (f"@{author.handle}" if author.handle else ""),
        "customer_handle": f"@{author.handle}" if author.handle else "",
        "operator_name": (user.get_full_name() or user.first_name or user.get_username()).strip(),
        "brand": ticket.brand.name,
        "ticket": ticket.reference,
    }
    product = snippet.product if snippet is not None else None
    if product is not None:
        values["product.name"] = product.name
        values["product.category"] = product.category
        for key, value in product.specifications.items():
            values[f"product.{key}"] = str(value)
    return values


def usable_snippet(*, ticket: Ticket, snippet_id: int, now: datetime | None = None) -> Snippet:
    """The snippet ``snippet_id`` of the ticket's brand. ``Snippet.DoesNotExist`` if it is not one (callers answer
    404); :class:`SnippetUnavailable` if it is a draft, archived or expired (409)."""
    now = now or timezone.now()
    snippet = Snippet.objects.select_related("product").get(brand_id=ticket.brand_id, pk=snippet_id)
    if snippet.status != SnippetStatus.PUBLISHED:
        raise SnippetUnavailable(_("This snippet is %(status)s and cannot be used.") % {"status": snippet.status})
    if snippet.expires_at is not None and snippet.expires_at <= now:
        raise SnippetUnavailable(_("This snippet expired and cannot be used."))
    return snippet


def render(*, ticket: Ticket, user, snippet: Snippet) -> Rendered:
    text, unfilled = placeholders.fill(snippet.body, placeholder_values(ticket=ticket, user=user, snippet=snippet))
    return Rendered(snippet, text, unfilled)


def customer_text(ticket: Ticket) -> tuple[str, str]:
    """The customer's latest words on the ticket and their language (of the latest mention that has one)."""
    rows = list(
        Mention.objects.filter(ticket_id=ticket.pk, is_deleted=False)
        .order_by("-posted_at", "-pk")
        .values_list("text", "language")[:RECENT_MENTIONS]
    )
    language = next((lang[:2] for _text, lang in rows if lang), "")
    return " ".join(text for text, _lang in rows), language


def suggestions(*, ticket: Ticket, now: datetime | None = None, limit: int = 8) -> list[snippet_index.Hit]:
    text, language = customer_text(ticket)
    index = snippet_index.index_for(ticket.brand_id)
    return snippet_index.suggest(index, text=text, language=language, now=now or timezone.now(), limit=limit)


def search(*, brand_id: int, q: str, now: datetime | None = None, limit: int = 20) -> list[snippet_index.Hit]:
    index = snippet_index.index_for(brand_id)
    return snippet_index.search(index, q=q, now=now or timezone.now(), limit=limit)


def count_usage(*, ticket: Ticket, user, body: str, snippet_ids: list[int]) -> tuple[list[int], list[int]]:
    """Which of ``snippet_ids`` (of the ticket's brand) went out as filled (``as_is``: the filled text is in the
    body unchanged) and which were edited; counts them. Returns ``(as_is, edited)``."""
    as_is: list[int] = []
    edited: list[int] = []
    wanted = sorted({int(i) for i in snippet_ids})[:20]
    for snippet in Snippet.objects.filter(brand_id=ticket.brand_id, pk__in=wanted).select_related("product"):
        filled = render(ticket=ticket, user=user, snippet=snippet).text.strip()
        (as_is if filled and filled in body else edited).append(snippet.pk)
    knowledge.record_usage(brand_id=ticket.brand_id, as_is=as_is, edited=edited)
    return as_is, edited


@dataclass(frozen=True)
class BounceCheck:
    """What the composer says while a reply is written: the phrases that send the customer elsewhere, and
    whether the brand's review policy will hold the reply for a supervisor because of them."""

    found: list[Bounce]
    held: bool


def check_bounces(*, ticket: Ticket, text: str) -> BounceCheck:
    """The bouncing phrases of ``text`` by the ticket's brand's settings (the built-in ones without a policy)."""
    policy = ReviewPolicy.objects.filter(brand_id=ticket.brand_id).first()
    found = review_policy.bounces_in(text, policy)
    return BounceCheck(found=found, held=bool(found) and policy is not None and policy.review_bounces)
