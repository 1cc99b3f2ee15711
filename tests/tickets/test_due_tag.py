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
