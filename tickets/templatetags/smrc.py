import uuid
from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, ngettext
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
        local.isoformat(),  # what the date filter's "c" writes
        str(shown["warn_seconds"]),
        datetime_title(local),
        shown["text"],
    )


@lru_cache(maxsize=4096)
def _datetime_format(language: str, zone: str, iso: str, local: datetime) -> str:
    return formats.date_format(local, "DATETIME_FORMAT")


def datetime_title(local: datetime) -> str:
    """``local|date:"DATETIME_FORMAT"``, remembered per language, time zone and local time: the queue shows the
    same tickets' times on every refresh (two per row), and formatting one costs more than the rest of its cell."""
    return _datetime_format(get_language(), str(local.tzinfo), local.isoformat(), local)


#: one row of the queue, as the row template wrote it (whitespace included): every value is escaped before it goes in
QUEUE_ROW = (
    '\n        <tr data-href="{url}"{mine}>'
    "\n          {pick}"
    '\n          <td class="col-prio"><span class="prio prio-{priority}">{priority_label}</span></td>'
    '\n          <td class="col-ref"><a id="t-{pk}" href="{url}">{ref}</a>'
    ' <span class="plat">{platform}{dm}</span></td>'
    '\n          <td class="col-msg"><div class="msgline" title="{subject}"><span class="who">{who}</span>{messages}'
    ' <span class="subject">{subject}</span></div></td>'
    "\n          {brand}"
    '\n          <td class="col-status"><span class="status status-{status}">{status_label}</span></td>'
    '\n          <td class="col-owner">{owner}</td>'
    '\n          <td class="col-due">{due}</td>'
    '\n          <td class="col-age"><time datetime="{received}" title="{received_title}">{received_ago}</time></td>'
    "\n        </tr>\n        "
)
QUEUE_PICK = (
    '<td class="col-pick"><input type="checkbox" name="tickets" form="bulk-form" value="{pk}:{assignee}"'
    ' data-ticket="{pk}" aria-label="{label}"></td>'
)
_URL_PK = 987654321


@register.simple_tag(takes_context=True)
def queue_rows(context, tickets) -> str:
    """``{% queue_rows tickets %}``: the queue's rows. Built here rather than by the template: the page shows fifty
    of them, and per row the template resolved some thirty variables, translated the same labels and words again
    (a ``get_*_display`` translates every choice of its field), reversed a URL and formatted four dates — over
    half of the page's CPU (docs/performance.md). Here each label, word and the URL are made once per page.
    ``tests/tickets/views/test_queue_rows.py`` pins that the rows are exactly what the row template wrote."""
    user_pk = getattr(context.get("user"), "pk", None)
    can_bulk, show_brand = context.get("can_bulk"), context.get("show_brand")
    fields = {name: tickets[0]._meta.get_field(name) for name in ("priority", "platform", "status")} if tickets else {}
    labels = {name: {value: escape(label) for value, label in f.flatchoices} for name, f in fields.items()}
    url_head, _pk, url_tail = escape(reverse("tickets:detail", args=[_URL_PK])).rpartition(str(_URL_PK))
    select, you, nobody = _("Select %(ref)s"), escape(_("you")), escape(_("nobody"))
    dm = " · " + escape(_("DM"))
    brands, messages = {}, {}
    now = timezone.now()
    rows = []
    for t in tickets:
        pk, ref = str(t.pk), escape(t.reference)
        if t.brand_id not in brands:
            brands[t.brand_id] = f'<td class="col-brand">{escape(t.brand.name)}</td>' if show_brand else ""
        if t.mention_count > 1 and t.mention_count not in messages:
            n = t.mention_count
            text = ngettext("%(n)s message", "%(n)s messages", n) % {"n": n}
            messages[n] = f' <span class="nmsg">{text}</span>'
        if t.assignee:
            owner = you if t.assignee_id == user_pk else escape(t.assignee.get_username())
            owner = f'<span class="owner">{owner}</span>'
        else:
            owner = f'<span class="muted">{nobody}</span>'
        received = template_localtime(t.received_at)
        subject = escape(t.subject)
        rows.append(
            QUEUE_ROW.format(
                url=f"{url_head}{pk}{url_tail}",
                mine=' class="is-mine"' if t.assignee_id == user_pk else "",
                pick=QUEUE_PICK.format(pk=pk, assignee=t.assignee_id or 0, label=select % {"ref": ref})
                if can_bulk
                else "",
                pk=pk,
                ref=ref,
                priority=t.priority,
                priority_label=labels["priority"].get(t.priority) or escape(t.priority),
                platform=labels["platform"].get(t.platform) or escape(t.platform),
                dm=dm if t.is_private else "",
                subject=subject,
                who=escape(t.author.display_name),
                messages=messages.get(t.mention_count, ""),
                brand=brands[t.brand_id],
                status=escape(t.status),
                status_label=labels["status"].get(t.status) or escape(t.status),
                owner=owner,
                due=due_badge(t.due_at, t.brand.sla_warning_minutes, now),
                received=received.isoformat(),
                received_title=escape(datetime_title(received)),
                received_ago=escape(naturaltime(t.received_at)),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped (the labels once per page)


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
