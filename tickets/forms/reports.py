"""The report's date range, read from the query string: ``start`` and ``end`` are local dates, both included."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from smrc.bounds import IntegerField

from ..reports import csat, serving
from ..reports.queries import MAX_DAYS, METRICS, ReportRange

FORMATS = ("csv", "xlsx", "pdf")
#: the widest dates a report takes: a range at year 1 or 9999 overflowed when moved to UTC or a day further (500)
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)
EXPORT_DATA = ("figures", "rows", "csat", "qa")


class RangeForm(forms.Form):
    start = forms.DateField(
        label=_("From"), input_formats=["%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Until (included)"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["start"].error_messages["required"] = _("Choose the first day of the report.")
        self.fields["end"].error_messages["required"] = _("Choose the last day of the report.")
        for name in ("start", "end"):
            self.fields[name].error_messages["invalid"] = _("Enter a date as YYYY-MM-DD.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start < FIRST_DAY or end > LAST_DAY:
                raise forms.ValidationError(
                    _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY},
                    code="out_of_range",
                )
            if end < start:
                raise forms.ValidationError(_("The range ends before it starts: swap the two dates."), code="reversed")
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)d days; choose a shorter range.") % {"days": MAX_DAYS},
                    code="too_long",
                )
        return data

    def report_range(self) -> ReportRange:
        return ReportRange(self.cleaned_data["start"], self.cleaned_data["end"], self.tz)


def presets(today: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day): last 7, 30 and 90 days including today, and this month so far."""
    return [
        (_("Last 7 days"), today - timedelta(days=6), today),
        (_("Last 30 days"), today - timedelta(days=29), today),
        (_("Last 90 days"), today - timedelta(days=89), today),
        (_("This month"), today.replace(day=1), today),
    ]


class DrillDownForm(forms.Form):
    metric = forms.ChoiceField(choices=[(m, m) for m in (*METRICS, *serving.METRICS, *csat.METRICS)])
    value = forms.CharField(required=False, max_length=40)
    page = IntegerField(required=False, min_value=1, max_value=10_000)


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS])
    data = forms.ChoiceField(choices=[(d, d) for d in EXPORT_DATA], required=False)
