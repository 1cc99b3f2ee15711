"""A brand's routing settings and its urgency terms, spam patterns and blocked authors (docs/priority.md).
Every write validates with the model's rules first (an invalid regular expression is refused)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import BlockedAuthor, Brand, SpamPattern, UrgencyTerm
from .locks import lock_brand

ROUTING_FIELDS = ("routing_mode", "operator_capacity", "idle_owner_minutes")
RULE_MODELS = {"urgency": UrgencyTerm, "spam": SpamPattern, "blocked": BlockedAuthor}


def update_routing(*, brand: Brand, routing_mode: str, operator_capacity: int, idle_owner_minutes: int) -> dict:
    """Set the brand's routing. Returns ``{field: (before, after)}`` of what changed; raises ValidationError."""
    values = {
        "routing_mode": routing_mode,
        "operator_capacity": operator_capacity,
        "idle_owner_minutes": idle_owner_minutes,
    }
    with transaction.atomic():
        current = lock_brand(brand.pk)  # a second save at once finds the first one's values: no change
        changed = {k: (getattr(current, k), v) for k, v in values.items() if getattr(current, k) != v}
        for key, (_before, after) in changed.items():
            setattr(current, key, after)
        current.full_clean(validate_unique=False)
        if changed:
            current.save(update_fields=list(changed))
    for key in values:
        setattr(brand, key, getattr(current, key))
    return changed


def add_rule(*, brand: Brand, kind: str, **fields) -> UrgencyTerm | SpamPattern | BlockedAuthor:
    """Create a rule of ``kind`` (``urgency``, ``spam``, ``blocked``) after full validation."""
    rule = RULE_MODELS[kind](brand=brand, **fields)
    with transaction.atomic():
        lock_brand(brand.pk)  # the same rule added twice at once: the second's check sees the first
        rule.full_clean()
        rule.save()
    return rule


def delete_rule(*, brand: Brand, kind: str, pk: int) -> bool:
    """Delete the brand's rule ``pk`` of ``kind``; False when there is none (another brand's id included)."""
    deleted, _ = RULE_MODELS[kind].objects.filter(brand=brand, pk=pk).delete()
    return bool(deleted)


__all__ = ["ValidationError", "add_rule", "delete_rule", "update_routing"]
