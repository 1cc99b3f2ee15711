"""The customer's rating form (the public page) and the brand's CSAT settings form (docs/csat.md)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import CsatSettings, Platform
from brands.services import csat as csat_settings

from ..models import CSAT_COMMENT_MAX_LENGTH

RATINGS = [(n, str(n)) for n in range(1, 6)]


class RatingForm(forms.Form):
    """One question: 1–5, and an optional comment."""

    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=RATINGS, coerce=int, widget=forms.RadioSelect, required=True
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=CSAT_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": CSAT_COMMENT_MAX_LENGTH}),
    )


class CsatSettingsForm(forms.ModelForm):
    """The brand's survey settings; the platforms offered are those whose rules allow a survey at all."""

    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(p, Platform(p).label) for p in csat_settings.allowed_platforms()],
    )

    class Meta:
        model = CsatSettings
        fields = list(csat_settings.SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not self.is_bound:
            self.initial["platforms"] = [
                p for p in self.instance.platform_list if p in csat_settings.allowed_platforms()
            ]

    def clean_platforms(self) -> str:
        return ",".join(self.cleaned_data["platforms"])
