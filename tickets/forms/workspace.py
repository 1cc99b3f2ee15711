"""Forms of the operator's workspace: bulk actions on queue rows, assigning a ticket to a teammate, linking and
unlinking a customer's platform identities."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brands.models import Platform, Priority
from smrc.bounds import IdField, parse_id, parse_int

from ..models import TAG_MAX_LENGTH
from ..services.bulk import ACTIONS, MAX_SELECTED, Selected
from ..services.workflow import ASSIGN_NOTE_MAX_LENGTH

#: a selected row: ``<ticket id>:<owner id it showed, 0 for nobody>``
_ROW = re.compile(r"([0-9]{1,19}):([0-9]{1,19})")


class SelectionField(forms.CharField):
    """The rows ticked in the queue (checkboxes sharing one name): each ``<ticket id>:<owner id or 0>``, at most
    :data:`~tickets.services.bulk.MAX_SELECTED`. ``max_length`` bounds each value."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid_row": _("“%(value)s” is not a ticket of the queue."),
        "too_many": _("Select at most %(n)d tickets."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value) -> list[Selected]:
        values = value if isinstance(value, list | tuple) else [value] if value not in (None, "") else []
        if len(values) > MAX_SELECTED:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"n": MAX_SELECTED})
        rows = []
        for raw in values:
            text = str(raw)
            match = _ROW.fullmatch(text) if len(text) <= self.max_length else None
            ticket_id = parse_id(match[1]) if match else None
            owner = parse_int(match[2], max_value=2**63 - 1) if match else None
            if ticket_id is None or owner is None:
                raise ValidationError(
                    self.error_messages["invalid_row"], code="invalid_row", params={"value": text[:20]}
                )
            rows.append(Selected(ticket_id, owner))
        return rows

    def validate(self, value) -> None:
        if not value and self.required:
            raise ValidationError(_("Select at least one ticket."), code="required")

    def run_validators(self, value) -> None:  # the lengths were checked per value in to_python
        return None


class BulkForm(forms.Form):
    tickets = SelectionField(label=_("Tickets"))
    action = forms.ChoiceField(label=_("Action"), choices=[(a, a) for a in ACTIONS])
    assignee = IdField(label=_("Assign to"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=Priority.choices, coerce=int, required=False, empty_value=None
    )
    tag = forms.CharField(label=_("Tag"), max_length=TAG_MAX_LENGTH, required=False, strip=True)
    #: the queue's query string, to come back to the same filters and page
    back = forms.CharField(required=False, max_length=500)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose whom to assign the tickets to."))
        if action == "priority" and data.get("priority") is None:
            self.add_error("priority", _("Choose a priority."))
        if action == "tag" and not data.get("tag"):
            self.add_error("tag", _("Type the tag to add."))
        return data

    def back_query(self) -> str:
        back = (self.cleaned_data.get("back") or "") if hasattr(self, "cleaned_data") else ""
        return back if back.startswith("?") and "\n" not in back and "\r" not in back else ""


class AssignForm(forms.Form):
    assignee = IdField(label=_("Assign to"))
    #: the owner the page showed (0: nobody); a different owner now means someone else acted meanwhile
    expected = forms.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
    note = forms.CharField(
        label=_("Note for them (optional)"),
        required=False,
        max_length=ASSIGN_NOTE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    #: where to go back to: the ticket (empty), the team view of all the supervisor's brands, or of the ticket's brand
    back = forms.ChoiceField(choices=[("", ""), ("all", "all"), ("brand", "brand")], required=False)


class LinkIdentityForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(label=_("Handle"), max_length=120, strip=True)


class UnlinkIdentityForm(forms.Form):
    author = IdField(label=_("Identity"))
