"""QA scorecards (docs/qa.md): which published replies are graded each week, grading one, and the operator's
acknowledgement.

**The sample** of a brand for an ISO week (Monday 00:00 to Monday 00:00 in the brand's time zone) is, for each
person who published replies that week, the brand's share (``QaSettings.sample_percent``, rounded up, at least
one reply when the share is above 0) of their published replies, taken in the order of a hash of the brand, the
week and the reply id — so the same replies every time it is read, whatever the order of the rows — plus every
published reply of the week on a ticket the customer rated low (the brand's CSAT threshold). A closed week's
sample never changes; the current week's grows with its replies.

**Grading** (:func:`grade`) is one :class:`~tickets.models.Scorecard` per reply and grader, enforced by a unique
constraint: of two submissions at once (a double click, two tabs) one is kept and the other is told the reply is
already graded (:class:`AlreadyGraded`). Every criterion in use gets a score from 1 to 5; a score of 1 or 2 needs a
comment. The overall score is the weighted points as a percent of the most they allow (all 5s = 100 %). A grader
never grades their own reply. The operator is notified in the app; the grade is an event of the reply kept off
the ticket's timeline.

**Acknowledging** (:func:`acknowledge`) is a conditional UPDATE on ``acknowledged_at IS NULL`` by the graded
operator only: a second one changes nothing (and the scorecard it was given then carries the stored time).
"""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Brand
from brands.services import csat as csat_settings
from brands.services import qa as rubric

from .. import events
from ..models import QA_SCORE_MAX, QA_SCORE_MIN, CsatSurvey, Notification, Reply, ReplyStatus, Scorecard, ScorecardLine

#: a score at or below this needs a comment: say what to do better
COMMENT_REQUIRED_AT = 2
MAX_COMMENT = 1000
MAX_COACHING = 2000
SHARE, LOW_CSAT = "share", "low_csat"


class NotGradable(Exception):
    """The reply cannot be graded by this person (not published, their own); nothing was written."""


class AlreadyGraded(Exception):
    """This grader already graded this reply; nothing was written."""


