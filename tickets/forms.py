import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brands.models import Priority
from smrc.bounds import IdField, IdListField, IntegerField

from .selectors import QUEUE_STATUS_CHOICES, QueueFilters
from .services import idempotency
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


class KeyedForm(forms.Form):
    """A form whose submission must take effect once. It carries an idempotency key in a hidden field
    (``{% submission_key form %}``): a fresh one when the server renders a new form, the posted one when the form
    comes back with an error, so sending it again — or twice at once — is the same submission
    (``tickets.services.idempotency``). ``cleaned_data["idempotency_key"]`` is the key as a UUID; a missing or
    malformed key is a form error (nothing is done) and the form comes back with a fresh one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = None if self.is_bound else str(uuid.uuid4())

    def renew_key(self) -> None:
        """Show the form with a fresh key: the posted one is spent or unusable."""
        self.key = str(uuid.uuid4())

    @property
    def page_key(self) -> str:
        return self.key or self.data.get(idempotency.FIELD, "")

    def clean(self):
        data = super().clean()
        key = idempotency.parse(self.data.get(idempotency.FIELD))
        if key is None:
            self.renew_key()
            raise ValidationError(_("This form was out of date, so nothing was done. Check it and send it again."))
        data[idempotency.FIELD] = key
        return data


class ReplyForm(KeyedForm):
    body = forms.CharField(
        label=_("Reply"), max_length=REPLY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), strip=True
    )
    #: ids of the snippets the composer inserted, comma-separated (counted as used as is or edited)
    snippets = IdListField(required=False, max_ids=20, widget=forms.HiddenInput)


class BounceCheckForm(forms.Form):
    """The composer's draft, checked while it is written (no submission key: nothing is saved)."""

    body = forms.CharField(max_length=REPLY_MAX_LENGTH, required=False, strip=True)


class NoteForm(KeyedForm):
    body = forms.CharField(
        label=_("Internal note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}), strip=True
    )


class TagsForm(forms.Form):
    """The ticket's tags as typed: names separated by commas (blank pieces, as from a trailing comma, dropped).
    ``tickets.services.tags`` validates each name."""

    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000, strip=True)

    def clean_tags(self) -> list[str]:
        return [name.strip() for name in self.cleaned_data["tags"].split(",") if name.strip()]
