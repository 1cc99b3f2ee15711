"""My performance (/me/performance/, docs/team.md): an operator's own figures beside the team's medians, review
outcomes by reason and the snippets they edit before sending; scoped to the brands they work."""

import pytest
from django.utils import timezone

from brands.models import ReviewPolicy, Role
from tests.factories import make_member, make_snippet, make_ticket, make_user
from tests.helpers import db_state
from tickets.models import ReviewDecision
from tickets.reports.performance import performance
from tickets.reports.queries import ReportRange
from tickets.services import replies, workflow

pytestmark = pytest.mark.django_db


def _rng(brand) -> ReportRange:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(brand.time_zone)
    today = timezone.now().astimezone(zone).date()
    return ReportRange(today - timedelta(days=29), today, zone)


@pytest.fixture
def team(cast):
    """Brand A: the operator owns three tickets (one resolved), a second operator owns one; review on every reply.
    The operator's first reply is sent back for its tone, their second approved; they edited a snippet once."""
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    other = make_user("op_a2")
    make_member(other, cast.brand_a, Role.OPERATOR)
    mine = [
        workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id=f"m{i}"), user=cast.operator) for i in range(3)
    ]
    theirs = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="t0"), user=other)
    workflow.resolve_ticket(ticket=mine[0], user=cast.operator)
    snippet = make_snippet(
        cast.brand_a, title="Salam <pembuka>", body="Halo {customer_name}, ada yang bisa kami bantu?"
    )
    first = replies.submit_reply(
        ticket=mine[1], user=cast.operator, body="Halo Kak, ada yang bisa dibantu?", snippet_ids=[snippet.pk]
    )
    replies.request_changes(reply=first, user=cast.supervisor, code="tone", note="Lebih ramah")
    second = replies.submit_reply(ticket=mine[2], user=cast.operator, body="Mohon ditunggu ya Kak")
    replies.approve_reply(reply=second, user=cast.supervisor)
    theirs_reply = replies.submit_reply(ticket=theirs, user=other, body="Baik Kak")
    replies.approve_reply(reply=theirs_reply, user=cast.supervisor)
    return {"other": other, "snippet": snippet}


def test_the_operator_sees_their_figures_beside_the_team_median(cast, team):
    perf = performance(cast.operator, [cast.brand_a.pk], _rng(cast.brand_a))
    figures = {f.key: (f.mine, f.team) for f in perf.figures}
    assert figures["handled"] == (3, 1)  # the nearest-rank median of 1 and 3
    assert figures["in_channel"] == (100.0, 100.0)
    assert figures["reopen_rate"] == (0.0, 0.0)
    assert figures["approval"] == (50.0, 50.0)  # 1 of 2 for me, 1 of 1 for them: nearest-rank median 50
    assert perf.decisions == {"approved": 1, "edited": 0, "changes": 1}
    assert perf.reasons == [("tone", "Tone", 1)]
    (snippet,) = perf.snippets
    assert (snippet.pk, snippet.edited, snippet.as_is) == (team["snippet"].pk, 1, 0)
    assert perf.team_size == 2


def test_the_page_shows_only_what_exists_and_escapes_titles(cast, browser, team):
    body = browser(cast.operator).get("/me/performance/").content.decode()
    assert "Me and the team" in body
    assert "Team median" in body
    assert "Tone" in body
    assert "Salam &lt;pembuka&gt;" in body
    assert "Salam <pembuka>" not in body
    # no scorecard yet: the QA section says so and shows no figure (tests/qa/test_views.py shows one)
    assert "None of your replies published in this period was graded." in body
    assert 'data-figure="qa_score"' not in body
    assert 'href="/me/performance/"' in body  # the navigation link


def test_who_may_open_it(cast, browser, team):
    assert browser(cast.operator).get("/me/performance/").status_code == 200
    assert browser(cast.supervisor).get("/me/performance/").status_code == 200
    assert browser(cast.manager).get("/me/performance/").status_code == 403  # works no ticket
    assert browser(cast.outsider).get("/me/performance/").status_code == 403
    assert browser(cast.operator_b).get("/me/performance/?brand=acme").status_code == 404
    assert browser(cast.manager).get("/me/performance/?brand=acme").status_code == 403
    response = browser(None).get("/me/performance/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert 'href="/me/performance/"' not in browser(cast.manager).get("/queue/").content.decode()


def test_another_brand_never_shows(cast, browser, team):
    """Brand B's operator sees their own brand's (empty) figures, nothing of brand A's team or snippets."""
    body = browser(cast.operator_b).get("/me/performance/").content.decode()
    assert "Salam" not in body
    assert "op_a" not in body
    perf = performance(cast.operator_b, [cast.brand_b.pk], _rng(cast.brand_b))
    assert perf.team_size == 0
    assert all(f.team is None for f in perf.figures if f.key != "handled")


def test_a_hostile_filter_is_ignored_and_named(cast, browser, team):
    before = db_state()
    response = browser(cast.operator).get("/me/performance/?days=99999999999999999999&brand=" + "x" * 500)
    assert response.status_code == 200
    assert dict(response.context["ignored_filters"]).keys() == {"days", "brand"}
    assert response.context["days"] == 30
    assert db_state() == before


@pytest.mark.parametrize("n", [1, 6])
def test_the_page_takes_the_same_queries_whatever_the_history(cast, browser, n, django_assert_num_queries):
    for i in range(n):
        ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id=f"q{i}"), user=cast.operator)
        snippet = make_snippet(cast.brand_a, title=f"S{i}", body=f"Teks {i}")
        replies.submit_reply(ticket=ticket, user=cast.operator, body="Halo", snippet_ids=[snippet.pk])
    client = browser(cast.operator)
    client.get("/me/performance/")  # the presence stamp
    # session, user, roles, brands, the tickets, the decisions, the snippet events, the snippets' titles, the
    # scorecards (none here: their lines and the latest are not read)
    with django_assert_num_queries(9):
        assert client.get("/me/performance/?days=7").status_code == 200
    assert ReviewDecision.objects.count() == 0
