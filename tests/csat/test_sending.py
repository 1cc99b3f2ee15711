"""Surveys after resolution (docs/csat.md): once per ticket, where the platform allows, in the customer's language,
through the publishing path (the platform faked at its HTTP boundary only)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import SpamPattern
from brands.services import csat as csat_settings
from tests.csat.conftest import dm_ticket
from tests.factories import make_ticket
from tickets.models import CsatSurvey, Event, TicketStatus
from tickets.services import csat, workflow

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/csat/([^/\s]+)/")


def test_a_resolved_dm_gets_one_survey_in_the_customers_language(resolve, cast, surveyed, fake_platform):
    ticket = dm_ticket(cast, fake_platform, language="en")

    resolve(ticket, cast.operator)

    (post,) = fake_platform.posts()
    assert post.path == "/graph/me/messages"
    text = post.body["message"]["text"]
    assert text.startswith("Thank you for contacting us. How did we do?")
    assert post.body["recipient"] == {"id": "psid-1"}
    token = LINK.search(text).group(1)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert csat.read_token(token) == survey
    assert (survey.status, survey.route, survey.language, survey.operator_id) == ("sent", "dm", "en", cast.operator.pk)
    assert survey.platform_message_id
    assert token not in survey.body  # the stored text keeps no usable link
    kinds = list(Event.objects.filter(ticket=ticket, kind__startswith="csat.").values_list("kind", flat=True))
    assert kinds == ["csat.planned", "csat.sent"]
    ticket.refresh_from_db()
    assert ticket.last_response_at is None  # a survey is no response: the SLA figures never count it


def test_indonesian_by_ticket_language_or_the_brand_default(resolve, cast, surveyed, fake_platform):
    ticket = dm_ticket(cast, fake_platform, language="")  # unknown: the brand's default (id)
    resolve(ticket, cast.operator)
    (post,) = fake_platform.posts()
    assert post.body["message"]["text"].startswith("Terima kasih telah menghubungi kami.")


def test_once_per_ticket_even_when_reopened_and_resolved_again(resolve, cast, surveyed, fake_platform):
    ticket = dm_ticket(cast, fake_platform)
    resolve(ticket, cast.operator)
    workflow.reopen_ticket(ticket=ticket, user=cast.operator)
    resolve(ticket, cast.operator)
    assert len(fake_platform.posts()) == 1
    assert CsatSurvey.objects.filter(ticket=ticket).count() == 1


def test_not_when_resolved_again_within_the_window(resolve, cast, surveyed, fake_platform):
    """Resolved before the brand switched surveys on, reopened, resolved again within the window: no survey."""
    surveyed.enabled = False
    surveyed.save()
    ticket = dm_ticket(cast, fake_platform)
    now = timezone.now()
    resolve(ticket, cast.operator, now=now - timedelta(hours=10))
    workflow.reopen_ticket(ticket=ticket, user=cast.operator, now=now - timedelta(hours=9))
    csat_settings.update_csat_settings(brand=cast.brand_a, values={"enabled": True, "repeat_window_hours": 24})
    resolve(ticket, cast.operator, now=now)
    assert not CsatSurvey.objects.filter(ticket=ticket).exists()
    # past the window it is asked
    workflow.reopen_ticket(ticket=ticket, user=cast.operator, now=now + timedelta(hours=1))
    resolve(ticket, cast.operator, now=now + timedelta(hours=30))
    assert CsatSurvey.objects.filter(ticket=ticket).count() == 1


def test_never_for_a_ticket_ignored_as_noise(resolve, cast, surveyed, fake_platform):
    SpamPattern.objects.create(brand=cast.brand_a, pattern="promo gratis", label="spam")
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="dm", platform_id="m_s", text="promo gratis klik")
    assert ticket.status == TicketStatus.IGNORED
    workflow.restore_ticket(ticket=ticket, user=cast.supervisor)
    ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator)
    resolve(ticket, cast.operator)
    assert not CsatSurvey.objects.exists()
    assert fake_platform.posts() == []


def test_not_when_the_brand_has_no_settings_or_switched_off(resolve, cast, fake_platform):
    ticket = dm_ticket(cast, fake_platform)
    resolve(ticket, cast.operator)
    assert not CsatSurvey.objects.exists()
    assert fake_platform.posts() == []


@pytest.mark.parametrize(
    ("platform", "kind", "public_replies", "path"),
    [
        ("facebook", "comment", False, None),
        ("facebook", "comment", True, "/graph/c_1/comments"),
        ("instagram", "comment", True, "/graph/c_1/replies"),
        ("x", "post", True, None),  # X: never in public
        ("youtube", "comment", True, None),  # YouTube: never
    ],
)
def test_public_replies_only_where_the_platform_and_the_brand_allow(
    resolve, cast, surveyed, fake_platform, platform, kind, public_replies, path
):
    csat_settings.update_csat_settings(
        brand=cast.brand_a, values={"public_replies": public_replies, "platforms": "facebook,instagram,x,youtube"}
    )
    ticket = dm_ticket(cast, fake_platform, platform=platform, kind=kind, item="c_1")
    resolve(ticket, cast.operator)
    posts = fake_platform.posts()
    if path is None:
        assert posts == []
        assert not CsatSurvey.objects.exists()
    else:
        (post,) = posts
        assert post.path == path
        assert CsatSurvey.objects.get().route == "public"


def test_a_platform_the_brand_did_not_choose_gets_none(resolve, cast, surveyed, fake_platform):
    csat_settings.update_csat_settings(brand=cast.brand_a, values={"platforms": "instagram"})
    resolve(dm_ticket(cast, fake_platform), cast.operator)
    assert fake_platform.posts() == []


def test_outside_messengers_window_the_survey_fails_and_nothing_is_retried(resolve, cast, surveyed, fake_platform):
    then = timezone.now() - timedelta(days=3)
    ticket = dm_ticket(cast, fake_platform, now=then)
    resolve(ticket, cast.operator)
    survey = CsatSurvey.objects.get()
    assert survey.status == "failed"
    assert "24-hour window" in survey.failure_reason
    assert fake_platform.posts() == []
    assert csat.send_survey(survey_id=survey.pk) is None  # done: a late task or the sweep sends nothing


def test_an_unknown_outcome_is_looked_up_before_a_second_post(resolve, cast, surveyed, fake_platform):
    """A 503 after the comment was published: the next try finds it and posts nothing."""
    csat_settings.update_csat_settings(brand=cast.brand_a, values={"public_replies": True})
    ticket = dm_ticket(cast, fake_platform, kind="comment", item="c_9")
    fake_platform.script("POST", "/graph/c_9/comments", 503, {"error": {"message": "later"}}, publish_first=True)
    resolve(ticket, cast.operator)
    survey = CsatSurvey.objects.get()
    assert (survey.status, survey.outcome_unknown) == ("pending", True)

    csat.sweep_surveys_task.apply()  # not yet due for the sweep: still pending
    again = csat.send_survey(survey_id=survey.pk)

    assert again.status == "sent"
    assert len(fake_platform.posts()) == 1
    assert again.platform_message_id == fake_platform.published[0]["id"]


def test_a_messenger_survey_with_an_unknown_outcome_fails_rather_than_posting_twice(
    resolve, cast, surveyed, fake_platform
):
    ticket = dm_ticket(cast, fake_platform)
    fake_platform.script("POST", "/graph/me/messages", 503, {"error": {"message": "later"}}, publish_first=True)
    resolve(ticket, cast.operator)
    survey = csat.send_survey(survey_id=CsatSurvey.objects.get().pk)
    assert survey.status == "failed"
    assert "cannot be looked up" in survey.failure_reason
    assert len(fake_platform.posts()) == 1


def test_without_a_token_the_console_records_it(resolve, cast, surveyed):
    ticket = make_ticket(cast.brand_a, platform="facebook", kind="dm", platform_id="m_c")
    ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator)
    resolve(ticket, cast.operator)
    survey = CsatSurvey.objects.get()
    assert (survey.delivery_channel, survey.status) == ("console", "sent")
    assert ticket.status == TicketStatus.OPEN  # the copy passed in is unchanged
