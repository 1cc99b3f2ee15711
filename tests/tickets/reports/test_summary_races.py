"""The monthly mail goes once per period when two workers (or two beat processes) run the schedule at the same
instant, on SQLite and on PostgreSQL: the period is claimed by a compare-and-set UPDATE on
``Brand.report_last_period`` before anything is sent, and the loser's UPDATE, run after the winner's commit (it
waits on the row lock on PostgreSQL), finds the period already claimed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail as outbox

from brands.models import Brand
from tests.concurrency.test_races import run_together
from tickets.reports import mail

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime(2025, 6, 2, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_two_workers_mail_the_month_once(world, cast, mailoutbox, monkeypatch):
    Brand.objects.filter(pk=cast.brand_a.pk).update(report_schedule="monthly", languages="en")
    real = mail.transaction.on_commit

    def late(callback, *args, **kwargs):  # hold the claiming transaction open so the other worker runs into it
        import time

        time.sleep(0.3)
        return real(callback, *args, **kwargs)

    monkeypatch.setattr(mail.transaction, "on_commit", late)

    results = run_together(lambda: mail.send_scheduled_reports(now=NOW), lambda: mail.send_scheduled_reports(now=NOW))

    assert sorted(results) == [0, 1], results
    assert len(outbox.outbox) == 1
    (sent,) = outbox.outbox
    assert [name for name, _content, _type in sent.attachments] == ["smrc-summary-acme-2025-05.pdf"]
    assert Brand.objects.get(pk=cast.brand_a.pk).report_last_period == date(2025, 5, 1)
    # and a third run later finds the period claimed
    assert mail.send_scheduled_reports(now=NOW) == 0
    assert len(outbox.outbox) == 1
