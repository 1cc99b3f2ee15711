"""Forms of the ticket's priority override and of the priority and routing settings page (docs/priority.md).
Validation of patterns is the model's (``brands.models.pattern_error``), reached through the service's
``full_clean``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import BlockedAuthor, Brand, Priority, SpamPattern, UrgencyTerm


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)


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


#: the settings page's "add a rule" forms by the rule's kind (``brands.services.priority.RULE_MODELS``)
ADD_FORMS = {"urgency": UrgencyTermForm, "spam": SpamPatternForm, "blocked": BlockedAuthorForm}


def add_rule_form(kind: str, data, *, brand: Brand) -> forms.ModelForm:
    """The bound "add a rule" form of ``kind`` for ``brand`` (a model form writes into its own new instance)."""
    form_class = ADD_FORMS[kind]
    return form_class(data, instance=form_class._meta.model(brand=brand))
