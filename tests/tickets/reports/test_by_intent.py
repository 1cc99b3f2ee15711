"""Reports break down by intent (docs/intent.md): the tickets by their first mention's intent, with the figures of
every breakdown, a drill-down and the report page's "By intent" panel."""

import pytest

from tickets.models import Mention
from tickets.reports.queries import DrillDownError, build_report, drill_down

from .test_views import RANGE


@pytest.fixture
def intents(world):
    """T1 a complaint (its sentiment: negative), T3 a question (positive); T2 and T4 from before intents (none)."""
    Mention.objects.filter(ticket=world.t1).update(intent="complaint")
    Mention.objects.filter(ticket=world.t3).update(intent="question")
    Mention.objects.filter(ticket__in=[world.t2, world.t4]).update(intent="")
    return world


def figures(groups) -> dict[str, tuple]:
    return {g.key: (g.label, g.tickets, g.first_response, g.fr_compliance, g.res_compliance) for g in groups}


def test_the_breakdown_by_intent_has_the_figures_of_the_same_tickets_by_sentiment(intents):
    report = build_report([intents.t1.brand_id], intents.rng, now=intents.now)
    by_intent, by_sentiment = figures(report.by_intent), figures(report.by_sentiment)
    assert {k: v[:2] for k, v in by_intent.items()} == {
        "complaint": ("Complaint", 1),
        "question": ("Question", 1),
        "unknown": ("unknown", 2),
    }
    # the same tickets as negative (T1), positive (T3) and unknown (T2, T4) by sentiment: the same figures
    assert by_intent["complaint"][1:] == by_sentiment["negative"][1:]
    assert by_intent["question"][1:] == by_sentiment["positive"][1:]
    assert by_intent["unknown"][1:] == by_sentiment["unknown"][1:]


@pytest.mark.parametrize(
    ("value", "tickets"), [("complaint", ["t1"]), ("question", ["t3"]), ("unknown", ["t4", "t2"]), ("praise", [])]
)
def test_the_drill_down_by_intent(intents, value, tickets):
    listed = drill_down([intents.t1.brand_id], intents.rng, metric="intent", value=value, now=intents.now)
    assert sorted(t.pk for t in listed) == sorted(getattr(intents, name).pk for name in tickets)


@pytest.mark.parametrize("value", ["", "anger", "x" * 30])
def test_an_unknown_intent_is_refused(intents, value):
    with pytest.raises(DrillDownError):
        drill_down([intents.t1.brand_id], intents.rng, metric="intent", value=value, now=intents.now)


def test_the_report_page_shows_the_intent_panel_with_its_links(intents, cast, browser):
    body = browser(cast.manager).get("/reports/acme/" + RANGE).content.decode()
    panel = body[body.index("By intent of the first mention") :]
    assert '<th scope="row">Complaint</th>' in panel
    assert '<th scope="row">Unknown</th>' in panel
    assert "metric=intent&amp;value=complaint" in panel
    drill = browser(cast.manager).get("/reports/acme/tickets/" + RANGE + "&metric=intent&value=complaint")
    assert drill.status_code == 200
    assert f"T-{intents.t1.pk}" in drill.content.decode()
