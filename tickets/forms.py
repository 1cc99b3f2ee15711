from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import Priority
from smrc.bounds import IdField, IdListField, IntegerField

from .selectors import QUEUE_STATUS_CHOICES, QueueFilters
from .services.replies import REPLY_MAX_LENGTH
from .services.workflow import NOTE_MAX_LENGTH


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


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"), max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), strip=True
    )
    #: ids of the snippets the composer inserted, comma-separated (counted as used as is or edited)
    snippets = IdListField(required=False, max_ids=20, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


class TagsForm(forms.Form):
    """The ticket's tags as typed: names separated by commas (blank pieces, as from a trailing comma, dropped).
    ``tickets.services.tags`` validates each name."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000, strip=True)

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]
