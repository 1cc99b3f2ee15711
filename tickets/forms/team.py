"""Forms of the team view (a supervisor assigns a ticket) and of "My performance" (the period and the brand)."""

from django import forms
from django.utils.translation import gettext_lazy as _

#: the periods "My performance" offers, in days
PERIODS = (7, 30, 90)


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
