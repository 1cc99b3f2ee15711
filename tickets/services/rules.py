"""A brand's priority and noise rules, read once per ingest batch (three queries per brand)."""

from dataclasses import dataclass, field

from brands.models import BlockedAuthor, SpamPattern, UrgencyTerm

from .priority import DEFAULT_URGENCY_TERMS, Term, match_terms


@dataclass(frozen=True)
class BrandRules:
    urgency_terms: tuple[Term, ...] = DEFAULT_URGENCY_TERMS
    spam_terms: tuple[Term, ...] = ()
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
        urgency_terms=DEFAULT_URGENCY_TERMS + own,
        spam_terms=spam,
        blocked_handles={platform: frozenset(handles) for platform, handles in blocked.items()},
    )
