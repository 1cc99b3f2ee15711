"""The due-time badge says its state in words: on track, due soon (inside the brand's warning time), overdue."""

from datetime import UTC, datetime, timedelta

from tickets.templatetags.smrc import due

NOW = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)


def test_on_track():
    shown = due(NOW + timedelta(hours=2, minutes=5), 15, now=NOW)
    assert (shown["state"], shown["text"], shown["warn_seconds"]) == ("ok", "due in 2h 5m", 900)


def test_inside_the_brands_warning_time():
    shown = due(NOW + timedelta(minutes=25), 30, now=NOW)
    assert (shown["state"], shown["text"], shown["warn_seconds"]) == ("warning", "due soon: 25m", 1800)


def test_overdue():
    shown = due(NOW - timedelta(days=1, hours=3), 15, now=NOW)
    assert (shown["state"], shown["text"]) == ("breached", "overdue 1d 3h")


def test_nothing_due():
    assert due(None) == {"at": None}


# The badge as the inclusion template tickets/_due.html rendered it before it became a simple tag (the queue
# renders fifty per page): the tag must keep writing exactly this.
OLD_TEMPLATE = (
    '{% load i18n %}{% if at %}<time class="due due-{{ state }}" datetime="{{ at|date:\'c\' }}" data-due '
    'data-warn="{{ warn_seconds }}" title="{{ at|date:\'DATETIME_FORMAT\' }}">{{ text }}</time>{% else %}'
    '<span class="due due-none">—</span>{% endif %}'
)


def _render(source: str, context: dict) -> str:
    from django.template import engines

    return engines["django"].from_string(source).render(context)


def test_badge_is_the_html_the_inclusion_template_wrote():
    from django.utils import translation

    for lang in ("en", "id"):
        with translation.override(lang):
            for at, warn in ((NOW + timedelta(hours=2, minutes=5), 60), (NOW - timedelta(minutes=3), 15), (None, 15)):
                expected = _render(OLD_TEMPLATE, due(at, warn, now=NOW))
                shown = _render("{% load smrc %}{% due at warn now %}", {"at": at, "warn": warn, "now": NOW})
                assert shown == expected, lang
    with translation.override("id"):
        shown = _render("{% load smrc %}{% due at 60 now %}", {"at": NOW + timedelta(hours=3), "now": NOW})
    assert 'data-warn="3600"' in shown  # a number in an attribute is never localised


def test_badge_escapes_and_marks_the_state_in_words():
    shown = _render("{% load smrc %}{% due at 15 now %}", {"at": NOW - timedelta(minutes=3), "now": NOW})
    assert shown.startswith('<time class="due due-breached"')
    assert ">overdue 3m</time>" in shown


def test_the_remembered_title_is_the_date_filter_in_each_language_and_zone():
    from zoneinfo import ZoneInfo

    from django.template.defaultfilters import date as date_filter
    from django.utils import translation

    from tickets.templatetags.smrc import datetime_title

    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # Amsterdam changes its clocks at 01:00 UTC that day
    for lang in ("en", "id", "en"):
        with translation.override(lang):
            for zone in ("Asia/Jakarta", "Europe/Amsterdam", "UTC"):
                for moment in (at, at + timedelta(hours=1), at + timedelta(hours=12, minutes=59, seconds=59)):
                    local = moment.astimezone(ZoneInfo(zone))
                    assert datetime_title(local) == date_filter(local, "DATETIME_FORMAT"), (lang, zone, moment)
    with translation.override("id"):
        assert datetime_title(at.astimezone(ZoneInfo("Asia/Jakarta"))) == "29 Maret 2026, 7.30"
    with translation.override("en"):
        assert datetime_title(at.astimezone(ZoneInfo("Asia/Jakarta"))) == "March 29, 2026, 7:30 a.m."
