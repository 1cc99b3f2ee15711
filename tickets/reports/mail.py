"""The scheduled report mail: each brand with a ``report_schedule`` mails the report of its last full week
(Monday to Sunday) or month, in its first language, to its brand managers with an address, once per period.
The monthly mail carries the one-page summary of the month as a PDF (``summary``)."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from brands.models import Brand, Role

from . import summary
from .queries import ReportRange, build_report
from .summary import language_of

logger = logging.getLogger(__name__)


def last_full_period(schedule: str, today: date) -> tuple[date, date]:
    """(first day, last day) of the last complete week (Monday–Sunday) or month before ``today``."""
    if schedule == "weekly":
        this_monday = today - timedelta(days=today.weekday())
        return this_monday - timedelta(days=7), this_monday - timedelta(days=1)
    if schedule == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    raise ValueError(f"unknown report schedule {schedule!r}")


def send_scheduled_reports(*, now: datetime | None = None) -> int:
    """Mail every due report; returns how many brands were mailed. Each brand's period is claimed with a
    compare-and-set UPDATE on ``report_last_period`` before anything is sent, so two runs (or two beat
    processes) never mail the same period twice; a mail failure is logged and the period stays claimed (a
    missing report is visible, a doubled one is noise for the client)."""
    now = now or timezone.now()
    mailed = 0
    for brand in Brand.objects.exclude(report_schedule="none"):
        tz = ZoneInfo(brand.time_zone)
        first, last = last_full_period(brand.report_schedule, now.astimezone(tz).date())
        with transaction.atomic():
            claimed = (
                Brand.objects.filter(pk=brand.pk, report_schedule=brand.report_schedule)
                .exclude(report_last_period=first)
                .update(report_last_period=first)
            )
            if not claimed:
                continue
            transaction.on_commit(lambda brand=brand, first=first, last=last: _mail(brand, first, last, now))
        mailed += 1
    return mailed


def _mail(brand: Brand, first: date, last: date, now: datetime) -> None:
    managers = list(
        get_user_model()
        .objects.filter(memberships__brand=brand, memberships__role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("username")
    )
    if not managers:
        return
    rng = ReportRange(first, last, ZoneInfo(brand.time_zone))
    report = build_report([brand.pk], rng, now=now)
    query = urlencode({"start": first.isoformat(), "end": last.isoformat()})
    url = f"{settings.SITE_URL}{reverse('tickets:report', args=[brand.slug])}?{query}"
    attachment = None
    if brand.report_schedule == "monthly":
        try:
            attachment = summary.summary_pdf(brand, rng, now=now, report=report)
        except Exception:  # the mail still goes, with the report's figures and link
            logger.warning("could not render the monthly summary of %s", brand.slug, exc_info=True)
    with translation.override(language_of(brand)):
        context = {"brand": brand, "r": report, "url": url, "schedule": brand.report_schedule,
                   "attached": attachment is not None}  # fmt: skip
        subject = render_to_string("emails/report_subject.txt", context).strip()
        body = render_to_string("emails/report.txt", context)
    message = EmailMessage(subject, body, None, [m.email for m in managers])
    if attachment is not None:
        message.attach(summary.filename(brand, rng), attachment, summary.CONTENT_TYPE)
    try:
        message.send()
    except Exception:
        logger.warning("could not mail the %s report of %s", brand.report_schedule, brand.slug, exc_info=True)


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.send_scheduled_reports_task")
def send_scheduled_reports_task() -> int:
    """Mail the weekly and monthly reports that are due; each period once per brand."""
    return send_scheduled_reports()
