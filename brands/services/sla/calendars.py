"""Business-time arithmetic: pure functions over a :class:`Calendar`, no database.

A calendar is a time zone, working periods per weekday (several a day, in local wall-clock minutes) and
closed dates (public holidays, collective leave, the brand's own days), or round the clock. All instants in
and out are timezone-aware; the result is UTC.

Daylight saving: a period lasts the real time between its local start and end, so a 00:00–06:00 period on
the night the clocks go forward lasts 5 hours. A local time that does not exist (skipped by the clocks)
means the instant the clocks jumped; an ambiguous one (repeated) means its first occurrence.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
#: how far ahead :func:`add_business` looks for working time before giving up
SEARCH_DAYS = 3 * 366


class CalendarError(ValueError):
    """A calendar that cannot be used: overlapping or reversed periods, or no working time at all."""


Period = tuple[int, int]  # (start minute, end minute) of a local day, 0 <= start < end <= 1440


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    #: seven tuples, Monday first, of non-overlapping periods in ascending order
    periods: tuple[tuple[Period, ...], ...] = ((),) * 7
    closed_dates: frozenset[date] = field(default_factory=frozenset)
    round_the_clock: bool = False

    def __post_init__(self) -> None:
        if len(self.periods) != 7:
            raise CalendarError("a calendar has periods for exactly seven weekdays")
        for day in self.periods:
            validate_periods(day)
        if not self.round_the_clock and not any(self.periods):
            raise CalendarError("a calendar needs at least one working period, or to run round the clock")


def validate_periods(periods: tuple[Period, ...] | list[Period]) -> None:
    """Raise :class:`CalendarError` unless the periods of one day are valid, sorted and do not overlap."""
    previous_end = -1
    for start, end in periods:
        if not (0 <= start < MINUTES_PER_DAY) or not (0 < end <= MINUTES_PER_DAY):
            raise CalendarError(f"a period must lie within the day: {start}–{end}")
        if end <= start:
            raise CalendarError(f"a period must end after it starts: {start}–{end}")
        if start < previous_end:
            raise CalendarError(f"periods overlap at minute {start}")
        previous_end = end


def round_the_clock(tz: str | ZoneInfo = "UTC") -> Calendar:
    return Calendar(tz=ZoneInfo(tz) if isinstance(tz, str) else tz, round_the_clock=True)


def _local_to_utc(day: date, minute: int, tz: ZoneInfo) -> datetime:
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second or first.astimezone(tz).replace(tzinfo=None) == naive:
        # Unambiguous, or repeated by a backward change: the first occurrence is the earlier instant.
        return min(first, second)
    # Skipped by a forward change: the clocks jumped somewhere in [second, first]. Find that instant.
    before = second.astimezone(tz).utcoffset()
    low, high = second, first
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _open_intervals(calendar: Calendar, start: datetime, days: int) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals (UTC) in time order, from the local day before ``start`` for ``days`` days."""
    day = start.astimezone(calendar.tz).date() - timedelta(days=1)  # a period may spill over midnight in UTC
    for offset in range(days + 2):
        current = day + timedelta(days=offset)
        if current in calendar.closed_dates:
            continue
        previous_end = None
        for first_minute, last_minute in calendar.periods[current.weekday()]:
            begin = _local_to_utc(current, first_minute, calendar.tz)
            end = _local_to_utc(current, last_minute, calendar.tz)
            if previous_end is not None and begin < previous_end:
                begin = previous_end
            if end > begin:
                yield begin, end
                previous_end = end


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("business-time arithmetic needs timezone-aware datetimes")


def add_business(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The instant at which ``duration`` of working time has passed since ``start``.

    ``duration`` zero gives ``start``. Raises :class:`CalendarError` if the calendar has no working time in
    the next three years (every day closed)."""
    _require_aware(start)
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    start = start.astimezone(UTC)
    if calendar.round_the_clock or duration == timedelta(0):
        return start + duration
    remaining = duration
    for begin, end in _open_intervals(calendar, start, SEARCH_DAYS):
        if end <= start:
            continue
        begin = max(begin, start)
        available = end - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise CalendarError("the calendar has no working time in the next three years")


def business_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """Working time in ``[start, end)``; zero when ``end`` is not after ``start``."""
    _require_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    if calendar.round_the_clock:
        return end - start
    total = timedelta(0)
    for begin, finish in _open_intervals(calendar, start, (end - start).days + 2):
        if begin >= end:
            break
        if finish <= start:
            continue
        total += min(finish, end) - max(begin, start)
    return total


def is_open(instant: datetime, calendar: Calendar) -> bool:
    _require_aware(instant)
    return business_between(instant, instant + timedelta(seconds=1), calendar) > timedelta(0)
