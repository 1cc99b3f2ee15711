"""A brand's SLA configuration: targets per priority, business hours, holidays, warnings. Read with caching;
written only through :func:`update_sla_settings`, which validates everything before changing anything and records
the change in the audit trail (``brands.services.audit``) in the same transaction.

The package holds the rest of the SLA area: :mod:`.calendars` (pure business-time arithmetic) and
:mod:`.business_hours` (a brand's calendar from the database, cached)."""

from dataclasses import asdict, dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import (
    MAX_TARGET_MINUTES,
    MAX_WARNING_MINUTES,
    Brand,
    BrandHoliday,
    ConfigArea,
    ConfigSource,
    Priority,
    SlaPolicy,
)
from .. import audit
from ..locks import lock_brand
from .business_hours import forget_calendar, public_holidays, set_business_hours
from .calendars import MINUTES_PER_DAY, Calendar, CalendarError, add_business


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    next_response: timedelta
    resolution: timedelta

    @classmethod
    def minutes(cls, first: int, following: int, resolution: int) -> "Targets":
        return cls(timedelta(minutes=first), timedelta(minutes=following), timedelta(minutes=resolution))

    def as_minutes(self) -> tuple[int, int, int]:
        return tuple(int(t.total_seconds() // 60) for t in (self.first_response, self.next_response, self.resolution))


DEFAULT_TARGETS: dict[int, Targets] = {
    Priority.URGENT: Targets.minutes(15, 15, 4 * 60),
    Priority.HIGH: Targets.minutes(30, 30, 8 * 60),
    Priority.NORMAL: Targets.minutes(60, 60, 24 * 60),
    Priority.LOW: Targets.minutes(4 * 60, 4 * 60, 72 * 60),
}
CACHE_SECONDS = 300


def _key(brand_id: int) -> str:
    return f"smrc:sla-targets:{brand_id}"


def targets_by_priority(brand_id: int) -> dict[int, Targets]:
    """Every priority's targets for the brand (its policies, else the defaults), cached a few minutes."""
    found = cache.get(_key(brand_id))
    if found is None:
        found = dict(DEFAULT_TARGETS)
        for p in SlaPolicy.objects.filter(brand_id=brand_id):
            found[p.priority] = Targets.minutes(p.first_response_minutes, p.next_response_minutes, p.resolution_minutes)
        cache.set(_key(brand_id), found, CACHE_SECONDS)
    return found


def forget_targets(brand_id: int) -> None:
    cache.delete(_key(brand_id))


def targets_for(brand_id: int, priority: int) -> Targets:
    return targets_by_priority(brand_id)[priority]


class SettingsError(ValueError):
    """Invalid settings; ``errors`` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class SlaSettings:
    time_zone: str
    round_the_clock: bool
    holiday_country: str
    observe_collective_leave: bool
    sla_warning_minutes: int
    escalation_raises_priority: bool
    #: weekday (0 = Monday) → [(from, until)]; until 00:00 means midnight
    hours: dict[int, list[tuple[time, time]]]
    holidays: dict[date, str]
    #: priority → (first response, next response, resolution) in minutes
    targets: dict[int, tuple[int, int, int]]


def current_settings(brand: Brand) -> SlaSettings:
    hours: dict[int, list[tuple[time, time]]] = {day: [] for day in range(7)}
    for period in brand.business_periods.order_by("weekday", "starts_at"):
        hours[period.weekday].append((period.starts_at, period.ends_at))
    targets = targets_by_priority(brand.pk)
    return SlaSettings(
        time_zone=brand.time_zone,
        round_the_clock=brand.round_the_clock,
        holiday_country=brand.holiday_country,
        observe_collective_leave=brand.observe_collective_leave,
        sla_warning_minutes=brand.sla_warning_minutes,
        escalation_raises_priority=brand.escalation_raises_priority,
        hours=hours,
        holidays={h.date: h.name for h in brand.holidays.order_by("date")},
        targets={p: targets[p].as_minutes() for p in Priority.values},
    )


def validate(settings: SlaSettings) -> None:
    """Raise :class:`SettingsError` with every problem found, by field."""
    errors: dict[str, list[str]] = {}
    if settings.time_zone not in available_timezones():
        errors["time_zone"] = [_("Unknown time zone: %(zone)s") % {"zone": settings.time_zone}]
    if settings.holiday_country:
        try:
            public_holidays(settings.holiday_country.upper(), collective_leave=False, years=range(2026, 2027))
        except CalendarError as exc:
            errors["holiday_country"] = [str(exc)]
    if settings.sla_warning_minutes < 1:
        errors["sla_warning_minutes"] = [_("Warn at least one minute before a breach.")]
    elif settings.sla_warning_minutes > MAX_WARNING_MINUTES:
        errors["sla_warning_minutes"] = [
            _("Warn at most %(n)d minutes (a week) before a breach.") % {"n": MAX_WARNING_MINUTES}
        ]
    for priority, minutes in settings.targets.items():
        label = Priority(priority).label
        if any(m is None or m <= 0 for m in minutes):
            errors.setdefault("targets", []).append(
                _("%(priority)s: every target must be more than zero minutes.") % {"priority": label}
            )
        elif any(m > MAX_TARGET_MINUTES for m in minutes):
            errors.setdefault("targets", []).append(
                _("%(priority)s: a target is at most %(n)d minutes (a year).")
                % {"priority": label, "n": MAX_TARGET_MINUTES}
            )
    from .calendars import validate_periods

    for weekday, periods in settings.hours.items():
        as_minutes = [(a.hour * 60 + a.minute, (b.hour * 60 + b.minute) or MINUTES_PER_DAY) for a, b in sorted(periods)]
        try:
            validate_periods(as_minutes)
        except CalendarError as exc:
            errors.setdefault(f"hours_{weekday}", []).append(str(exc))
    if not settings.round_the_clock and not any(settings.hours.values()):
        errors.setdefault("round_the_clock", []).append(
            _("Give business hours for at least one day, or keep the clocks running round the clock.")
        )
    if not errors:
        _check_reachable(settings, errors)
    if errors:
        raise SettingsError(errors)


def _check_reachable(settings: SlaSettings, errors: dict[str, list[str]]) -> None:
    """Every target must end within the calendar's search horizon from today, or every ticket of that
    priority would fail to get a due time (a few business minutes a week, or a year of closed days)."""
    if settings.round_the_clock:
        return
    today = timezone.localdate()
    closed = set(settings.holidays)
    closed.update(
        public_holidays(
            settings.holiday_country.upper(),
            collective_leave=settings.observe_collective_leave,
            years=range(today.year, today.year + 4),
        )
    )
    periods = tuple(
        tuple(
            (a.hour * 60 + a.minute, (b.hour * 60 + b.minute) or MINUTES_PER_DAY)
            for a, b in sorted(settings.hours.get(day, []))
        )
        for day in range(7)
    )
    calendar = Calendar(tz=ZoneInfo(settings.time_zone), periods=periods, closed_dates=frozenset(closed))
    longest = max(max(minutes) for minutes in settings.targets.values())
    try:
        add_business(timezone.now(), timedelta(minutes=longest), calendar)
    except CalendarError:
        errors.setdefault("targets", []).append(
            _(
                "A target of %(n)d minutes would not end within three years of these business hours and closed "
                "days: shorten it or open more hours."
            )
            % {"n": longest}
        )


def as_json(settings: SlaSettings) -> dict:
    """The settings as the audit trail keeps them: hours as ``09:00-17:00``, dates in ISO format."""
    data = asdict(settings)
    data["hours"] = {str(d): [f"{a:%H:%M}-{b:%H:%M}" for a, b in p] for d, p in settings.hours.items()}
    data["holidays"] = {d.isoformat(): n for d, n in settings.holidays.items()}
    data["targets"] = {str(p): list(m) for p, m in settings.targets.items()}
    return data


def snapshot(brand: Brand) -> dict:
    """What the brand's SLA settings are in the database now, as JSON (the admin's audit of its brand page)."""
    forget_targets(brand.pk)
    return as_json(current_settings(brand))


def update_sla_settings(
    *, brand: Brand, settings: SlaSettings, user=None, source: str = ConfigSource.PAGE
) -> SlaSettings | None:
    """Validate and store ``settings`` for ``brand`` and record the change (who: ``user`` through ``source``), in
    one transaction; nothing changes on an error. Deadlines already computed keep their values; each ticket's next
    transition uses the new settings.

    Returns the settings replaced, read under the brand's row lock, or None when they already were ``settings``
    (the same form saved twice at once writes once, and records once)."""
    validate(settings)
    with transaction.atomic():
        lock_brand(brand.pk)
        brand.refresh_from_db()
        forget_targets(brand.pk)  # read what the last save committed, not a cached copy
        previous = current_settings(brand)
        if previous == settings:
            return None
        brand.time_zone = settings.time_zone
        brand.round_the_clock = settings.round_the_clock
        brand.holiday_country = settings.holiday_country.upper()
        brand.observe_collective_leave = settings.observe_collective_leave
        brand.sla_warning_minutes = settings.sla_warning_minutes
        brand.escalation_raises_priority = settings.escalation_raises_priority
        brand.save()
        set_business_hours(brand=brand, periods=settings.hours)
        BrandHoliday.objects.filter(brand=brand).delete()
        BrandHoliday.objects.bulk_create(
            BrandHoliday(brand=brand, date=day, name=name) for day, name in sorted(settings.holidays.items())
        )
        for priority, (first, following, resolution) in settings.targets.items():
            SlaPolicy.objects.update_or_create(
                brand=brand,
                priority=priority,
                defaults={
                    "first_response_minutes": first,
                    "next_response_minutes": following,
                    "resolution_minutes": resolution,
                },
            )
        audit.record(
            brand=brand,
            user=user,
            source=source,
            area=ConfigArea.SLA,
            kind="sla_settings.updated",
            before=as_json(previous),
            after=as_json(settings),
            object_repr=brand.name,
        )
        transaction.on_commit(lambda: (cache.delete(_key(brand.pk)), forget_calendar(brand.pk)))
    cache.delete(_key(brand.pk))
    forget_calendar(brand.pk)
    return previous


def zone_choices() -> list[str]:
    preferred = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
    return preferred + sorted(z for z in available_timezones() if z not in preferred and "/" in z)
