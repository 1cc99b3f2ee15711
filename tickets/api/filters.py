"""The ticket list's filters (django-filter): every filter of the queue page (brand, status, priority, mine,
unassigned, the search, the sort, a saved view) and a few the API adds (assignee by name, platform, tag, received
between), each applied through the queue's selectors on the caller's scoped tickets (one scoping layer)."""

from datetime import UTC

import django_filters
from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from brands.access import brands_for
from brands.models import Platform, Priority
from smrc.bounds import ID_MAX, IdField

from ..forms.queue import QueueFilterForm
from ..selectors.queue import (
    API_SORTS,
    QUEUE_STATUS_CHOICES,
    api_sorted,
    owner_condition,
    search_for,
    status_condition,
    tag_condition,
    view_condition,
)
from ..selectors.search import SEARCH_MAX_LENGTH
from ..selectors.views import get_view_for_user, view_filters

#: the longest tag name (tickets.models.TAG_MAX_LENGTH, through the serializers' edge)
from .serializers import TAG_MAX_LENGTH


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.Filter):
    field_class = IdField


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment that exists in UTC: ``0001-01-01T00:00:00+14:00`` parses but has no UTC value, and the
    database layer overflowed on it (a 500)."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is not None:
            try:
                moment.astimezone(UTC)
            except OverflowError:
                raise forms.ValidationError(_("Enter a date and time between the years 1 and 9999.")) from None
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


PRIORITIES = [p.name.lower() for p in Priority]


@extend_schema_field({"type": "string", "enum": PRIORITIES})
class PriorityFilter(django_filters.ChoiceFilter):
    """The priority by name (``urgent``, ``high``, ``normal``, ``low``), as the API shows it."""


class TicketFilterSet(django_filters.FilterSet):
    """``GET /api/v1/tickets/``'s query. Without ``status`` every status is listed (``active``: new, open and
    pending, as the queue shows by default). ``view`` applies a saved view the caller may use (their own or a
    team view of their brands; any other id is 404) and the other filters narrow it further. ``sort``: the
    queue's sorts; ``newest`` unless given (or the view's own)."""

    brand = django_filters.CharFilter(max_length=60, method="by_brand", help_text="A brand's slug.")
    status = django_filters.ChoiceFilter(
        choices=[(s, s) for s in QUEUE_STATUS_CHOICES],
        method="by_status",
        help_text="`active` (new, open, pending) or one status; every status when left out.",
    )
    priority = PriorityFilter(choices=[(p, p) for p in PRIORITIES], method="by_priority")
    platform = django_filters.ChoiceFilter(choices=Platform.choices, field_name="platform")
    assignee = django_filters.CharFilter(
        max_length=150, method="by_owner", help_text="A username, `me` or `none` (unassigned)."
    )
    mine = django_filters.BooleanFilter(method="by_mine", help_text="`true`: assigned to me (the queue's Mine).")
    unassigned = django_filters.BooleanFilter(method="by_unassigned", help_text="`true`: nobody owns it.")
    tag = django_filters.CharFilter(max_length=TAG_MAX_LENGTH, method="by_tag", help_text="A tag's name.")
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(
        max_length=SEARCH_MAX_LENGTH,
        method="by_search",
        help_text="The queue's search: customer name or handle, message text, reference (T-123), tag.",
    )
    view = IdFilter(method="by_view", help_text="A saved view's id (404 if it is not one the caller may use).")
    sort = django_filters.ChoiceFilter(
        choices=[(s, s) for s in API_SORTS],
        method="by_sort",
        help_text="`newest` (the default), `oldest`, `due`, `priority`.",
    )

    class Meta:
        fields: list[str] = []

    @property
    def user(self):
        return self.request.user

    def by_brand(self, queryset, name, value):
        brand = brands_for(self.user).filter(slug=value).first()
        if brand is None:
            raise ValidationError({"brand": [_("Unknown brand.")]})
        return queryset.filter(brand_id=brand.pk)

    def by_status(self, queryset, name, value):
        return queryset.filter(status_condition(value))

    def by_priority(self, queryset, name, value):
        return queryset.filter(priority=Priority[value.upper()])

    def by_owner(self, queryset, name, value):
        return queryset.filter(owner_condition(self.user, value))

    def by_mine(self, queryset, name, value):
        return queryset.filter(owner_condition(self.user, "me")) if value else queryset

    def by_unassigned(self, queryset, name, value):
        return queryset.filter(owner_condition(self.user, "none")) if value else queryset

    def by_tag(self, queryset, name, value):
        return queryset.filter(tag_condition(value))

    def by_search(self, queryset, name, value):
        return queryset.filter(search_for(self.user, value)) if value.strip() else queryset

    def by_view(self, queryset, name, value):
        self._view_filters = view_filters(get_view_for_user(self.user, value), QueueFilterForm)
        return queryset.filter(view_condition(self.user, self._view_filters))

    def by_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort")
        if not sort:
            view = getattr(self, "_view_filters", None)
            sort = view.sort if view is not None and view.sort in API_SORTS else "newest"
        return api_sorted(queryset, sort)
