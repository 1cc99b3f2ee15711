from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def format_seconds(seconds: int | None) -> str:
    """A duration for people: ``45s``, ``12m 05s``, ``3h 20m``, ``2d 4h``; an em dash for no value."""
    if seconds is None:
        return "—"
    sign = "−" if seconds < 0 else ""
    seconds = abs(int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    elif minutes:
        text = _("%(m)dm %(s)02ds") % {"m": minutes, "s": secs}
    else:
        text = _("%(s)ds") % {"s": secs}
    return sign + text


@register.filter
def duration(seconds):
    return format_seconds(seconds)


@register.filter
def percent(value):
    return "—" if value is None else f"{value:.1f} %"


@register.filter
def index(sequence, i):
    return sequence[i]


@register.filter
def figure(value, unit: str) -> str:
    """A headline value by its unit (tickets.reports.headline.Metric.unit), in the active language's digits."""
    if value is None:
        return "—"
    if unit == "seconds":
        return format_seconds(value)
    if unit == "percent":
        return f"{number_format(value, 1)} %"
    if unit == "ratio":
        return number_format(value, 2)
    return number_format(value, 0, force_grouping=True)


@register.filter
def signed_figure(value, unit: str) -> str:
    """A change between periods, with its sign (``+2.5 pp``, ``−1h 05m``, ``+12``)."""
    if value is None:
        return "—"
    if not value:
        return "±0"
    sign = "+" if value > 0 else "−"
    if unit == "percent":
        return _("%(sign)s%(n)s pp") % {"sign": sign, "n": number_format(abs(value), 1)}
    return sign + figure(abs(value), unit)
