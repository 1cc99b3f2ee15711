import uuid
from datetime import datetime, timedelta

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

from ..services import idempotency

register = template.Library()

WARNING_BEFORE = timedelta(minutes=15)


def _span(seconds: float) -> str:
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    return _("%(m)dm") % {"m": minutes}


@register.simple_tag
def submission_key(form=None) -> str:
    """The hidden idempotency-key field of a form that must take effect once (docs/publishing.md#exactly-once):
    the key of ``form`` (a :class:`tickets.forms.keyed.KeyedForm`: the posted one when it comes back with an error),
    or, for a plain button (claim, retry), a fresh one."""
    value = form.page_key if form is not None else str(uuid.uuid4())
    return format_html('<input type="hidden" name="{}" value="{}">', idempotency.FIELD, value)


def due(at: datetime | None, warn_minutes: int | None = None, now: datetime | None = None) -> dict:
    """A due time as text and state: on track (``due in 2h 5m``), warning inside the brand's warning time
    (``due soon: 12m``) or breached (``overdue 3m``) — the words carry the state, the colour only helps.
    The page's script keeps it live."""
    if at is None:
        return {"at": None}
    now = now or timezone.now()
    warning = timedelta(minutes=warn_minutes) if warn_minutes else WARNING_BEFORE
    left = (at - now).total_seconds()
    if left < 0:
        state, text = "breached", _("overdue %(span)s") % {"span": _span(left)}
    elif left < warning.total_seconds():
        state, text = "warning", _("due soon: %(span)s") % {"span": _span(left)}
    else:
        state, text = "ok", _("due in %(span)s") % {"span": _span(left)}
    return {"at": at, "state": state, "text": text, "warn_seconds": int(warning.total_seconds())}


@register.simple_tag(name="due")
def due_badge(at: datetime | None, warn_minutes: int | None = None, now: datetime | None = None) -> str:
    """``{% due at warn_minutes %}``: the badge of :func:`due`. Built here rather than by an inclusion template:
    the queue shows fifty of them, and a sub-template rendered per row was a fifth of the page's time
    (docs/performance.md). ``data-warn`` is a plain integer, never localised."""
    shown = due(at, warn_minutes, now)
    if shown["at"] is None:
        return mark_safe('<span class="due due-none">—</span>')  # noqa: S308 - a constant
    local = template_localtime(shown["at"])
    return format_html(
        '<time class="due due-{}" datetime="{}" data-due data-warn="{}" title="{}">{}</time>',
        shown["state"],
        date_filter(local, "c"),
        str(shown["warn_seconds"]),
        date_filter(local, "DATETIME_FORMAT"),
        shown["text"],
    )


@register.simple_tag
def duration(start: datetime | None, end: datetime | None) -> str:
    if not start or not end:
        return "—"
    return _span((end - start).total_seconds()) if end >= start else "—"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)


@register.filter
def urlencode_dict(mapping: dict) -> str:
    """A dict of query parameters as a query string (``{"q": "a b"}`` → ``q=a+b``); escaped by the template."""
    return urlencode(mapping)
