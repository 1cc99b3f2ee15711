"""The team view (/team/, docs/team.md): what a supervisor sees of the shift, who may see it, the htmx fragment,
assigning a ticket about to breach, and the number of queries whatever the number of tickets."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from brands.models import Presence, ReviewPolicy, Role
from tests.factories import make_brand, make_member, make_ticket, make_user
from tests.helpers import db_state
from tickets.models import Event, Notification, Ticket, TicketStatus
from tickets.selectors.team import shift, volume
from tickets.services import replies, workflow

pytestmark = pytest.mark.django_db


def _overdue(ticket: Ticket, minutes: int = 5) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - timedelta(minutes=minutes))
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def floor(cast):
    """Brand A's shift: the operator online, owning one claimed ticket not answered and one with a reply in
    review; an unassigned ticket overdue; brand B with a ticket of its own (never shown to brand A)."""
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    Presence.objects.create(user=cast.operator, last_seen_at=timezone.now())
    claimed = workflow.claim_ticket(
        ticket=make_ticket(cast.brand_a, author_id="c1", text="sinyal hilang"), user=cast.operator
    )
    reviewed = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="c2"), user=cast.operator)
    replies.submit_reply(ticket=reviewed, user=cast.operator, body="Halo Kak, kami cek dulu ya")
    waiting = _overdue(make_ticket(cast.brand_a, author_id="c3", text="<b>tolong</b> tagihan"))
    foreign = _overdue(make_ticket(cast.brand_b, author_id="c9", text="GLOBEX-SECRET"))
    return {"claimed": claimed, "reviewed": reviewed, "waiting": waiting, "foreign": foreign}


def test_the_supervisor_sees_the_shift(cast, browser, floor):
    data = shift([cast.brand_a], now=timezone.now())
    (operator,) = [m for m in data.members if m.user_id == cast.operator.pk]
    assert (operator.online, operator.load, operator.unanswered, operator.in_review) == (True, 2, 1, 1)
    assert data.unassigned == 1
    assert data.overdue == 1
    assert [t.pk for t in data.breaching] == [floor["waiting"].pk]
    assert data.volume.today == 3

    body = browser(cast.supervisor).get("/team/").content.decode()
    assert "About to breach" in body
    assert floor["waiting"].reference in body
    assert "&lt;b&gt;tolong&lt;/b&gt;" in body
    assert "<b>tolong</b>" not in body
    assert "GLOBEX-SECRET" not in body
    assert floor["foreign"].reference not in body
    assert f'action="/tickets/{floor["waiting"].pk}/assign/"' in body
    assert "op_b" not in body


def test_the_brand_page_and_who_may_see_it(cast, browser, floor):
    assert browser(cast.supervisor).get("/team/acme/").status_code == 200
    assert browser(cast.operator_b).get("/team/acme/").status_code == 404  # another brand's: not found
    assert browser(cast.outsider).get("/team/acme/").status_code == 404
    assert browser(cast.manager).get("/team/acme/").status_code == 403  # read-only: in scope, no team:view
    assert browser(cast.operator).get("/team/acme/").status_code == 403
    for user in (cast.operator, cast.manager, cast.operator_b, cast.outsider):
        assert browser(user).get("/team/").status_code == 403
    response = browser(None).get("/team/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert browser(cast.admin).get("/team/").status_code == 200


def test_the_fragment_is_what_the_page_polls(cast, browser, floor):
    page = browser(cast.supervisor).get("/team/").content.decode()
    assert 'hx-trigger="every 15s" data-visible-only data-pause-on-focus' in page
    response = browser(cast.supervisor).get("/team/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="team-body")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="team-body"')
    assert "<html" not in body
    assert floor["waiting"].reference in body


def test_numbers_in_attributes_are_not_localised(cast, browser, settings):
    """With grouping on every digit, any localised number in an attribute would show a separator."""
    settings.USE_THOUSAND_SEPARATOR, settings.NUMBER_GROUPING = True, 1
    for i in range(10):
        make_ticket(cast.brand_b, author_id=f"b{i}")
    ticket = _overdue(make_ticket(cast.brand_a, author_id="a"))
    assert ticket.pk >= 10
    client = browser(cast.supervisor)
    client.post("/i18n/setlang/", {"language": "id"})
    body = client.get("/team/").content.decode()
    assert f'action="/tickets/{ticket.pk}/assign/"' in body
    assert f'data-ticket="{ticket.pk}"' in body
    assert f'id="assign-{ticket.pk}"' in body
    assert "Hampir melewati batas" in body  # Indonesian


def test_navigation_shows_the_team_to_supervisors_only(cast, browser):
    assert 'href="/team/"' in browser(cast.supervisor).get("/queue/").content.decode()
    for user in (cast.operator, cast.manager):
        assert 'href="/team/"' not in browser(user).get("/queue/").content.decode()


def _world_of(cast, n: int) -> None:
    for i in range(n):
        ticket = make_ticket(cast.brand_a, author_id=f"n{i}")
        if i % 3 == 0:
            workflow.claim_ticket(ticket=ticket, user=cast.operator)
        if i % 2 == 0:
            _overdue(ticket)


@pytest.mark.parametrize("n", [1, 12])
def test_the_page_takes_the_same_queries_for_1_and_12_tickets(cast, browser, n, django_assert_num_queries):
    _world_of(cast, n)
    client = browser(cast.supervisor)
    client.get("/team/")  # the presence stamp, once a minute
    # session, user, roles, brands led, members, counts, unanswered, in review, breaching, volume
    with django_assert_num_queries(10):
        assert client.get("/team/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="team-body").status_code == 200
    with django_assert_num_queries(10):
        assert client.get("/team/").status_code == 200


def test_volume_counts_today_against_the_same_weekday_last_week_in_the_brands_zone(cast):
    zone = ZoneInfo(cast.brand_a.time_zone)  # Asia/Jakarta, UTC+7
    now = timezone.now().astimezone(zone).replace(hour=10, minute=0, second=0, microsecond=0)
    week_ago = now - timedelta(days=7)
    times = [
        now - timedelta(hours=9),  # 01:00 today
        now - timedelta(hours=1),  # 09:00 today
        now - timedelta(hours=11),  # 23:00 yesterday
        week_ago - timedelta(hours=2),  # 08:00 a week ago: by this time
        week_ago + timedelta(hours=3),  # 13:00 a week ago
        week_ago + timedelta(hours=13),  # 23:00 a week ago
        week_ago + timedelta(hours=14, minutes=30),  # the day after
    ]
    for i, at in enumerate(times):
        make_ticket(cast.brand_a, now=at, posted_at=at, author_id=f"v{i}")
    counts = volume([cast.brand_a], now=now)
    assert (counts.today, counts.last_week_so_far, counts.last_week_day) == (2, 1, 3)
    assert counts.change_percent == 100.0


# --- assigning ------------------------------------------------------------------------------------------------


def test_one_click_assigns_through_the_workflow_audited_and_notified(
    cast, browser, floor, django_capture_on_commit_callbacks
):
    cast.operator.email = "op@example.com"
    cast.operator.save()
    ticket = floor["waiting"]
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(cast.supervisor).post(
            f"/tickets/{ticket.pk}/assign/", {"assignee": cast.operator.pk, "expected": "", "back": "all"}, follow=True
        )
    assert response.redirect_chain[0][0] == "/team/"
    assert "Assigned to op_a." in [str(m) for m in response.context["messages"]]
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (cast.operator, TicketStatus.OPEN)
    event = Event.objects.get(ticket=ticket, kind="ticket.assigned")
    assert (event.actor, event.data) == (cast.supervisor, {"before": None, "after": "op_a"})
    notice = Notification.objects.get(user=cast.operator, kind="ticket.assigned")
    assert notice.ticket == ticket
    assert notice.data["by"] == "sup_a"
    assert [m.to for m in mail.outbox] == [["op@example.com"]]
    assert ticket.reference in mail.outbox[0].subject
    assert "assigned" in browser(cast.operator).get("/notifications/").content.decode()


def test_a_stale_view_assigns_nothing_and_says_who_owns_it(cast, browser, floor):
    ticket = floor["claimed"]  # the page showed it unassigned; the operator claimed it meanwhile
    before = db_state()
    response = browser(cast.supervisor).post(
        f"/tickets/{ticket.pk}/assign/", {"assignee": cast.supervisor.pk, "expected": "", "back": "brand"}, follow=True
    )
    assert response.redirect_chain[0][0] == "/team/acme/"
    assert [str(m) for m in response.context["messages"]] == ["op_a took it meanwhile."]
    assert db_state() == before


def test_only_someone_who_works_the_brand_can_be_given_the_ticket(cast, browser, floor):
    before = db_state()
    for who in (cast.operator_b, cast.manager, cast.outsider):
        response = browser(cast.supervisor).post(
            f"/tickets/{floor['waiting'].pk}/assign/", {"assignee": who.pk}, follow=True
        )
        said = [str(m) for m in response.context["messages"]]
        assert said == [f"{who.username} does not work tickets of this brand."]
    response = browser(cast.supervisor).post(f"/tickets/{floor['waiting'].pk}/assign/", {"assignee": "x"})
    assert response.status_code == 400
    assert db_state() == before


def test_outsiders_and_read_only_roles_cannot_assign(cast, browser, floor):
    before = db_state()
    url = f"/tickets/{floor['waiting'].pk}/assign/"
    data = {"assignee": cast.operator.pk}
    assert browser(cast.operator_b).post(url, data).status_code == 404
    assert browser(cast.outsider).post(url, data).status_code == 404
    assert browser(cast.manager).post(url, data).status_code == 403
    assert browser(None).post(url, data).status_code == 302
    assert browser(cast.supervisor).get(url).status_code == 405
    assert db_state() == before
    assert mail.outbox == []


def test_a_supervisor_of_two_brands_sees_both_and_assigns_within_each(cast, browser):
    make_member(cast.supervisor, cast.brand_b, Role.SUPERVISOR)
    ours, theirs = make_ticket(cast.brand_a, author_id="a"), make_ticket(cast.brand_b, author_id="b")
    _overdue(ours), _overdue(theirs)
    body = browser(cast.supervisor).get("/team/").content.decode()
    assert ours.reference in body
    assert theirs.reference in body
    assert "Globex Bank" in body
    brand_b_only = browser(cast.supervisor).get("/team/globex/").content.decode()
    assert theirs.reference in brand_b_only
    assert ours.reference not in brand_b_only
    # brand B's operator is offered for brand B's ticket, never for brand A's
    assert f'<option value="{cast.operator_b.pk}"' in brand_b_only


def test_a_closed_ticket_is_not_assigned(cast):
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    workflow.resolve_ticket(ticket=ticket, user=cast.operator)
    with pytest.raises(workflow.WorkflowError, match="A Resolved ticket cannot be assigned."):
        workflow.assign_ticket(
            ticket=ticket, user=cast.supervisor, assignee=cast.supervisor, expected_assignee_id=cast.operator.pk
        )


def test_a_second_brand_with_its_own_warning_time(cast):
    """Due soon follows each brand's own warning time."""
    quick = make_brand("quick", name="Quick", sla_warning_minutes=1)
    make_member(cast.supervisor, quick, Role.SUPERVISOR)
    make_member(make_user("op_q"), quick, Role.OPERATOR)
    due_in_ten = timezone.now() + timedelta(minutes=10)
    a, q = make_ticket(cast.brand_a, author_id="a"), make_ticket(quick, author_id="q")
    Ticket.objects.filter(pk__in=[a.pk, q.pk]).update(due_at=due_in_ten)
    cast.brand_a.sla_warning_minutes = 15
    cast.brand_a.save()
    data = shift([cast.brand_a, quick], now=timezone.now())
    assert data.due_soon == 1
    assert [t.pk for t in data.breaching] == [a.pk]
