"""QA services (docs/qa.md): the brand's rubric (defaults in the brand's language, weights, audit), the weekly sample
(a share per operator, deterministic, plus every reply on a low-rated ticket), grading and acknowledging."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from brands.models import ConfigChange, CsatSettings, QaCriterion, QaSettings, Role
from brands.services import qa as rubric
from tests.factories import make_brand, make_member, make_user
from tickets.models import CsatSurvey, Event, Notification, Scorecard, ScorecardLine
from tickets.services import qa

from .conftest import MONDAY, WEDNESDAY, full_grade, publish

pytestmark = pytest.mark.django_db


# --- the rubric ---------------------------------------------------------------------------------------------------


def test_a_brand_grades_on_the_defaults_in_its_language_and_nothing_is_stored_until_used(cast):
    english = make_brand("initech", name="Initech", languages="en")
    assert [(c.key, c.name, c.weight) for c in rubric.criteria_for(english)] == [
        ("tone", "Serving tone", 25),
        ("knowledge", "Product knowledge", 25),
        ("ownership", "Ownership", 20),
        ("language", "Language", 15),
        ("etiquette", "Platform etiquette", 15),
    ]
    assert [c.name for c in rubric.criteria_for(cast.brand_a)] == [  # languages "id,en": Indonesian first
        "Nada pelayanan",
        "Pengetahuan produk",
        "Tanggung jawab",
        "Bahasa",
        "Etika platform",
    ]
    assert QaCriterion.objects.count() == 0
    assert rubric.settings_for(cast.brand_a).sample_percent == 5
    assert ConfigChange.objects.count() == 0


def test_the_first_use_stores_the_defaults_once_with_their_audit_record(cast):
    stored = rubric.ensure_rubric(brand=cast.brand_a, user=cast.supervisor)
    again = rubric.ensure_rubric(brand=cast.brand_a, user=cast.supervisor)
    assert [c.pk for c in stored] == [c.pk for c in again]
    assert QaCriterion.objects.filter(brand=cast.brand_a).count() == 5
    (change,) = ConfigChange.objects.all()
    assert (change.area, change.kind, change.actor_id) == ("qa", "qa_rubric.created", cast.supervisor.pk)
    assert change.after["criterion:tone"] == {
        "name": "Nada pelayanan",
        "description": stored[0].description,
        "weight": 25,
        "active": True,
    }


def test_saving_the_rubric_changes_weights_adds_and_retires_criteria_with_one_record(cast):
    rows = [
        rubric.Row(key=c.key, name=c.name, description=c.description, weight=c.weight, is_active=c.key != "language")
        for c in rubric.criteria_for(cast.brand_a)
    ]
    rows[0] = rubric.Row(key="tone", name="Nada", description="Ramah", weight=40)
    rows.append(rubric.Row(key="", name="Kecepatan & akurasi", description="", weight=10))
    rubric.save_rubric(brand=cast.brand_a, sample_percent=10, rows=rows, user=cast.supervisor)

    criteria = rubric.criteria_for(cast.brand_a, active_only=False)
    assert [(c.key, c.name, c.weight, c.is_active) for c in criteria] == [
        ("tone", "Nada", 40, True),
        ("knowledge", "Pengetahuan produk", 25, True),
        ("ownership", "Tanggung jawab", 20, True),
        ("language", "Bahasa", 15, False),
        ("etiquette", "Etika platform", 15, True),
        ("kecepatan-akurasi", "Kecepatan & akurasi", 10, True),
    ]
    assert [c.key for c in rubric.criteria_for(cast.brand_a)] == [
        "tone",
        "knowledge",
        "ownership",
        "etiquette",
        "kecepatan-akurasi",
    ]
    assert QaSettings.objects.get(brand=cast.brand_a).sample_percent == 10
    (change,) = ConfigChange.objects.all()
    assert change.kind == "qa_rubric.updated"
    assert change.before == {}  # nothing was stored before: every value is new
    assert change.after["sample_percent"] == 10
    assert change.after["criterion:tone"]["weight"] == 40

    # a second save of the same values records nothing
    rubric.save_rubric(brand=cast.brand_a, sample_percent=10, rows=rows[:1], user=cast.supervisor)
    assert ConfigChange.objects.count() == 1


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (0, "The weight of “Nada” must be a whole number from 1 to 100."),
        (-3, "The weight of “Nada” must be a whole number from 1 to 100."),
        (101, "The weight of “Nada” must be a whole number from 1 to 100."),
        (2.5, "The weight of “Nada” must be a whole number from 1 to 100."),
    ],
)
def test_weights_are_positive_whole_numbers_and_a_refused_save_stores_nothing(cast, weight, message):
    with pytest.raises(ValidationError) as refused:
        rubric.save_rubric(
            brand=cast.brand_a, sample_percent=5, rows=[rubric.Row("tone", "Nada", "", weight)], user=cast.supervisor
        )
    assert refused.value.messages == [message]
    assert QaCriterion.objects.count() == ConfigChange.objects.count() == QaSettings.objects.count() == 0


def test_a_rubric_keeps_one_criterion_in_use_unique_names_and_a_share_in_percent(cast):
    with pytest.raises(ValidationError) as refused:
        rubric.save_rubric(
            brand=cast.brand_a,
            sample_percent=101,
            rows=[rubric.Row("tone", "Nada", "", 5, is_active=False), rubric.Row("", "nada", "", 5)],
        )
    assert refused.value.messages == [
        "The weekly share is a whole number from 0 to 100.",
        "Two criteria have the same name.",
    ]
    with pytest.raises(ValidationError) as refused:
        rubric.save_rubric(brand=cast.brand_a, sample_percent=5, rows=[rubric.Row("tone", "Nada", "", 5, False)])
    assert refused.value.messages == ["Keep at least one criterion in use."]
    with pytest.raises(ValidationError):
        rubric.save_rubric(brand=cast.brand_a, sample_percent=5, rows=[rubric.Row("forged", "X", "", 5)])
    assert QaCriterion.objects.count() == ConfigChange.objects.count() == 0


# --- the sample ---------------------------------------------------------------------------------------------------


@pytest.fixture
def week(cast):
    """Brand A's week 2026-W10: the operator published 30 replies, a second operator 3, the supervisor 1; brand B's
    operator 4 (another brand); one more reply of the operator the week after."""
    other = make_user("op_a2")
    make_member(other, cast.brand_a, Role.OPERATOR)
    mine = [publish(cast.brand_a, cast.operator, at=WEDNESDAY + timedelta(minutes=i)) for i in range(30)]
    theirs = [publish(cast.brand_a, other, at=WEDNESDAY + timedelta(hours=i)) for i in range(3)]
    sup = publish(cast.brand_a, cast.supervisor)
    publish(cast.brand_b, cast.operator_b)
    later = publish(cast.brand_a, cast.operator, at=WEDNESDAY + timedelta(days=5))  # Monday of W11
    return {"mine": mine, "theirs": theirs, "sup": sup, "later": later, "other": other}


def test_the_sample_takes_the_share_of_each_persons_week_rounded_up(cast, week):
    chosen = qa.sample(cast.brand_a, MONDAY)  # 5 %: ⌈1.5⌉ = 2 of 30, ⌈0.15⌉ = 1 of 3, ⌈0.05⌉ = 1 of 1
    by_author = {}
    for reply_id in chosen:
        by_author.setdefault(
            next(
                k
                for k, v in {"mine": week["mine"], "theirs": week["theirs"], "sup": [week["sup"]]}.items()
                if any(r.pk == reply_id for r in v)
            ),
            [],
        ).append(reply_id)
    assert {k: len(v) for k, v in by_author.items()} == {"mine": 2, "theirs": 1, "sup": 1}
    assert all(reasons == ["share"] for reasons in chosen.values())
    assert week["later"].pk not in chosen
    assert qa.sample(cast.brand_a, MONDAY, percent=0) == {}
    assert len(qa.sample(cast.brand_a, MONDAY, percent=100)) == 34


def test_the_sample_is_the_same_every_time_and_does_not_depend_on_row_order(cast, week):
    first = qa.sample(cast.brand_a, MONDAY, percent=20)
    assert qa.sample(cast.brand_a, MONDAY, percent=20) == first
    ranked = sorted((r.pk for r in week["mine"]), key=lambda pk: qa._rank(cast.brand_a.pk, MONDAY, pk))
    assert set(ranked[:6]) <= set(first)  # ⌈30 × 20 %⌉ = 6 of the operator's, the lowest hashes
    # another week hashes differently: the sample is not the same replies' positions every week
    assert qa._rank(cast.brand_a.pk, MONDAY, ranked[0]) != qa._rank(
        cast.brand_a.pk, MONDAY + timedelta(days=7), ranked[0]
    )


def test_every_reply_on_a_ticket_rated_low_is_in_the_sample(cast, week):
    CsatSettings.objects.create(brand=cast.brand_a, enabled=True, low_rating=2)
    rated = {}
    for reply, rating in ((week["mine"][5], 2), (week["mine"][6], 3), (week["theirs"][0], 1)):
        rated[reply.pk] = CsatSurvey.objects.create(
            brand=cast.brand_a,
            ticket=reply.ticket,
            route="dm",
            language="id",
            status="sent",
            created_at=WEDNESDAY,
            expires_at=WEDNESDAY + timedelta(days=7),
            rating=rating,
            answered_at=WEDNESDAY,
        )
    # a second reply on the low-rated ticket of the operator
    extra = publish(cast.brand_a, cast.operator, ticket=week["mine"][5].ticket, at=WEDNESDAY + timedelta(hours=1))
    chosen = qa.sample(cast.brand_a, MONDAY, percent=0)
    assert chosen == {week["mine"][5].pk: ["low_csat"], extra.pk: ["low_csat"], week["theirs"][0].pk: ["low_csat"]}
    both = qa.sample(cast.brand_a, MONDAY, percent=100)
    assert both[week["mine"][5].pk] == ["share", "low_csat"]
    assert both[week["mine"][6].pk] == ["share"]  # 3 is not low for this brand


def test_weeks_are_iso_weeks_in_the_brands_zone(cast):
    assert qa.week_label(MONDAY) == "2026-W10"
    assert qa.parse_week("2026-W10") == MONDAY
    assert [qa.parse_week(v) for v in ("2026-W54", "2026-10", "", None, "abcd-Wxy")] == [None] * 5
    start, end = qa.week_bounds(MONDAY, qa.zone_of(cast.brand_a))
    assert (start.isoformat(), end.isoformat()) == ("2026-03-02T00:00:00+07:00", "2026-03-09T00:00:00+07:00")


# --- grading ------------------------------------------------------------------------------------------------------


def test_grading_weighs_the_criteria_and_notifies_the_operator(cast):
    reply = publish(cast.brand_a, cast.operator)
    grade = full_grade(tone=5, knowledge=5, ownership=4, language=3, etiquette=2, coaching="Bagus, tapi cek etika")
    card = qa.grade(reply=reply, grader=cast.supervisor, grade=grade, now=WEDNESDAY)
    # (25·5 + 25·5 + 20·4 + 15·3 + 15·2) / (100·5) = 405 / 500
    assert card.score == Decimal("81.0")
    assert (card.operator_id, card.grader_id, card.coaching) == (
        cast.operator.pk,
        cast.supervisor.pk,
        "Bagus, tapi cek etika",
    )
    lines = list(card.lines.order_by("criterion__position").values_list("criterion__key", "weight", "score", "comment"))
    assert lines == [
        ("tone", 25, 5, ""),
        ("knowledge", 25, 5, ""),
        ("ownership", 20, 4, ""),
        ("language", 15, 3, ""),
        ("etiquette", 15, 2, "perlu lebih ramah"),
    ]
    (notice,) = Notification.objects.all()
    assert (notice.user_id, notice.kind, notice.ticket_id) == (cast.operator.pk, "qa.graded", reply.ticket_id)
    assert notice.data == {"scorecard_id": card.pk, "reply_id": reply.pk, "score": "81.0"}
    (event,) = Event.objects.filter(kind="qa.graded")
    assert (event.ticket_id, event.reply_id, event.actor_id) == (None, reply.pk, cast.supervisor.pk)  # off the timeline


def test_overall_is_a_percent_of_the_most_the_weights_allow():
    assert qa.overall([(1, 5), (1, 5)]) == Decimal("100.0")
    assert qa.overall([(3, 1), (1, 5)]) == Decimal("40.0")  # (3 + 5) / 20
    assert qa.overall([(1, 4), (2, 3)]) == Decimal("66.7")  # 10 / 15


def test_a_grade_is_refused_whole_when_incomplete_unjustified_or_not_allowed(cast):
    reply = publish(cast.brand_a, cast.operator)
    missing = full_grade()
    del missing.lines["tone"]
    with pytest.raises(qa.InvalidGrade) as refused:
        qa.grade(reply=reply, grader=cast.supervisor, grade=missing)
    assert refused.value.errors == {"tone": ["Give a score from 1 to 5."]}
    low = full_grade()
    low.lines["language"] = qa.Line(1, "  ")
    with pytest.raises(qa.InvalidGrade) as refused:
        qa.grade(reply=reply, grader=cast.supervisor, grade=low)
    assert refused.value.errors == {"language": ["Say why in a comment: a score of 1 or 2 needs one."]}
    out_of_range = full_grade(knowledge=6)
    with pytest.raises(qa.InvalidGrade):
        qa.grade(reply=reply, grader=cast.supervisor, grade=out_of_range)
    with pytest.raises(qa.NotGradable, match="You cannot grade your own reply."):
        qa.grade(reply=reply, grader=cast.operator, grade=full_grade())
    unpublished = publish(cast.brand_a, cast.operator)
    unpublished.status, unpublished.sent_at = "in_review", None
    unpublished.save()
    with pytest.raises(qa.NotGradable, match="Only a published reply can be graded."):
        qa.grade(reply=unpublished, grader=cast.supervisor, grade=full_grade())
    # nothing at all was written, not even the default rubric
    assert Scorecard.objects.count() == ScorecardLine.objects.count() == Notification.objects.count() == 0
    assert QaCriterion.objects.count() == ConfigChange.objects.count() == 0


def test_one_grade_per_reply_and_grader_a_second_is_refused_and_the_database_says_so_too(cast, second_supervisor):
    reply = publish(cast.brand_a, cast.operator)
    first = qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade())
    with pytest.raises(qa.AlreadyGraded):
        qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=5))
    qa.grade(reply=reply, grader=second_supervisor, grade=full_grade(score=3))
    assert Scorecard.objects.filter(reply=reply).count() == 2
    assert Scorecard.objects.get(reply=reply, grader=cast.supervisor).score == first.score
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(
            brand=cast.brand_a,
            reply=reply,
            operator=cast.operator,
            grader=cast.supervisor,
            score=50,
            created_at=WEDNESDAY,
        )


def test_retired_criteria_are_not_graded_and_past_lines_keep_theirs(cast):
    reply = publish(cast.brand_a, cast.operator)
    qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade(score=4))
    rows = [
        rubric.Row(c.key, c.name, c.description, c.weight, c.key == "tone") for c in rubric.criteria_for(cast.brand_a)
    ]
    rubric.save_rubric(brand=cast.brand_a, sample_percent=5, rows=rows)
    later = publish(cast.brand_a, cast.operator)
    card = qa.grade(reply=later, grader=cast.supervisor, grade=qa.Grade(lines={"tone": qa.Line(5)}))
    assert card.score == Decimal("100.0")
    assert ScorecardLine.objects.filter(scorecard__reply=reply).count() == 5


def test_only_the_graded_operator_acknowledges_once(cast):
    reply = publish(cast.brand_a, cast.operator)
    card = qa.grade(reply=reply, grader=cast.supervisor, grade=full_grade())
    with pytest.raises(PermissionError):
        qa.acknowledge(scorecard=card, user=cast.supervisor)
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at is None
    assert qa.acknowledge(scorecard=card, user=cast.operator, now=WEDNESDAY) is True
    assert qa.acknowledge(scorecard=card, user=cast.operator) is False
    assert Scorecard.objects.get(pk=card.pk).acknowledged_at == WEDNESDAY
    assert Event.objects.filter(kind="qa.acknowledged").count() == 1
