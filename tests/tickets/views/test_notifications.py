"""In-app notifications: each user sees and clears only their own, of brands they still belong to."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_ticket
from tickets.models import Notification


@pytest.fixture
def notices(cast):
    ticket_a = make_ticket(cast.brand_a)
    ticket_b = make_ticket(cast.brand_b, author_id="b-1")
    now = timezone.now()
    mine = Notification.objects.create(
        user=cast.supervisor,
        brand=cast.brand_a,
        ticket=ticket_a,
        kind="sla.breach",
        data={"clock": "first_response"},
        created_at=now,
    )
    other = Notification.objects.create(
        user=cast.operator_b,
        brand=cast.brand_b,
        ticket=ticket_b,
        kind="sla.warning",
        data={"clock": "resolution"},
        created_at=now,
    )
    return mine, other


def test_the_list_shows_only_my_notifications(browser, cast, notices):
    mine, other = notices
    response = browser(cast.supervisor).get(reverse("tickets:notifications"))
    assert response.status_code == 200
    assert response.context["items"] == [mine]
    assert "SLA breached" in response.content.decode()


def test_an_outsider_sees_nothing(browser, cast, notices):
    response = browser(cast.outsider).get(reverse("tickets:notifications"))
    assert response.context["items"] == []
    assert browser(cast.outsider).get(reverse("tickets:notification_badge")).content.strip() == b""


def test_a_notification_of_a_brand_i_left_is_hidden(browser, cast, notices):
    cast.supervisor.memberships.all().delete()
    response = browser(cast.supervisor).get(reverse("tickets:notifications"))
    assert response.context["items"] == []


def test_the_badge_counts_unread(browser, cast, notices):
    response = browser(cast.supervisor).get(reverse("tickets:notification_badge"))
    assert response.status_code == 200
    assert response.context["unread"] == 1


def test_marking_read_touches_only_mine(browser, cast, notices):
    mine, other = notices
    response = browser(cast.supervisor).post(reverse("tickets:notifications_read"))
    assert response.status_code == 302
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None
    assert other.read_at is None


def test_marking_read_needs_post(browser, cast, notices):
    assert browser(cast.supervisor).get(reverse("tickets:notifications_read")).status_code == 405


def test_anonymous_goes_to_login(browser, cast):
    response = browser(None).get(reverse("tickets:notifications"))
    assert response.status_code == 302
