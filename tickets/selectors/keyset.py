"""Keyset (cursor) pages over an ordered queryset: the rows after (or before) a position given by the values of
the ordering's fields, the last of which is unique (the primary key), so a page never repeats or skips a row
when rows are added or change meanwhile elsewhere in the list (docs/api.md, "Pagination")."""

from django.db.models import Q, QuerySet


def ordering_of(queryset: QuerySet) -> list[tuple[str, bool]]:
    """The queryset's ordering as (field, descending) pairs; it must end with the primary key."""
    ordering = [(str(o).lstrip("-"), str(o).startswith("-")) for o in queryset.query.order_by]
    if not ordering or ordering[-1][0] not in ("pk", "id"):
        raise ValueError("a keyset page needs an ordering that ends with the primary key")
    return ordering


def position_of(row, ordering: list[tuple[str, bool]]) -> list:
    """The values of ``row`` (a model instance of the queryset) for each field of the ordering."""
    return [row.pk if name in ("pk", "id") else getattr(row, name) for name, _desc in ordering]


def page_from(
    queryset: QuerySet, ordering: list[tuple[str, bool]], position: list | None, *, backwards: bool, size: int
):
    """Up to ``size`` + 1 rows strictly after ``position`` in the ordering (``backwards``: strictly before it,
    nearest first). The extra row only tells whether there is more."""
    if position is not None:
        condition = Q()
        for i, (name, desc) in enumerate(ordering):
            later = desc == backwards  # ascending and forwards, or descending and backwards: greater values
            step = Q(**{f"{name}__{'gt' if later else 'lt'}": position[i]})
            for prior, (before, _d) in enumerate(ordering[:i]):
                step &= Q(**{before: position[prior]})
            condition |= step
        queryset = queryset.filter(condition)
    if backwards:
        queryset = queryset.order_by(*[(name if desc else f"-{name}") for name, desc in ordering])
    return list(queryset[: size + 1])
