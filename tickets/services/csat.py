"""Customer satisfaction surveys: planned at resolution, sent once through the publishing path (docs/csat.md).

- :func:`plan_survey` runs inside the resolve transaction, under the ticket's row lock: a ticket gets at most one
  survey (``CsatSurvey.ticket`` is unique), none when it was ever ignored as noise, none when it is resolved again
  within the brand's window after an earlier resolution, none where the platform's rules or the brand's settings
  (``brands.services.csat``) allow no message after the case. The task is queued after commit.
- :func:`send_survey` moves the survey ``pending`` → ``sending`` by a conditional UPDATE before any platform
  call, so two workers (or a task and the sweep) never both send it, and publishes with the ticket's delivery
  channel (``tickets.channels``: ``publish`` / ``find_published``), exactly as replies are published: an answer
  that leaves the outcome unknown is looked up before the next try; a refusal for good ends ``failed``.
- The link carries a token signed with :data:`SALT` (``django.core.signing``) over data SMRC chose: the survey id,
  its ticket id and its expiry. Nothing a visitor sends is ever signed, so the page is no signing oracle.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from brands.services import csat as csat_settings

from .. import events
from ..channels.base import ChannelError
from ..channels.publishing import Ambiguous, CannotLookUp
from ..channels.registry import DELIVERY_CHANNELS, delivery_channel
from ..models import CsatSurvey, Event, Mention, Ticket

logger = logging.getLogger(__name__)

SALT = "smrc.csat.rating-link.v1"
#: a token longer than this is refused before it is read (ours are about 90 characters)
TOKEN_MAX_LENGTH = 200
LINK_PLACEHOLDER = "[link]"


# --- the link -------------------------------------------------------------------------------------------------


def make_token(survey: CsatSurvey) -> str:
    """The survey's token: its id, its ticket's id and its expiry (epoch seconds), signed. Deterministic, so a
    retry that looks the message up on the platform composes the same text."""
    data = {"s": survey.pk, "t": survey.ticket_id, "e": int(survey.expires_at.timestamp())}
    return signing.Signer(salt=SALT).sign_object(data)


def link_for(survey: CsatSurvey) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("tickets:csat_rate", args=[make_token(survey)])


class TokenError(Exception):
    """A token that answers nothing. ``status``: 404 (forged, unknown) or 410 (expired, already answered)."""

    def __init__(self, code: str, status: int, survey: CsatSurvey | None = None):
        super().__init__(code)
        self.code, self.status, self.survey = code, status, survey


def read_token(token: str, *, now: datetime | None = None) -> CsatSurvey:
    """The survey a token names, still open for an answer; else :class:`TokenError`: ``forged`` (404: a bad
    signature, a shape we never sign, an unknown survey or one of another ticket), ``expired`` (410) or
    ``answered`` (410, a replay after the one answer)."""
    now = now or timezone.now()
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        raise TokenError("forged", 404)
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):  # a bad signature; a signed value that is not our JSON
        raise TokenError("forged", 404) from None
    if not (isinstance(data, dict) and all(type(data.get(k)) is int for k in ("s", "t", "e"))):
        raise TokenError("forged", 404)
    survey = CsatSurvey.objects.select_related("brand", "ticket").filter(pk=data["s"], ticket_id=data["t"]).first()
    if survey is None or int(survey.expires_at.timestamp()) != data["e"]:
        raise TokenError("forged", 404)
    if survey.answered_at is not None:
        raise TokenError("answered", 410, survey)
    if now >= survey.expires_at:
        raise TokenError("expired", 410, survey)
    return survey


# --- planning -------------------------------------------------------------------------------------------------


def _delivery_channel(ticket: Ticket) -> str:
    account = ticket.channel_account
    if account is not None and account.access_token and ticket.platform in DELIVERY_CHANNELS:
        return ticket.platform
    return "console"


def plan_survey(ticket: Ticket, *, now: datetime) -> CsatSurvey | None:
    """Inside the resolve transaction (the ticket locked, not yet marked resolved in the event log): the
    ticket's survey, or ``None`` when it gets none; its sending is queued after commit."""
    settings_ = csat_settings.settings_for(ticket.brand_id)
    if settings_ is None or not settings_.enabled:
        return None
    if ticket.ignored_reason or CsatSurvey.objects.filter(ticket_id=ticket.pk).exists():
        return None
    history = Event.objects.filter(ticket_id=ticket.pk)
    if history.filter(kind="ticket.ignored").exists():
        return None  # spam or noise once: never surveyed, even after it was restored
    window = timedelta(hours=settings_.repeat_window_hours)
    if window and history.filter(kind="ticket.resolved", created_at__gte=now - window).exists():
        return None  # reopened and resolved again soon after: the customer was asked (or not) the first time
    mention = (
        Mention.objects.filter(ticket_id=ticket.pk, is_deleted=False)
        .select_related("author")
        .order_by("-posted_at", "-pk")
        .first()
    )
    if mention is None:
        return None
    private = mention.kind == Mention.Kind.DM or ticket.is_private
    route = csat_settings.route_for(settings_, platform=ticket.platform, private=private)
    if route is None:
        return None
    language = csat_settings.language_for(settings_, ticket.language or mention.language)
    try:
        with transaction.atomic():
            survey = CsatSurvey.objects.create(
                brand_id=ticket.brand_id,
                ticket=ticket,
                operator_id=ticket.assignee_id,
                in_reply_to=mention,
                route=route,
                delivery_channel=_delivery_channel(ticket),
                language=language,
                created_at=now,
                expires_at=now + timedelta(days=settings_.expiry_days),
            )
    except IntegrityError:  # another resolve got there first (the row lock makes this a backstop)
        return None
    survey.body = csat_settings.message(language, LINK_PLACEHOLDER)
    survey.save(update_fields=["body"])
    events.csat_planned(ticket, survey, at=now)
    transaction.on_commit(lambda: enqueue_survey(survey.pk))
    return survey


