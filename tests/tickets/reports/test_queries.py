"""The report's figures against the hand-computed week in ``conftest.py``."""

from datetime import date

import pytest

from tickets.reports.queries import Compliance, Distribution, build_report, drill_down, nearest_rank

pytestmark = pytest.mark.django_db


def test_nearest_rank_percentiles():
    values = [60, 120, 300, 600]
    assert [nearest_rank(values, p) for p in (50, 90, 95, 100)] == [120, 600, 600, 600]
    assert nearest_rank([7], 50) == 7
    assert nearest_rank([], 50) is None
    assert [nearest_rank(list(range(1, 101)), p) for p in (50, 90, 95)] == [50, 90, 95]


def test_business_seconds_are_stamped_by_the_services(world):
    assert (world.t1.first_response_business_seconds, world.t1.resolution_business_seconds) == (1800, 1800)
    assert (world.t2.first_response_business_seconds, world.t2.resolution_business_seconds) == (3000, None)
    assert (world.t3.first_response_business_seconds, world.t3.resolution_business_seconds) == (5400, 5400)
    assert world.t4.first_response_business_seconds is None
    late = world.t2.replies.order_by("pk").last()
    assert late.next_response_business_seconds == 5400
    assert world.t2.replies.order_by("pk").first().next_response_started_at is None


def test_volume_and_heatmap(world):
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    assert report.tickets == 4
    assert report.per_day == [
        (date(2025, 4, 28), 1), (date(2025, 4, 29), 0), (date(2025, 4, 30), 1), (date(2025, 5, 1), 0),
        (date(2025, 5, 2), 1), (date(2025, 5, 3), 0), (date(2025, 5, 4), 1),
    ]  # fmt: skip
    cells = {(d, h): n for d, row in enumerate(report.heatmap) for h, n in enumerate(row) if n}
    assert cells == {(0, 10): 1, (2, 16): 1, (4, 16): 1, (6, 23): 1}


def test_times_and_percentiles(world):
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    assert report.fr_business == Distribution(3, 3000, 5400, 5400)
    assert report.fr_calendar == Distribution(3, 149_400, 233_400, 233_400)
    assert report.fr_customer == Distribution(3, 149_400, 235_200, 235_200)
    assert report.nr_business == Distribution(1, 5400, 5400, 5400)
    assert report.nr_calendar == Distribution(1, 5400, 5400, 5400)
    assert report.res_business == Distribution(2, 1800, 5400, 5400)
    assert report.res_calendar == Distribution(2, 1800, 149_400, 149_400)
    assert report.split == {
        "queue": Distribution(3, 147_900, 232_800, 232_800),
        "handling": Distribution(3, 600, 1500, 1500),
        "review": Distribution(3, 0, 0, 0),
        "delivery": Distribution(3, 0, 600, 600),
    }


def test_sla_compliance(world):
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    assert (report.fr, report.fr.percent) == (Compliance(met=2, breached=2), 50.0)
    assert (report.nr, report.nr.percent) == (Compliance(met=0, breached=1), 0.0)
    assert (report.res, report.res.percent) == (Compliance(met=2, breached=0), 100.0)
    assert (report.replies_submitted, report.replies_approved, report.approval_percent) == (4, 4, 100.0)


def test_breakdowns(world, cast):
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    platforms = {g.key: (g.tickets, g.first_response.p50, g.fr_compliance.percent, g.res_compliance.percent)
                 for g in report.by_platform}  # fmt: skip
    assert platforms == {
        "x": (2, 1800, 50.0, 100.0),
        "facebook": (1, 3000, 100.0, None),
        "instagram": (1, None, 0.0, None),
    }
    assert [(g.key, g.tickets) for g in report.by_priority] == [("2", 4)]
    operators = {g.key: (g.label, g.tickets) for g in report.by_operator}
    assert operators == {str(cast.operator.pk): ("op_a", 2), str(cast.supervisor.pk): ("sup_a", 1), "none": ("none", 1)}
    assert {g.key: g.tickets for g in report.by_sentiment} == {"negative": 1, "positive": 1, "unknown": 2}


