"""A customer's answer to a satisfaction survey (docs/csat.md), and what a low one sets off.

:func:`answer` takes the one answer by a conditional UPDATE on ``answered_at IS NULL`` (and the expiry), so of two
answers at the same moment (two tabs, two clicks, a replayed form) exactly one is kept and the other is told the
survey was already answered. A rating at or below the brand's threshold notifies the brand's supervisors (in the
app and by mail after commit) and, when the brand says so, reopens the ticket through the workflow, with its
event in the timeline.
"""

import logging
from datetime import datetime

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from brands.models import Membership, Role
from brands.services import csat as csat_settings

from .. import events
from ..models import CSAT_COMMENT_MAX_LENGTH, CsatSurvey, Notification, Ticket, TicketStatus
from . import notify, workflow

logger = logging.getLogger(__name__)


class AlreadyAnswered(Exception):
    """The survey was answered (or expired) before this answer got there; nothing was changed."""


def answer(*, survey: CsatSurvey, rating: int, comment: str = "", now: datetime | None = None) -> CsatSurvey:
    """Keep the customer's ``rating`` (1–5) and ``comment`` on ``survey``, once. Refused with
    :class:`AlreadyAnswered` when an answer is already there or the link expired, :class:`ValueError` on a
    rating or comment out of bounds (the form checks them first)."""
    now = now or timezone.now()
    if type(rating) is not int or not 1 <= rating <= 5:
        raise ValueError("rating")
    comment = (comment or "").strip()
    if len(comment) > CSAT_COMMENT_MAX_LENGTH:
        raise ValueError("comment")
    settings_ = csat_settings.settings_for(survey.brand_id)
    low = csat_settings.is_low(settings_, rating)
    with transaction.atomic():
        taken = CsatSurvey.objects.filter(pk=survey.pk, answered_at__isnull=True, expires_at__gt=now).update(
            rating=rating, comment=comment, answered_at=now
        )
        if not taken:
            raise AlreadyAnswered()
        survey.rating, survey.comment, survey.answered_at = rating, comment, now
        ticket = Ticket.objects.get(pk=survey.ticket_id)
        events.csat_answered(ticket, survey, at=now, low=low)
        if low:
            supervisors = _supervisors_of(ticket.brand_id)
            Notification.objects.bulk_create(
                [
                    Notification(
                        user_id=uid,
                        brand_id=ticket.brand_id,
                        ticket_id=ticket.pk,
                        kind=Notification.Kind.CSAT_LOW,
                        data={"survey_id": survey.pk, "rating": rating},
                        created_at=now,
                    )
                    for uid in supervisors
                ]
            )
            if supervisors:
                transaction.on_commit(lambda: _enqueue_mail(survey.pk, supervisors))
            if (
                settings_ is not None
                and settings_.reopen_on_low
                and ticket.status
                in (
                    TicketStatus.RESOLVED,
                    TicketStatus.CLOSED,
                )
            ):
                workflow.reopen_ticket(ticket=ticket, user=None, now=now, reason="csat")
    logger.info("CSAT survey %s answered: %s", survey.pk, rating)
    return survey


def _supervisors_of(brand_id: int) -> list[int]:
    return list(
        Membership.objects.filter(brand_id=brand_id, role=Role.SUPERVISOR, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def _enqueue_mail(survey_id: int, user_ids: list[int]) -> None:
    try:
        mail_csat_low_task.delay(survey_id, list(user_ids))
    except Exception:  # broker errors vary by transport; the in-app notification stays
        logger.warning("could not queue the low-rating mail of survey %s", survey_id, exc_info=True)


def mail_low_rating(*, survey_id: int, user_ids: list[int]) -> int:
    """Mail the low rating of ``survey_id`` to the supervisors ``user_ids`` who have an address."""
    survey = CsatSurvey.objects.select_related("ticket", "brand").filter(pk=survey_id).first()
    if survey is None or survey.rating is None:
        return 0
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")
    context = {"survey": survey, "ticket": survey.ticket}
    return sum(
        notify.mail_user(
            user=user,
            brand=survey.brand,
            subject_template="emails/csat_low_subject.txt",
            body_template="emails/csat_low.txt",
            context=context,
            about=f"the low rating of survey {survey.pk}",
        )
        for user in users
    )


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.mail_csat_low_task")
def mail_csat_low_task(survey_id: int, user_ids: list[int]) -> int:
    return mail_low_rating(survey_id=survey_id, user_ids=user_ids)
