"""A brand's business calendar from the database: weekly periods, public holidays and collective leave
(from the ``holidays`` library), and the brand's own closed days."""

from datetime import date, time
from zoneinfo import ZoneInfo

import holidays
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from ...models import Brand, BrandHoliday, BusinessPeriod
from .calendars import MINUTES_PER_DAY, Calendar, CalendarError, Period, round_the_clock, validate_periods

#: years of public holidays loaded around today; deadlines never reach further
HOLIDAY_YEARS_BACK, HOLIDAY_YEARS_AHEAD = 2, 3
CACHE_SECONDS = 300


def _minutes(value: time, *, end: bool = False) -> int:
    minutes = value.hour * 60 + value.minute
    return MINUTES_PER_DAY if end and minutes == 0 else minutes


def public_holidays(country: str, *, collective_leave: bool, years: range) -> dict[date, str]:
    """Public holidays (and, if asked, collective-leave days) of ``country`` in ``years``."""
    if not country:
        return {}
    categories = ("public", "government") if collective_leave else ("public",)
    try:
        found = holidays.country_holidays(country, years=list(years), categories=categories, language="id")
    except NotImplementedError:
        raise CalendarError(_("Unknown holiday country: %(code)s") % {"code": country}) from None
    return dict(found.items())


def _cache_key(brand_id: int) -> str:
    return f"smrc:calendar:{brand_id}"


def calendar_for(brand: Brand, *, today: date | None = None) -> Calendar:
    """The brand's calendar, cached for a few minutes; :func:`forget_calendar` drops it after a change."""
    cached = cache.get(_cache_key(brand.pk))
    if cached is not None:
        return cached
    zone = ZoneInfo(brand.time_zone)
    if brand.round_the_clock:
        calendar = round_the_clock(zone)
    else:
        days: list[list[Period]] = [[] for _ in range(7)]
        for period in BusinessPeriod.objects.filter(brand=brand).order_by("weekday", "starts_at"):
            days[period.weekday].append((_minutes(period.starts_at), _minutes(period.ends_at, end=True)))
        this_year = (today or date.today()).year  # noqa: DTZ011 - a year span, the zone does not matter
        years = range(this_year - HOLIDAY_YEARS_BACK, this_year + HOLIDAY_YEARS_AHEAD + 1)
        closed = set(
            public_holidays(brand.holiday_country, collective_leave=brand.observe_collective_leave, years=years)
        )
        closed.update(BrandHoliday.objects.filter(brand=brand).values_list("date", flat=True))
        calendar = Calendar(tz=zone, periods=tuple(tuple(day) for day in days), closed_dates=frozenset(closed))
    cache.set(_cache_key(brand.pk), calendar, CACHE_SECONDS)
    return calendar


def calendar_for_brand_id(brand_id: int) -> Calendar:
    """Like :func:`calendar_for`, reading the brand only when the calendar is not cached."""
    cached = cache.get(_cache_key(brand_id))
    return cached if cached is not None else calendar_for(Brand.objects.get(pk=brand_id))


def forget_calendar(brand_id: int) -> None:
    cache.delete(_cache_key(brand_id))


def set_business_hours(*, brand: Brand, periods: dict[int, list[tuple[time, time]]]) -> list[BusinessPeriod]:
    """Replace the brand's weekly periods. ``periods``: weekday (0 = Monday) → [(from, until)], until 00:00
    meaning midnight. Raises :class:`CalendarError` on a reversed or overlapping period, changing nothing."""
    rows = []
    for weekday, day in periods.items():
        if weekday not in range(7):
            raise CalendarError(_("Unknown weekday: %(day)s") % {"day": weekday})
        as_minutes = sorted((_minutes(a), _minutes(b, end=True)) for a, b in day)
        validate_periods(as_minutes)
        rows.extend(BusinessPeriod(brand=brand, weekday=weekday, starts_at=a, ends_at=b) for a, b in day)
    with transaction.atomic():
        BusinessPeriod.objects.filter(brand=brand).delete()
        created = BusinessPeriod.objects.bulk_create(rows)
    forget_calendar(brand.pk)
    return created