class InvalidGrade(Exception):
    """The scores or comments sent are not a complete, valid scorecard: ``errors`` by criterion key (``""``:
    the whole). Nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- weeks ------------------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(text: str | None) -> date | None:
    """The Monday of an ISO week written ``2026-W49`` of the years 2000 to 2999; None when it is not one (a week
    at year 1 or 9999 overflowed on its previous or next week's link, a 500)."""
    if not text or len(text) != 8 or text[4:6] != "-W" or not (text[:4] + text[6:]).isascii():
        return None
    try:
        year, week = int(text[:4]), int(text[6:])
        return date.fromisocalendar(year, week, 1) if 2000 <= year <= 2999 else None
    except ValueError:
        return None


def week_bounds(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(monday, time(0), tzinfo=zone)
    return start, datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)


def zone_of(brand: Brand) -> ZoneInfo:
    return ZoneInfo(brand.time_zone)


def sample_percent(brand: Brand) -> int:
    return rubric.settings_for(brand).sample_percent


def current_week(brand: Brand, now: datetime | None = None) -> date:
    return monday_of((now or timezone.now()).astimezone(ZoneInfo(brand.time_zone)).date())


# --- the sample -------------------------------------------------------------------------------------------------


def _rank(brand_id: int, monday: date, reply_id: int) -> str:
    return hashlib.sha256(f"{brand_id}:{week_label(monday)}:{reply_id}".encode()).hexdigest()


def low_rated_tickets(brand: Brand, ticket_ids) -> set[int]:
    """The tickets among ``ticket_ids`` whose customer gave a low rating (the brand's CSAT threshold)."""
    threshold = getattr(csat_settings.settings_for(brand.pk), "low_rating", 2)
    return set(
        CsatSurvey.objects.filter(brand=brand, ticket_id__in=list(ticket_ids), rating__lte=threshold).values_list(
            "ticket_id", flat=True
        )
    )


def sample(brand: Brand, monday: date, *, percent: int | None = None) -> dict[int, list[str]]:
    """The brand's QA sample for the ISO week starting ``monday``: reply id → why (``share``, ``low_csat``).
    Two queries: the week's published replies (index ``reply_brand_sent_idx``) and their tickets' low ratings."""
    if percent is None:
        percent = rubric.settings_for(brand).sample_percent
    start, end = week_bounds(monday, ZoneInfo(brand.time_zone))
    rows = list(
        Reply.objects.filter(brand=brand, sent_at__gte=start, sent_at__lt=end, status=ReplyStatus.SENT)
        .order_by()
        .values_list("pk", "author_id", "ticket_id")
    )
    chosen: dict[int, list[str]] = {}
    by_author: dict[int, list[int]] = {}
    for pk, author_id, _ticket in rows:
        by_author.setdefault(author_id, []).append(pk)
    for pks in by_author.values():
        take = math.ceil(len(pks) * percent / 100) if percent > 0 else 0
        for pk in sorted(pks, key=lambda pk: _rank(brand.pk, monday, pk))[:take]:
            chosen.setdefault(pk, []).append(SHARE)
    low = low_rated_tickets(brand, {ticket for _pk, _a, ticket in rows})
    for pk, _author, ticket in rows:
        if ticket in low:
            chosen.setdefault(pk, []).append(LOW_CSAT)
    return chosen


# --- grading ----------------------------------------------------------------------------------------------------


@dataclass
class Line:
    score: int | None
    comment: str = ""


@dataclass
class Grade:
    """What a grader sends: criterion key → line, and the coaching note."""

    lines: dict[str, Line] = field(default_factory=dict)
    coaching: str = ""


def overall(lines: list[tuple[int, int]]) -> Decimal:
    """The overall score of ``(weight, score)`` pairs: the weighted points as a percent of the most, one decimal."""
    most = sum(w * QA_SCORE_MAX for w, _s in lines)
    got = sum(w * s for w, s in lines)
    return (Decimal(100 * got) / Decimal(most)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def check_gradable(reply: Reply, grader) -> None:
    if reply.status != ReplyStatus.SENT or reply.sent_at is None:
        raise NotGradable(_("Only a published reply can be graded."))
    if reply.author_id == grader.pk:
        raise NotGradable(_("You cannot grade your own reply."))


def _validate(criteria, grade: Grade) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for c in criteria:
        line = grade.lines.get(c.key)
        if line is None or type(line.score) is not int or not QA_SCORE_MIN <= line.score <= QA_SCORE_MAX:
            errors.setdefault(c.key, []).append(_("Give a score from 1 to 5."))
            continue
        comment = (line.comment or "").strip()
        if len(comment) > MAX_COMMENT:
            errors.setdefault(c.key, []).append(_("A comment has at most %(n)s characters.") % {"n": MAX_COMMENT})
        if line.score <= COMMENT_REQUIRED_AT and not comment:
            errors.setdefault(c.key, []).append(_("Say why in a comment: a score of 1 or 2 needs one."))
    if len(grade.coaching or "") > MAX_COACHING:
        errors.setdefault("", []).append(_("The coaching note has at most %(n)s characters.") % {"n": MAX_COACHING})
    return errors


def grade(*, reply: Reply, grader, grade: Grade, now: datetime | None = None) -> Scorecard:
    """Grade ``reply`` (published, of a brand where ``grader`` holds ``qa:grade``: the caller checked) on the
    brand's rubric. Raises :class:`NotGradable`, :class:`InvalidGrade` or :class:`AlreadyGraded`; writes nothing
    then."""
    now = now or timezone.now()
    check_gradable(reply, grader)
    brand = reply.brand
    with transaction.atomic():
        criteria = [c for c in rubric.ensure_rubric(brand=brand, user=grader) if c.is_active]
        errors = _validate(criteria, grade)
        if errors:
            raise InvalidGrade(errors)
        if Scorecard.objects.filter(reply=reply, grader=grader).exists():
            raise AlreadyGraded()
        score = overall([(c.weight, grade.lines[c.key].score) for c in criteria])
        try:
            with transaction.atomic():  # a savepoint: the unique constraint decides a race
                scorecard = Scorecard.objects.create(
                    brand=brand,
                    reply=reply,
                    operator_id=reply.author_id,
                    grader=grader,
                    score=score,
                    coaching=(grade.coaching or "").strip(),
                    created_at=now,
                )
        except IntegrityError:
            raise AlreadyGraded() from None
        ScorecardLine.objects.bulk_create(
            [
                ScorecardLine(
                    scorecard=scorecard,
                    criterion=c,
                    weight=c.weight,
                    score=grade.lines[c.key].score,
                    comment=(grade.lines[c.key].comment or "").strip(),
                )
                for c in criteria
            ]
        )
        events.qa_graded(scorecard)
        Notification.objects.create(
            user_id=reply.author_id,
            brand=brand,
            ticket_id=reply.ticket_id,
            kind=Notification.Kind.QA_GRADED,
            data={"scorecard_id": scorecard.pk, "reply_id": reply.pk, "score": str(score)},
            created_at=now,
        )
    return scorecard


def acknowledge(*, scorecard: Scorecard, user, now: datetime | None = None) -> bool:
    """The graded operator read ``scorecard``. True when this call acknowledged it, False when it already was
    (nothing changes). Only the operator: anyone else gets ``PermissionError``."""
    if scorecard.operator_id != user.pk:
        raise PermissionError("only the graded operator acknowledges a scorecard")
    now = now or timezone.now()
    with transaction.atomic():
        done = Scorecard.objects.filter(pk=scorecard.pk, operator=user, acknowledged_at__isnull=True).update(
            acknowledged_at=now
        )
        if done:
            scorecard.acknowledged_at = now
            events.qa_acknowledged(scorecard, at=now)
        else:  # acknowledged already, maybe a moment ago by a click at once with this one: say when
            stored = Scorecard.objects.filter(pk=scorecard.pk).values_list("acknowledged_at", flat=True).first()
            scorecard.acknowledged_at = stored
    return bool(done)
