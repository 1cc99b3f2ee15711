"""A brand's routing settings and its urgency terms, spam patterns and blocked authors (docs/priority.md).
Every write validates with the model's rules first (an invalid regular expression is refused)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import BlockedAuthor, Brand, SpamPattern, UrgencyTerm

ROUTING_FIELDS = ("routing_mode", "operator_capacity", "idle_owner_minutes")
RULE_MODELS = {"urgency": UrgencyTerm, "spam": SpamPattern, "blocked": BlockedAuthor}


def update_routing(*, brand: Brand, routing_mode: str, operator_capacity: int, idle_owner_minutes: int) -> dict:
    """Set the brand's routing. Returns ``{field: (before, after)}`` of what changed; raises ValidationError."""
    values = {
        "routing_mode": routing_mode,
        "operator_capacity": operator_capacity,
        "idle_owner_minutes": idle_owner_minutes,
    }
    changed = {k: (getattr(brand, k), v) for k, v in values.items() if getattr(brand, k) != v}
    for key, (_before, after) in changed.items():
        setattr(brand, key, after)
    brand.full_clean(validate_unique=False)
    if changed:
        brand.save(update_fields=list(changed))
    return changed


def add_rule(*, brand: Brand, kind: str, **fields) -> UrgencyTerm | SpamPattern | BlockedAuthor:
    """Create a rule of ``kind`` (``urgency``, ``spam``, ``blocked``) after full validation."""
    rule = RULE_MODELS[kind](brand=brand, **fields)
    rule.full_clean()
    with transaction.atomic():
        rule.save()
    return rule


def delete_rule(*, brand: Brand, kind: str, pk: int) -> bool:
    """Delete the brand's rule ``pk`` of ``kind``; False when there is none (another brand's id included)."""
    deleted, _ = RULE_MODELS[kind].objects.filter(brand=brand, pk=pk).delete()
    return bool(deleted)


__all__ = ["ValidationError", "add_rule", "delete_rule", "update_routing"]
