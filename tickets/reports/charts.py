"""Geometry of the report's server-side SVG charts. Templates draw it; every mark also carries its number as
text (a label or a <title>), so no chart depends on colour alone."""

from dataclasses import dataclass
from datetime import date

from .queries import SPLIT, Report

WIDTH, HEIGHT, AXIS = 720, 150, 18


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int
    label: bool  # print the date under this bar


def day_bars(report: Report) -> list[Bar]:
    days = len(report.per_day)
    if not days:
        return []
    top = max(report.day_max, 1)
    slot = WIDTH / days
    step = max(1, -(-days // 10))
    bars = []
    for i, (day, n) in enumerate(report.per_day):
        h = round((HEIGHT - AXIS - 14) * n / top, 1)
        bars.append(
            Bar(
                round(i * slot + slot * 0.1, 2),
                round(HEIGHT - AXIS - h, 1),
                round(slot * 0.8, 2),
                h,
                day,
                n,
                i % step == 0,
            )
        )
    return bars


@dataclass(frozen=True)
class Cell:
    weekday: int
    hour: int
    count: int
    level: int  # 0 (none) … 4 (the busiest hour)


def heatmap_rows(report: Report) -> list[list[Cell]]:
    top = max(report.heatmap_max, 1)
    return [
        [Cell(d, h, n, 0 if n == 0 else 1 + min(3, (4 * n - 1) // top)) for h, n in enumerate(row)]
        for d, row in enumerate(report.heatmap)
    ]


@dataclass(frozen=True)
class Segment:
    name: str
    seconds: int
    x: float
    width: float


def split_segments(report: Report) -> list[Segment]:
    """The median of each part of the first response, side by side on one bar of 100 %."""
    medians = [(name, report.split[name].p50 or 0) for name in SPLIT] if report.split else []
    total = sum(max(s, 0) for _, s in medians)
    segments, x = [], 0.0
    for name, seconds in medians:
        width = round(100 * max(seconds, 0) / total, 2) if total else 0
        segments.append(Segment(name, seconds, x, width))
        x = round(x + width, 2)
    return segments
