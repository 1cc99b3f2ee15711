"""Display helpers for "why this priority" and the noise reasons (docs/priority.md): formatting only."""

from django import template

from brands.models import Priority

from ..services import noise
from ..services.priority import Explanation, explain

register = template.Library()


@register.filter
def priority_explanation(ticket) -> Explanation | None:
    return explain(ticket.priority_factors, overridden=ticket.priority_overridden)


@register.filter
def noise_label(reason: str) -> str:
    label = noise.REASONS.get(reason)
    return str(label) if label is not None else reason


@register.simple_tag
def priority_choices() -> list[tuple[int, str]]:
    return [(p.value, p.label) for p in reversed(Priority)]


@register.filter
def priority_label(value) -> str:
    """A stored priority (an event's ``before``/``after``) in words; anything else as it is."""
    try:
        return str(Priority(int(value)).label)
    except (TypeError, ValueError):
        return str(value)
