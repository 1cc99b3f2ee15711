"""A brand's priority rules: urgency terms (they raise a ticket's priority), spam patterns and blocked authors
(they set a mention aside) (docs/priority.md). Every write validates with the model's rules first (an invalid
regular expression is refused) and records itself in the audit trail in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import BlockedAuthor, Brand, ConfigSource, SpamPattern, UrgencyTerm, pattern_error
from . import audit
from .locks import lock_brand

RULE_MODELS = {"urgency": UrgencyTerm, "spam": SpamPattern, "blocked": BlockedAuthor}


def add_rule(
    *, brand: Brand, kind: str, user=None, source: str = ConfigSource.PAGE, **fields
) -> UrgencyTerm | SpamPattern | BlockedAuthor:
    """Create a rule of ``kind`` (``urgency``, ``spam``, ``blocked``) after full validation, with its record."""
    rule = RULE_MODELS[kind](brand=brand, **fields)
    with transaction.atomic():
        lock_brand(brand.pk)  # the same rule added twice at once: the second's check sees the first
        rule.full_clean()
        audit.save_object(rule, user=user, source=source)
    return rule


def delete_rule(*, brand: Brand, kind: str, pk: int, user=None, source: str = ConfigSource.PAGE) -> bool:
    """Delete the brand's rule ``pk`` of ``kind`` with its record; False when there is none (another brand's id
    included, or a second delete of the same rule at once)."""
    with transaction.atomic():
        lock_brand(brand.pk)
        rule = RULE_MODELS[kind].objects.filter(brand=brand, pk=pk).first()
        if rule is None:
            return False
        audit.delete_object(rule, user=user, source=source)
    return True


def with_problems(rules) -> list:
    """The rules, each with ``problem``: why ingest skips it (stored before RE2 refused such patterns), or None."""
    rules = list(rules)
    for rule in rules:
        rule.problem = pattern_error(rule.pattern, is_regex=rule.is_regex)
    return rules


__all__ = ["ValidationError", "add_rule", "delete_rule", "with_problems"]
