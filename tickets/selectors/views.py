"""Saved queue views the user may use: their own and their brands' team views, with live counts."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.http import Http404

from brands.access import brand_ids_for

from ..models import QueuePreference, SavedView
from .queue import QueueFilters, filter_condition
from .ticket import tickets_for


def saved_views_for(user) -> list[SavedView]:
    """The user's personal views, then the team views of the brands they see (by brand, then name)."""
    if not user.is_authenticated:
        return []
    ids = brand_ids_for(user)
    team = Q(brand__isnull=False) if ids is None else Q(brand_id__in=ids)
    return list(
        SavedView.objects.filter(Q(owner_id=user.pk) | team)
        .select_related("brand")
        .only("pk", "name", "owner_id", "brand_id", "query", "brand__name", "brand__slug")
        .order_by(F("brand_id").asc(nulls_first=True), "name", "pk")  # personal first on every database
    )


def get_view_for_user(user, pk: int) -> SavedView:
    """One view the user may see: their own or a team view of one of their brands; anything else is 404."""
    for view in saved_views_for(user):
        if view.pk == pk:
            return view
    raise Http404


@dataclass
class ViewRow:
    view: SavedView
    filters: QueueFilters
    query: dict[str, str]
    count: int = 0


def view_filters(view: SavedView, form_class) -> QueueFilters:
    """The view's parameters read by the queue's form (invalid ones fall back to the defaults); a team view is
    always of its own brand."""
    data = {k: v for k, v in (view.query or {}).items() if isinstance(k, str) and isinstance(v, str)}
    if view.brand_id is not None:
        data["brand"] = str(view.brand_id)
    return form_class(data).filters()


def view_rows_for(user, views: list[SavedView], form_class) -> list[ViewRow]:
    """Each view with the count of tickets it shows now, in one aggregate query over the user's tickets."""
    rows = []
    for view in views:
        filters = view_filters(view, form_class)
        rows.append(ViewRow(view=view, filters=filters, query=filters.as_query()))
    if rows:
        conditions = [filter_condition(user, row.filters) for row in rows]
        anything = Q()
        for condition in conditions:
            anything |= condition
        counts = (
            tickets_for(user)
            .filter(anything)
            .aggregate(**{f"v{i}": Count("pk", filter=condition) for i, condition in enumerate(conditions)})
        )
        for i, row in enumerate(rows):
            row.count = counts[f"v{i}"]
    return rows


def browser_alerts_for(user) -> bool:
    return QueuePreference.objects.filter(user_id=user.pk, browser_alerts=True).exists()
