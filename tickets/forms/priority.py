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


class _OwnIds:
    """The settings page shows several of these forms at once: each gets ids of its own (``id_spam_label``), so
    no label ticks another form's box. Field names, and so what is posted, stay as they were."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class RoutingForm(_OwnIds, forms.ModelForm):
    id_prefix = "routing"

    class Meta:
        model = Brand
        fields = ["routing_mode", "operator_capacity", "idle_owner_minutes"]


class UrgencyTermForm(_OwnIds, forms.ModelForm):
    id_prefix = "urgency"

    class Meta:
        model = UrgencyTerm
        fields = ["pattern", "is_regex", "label", "weight"]


class SpamPatternForm(_OwnIds, forms.ModelForm):
    id_prefix = "spam"

    class Meta:
        model = SpamPattern
        fields = ["pattern", "is_regex", "label"]


class BlockedAuthorForm(_OwnIds, forms.ModelForm):
    id_prefix = "blocked"

    class Meta:
        model = BlockedAuthor
        fields = ["platform", "handle", "note"]


#: the settings page's "add a rule" forms by the rule's kind (``brands.services.priority.RULE_MODELS``)
ADD_FORMS = {"urgency": UrgencyTermForm, "spam": SpamPatternForm, "blocked": BlockedAuthorForm}


def add_rule_form(kind: str, data, *, brand: Brand) -> forms.ModelForm:
    """The bound "add a rule" form of ``kind`` for ``brand`` (a model form writes into its own new instance)."""
    form_class = ADD_FORMS[kind]
    return form_class(data, instance=form_class._meta.model(brand=brand))
