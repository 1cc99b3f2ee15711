"""The queue's filter form."""

from django import forms

from brands.models import Priority
from smrc.bounds import IdField, IntegerField

from ..selectors.queue import QUEUE_STATUS_CHOICES, QueueFilters


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. Invalid values fall back to the defaults (the page says
    which were ignored)."""

    brand = IdField(required=False)
    status = forms.ChoiceField(choices=[(s, s) for s in QUEUE_STATUS_CHOICES], required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False, empty_value=None)
    mine = forms.BooleanField(required=False)
    unassigned = forms.BooleanField(required=False)
    page = IntegerField(required=False, min_value=1, max_value=1000)

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            brand=data.get("brand"),
            status=data.get("status") or "active",
            priority=data.get("priority"),
            mine=bool(data.get("mine")),
            unassigned=bool(data.get("unassigned")),
        )

    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1