def enqueue_survey(survey_id: int) -> None:
    """Queue the sending. A broker that is down leaves the survey ``pending``: the sweep queues it again."""
    try:
        send_survey_task.delay(survey_id)
    except Exception:  # broker errors vary by transport; the sweep is the safety net
        logger.warning("could not queue CSAT survey %s; the sweep will retry", survey_id, exc_info=True)


# --- sending --------------------------------------------------------------------------------------------------


@dataclass
class SurveyMessage:
    """The survey as the platform modules' ``publish`` / ``find_published`` read a reply: its text, the ticket,
    the customer message it answers and a stable key."""

    pk: int
    body: str
    ticket: Ticket
    ticket_id: int
    in_reply_to: Mention | None
    idempotency_key: Any


def _message(survey: CsatSurvey) -> SurveyMessage:
    body = csat_settings.message(survey.language, link_for(survey))
    return SurveyMessage(
        pk=survey.pk,
        body=body,
        ticket=survey.ticket,
        ticket_id=survey.ticket_id,
        in_reply_to=survey.in_reply_to,
        idempotency_key=survey.idempotency_key,
    )


def send_survey(*, survey_id: int, now: datetime | None = None) -> CsatSurvey | None:
    """Send the survey if it is ``pending``; return it as it ended (``sent``, ``failed``, or ``pending`` for a
    later try), or ``None`` if it was not ours to send (another worker has it, or it is done)."""
    now = now or timezone.now()
    claimed = CsatSurvey.objects.filter(pk=survey_id, status=CsatSurvey.Status.PENDING).update(
        status=CsatSurvey.Status.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    survey = CsatSurvey.objects.select_related(
        "ticket", "ticket__channel_account", "in_reply_to", "in_reply_to__author"
    ).get(pk=survey_id)
    message = _message(survey)
    try:
        channel = delivery_channel(survey.delivery_channel)
        if survey.outcome_unknown:
            try:
                found = channel.find_published(message)
            except CannotLookUp:
                return _finish(
                    survey,
                    failed="The platform may have delivered the survey and it cannot be looked up; not sent again.",
                )
            if found:
                return _finish(survey, platform_id=found, now=now)
        platform_id = channel.publish(message)
    except Ambiguous as exc:
        return _later(survey, exc, unknown=True)
    except ChannelError as exc:
        if exc.permanent:
            return _finish(survey, failed=exc.reason)
        return _later(survey, exc, unknown=survey.outcome_unknown)
    except Exception as exc:  # our own fault: whether it went out is unknown, so never again by itself
        logger.exception("CSAT survey %s failed unexpectedly", survey.pk)
        return _finish(survey, failed=f"Unexpected error ({type(exc).__name__}); not sent again.")
    return _finish(survey, platform_id=platform_id, now=now)


def _later(survey: CsatSurvey, exc: ChannelError, *, unknown: bool) -> CsatSurvey:
    if survey.attempts >= settings.SMRC_PUBLISH_MAX_TRIES:
        return _finish(survey, failed=f"Gave up after {survey.attempts} tries: {exc.reason}")
    CsatSurvey.objects.filter(pk=survey.pk, status=CsatSurvey.Status.SENDING).update(
        status=CsatSurvey.Status.PENDING, outcome_unknown=unknown, failure_reason=exc.reason[:500]
    )
    survey.status, survey.outcome_unknown = CsatSurvey.Status.PENDING, unknown
    survey.retry_after = exc.retry_after  # type: ignore[attr-defined]
    return survey


def _finish(survey: CsatSurvey, *, platform_id: str = "", failed: str = "", now: datetime | None = None) -> CsatSurvey:
    now = now or timezone.now()
    with transaction.atomic():
        if failed:
            fields = {"status": CsatSurvey.Status.FAILED, "failure_reason": failed[:500]}
        else:
            fields = {
                "status": CsatSurvey.Status.SENT,
                "platform_message_id": platform_id[:128],
                "sent_at": now,
                "failure_reason": "",
                "outcome_unknown": False,
            }
        CsatSurvey.objects.filter(pk=survey.pk, status=CsatSurvey.Status.SENDING).update(**fields)
        for name, value in fields.items():
            setattr(survey, name, value)
        if failed:
            events.csat_failed(survey.ticket, survey, reason=survey.failure_reason, at=now)
        else:
            events.csat_sent(survey.ticket, survey, at=now)
    return survey


def surveys_waiting(*, older_than: timedelta, now: datetime | None = None) -> list[int]:
    """Surveys still ``pending`` after ``older_than`` (a lost task or a try to repeat)."""
    now = now or timezone.now()
    return list(
        CsatSurvey.objects.filter(status=CsatSurvey.Status.PENDING, created_at__lt=now - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:200]
    )


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(bind=True, name="tickets.tasks.send_survey_task", max_retries=None)
def send_survey_task(self, survey_id: int) -> str:
    """Send one survey; a transient refusal retries it later (Celery countdown; in-process: the sweep)."""
    survey = send_survey(survey_id=survey_id)
    if survey is None:
        return "skipped"
    if survey.status == CsatSurvey.Status.PENDING:
        if not (self.request.is_eager or self.request.called_directly):
            wait = getattr(survey, "retry_after", None) or 30 * 2 ** max(survey.attempts - 1, 0)
            raise self.retry(countdown=max(1, math.ceil(min(wait, 3600))))
        return "deferred"
    return survey.status


@shared_task(name="tickets.tasks.sweep_surveys_task")
def sweep_surveys_task() -> int:
    """Queue again the surveys still waiting (their task was lost, or a try is due)."""
    waiting = surveys_waiting(older_than=timedelta(minutes=5))
    for survey_id in waiting:
        send_survey_task.delay(survey_id)
    return len(waiting)
