from django import template
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
