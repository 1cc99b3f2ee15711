"""The scheduled report mail: once per period, to the brand's managers, in the brand's language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from brands.models import Brand
from tickets.reports.mail import last_full_period, send_scheduled_reports, send_scheduled_reports_task

pytestmark = pytest.mark.django_db
WIB = ZoneInfo("Asia/Jakarta")


def test_the_last_full_periods():
    assert last_full_period("weekly", date(2025, 5, 7)) == (date(2025, 4, 28), date(2025, 5, 4))
    assert last_full_period("weekly", date(2025, 5, 5)) == (date(2025, 4, 28), date(2025, 5, 4))
    assert last_full_period("monthly", date(2025, 3, 1)) == (date(2025, 2, 1), date(2025, 2, 28))
    assert last_full_period("monthly", date(2025, 1, 15)) == (date(2024, 12, 1), date(2024, 12, 31))


def test_it_mails_the_weekly_report_once_per_week_to_managers(
    world, cast, mailoutbox, django_capture_on_commit_callbacks
):
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="weekly", languages="en")
    monday = datetime(2025, 5, 6, 12, 0, tzinfo=WIB)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reports(now=monday) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reports(now=monday) == 0  # the same period: nothing more
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [cast.manager.email]
    assert mail.subject == "[Acme Telco] SLA report 28 Apr – 4 May 2025"
    assert "Tickets received: 4" in mail.body
    assert "First response within SLA: 50.0 % (2 of 4)" in mail.body
    assert "/reports/acme/?start=2025-04-28&end=2025-05-04" in mail.body
    assert Brand.objects.get(pk=cast.brand_a.pk).report_last_period == date(2025, 4, 28)


def test_it_writes_in_the_brands_first_language(world, cast, mailoutbox, django_capture_on_commit_callbacks):
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="monthly", languages="id,en")
    with django_capture_on_commit_callbacks(execute=True):
        send_scheduled_reports(now=datetime(2025, 6, 2, 8, 0, tzinfo=WIB))
    assert len(mailoutbox) == 1
    assert "/reports/acme/?start=2025-05-01&end=2025-05-31" in mailoutbox[0].body
    assert mailoutbox[0].subject == "[Acme Telco] Laporan SLA 1 Mei – 31 Mei 2025"  # Indonesian month names


def test_brands_without_a_schedule_get_nothing(cast, mailoutbox):
    assert send_scheduled_reports_task() == 0
    assert mailoutbox == []
