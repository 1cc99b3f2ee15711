"""Forms of the review workflow: the reviewer's decision, the author's revision, the brand's review policy."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import ReviewPolicy
from brands.services.review_policy import POLICY_FIELDS
from smrc.bounds import IntegerField

from ..models import ChangesReason
from ..services.replies import REPLY_MAX_LENGTH, REVIEW_NOTE_MAX_LENGTH
from .keyed import KeyedForm


class ApproveForm(KeyedForm):
    #: the revision the reviewer read; a reply revised since is refused
    revision = IntegerField(min_value=1)
    #: given (and different): edit and approve, the edit kept as the reviewer's revision
    body = forms.CharField(required=False, max_length=REPLY_MAX_LENGTH, strip=True, widget=forms.Textarea)


class ChangesForm(KeyedForm):
    revision = IntegerField(min_value=1)
    code = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *ChangesReason.choices])
    note = forms.CharField(
        label=_("What should change"), max_length=REVIEW_NOTE_MAX_LENGTH, strip=True, widget=forms.Textarea
    )


class ReviseForm(KeyedForm):
    body = forms.CharField(label=_("Revised reply"), max_length=REPLY_MAX_LENGTH, strip=True, widget=forms.Textarea)


class ReviewPolicyForm(forms.ModelForm):
    class Meta:
        model = ReviewPolicy
        fields = list(POLICY_FIELDS)  # what update_review_policy takes
        widgets = {
            "flagged_terms": forms.Textarea(attrs={"rows": 3}),
            "bounce_terms": forms.Textarea(attrs={"rows": 2}),
        }

    @staticmethod
    def _terms(value: str) -> str:
        terms = [t.strip() for t in value.replace("\n", ",").split(",") if t.strip()]
        return ", ".join(dict.fromkeys(terms))

    def clean_flagged_terms(self) -> str:
        return self._terms(self.cleaned_data["flagged_terms"])

    def clean_bounce_terms(self) -> str:
        return self._terms(self.cleaned_data["bounce_terms"])
