"""Forms of QA scorecards (docs/qa.md): the QA page's brand and week, a scorecard (a score 1–5 and a comment per
criterion, a coaching note), and the brand's rubric with its weekly sample share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import MAX_QA_SAMPLE_PERCENT, MAX_QA_WEIGHT
from brands.services import qa as rubric

from ..models import QA_SCORE_MAX, QA_SCORE_MIN
from ..services import qa

SCORES = [(n, str(n)) for n in range(QA_SCORE_MIN, QA_SCORE_MAX + 1)]


class QaFilterForm(forms.Form):
    """One brand (its slug) or every brand the person grades, and an ISO week (``2026-W49``); invalid values fall
    back to every brand and the current week."""

    brand = forms.SlugField(label=_("Brand"), max_length=60, required=False)
    week = forms.CharField(label=_("Week"), max_length=8, required=False)

    def brand_slug(self) -> str:
        return (self.cleaned_data.get("brand") if self.is_valid() else "") or ""

    def monday(self):
        return qa.parse_week(self.cleaned_data.get("week") if self.is_valid() else None)


class GradeForm(forms.Form):
    """A scorecard on ``criteria`` (the brand's rubric in use): ``score-<key>`` and ``comment-<key>`` per
    criterion, and ``coaching``."""

    coaching = forms.CharField(
        label=_("Coaching note for the operator (optional)"),
        required=False,
        max_length=qa.MAX_COACHING,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": qa.MAX_COACHING}),
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for c in criteria:
            self.fields[f"score-{c.key}"] = forms.TypedChoiceField(
                label=c.name, choices=SCORES, coerce=int, widget=forms.RadioSelect, required=True
            )
            self.fields[f"comment-{c.key}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=qa.MAX_COMMENT,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": qa.MAX_COMMENT}),
            )

    def rows(self):
        """(criterion, score field, comment field) in the rubric's order, for the template."""
        return [(c, self[f"score-{c.key}"], self[f"comment-{c.key}"]) for c in self.criteria]

    def to_grade(self) -> qa.Grade:
        data = self.cleaned_data
        return qa.Grade(
            lines={c.key: qa.Line(data.get(f"score-{c.key}"), data.get(f"comment-{c.key}", "")) for c in self.criteria},
            coaching=data.get("coaching", ""),
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            for message in messages:
                self.add_error(f"comment-{key}" if key else None, message)


class QaSettingsForm(forms.Form):
    sample_percent = forms.IntegerField(
        label=_("Share of each operator's published replies graded per week (%)"),
        min_value=0,
        max_value=MAX_QA_SAMPLE_PERCENT,
        help_text=_("Every reply on a ticket the customer rated low is graded as well."),
    )


class CriterionForm(forms.Form):
    """One line of the rubric; the blank line at the end adds a criterion when it is given a name."""

    key = forms.SlugField(max_length=40, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Criterion"), max_length=80, required=False)
    description = forms.CharField(
        label=_("What a grader looks for"), max_length=400, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=MAX_QA_WEIGHT, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False)

    def clean(self):
        data = super().clean()
        if (data.get("key") or data.get("name")) and data.get("weight") is None and "weight" not in self.errors:
            self.add_error("weight", _("Give a weight: a whole number from 1 to %(max)s.") % {"max": MAX_QA_WEIGHT})
        if data.get("key") and not data.get("name"):
            self.add_error("name", _("Every criterion needs a name."))
        return data

    def row(self) -> rubric.Row | None:
        data = self.cleaned_data
        if not data.get("key") and not data.get("name"):
            return None  # the blank line
        return rubric.Row(
            key=data.get("key") or "",
            name=data["name"],
            description=data.get("description") or "",
            weight=data["weight"],
            is_active=bool(data.get("is_active")) or not data.get("key"),
        )


class BaseCriteriaFormSet(forms.BaseFormSet):
    def rows(self) -> list[rubric.Row]:
        """The rubric's rows as sent, the blank lines left out (valid formsets only): what ``save_rubric`` takes."""
        return [r for r in (f.row() for f in self.forms) if r is not None]


CriteriaFormSet = forms.formset_factory(
    CriterionForm, formset=BaseCriteriaFormSet, extra=1, max_num=rubric.MAX_CRITERIA, absolute_max=40
)


def criteria_initial(criteria) -> list[dict]:
    return [
        {"key": c.key, "name": c.name, "description": c.description, "weight": c.weight, "is_active": c.is_active}
        for c in criteria
    ]
