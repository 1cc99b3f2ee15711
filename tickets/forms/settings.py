"""The supervisors' SLA settings form: compact text fields parsed into a validated :class:`SlaSettings`."""

import re
from datetime import date, time
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from brands.models import MAX_TARGET_MINUTES, MAX_WARNING_MINUTES, Priority, Weekday
from brands.services import goals
from brands.services.sla import SettingsError, SlaSettings, validate, zone_choices
from smrc.bounds import IntegerField

PERIOD_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
TARGET_LABELS = (("first", _("First response")), ("next", _("Next response")), ("resolution", _("Resolution")))


def _parse_time(hours: str, minutes: str) -> time:
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time(0, 0)
    return time(h, m)


def parse_periods(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:00, 13:00-17:00"`` → periods; ``24:00`` or ``00:00`` as an end means midnight."""
    periods = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = PERIOD_RE.match(part)
        if not match:
            raise forms.ValidationError(
                _("Write periods like 09:00-12:00, 13:00-17:00 (not “%(part)s”)."), params={"part": part}
            )
        try:
            periods.append((_parse_time(*match.group(1, 2)), _parse_time(*match.group(3, 4))))
        except ValueError:
            raise forms.ValidationError(_("“%(part)s” is not a time of day."), params={"part": part}) from None
    return periods


def format_periods(periods: list[tuple[time, time]]) -> str:
    return ", ".join(f"{a:%H:%M}-{'24:00' if b == time(0) else f'{b:%H:%M}'}" for a, b in periods)


def parse_holidays(text: str) -> dict[date, str]:
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, _sep, name = line.strip().partition(" ")
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise forms.ValidationError(
                _("Line %(n)d: start with a date like 2026-12-31, then the name."), params={"n": number}
            ) from None
        found[parsed] = name.strip() or day
    return found


class SlaSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Time zone"))
    round_the_clock = forms.BooleanField(label=_("Clocks run round the clock"), required=False)
    holiday_country = forms.CharField(label=_("Public holidays of (country code)"), max_length=2, required=False)
    observe_collective_leave = forms.BooleanField(label=_("Also close on collective-leave days"), required=False)
    sla_warning_minutes = IntegerField(
        label=_("Warn this many minutes before a breach"), min_value=1, max_value=MAX_WARNING_MINUTES
    )
    escalation_raises_priority = forms.BooleanField(
        label=_("A breach raises the priority by one level"), required=False
    )
    holidays = forms.CharField(
        label=_("The brand's own closed days"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-12-31 Tutup buku akhir tahun"}),
        help_text=_("One a line: the date, a space, the name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in zone_choices()]
        for day in Weekday:
            self.fields[f"hours_{day.value}"] = forms.CharField(
                label=day.label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("closed")}),
            )
        for priority in Priority:
            for key, label in TARGET_LABELS:
                self.fields[f"target_{priority.value}_{key}"] = IntegerField(
                    label=f"{priority.label} · {label}", min_value=1, max_value=MAX_TARGET_MINUTES
                )

    @classmethod
    def initial_from(cls, current: SlaSettings) -> dict:
        initial = {
            "time_zone": current.time_zone,
            "round_the_clock": current.round_the_clock,
            "holiday_country": current.holiday_country,
            "observe_collective_leave": current.observe_collective_leave,
            "sla_warning_minutes": current.sla_warning_minutes,
            "escalation_raises_priority": current.escalation_raises_priority,
            "holidays": "\n".join(f"{d.isoformat()} {n}" for d, n in sorted(current.holidays.items())),
        }
        for day, periods in current.hours.items():
            initial[f"hours_{day}"] = format_periods(periods)
        for priority, minutes in current.targets.items():
            for (key, _label), value in zip(TARGET_LABELS, minutes, strict=True):
                initial[f"target_{priority}_{key}"] = value
        return initial

    def clean_holidays(self):
        return parse_holidays(self.cleaned_data["holidays"])

    def clean(self):
        cleaned = super().clean()
        for day in Weekday:
            name = f"hours_{day.value}"
            if name in cleaned:
                try:
                    cleaned[name] = parse_periods(cleaned[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        if self.errors:
            return cleaned
        try:
            validate(self.to_settings())
        except SettingsError as exc:
            for field, messages in exc.errors.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message)
        return cleaned

    def to_settings(self) -> SlaSettings:
        data = self.cleaned_data
        return SlaSettings(
            time_zone=data["time_zone"],
            round_the_clock=data["round_the_clock"],
            holiday_country=data["holiday_country"].strip().upper(),
            observe_collective_leave=data["observe_collective_leave"],
            sla_warning_minutes=data["sla_warning_minutes"],
            escalation_raises_priority=data["escalation_raises_priority"],
            hours={day.value: data[f"hours_{day.value}"] for day in Weekday},
            holidays=data["holidays"],
            targets={
                p.value: tuple(data[f"target_{p.value}_{key}"] for key, _label in TARGET_LABELS) for p in Priority
            },
        )

    def hour_fields(self):
        return [self[f"hours_{day.value}"] for day in Weekday]

    def target_rows(self):
        return [
            (priority, [self[f"target_{priority.value}_{key}"] for key, _label in TARGET_LABELS])
            for priority in reversed(Priority)
        ]


class GoalsForm(forms.Form):
    """One optional number per goal figure (brands.services.goals.GOAL_METRICS): percent, minutes or handoffs per
    ticket; empty clears the goal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in goals.GOAL_METRICS:
            unit = {"percent": _("%"), "seconds": _("minutes"), "ratio": _("per ticket")}[metric.unit]
            limit = goals.LIMITS[metric.unit] / (60 if metric.unit == "seconds" else 1)
            self.fields[metric.key] = forms.DecimalField(
                label=metric.label,
                required=False,
                min_value=0,
                max_value=limit,
                max_digits=10,
                decimal_places=2,
                help_text=unit,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    @staticmethod
    def initial_from(current: dict[str, float]) -> dict:
        shown = {}
        for m in goals.GOAL_METRICS:
            if m.key in current:
                value = Decimal(str(current[m.key])) / (60 if m.unit == "seconds" else 1)
                shown[m.key] = format(value.quantize(Decimal("0.01")).normalize(), "f")  # 30, not 3E+1
        return shown

    def targets(self) -> dict[str, Decimal | None]:
        """The goals in their stored units (seconds for durations)."""
        result = {}
        for m in goals.GOAL_METRICS:
            value = self.cleaned_data.get(m.key)
            result[m.key] = None if value is None else (value * 60 if m.unit == "seconds" else value)
        return result
