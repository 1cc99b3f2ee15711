"""The queue's filter form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Priority
from smrc.bounds import IdField, IntegerField

from ..selectors.queue import QUEUE_SORTS, QUEUE_STATUS_CHOICES, QueueFilters
from ..selectors.search import SEARCH_MAX_LENGTH

#: the latest ``since`` a poll may name: 2100-01-01 in milliseconds
NEWS_SINCE_MAX = 4_102_444_800_000


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string (or a saved view). Each invalid value falls back to its
    default and the others still apply (the page says which were ignored)."""

    brand = IdField(required=False)
    status = forms.ChoiceField(choices=[(s, s) for s in QUEUE_STATUS_CHOICES], required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, required=False, empty_value=None)
    mine = forms.BooleanField(required=False)
    unassigned = forms.BooleanField(required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=SEARCH_MAX_LENGTH, strip=True)
    sort = forms.ChoiceField(choices=[(s, s) for s in QUEUE_SORTS], required=False)
    page = IntegerField(required=False, min_value=1, max_value=1000)

    def filters(self) -> QueueFilters:
        self.is_valid()  # each invalid field falls back alone: cleaned_data keeps the valid ones
        data = self.cleaned_data
        return QueueFilters(
            brand=data.get("brand"),
            status=data.get("status") or "active",
            priority=data.get("priority"),
            mine=bool(data.get("mine")),
            unassigned=bool(data.get("unassigned")),
            q=" ".join((data.get("q") or "").split()),
            sort=data.get("sort") or "due",
        )

    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1


class SaveViewForm(forms.Form):
    """Save the queue as it is filtered now (the filters come with it, read by :class:`QueueFilterForm`): a
    personal view, or a team view of the brand ``team``."""

    name = forms.CharField(label=_("Name"), max_length=60, strip=True)
    team = IdField(label=_("Share with the team of"), required=False)


class QueueNewsForm(forms.Form):
    """The queue's poll for new work: ``since`` is when the page was drawn, in milliseconds since the epoch."""

    since = IntegerField(min_value=0, max_value=NEWS_SINCE_MAX)


class BrowserAlertsForm(forms.Form):
    """Browser notifications for tickets assigned to me and urgent ones: on or off."""

    enabled = forms.BooleanField(required=False)
