"""Forms of the team view (a supervisor assigns a ticket) and of "My performance" (the period and the brand)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from smrc.bounds import IdField

#: the periods "My performance" offers, in days
PERIODS = (7, 30, 90)


class AssignForm(forms.Form):
    """Who gets the ticket, and who the supervisor saw owning it (empty: nobody), so a change meanwhile is caught."""

    assignee = IdField(label=_("Assign to"))
    expected = IdField(required=False)
    #: where to go back to: the team view of all the supervisor's brands, or of the ticket's brand
    back = forms.ChoiceField(choices=[("all", "all"), ("brand", "brand")], required=False)


class PerformanceForm(forms.Form):
    """The period (days up to today) and one brand (its slug) or every brand the person works. Invalid values fall
    back to the defaults, and the page names the field it ignored."""

    days = forms.TypedChoiceField(
        label=_("Period"), choices=[(d, d) for d in PERIODS], coerce=int, required=False, empty_value=30
    )
    brand = forms.SlugField(label=_("Brand"), max_length=60, required=False)

    def period(self) -> int:
        return (self.cleaned_data.get("days") if self.is_valid() else None) or 30

    def brand_slug(self) -> str:
        return (self.cleaned_data.get("brand") if self.is_valid() else "") or ""
