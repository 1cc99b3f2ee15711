"""A brand's priority and noise rules, read once per ingest batch (three queries per brand)."""

from dataclasses import dataclass, field

from brands.models import BlockedAuthor, SpamPattern, UrgencyTerm

from .priority import DEFAULT_URGENCY_TERMS, Term, TermSet, match_terms, term_set


@dataclass(frozen=True)
class BrandRules:
    """Compiled once per distinct set of rules (``priority.term_set``), so a batch reads three rows per brand
    and compiles nothing that an earlier batch of the brand already compiled."""

    urgency_terms: TermSet = field(default_factory=lambda: term_set(DEFAULT_URGENCY_TERMS))
    spam_terms: TermSet = field(default_factory=lambda: term_set(()))
    #: platform → lower-cased handles without "@"
    blocked_handles: dict[str, frozenset[str]] = field(default_factory=dict)

    def match_urgency(self, text: str) -> list[Term]:
        return match_terms(text, self.urgency_terms)


def rules_for(brand_id: int) -> BrandRules:
    own = tuple(
        Term(pattern, label, weight, is_regex)
        for pattern, label, weight, is_regex in UrgencyTerm.objects.filter(brand_id=brand_id)
        .order_by("pk")
        .values_list("pattern", "label", "weight", "is_regex")
    )
    spam = tuple(
        Term(pattern, label, 0, is_regex)
        for pattern, label, is_regex in SpamPattern.objects.filter(brand_id=brand_id)
        .order_by("pk")
        .values_list("pattern", "label", "is_regex")
    )
    blocked: dict[str, set[str]] = {}
    for platform, handle in BlockedAuthor.objects.filter(brand_id=brand_id).values_list("platform", "handle"):
        blocked.setdefault(platform, set()).add(handle.strip().lstrip("@").lower())
    return BrandRules(
        urgency_terms=term_set(DEFAULT_URGENCY_TERMS + own),
        spam_terms=term_set(spam),
        blocked_handles={platform: frozenset(handles) for platform, handles in blocked.items()},
    )
