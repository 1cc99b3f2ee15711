"""Business-time arithmetic: example tables, then properties (hypothesis), including daylight-saving zones."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brands.services.sla.calendars import (
    Calendar,
    CalendarError,
    add_business,
    business_between,
    is_open,
    round_the_clock,
    validate_periods,
)

JAKARTA = ZoneInfo("Asia/Jakarta")  # WIB, UTC+7, no daylight saving
BERLIN = ZoneInfo("Europe/Berlin")  # DST: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00
NINE_TO_FIVE = (9 * 60, 17 * 60)
WEEKDAYS = (NINE_TO_FIVE,)


def office(tz=JAKARTA, *, closed=(), saturday=()):
    return Calendar(tz=tz, periods=(WEEKDAYS,) * 5 + (saturday, ()), closed_dates=frozenset(closed))


def wib(*args):
    return datetime(*args, tzinfo=JAKARTA)


H = timedelta(hours=1)
M = timedelta(minutes=1)

# 2026-11-20 is a Friday.
ADD_EXAMPLES = [
    ("inside hours", wib(2026, 11, 19, 10), 2 * H, wib(2026, 11, 19, 12)),
    ("before opening", wib(2026, 11, 19, 6), 30 * M, wib(2026, 11, 19, 9, 30)),
    ("after closing", wib(2026, 11, 19, 18), H, wib(2026, 11, 20, 10)),
    ("ends exactly at closing", wib(2026, 11, 19, 16), H, wib(2026, 11, 19, 17)),
    ("across the weekend", wib(2026, 11, 20, 16), 2 * H, wib(2026, 11, 23, 10)),
    ("received on Saturday", wib(2026, 11, 21, 11), H, wib(2026, 11, 23, 10)),
    ("a whole working day", wib(2026, 11, 19, 9), 8 * H, wib(2026, 11, 19, 17)),
    ("zero duration", wib(2026, 11, 21, 11), timedelta(0), wib(2026, 11, 21, 11)),
]


@pytest.mark.parametrize(("name", "start", "duration", "expected"), ADD_EXAMPLES, ids=[e[0] for e in ADD_EXAMPLES])
def test_add_business_examples(name, start, duration, expected):
    assert add_business(start, duration, office()) == expected.astimezone(UTC)


def test_a_holiday_is_skipped():
    # Monday 2026-11-23 closed: Friday 16:00 + 2h → Tuesday 10:00.
    calendar = office(closed=[date(2026, 11, 23)])
    assert add_business(wib(2026, 11, 20, 16), 2 * H, calendar) == wib(2026, 11, 24, 10)
    assert business_between(wib(2026, 11, 20, 16), wib(2026, 11, 24, 10), calendar) == 2 * H


def test_several_periods_a_day():
    split = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
    calendar = Calendar(tz=JAKARTA, periods=(split,) * 7)
    assert add_business(wib(2026, 11, 19, 11), 2 * H, calendar) == wib(2026, 11, 19, 14)
    assert business_between(wib(2026, 11, 19, 11, 30), wib(2026, 11, 19, 13, 30), calendar) == H


def test_periods_to_midnight_and_from_midnight_join_up():
    night = ((0, 2 * 60), (20 * 60, 24 * 60))
    calendar = Calendar(tz=JAKARTA, periods=(night,) * 7)
    assert add_business(wib(2026, 11, 19, 23), 2 * H, calendar) == wib(2026, 11, 20, 1)


def test_time_zones_wita_and_wit():
    # 09:00 WITA is 08:00 WIB; 09:00 WIT is 07:00 WIB.
    for zone, opening_in_wib in (("Asia/Makassar", 8), ("Asia/Jayapura", 7)):
        calendar = office(tz=ZoneInfo(zone))
        assert add_business(wib(2026, 11, 19, 5), H, calendar) == wib(2026, 11, 19, opening_in_wib + 1)


def test_round_the_clock_counts_everything():
    calendar = round_the_clock("Asia/Jakarta")
    assert add_business(wib(2026, 11, 21, 23), 3 * H, calendar) == wib(2026, 11, 22, 2)
    assert business_between(wib(2026, 11, 21, 23), wib(2026, 11, 22, 2), calendar) == 3 * H


def test_business_between_examples():
    calendar = office()
    assert business_between(wib(2026, 11, 19, 8), wib(2026, 11, 19, 18), calendar) == 8 * H
    assert business_between(wib(2026, 11, 20, 16), wib(2026, 11, 23, 10), calendar) == 2 * H
    assert business_between(wib(2026, 11, 21, 0), wib(2026, 11, 22, 23), calendar) == timedelta(0)
    assert business_between(wib(2026, 11, 19, 12), wib(2026, 11, 19, 10), calendar) == timedelta(0)


def test_is_open():
    calendar = office()
    assert is_open(wib(2026, 11, 19, 9), calendar) is True
    assert is_open(wib(2026, 11, 19, 17), calendar) is False
    assert is_open(wib(2026, 11, 21, 10), calendar) is False


def test_clocks_going_forward_shorten_a_night_period():
    # 2026-03-29 in Berlin: 02:00 jumps to 03:00. A 00:00–06:00 period lasts 5 real hours that night.
    night = ((0, 6 * 60),)
    calendar = Calendar(tz=BERLIN, periods=(night,) * 7)
    start = datetime(2026, 3, 29, 0, tzinfo=BERLIN)
    assert business_between(start, datetime(2026, 3, 29, 6, tzinfo=BERLIN), calendar) == 5 * H
    assert add_business(start, 5 * H, calendar) == datetime(2026, 3, 29, 6, tzinfo=BERLIN).astimezone(UTC)


def test_a_period_starting_in_the_skipped_hour_starts_when_the_clocks_jump():
    calendar = Calendar(tz=BERLIN, periods=(((2 * 60 + 30, 4 * 60),),) * 7)
    start = datetime(2026, 3, 29, 0, tzinfo=BERLIN)
    # 03:00 CEST = 01:00 UTC: the period runs 01:00–02:00 UTC.
    assert add_business(start, 30 * M, calendar) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert business_between(start, datetime(2026, 3, 29, 12, tzinfo=BERLIN), calendar) == H


def test_clocks_going_back_lengthen_a_night_period():
    night = ((0, 6 * 60),)
    calendar = Calendar(tz=BERLIN, periods=(night,) * 7)
    start = datetime(2026, 10, 25, 0, tzinfo=BERLIN)
    assert business_between(start, datetime(2026, 10, 25, 6, tzinfo=BERLIN), calendar) == 7 * H


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([(600, 540)], "end after it starts"),
        ([(540, 540)], "end after it starts"),
        ([(540, 720), (700, 800)], "overlap"),
        ([(540, 1500)], "within the day"),
        ([(-5, 60)], "within the day"),
    ],
)
def test_invalid_periods_are_refused(periods, message):
    with pytest.raises(CalendarError, match=message):
        validate_periods(periods)


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(CalendarError, match="at least one working period"):
        Calendar(tz=JAKARTA)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business(datetime(2026, 11, 19, 10), H, office())  # noqa: DTZ001


def test_every_day_closed_is_an_error():
    calendar = Calendar(
        tz=JAKARTA,
        periods=((NINE_TO_FIVE,),) * 7,
        closed_dates=frozenset(date(2026, 11, 1) + timedelta(days=n) for n in range(4 * 366)),
    )
    with pytest.raises(CalendarError, match="no working time"):
        add_business(wib(2026, 11, 19, 10), H, calendar)


# --- properties -------------------------------------------------------------------------------------------

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Berlin", "America/New_York", "Australia/Sydney"]


@st.composite
def calendars(draw):
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    days = []
    for _ in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 96), max_size=6)))
        cuts = cuts[: len(cuts) // 2 * 2]
        days.append(tuple((a * 15, b * 15) for a, b in zip(cuts[::2], cuts[1::2], strict=True) if b > a))
    if sum(b - a for day in days for a, b in day) < 8 * 60:
        # Keep at least a working day a week: with a few minutes a week the ten days of durations drawn below
        # would need more than the three years add_business searches (it then raises CalendarError, tested above).
        days[0] = (NINE_TO_FIVE,)
    closed = draw(st.sets(st.dates(date(2026, 1, 1), date(2026, 12, 31)), max_size=20))
    return Calendar(tz=zone, periods=tuple(days), closed_dates=frozenset(closed))


instants = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))
durations = st.integers(0, 60 * 24 * 10).map(lambda m: timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=instants, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(calendar, start, duration):
    end = add_business(start, duration, calendar)
    assert end >= start
    assert business_between(start, end, calendar) == duration


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=instants, duration=durations, extra=durations)
def test_adding_is_monotonic_and_additive(calendar, start, duration, extra):
    first = add_business(start, duration, calendar)
    assert add_business(start, duration + extra, calendar) >= first
    assert add_business(first, extra, calendar) == add_business(start, duration + extra, calendar)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), a=instants, b=instants, c=instants)
def test_measuring_splits_at_any_point(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    assert business_between(a, c, calendar) == business_between(a, b, calendar) + business_between(b, c, calendar)
    assert business_between(a, c, calendar) <= c - a
