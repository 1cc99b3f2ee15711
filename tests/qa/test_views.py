"""The QA pages (docs/qa.md): scoping (outsider 404, in scope without the capability 403, a refused call changes
and sends nothing), grading through the page, blind grading, an operator's scorecards and their acknowledgement,
the rubric settings, the report and My performance."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from brands.models import ConfigChange, QaCriterion, QaSettings
from tests.helpers import db_state
from tickets.models import Scorecard
from tickets.services import qa

from .conftest import form_data, full_grade, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(cast, second_supervisor):
    """Brand A: a reply of the operator published now (customer text with markup), graded by the supervisor."""
    reply = publish(cast.brand_a, cast.operator, body="Halo <b>Kak</b>, sudah kami cek", at=timezone.now())
    card = qa.grade(
        reply=reply,
        grader=cast.supervisor,
        grade=full_grade(score=4, etiquette=2, coaching="Pindahkan ke DM <i>ya</i>"),
    )
    return {"reply": reply, "card": card}


def _body(response) -> str:
    return response.content.decode()


# --- /qa/ ---------------------------------------------------------------------------------------------------------


def test_the_supervisor_sees_the_weeks_sample_and_who_graded(cast, browser, graded):
    other = publish(cast.brand_a, cast.operator, at=timezone.now() - timedelta(seconds=5))
    QaSettings.objects.create(brand=cast.brand_a, sample_percent=100)
    response = browser(cast.supervisor).get("/qa/")
    assert response.status_code == 200
    body = _body(response)
    assert "To grade: Acme Telco" in body
    assert f'data-reply="{graded["reply"].pk}"' in body
    assert f'data-reply="{other.pk}"' in body
    assert "Halo &lt;b&gt;Kak&lt;/b&gt;" in body
    assert "Halo <b>Kak</b>" not in body
    assert "Your scorecard" in body
    assert 'href="/qa/"' in body  # the navigation link


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("operator", "", 403),
        ("manager", "", 403),
        ("outsider", "", 403),
        ("operator_b", "?brand=acme", 404),
        ("operator", "?brand=acme", 403),
        ("supervisor", "?brand=globex", 404),
    ],
)
def test_qa_is_for_graders_of_the_brand(cast, browser, graded, who, query, status):
    assert browser(getattr(cast, who)).get(f"/qa/{query}").status_code == status


def test_odd_filters_fall_back_and_are_named(cast, browser, graded):
    response = browser(cast.supervisor).get("/qa/?week=2026-W99&brand=acme")
    assert response.status_code == 200
    assert "2026-W99" not in _body(response).split("</form>")[1]


# --- grading ------------------------------------------------------------------------------------------------------


def test_a_supervisor_grades_through_the_page_and_the_operator_is_notified(cast, browser, graded, second_supervisor):
    url = f"/qa/replies/{graded['reply'].pk}/"
    page = browser(second_supervisor).get(url)
    assert page.status_code == 200
    body = _body(page)
    # blind: the first grader's scores and comments are not shown before grading
    assert "1 other person graded this reply" in body
    assert "Pindahkan ke DM" not in body
    response = browser(second_supervisor).post(url, form_data(score=5, coaching="Mantap"), follow=True)
    assert response.status_code == 200
    body = _body(response)
    assert "Scorecard saved. The operator is notified." in body
    assert "Pindahkan ke DM &lt;i&gt;ya&lt;/i&gt;" in body  # now the other scorecard is shown, escaped
    card = Scorecard.objects.get(reply=graded["reply"], grader=second_supervisor)
    assert (card.score, card.coaching) == (100, "Mantap")
    notices = browser(cast.operator).get("/notifications/")
    assert "was graded: 100.0%" in _body(notices)


def test_a_low_score_without_a_comment_is_shown_again_and_nothing_is_saved(cast, browser, graded, second_supervisor):
    before = db_state()
    response = browser(second_supervisor).post(f"/qa/replies/{graded['reply'].pk}/", form_data(score=4, tone=1))
    assert response.status_code == 400
    assert "Say why in a comment: a score of 1 or 2 needs one." in _body(response)
    assert db_state() == before


def test_grading_twice_is_refused_and_the_first_scorecard_stays(cast, browser, graded):
    response = browser(cast.supervisor).post(f"/qa/replies/{graded['reply'].pk}/", form_data(score=1), follow=True)
    assert "You already graded this reply." in _body(response)
    assert list(Scorecard.objects.values_list("grader_id", "score")) == [(cast.supervisor.pk, graded["card"].score)]


def test_a_supervisor_cannot_grade_their_own_reply(cast, browser):
    own = publish(cast.brand_a, cast.supervisor, at=timezone.now())
    page = browser(cast.supervisor).get(f"/qa/replies/{own.pk}/")
    assert "You cannot grade your own reply." in _body(page)
    response = browser(cast.supervisor).post(f"/qa/replies/{own.pk}/", form_data())
    assert response.status_code == 302
    assert Scorecard.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("manager", 403), ("operator_b", 404), ("outsider", 404)]
)
def test_grading_is_refused_outside_the_capability_and_changes_and_sends_nothing(
    cast, browser, graded, who, status, django_capture_on_commit_callbacks
):
    url = f"/qa/replies/{graded['reply'].pk}/"
    before = db_state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert browser(getattr(cast, who)).get(url).status_code == status
        response = browser(getattr(cast, who)).post(url, form_data(score=5))
    assert response.status_code == status
    assert "Halo" not in _body(response)
    assert db_state() == before
    assert (callbacks, mail.outbox) == ([], [])


# --- the operator's scorecards ------------------------------------------------------------------------------------


def test_the_operator_reads_their_scorecards_with_every_comment(cast, browser, graded):
    body = _body(browser(cast.operator).get("/me/scorecards/"))
    assert "74.0%" in body  # (25·4 + 25·4 + 20·4 + 15·4 + 15·2) / 500
    assert "Etika platform" in body  # the rubric's names as the brand stored them (in its language)
    assert "perlu lebih ramah" in body
    assert "Pindahkan ke DM &lt;i&gt;ya&lt;/i&gt;" in body
    assert "Acknowledge" in body


def test_nobody_else_reads_an_operators_scorecards(cast, browser, graded):
    from brands.models import Role
    from tests.factories import make_member, make_user

    colleague = make_user("op_a2")
    make_member(colleague, cast.brand_a, Role.OPERATOR)
    assert "perlu lebih ramah" not in _body(browser(colleague).get("/me/scorecards/"))
    assert browser(cast.manager).get("/me/scorecards/").status_code == 403
    assert browser(cast.outsider).get("/me/scorecards/").status_code == 403


def test_only_the_graded_operator_acknowledges_once(cast, browser, graded, second_supervisor):
    url = f"/me/scorecards/{graded['card'].pk}/acknowledge/"
    before = db_state()
    for user in (cast.supervisor, second_supervisor, cast.manager, cast.operator_b, cast.outsider):
        assert browser(user).post(url).status_code == 404
    assert browser(cast.operator).get(url).status_code == 405
    assert db_state() == before
    first = browser(cast.operator).post(url, follow=True)
    assert "Scorecard acknowledged." in _body(first)
    when = Scorecard.objects.get(pk=graded["card"].pk).acknowledged_at
    assert when is not None
    second = browser(cast.operator).post(url, {"back": "performance"})
    assert second.status_code == 302
    assert second["Location"] == f"/me/performance/#sc{graded['card'].pk}"
    assert Scorecard.objects.get(pk=graded["card"].pk).acknowledged_at == when


def test_acknowledging_needs_the_csrf_token(cast, graded):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.operator)
    assert client.post(f"/me/scorecards/{graded['card'].pk}/acknowledge/").status_code == 403
    assert Scorecard.objects.get(pk=graded["card"].pk).acknowledged_at is None


def test_my_performance_shows_my_qa_score_and_comments(cast, browser, graded):
    body = _body(browser(cast.operator).get("/me/performance/"))
    score = graded["card"].score
    assert "My QA scorecards" in body
    assert f"{score}%" in body
    assert "perlu lebih ramah" in body
    assert 'data-criterion="Etika platform"' in body
    assert "Acknowledge" in body


# --- the rubric settings ------------------------------------------------------------------------------------------


def _settings_form(rows, percent=10) -> dict:
    data = {"sample_percent": percent, "c-TOTAL_FORMS": len(rows), "c-INITIAL_FORMS": 0}
    for i, row in enumerate(rows):
        for k, v in row.items():
            if v is not None:
                data[f"c-{i}-{k}"] = v
    return data


def test_the_supervisor_sets_the_rubric_and_the_share(cast, browser):
    page = browser(cast.supervisor).get("/settings/acme/qa/")
    assert page.status_code == 200
    assert 'value="Nada pelayanan"' in _body(page)
    assert QaCriterion.objects.count() == 0  # showing the defaults writes nothing
    rows = [
        {"key": "tone", "name": "Nada", "description": "", "weight": 50, "is_active": "on"},
        {"key": "", "name": "Empati", "description": "Mengakui perasaan", "weight": 5},
        {"key": "", "name": "", "description": "", "weight": ""},
    ]
    response = browser(cast.supervisor).post("/settings/acme/qa/", _settings_form(rows, 20))
    assert response.status_code == 302
    assert list(QaCriterion.objects.filter(brand=cast.brand_a).values_list("key", "weight", "is_active")) == [
        ("tone", 50, True),
        ("empati", 5, True),
        ("knowledge", 25, True),
        ("ownership", 20, True),
        ("language", 15, True),
        ("etiquette", 15, True),
    ]
    assert ConfigChange.objects.get().kind == "qa_rubric.updated"
    history = _body(browser(cast.supervisor).get("/settings/acme/history/"))
    assert "QA rubric" in history


@pytest.mark.parametrize("weight", ["0", "-1", "1.5", "abc", "101"])
def test_a_weight_that_is_not_a_positive_whole_number_is_refused(cast, browser, weight):
    rows = [{"key": "tone", "name": "Nada", "description": "", "weight": weight, "is_active": "on"}]
    before = db_state()
    response = browser(cast.supervisor).post("/settings/acme/qa/", _settings_form(rows))
    assert response.status_code == 400
    assert db_state() == before


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("operator", 403), ("operator_b", 404)])
def test_the_rubric_is_the_supervisors(cast, browser, who, status):
    rows = [{"key": "tone", "name": "Nada", "description": "", "weight": 9, "is_active": "on"}]
    before = db_state()
    assert browser(getattr(cast, who)).get("/settings/acme/qa/").status_code == status
    assert browser(getattr(cast, who)).post("/settings/acme/qa/", _settings_form(rows)).status_code == status
    assert db_state() == before


def test_the_settings_navigation_links_the_qa_page(cast, browser):
    body = _body(browser(cast.supervisor).get("/settings/acme/csat/"))
    assert 'href="/settings/acme/qa/"' in body


# --- the report ---------------------------------------------------------------------------------------------------


def test_the_manager_reads_qa_scores_by_operator_criterion_and_week_in_the_report(cast, browser, graded):
    today = timezone.localdate()
    query = f"?start={(today - timedelta(days=13)).isoformat()}&end={today.isoformat()}"
    body = _body(browser(cast.manager).get(f"/reports/acme/{query}"))
    section = body.split('id="qa"')[1].split("</section>")[0]
    score = f"{graded['card'].score}%"
    assert "1 scorecard, mean QA score" in section
    assert re.search(rf"<th scope=\"row\">op_a</th><td>1</td><td>{re.escape(score)}</td>", section)
    assert '<th scope="row">Etika platform</th><td>1</td><td>2.0</td>' in section
    assert section.count("<tr>") >= 2 + 5 + 2  # operator, criteria, two or three weeks
    export = browser(cast.manager).get(f"/reports/acme/export/{query}&format=csv&data=qa")
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0] == "week,operator,criterion,scorecards,mean"
    assert f",op_a,,1,{graded['card'].score}" in lines
