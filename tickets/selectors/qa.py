"""Scoped reads for QA scorecards (docs/qa.md): a reply to grade, the week's sample of a brand with what is graded,
the calibration list, and a person's own scorecards. Every read starts from ``brands.access``: a reply or
scorecard out of scope is a 404, in scope without ``qa:grade`` a 403; an operator reads only their own scorecards.
"""

from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from brands.access import has_perm, scope_to_brands
from brands.models import Brand

from ..models import Reply, ReplyStatus, Scorecard, ScorecardLine
from ..services import qa


def get_reply_to_grade(user, pk: int, perm: str = "qa:grade") -> Reply:
    """A published or unpublished reply ``user`` may see (404 otherwise), in a brand where they grade (403;
    ``perm="qa:view"``: where they read grades, as a read-only API key does)."""
    reply = (
        scope_to_brands(Reply.objects.all(), user)
        .select_related("brand", "ticket", "ticket__author", "author", "in_reply_to")
        .filter(pk=pk)
        .first()
    )
    if reply is None:
        raise Http404
    if not has_perm(user, reply.brand_id, perm):
        raise PermissionDenied
    return reply


def _with_lines(qs: QuerySet[Scorecard]) -> QuerySet[Scorecard]:
    lines = ScorecardLine.objects.select_related("criterion").order_by("criterion__position", "criterion_id")
    return qs.select_related("grader", "operator", "reply", "reply__ticket", "brand").prefetch_related(
        Prefetch("lines", queryset=lines)
    )


def scorecards_of_reply(reply: Reply) -> list[Scorecard]:
    """Every scorecard of ``reply`` (the caller checked ``qa:grade`` on its brand), oldest first."""
    return list(_with_lines(Scorecard.objects.filter(reply=reply)).order_by("created_at", "pk"))


def graded_by(reply: Reply, user) -> bool:
    """Whether ``user`` already graded ``reply``."""
    return Scorecard.objects.filter(reply=reply, grader_id=user.pk).exists()


@dataclass
class SampleRow:
    reply: Reply
    reasons: list[str]
    graders: list[str] = field(default_factory=list)
    mine: Scorecard | None = None

    @property
    def graded(self) -> bool:
        return bool(self.graders)


@dataclass
class BrandSample:
    brand: Brand
    monday: date
    percent: int
    rows: list[SampleRow]

    @property
    def graded(self) -> int:
        return sum(1 for r in self.rows if r.graded)


def week_sample(user, brand: Brand, monday: date) -> BrandSample:
    """The brand's sample for the week (the caller checked ``qa:grade``), with who graded each reply, and any
    other reply of the week someone graded, ungraded ones first, then by publication."""
    percent = qa.sample_percent(brand)
    chosen = qa.sample(brand, monday, percent=percent)
    start, end = qa.week_bounds(monday, qa.zone_of(brand))
    graded_ids = set(
        Scorecard.objects.filter(
            brand=brand, reply__sent_at__gte=start, reply__sent_at__lt=end, reply__status=ReplyStatus.SENT
        ).values_list("reply_id", flat=True)
    )
    ids = set(chosen) | graded_ids
    replies = {
        r.pk: r
        for r in Reply.objects.filter(brand=brand, pk__in=ids)
        .select_related("ticket", "author")
        .only("pk", "body", "sent_at", "ticket__id", "ticket__brand_id", "author__username", "author__first_name")
    }
    cards: dict[int, list[Scorecard]] = {}
    for card in Scorecard.objects.filter(reply_id__in=ids).select_related("grader").order_by("created_at", "pk"):
        cards.setdefault(card.reply_id, []).append(card)
    rows = []
    for pk in ids:
        if pk not in replies:
            continue
        row = SampleRow(reply=replies[pk], reasons=chosen.get(pk, []))
        for card in cards.get(pk, []):
            row.graders.append(card.grader.get_username())
            if card.grader_id == user.pk:
                row.mine = card
        rows.append(row)
    rows.sort(key=lambda r: (r.graded, r.reply.sent_at, r.reply.pk))
    return BrandSample(brand=brand, monday=monday, percent=percent, rows=rows)


@dataclass
class CriterionAgreement:
    name: str
    pairs: int = 0
    exact: int = 0
    difference: int = 0  # the sum of the pairs' absolute differences

    @property
    def mean_difference(self) -> float | None:
        return round(self.difference / self.pairs, 2) if self.pairs else None

    @property
    def exact_percent(self) -> float | None:
        return round(100 * self.exact / self.pairs, 1) if self.pairs else None


@dataclass
class Calibration:
    reply: Reply
    cards: list[Scorecard]
    criteria: list[CriterionAgreement]
    #: (criterion name, [score of each card in ``cards`` order], its agreement)
    table: list[tuple[str, list[int | None], CriterionAgreement]]

    @property
    def score_spread(self):
        scores = [c.score for c in self.cards]
        return max(scores) - min(scores)


def agreement(cards: list[Scorecard]) -> tuple[list[CriterionAgreement], list[tuple]]:
    """Per criterion, over every pair of scorecards that scored it: the mean absolute difference and the share of
    pairs that gave the same score."""
    names: dict[int, str] = {}
    scores: list[dict[int, int]] = []
    for card in cards:
        by_criterion = {}
        for line in card.lines.all():
            names.setdefault(line.criterion_id, line.criterion.name)
            by_criterion[line.criterion_id] = line.score
        scores.append(by_criterion)
    result, table = [], []
    for criterion_id, name in names.items():
        agree = CriterionAgreement(name=name)
        for a, b in combinations([s[criterion_id] for s in scores if criterion_id in s], 2):
            agree.pairs += 1
            agree.exact += a == b
            agree.difference += abs(a - b)
        result.append(agree)
        table.append((name, [s.get(criterion_id) for s in scores], agree))
    return result, table


def calibration(brand: Brand, monday: date) -> tuple[list[Calibration], list[CriterionAgreement]]:
    """The replies of the week graded by two or more people, each with their agreement, and the agreement per
    criterion over all of them (the caller checked ``qa:grade``)."""
    start, end = qa.week_bounds(monday, qa.zone_of(brand))
    cards = list(
        _with_lines(Scorecard.objects.filter(brand=brand, reply__sent_at__gte=start, reply__sent_at__lt=end)).order_by(
            "reply_id", "created_at", "pk"
        )
    )
    by_reply: dict[int, list[Scorecard]] = {}
    for card in cards:
        by_reply.setdefault(card.reply_id, []).append(card)
    items, totals = [], {}
    for group in by_reply.values():
        if len(group) < 2:
            continue
        criteria, table = agreement(group)
        items.append(Calibration(reply=group[0].reply, cards=group, criteria=criteria, table=table))
        for c in criteria:
            total = totals.setdefault(c.name, CriterionAgreement(name=c.name))
            total.pairs, total.exact, total.difference = (
                total.pairs + c.pairs,
                total.exact + c.exact,
                total.difference + c.difference,
            )
    return items, list(totals.values())


def own_scorecards(user) -> QuerySet[Scorecard]:
    """The scorecards of ``user``'s own replies, in brands they still see, newest first."""
    if not user.is_authenticated:
        return Scorecard.objects.none()
    return _with_lines(scope_to_brands(Scorecard.objects.filter(operator_id=user.pk), user)).order_by(
        "-created_at", "-pk"
    )


def get_own_scorecard(user, pk: int) -> Scorecard:
    """One of ``user``'s own scorecards; anyone else's (or out of scope) is a 404."""
    card = own_scorecards(user).filter(pk=pk).first()
    if card is None:
        raise Http404
    return card