def test_breakdown_by_tag_counts_a_ticket_in_each_of_its_tags(world):
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    by_tag = [(g.key, g.label, g.tickets, g.first_response, g.fr_compliance, g.res_compliance) for g in report.by_tag]
    assert by_tag == [
        ("refund", "refund", 2, Distribution(2, 1800, 5400, 5400), Compliance(1, 1), Compliance(2, 0)),
        ("vip", "vip", 2, Distribution(2, 1800, 3000, 3000), Compliance(2, 0), Compliance(1, 0)),
        ("-", "-", 1, Distribution(0, None, None, None), Compliance(0, 1), Compliance(0, 0)),
    ]
    percents = [(g.fr_compliance.percent, g.res_compliance.percent) for g in report.by_tag]
    assert percents == [(50.0, 100.0), (100.0, 100.0), (0.0, None)]


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("all", "", ["t1", "t3", "t2", "t4"]),
        ("day", "2025-05-04", ["t4"]),
        ("hour", "6-23", ["t4"]),
        ("fr_answered", "", ["t1", "t3", "t2"]),
        ("fr_met", "", ["t1", "t2"]),
        ("fr_breached", "", ["t3", "t4"]),
        ("nr_answered", "", ["t2"]),
        ("nr_breached", "", ["t2"]),
        ("resolved", "", ["t1", "t3"]),
        ("res_met", "", ["t1", "t3"]),
        ("res_breached", "", []),
        ("platform", "x", ["t1", "t3"]),
        ("priority", "2", ["t1", "t3", "t2", "t4"]),
        ("operator", "none", ["t4"]),
        ("sentiment", "unknown", ["t2", "t4"]),
        ("sentiment", "negative", ["t1"]),
        ("tag", "refund", ["t1", "t3"]),
        ("tag", "vip", ["t1", "t2"]),
        ("tag", "-", ["t4"]),
        ("tag", "nobody-uses-it", []),
    ],
)
def test_drill_down_lists_the_tickets_behind_each_figure(world, metric, value, expected):
    names = {getattr(world, n).pk: n for n in ("t1", "t2", "t3", "t4", "t5", "t6", "t7")}
    qs = drill_down([world.t1.brand_id], world.rng, metric=metric, value=value, now=world.now)
    assert [names[t.pk] for t in qs] == expected


def test_the_time_zone_boundary_follows_the_brand(world):
    # the same UTC day holds T4 (in) and T5 (out): the local day decides
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    assert report.tickets == 4
    later = type(world.rng)(date(2025, 5, 5), date(2025, 5, 5), world.rng.tz)
    assert [t.pk for t in drill_down([world.t1.brand_id], later, metric="all", now=world.now)] == [world.t5.pk]


def test_review_decisions_and_reasons(world, cast):
    # T1's reply was sent back once for its tone, then approved: two decisions, 50 % approved
    from tickets.models import ReviewDecision

    reply = world.t1.replies.get()
    for verdict, code in (("changes_requested", "tone"), ("approved", "")):
        ReviewDecision.objects.create(
            reply=reply, reviewer=cast.supervisor, verdict=verdict, revision=1, reason_code=code, created_at=world.now
        )
    report = build_report([world.t1.brand_id], world.rng, now=world.now)
    assert report.decisions == {"changes_requested": 1, "approved": 1}
    assert report.change_reasons == [("tone", "Tone", 1)]
    assert report.review_approval_percent == 50.0
    listed = drill_down([world.t1.brand_id], world.rng, metric="changes_requested", value="tone", now=world.now)
    assert [t.pk for t in listed] == [world.t1.pk]


@pytest.mark.parametrize("value", ["", "x" * 41])
def test_a_tag_drill_down_needs_a_tag(world, value):
    from tickets.reports.queries import DrillDownError

    with pytest.raises(DrillDownError):
        drill_down([world.t1.brand_id], world.rng, metric="tag", value=value, now=world.now)
