"""Forms of the ticket's priority override and of the priority and routing settings page (docs/priority.md).
Validation of patterns is the model's (``brands.models.pattern_error``), reached through the service's
``full_clean``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import BlockedAuthor, Brand, Priority, SpamPattern, UrgencyTerm

#: the choice that gives the ticket back to the computed priority (``workflow.restore_automatic_priority``)
AUTOMATIC = "auto"


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priority"), choices=[(AUTOMATIC, _("Automatic")), *((str(v), label) for v, label in Priority.choices)]
    )

    def clean_priority(self) -> int | str:
        value = self.cleaned_data["priority"]
        return value if value == AUTOMATIC else int(value)


class RoutingForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = ["routing_mode", "operator_capacity", "idle_owner_minutes"]


class UrgencyTermForm(forms.ModelForm):
    class Meta:
        model = UrgencyTerm
        fields = ["pattern", "is_regex", "label", "weight"]


class SpamPatternForm(forms.ModelForm):
    class Meta:
        model = SpamPattern
        fields = ["pattern", "is_regex", "label"]


class BlockedAuthorForm(forms.ModelForm):
    class Meta:
        model = BlockedAuthor
        fields = ["platform", "handle", "note"]
