"""The operator's workspace (issue 15): bulk actions on queue rows, assigning to a teammate with a note, the
customer's history across linked identities, and what each refuses (docs/domain.md, "The workspace")."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from brands.models import Presence, Role
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import db_state, event_kinds
from tickets.models import Event, LinkedIdentity, Notification, Ticket, TicketStatus
from tickets.selectors.ticket import HISTORY_LIMIT
from tickets.services import bulk, customers, tags, workflow

pytestmark = pytest.mark.django_db

BULK = "/queue/bulk/"


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def row(ticket, owner=None) -> str:
    return f"{ticket.pk}:{owner.pk if owner else 0}"


@pytest.fixture
def teammate(cast):
    """A second operator of brand A, online."""
    user = make_user("op_a2")
    make_member(user, cast.brand_a, Role.OPERATOR)
    Presence.objects.create(user=user, last_seen_at=timezone.now())
    return user


# --- assign to a teammate -------------------------------------------------------------------------------------


def test_a_supervisor_assigns_a_ticket_with_a_note_and_the_assignee_is_told(
    cast, browser, teammate, django_capture_on_commit_callbacks
):
    ticket = make_ticket(cast.brand_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(cast.supervisor).post(
            f"/tickets/{ticket.pk}/assign/", {"assignee": teammate.pk, "expected": 0, "note": "  VIP, cek resi  "}
        )
    assert response.status_code == 302
    assert said(response) == ["Assigned to op_a2."]
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (teammate, TicketStatus.OPEN)
    assert ticket.claimed_at is not None
    event = ticket.events.get(kind="ticket.assigned")
    assert (event.actor, event.data) == (cast.supervisor, {"before": None, "after": "op_a2", "note": "VIP, cek resi"})
    (notice,) = Notification.objects.filter(user=teammate)
    assert (notice.kind, notice.ticket, notice.data) == (
        "ticket.assigned",
        ticket,
        {"by": "sup_a", "note": "VIP, cek resi"},
    )
    (message,) = mail.outbox
    assert message.to == ["op_a2@example.com"]
    assert f"T-{ticket.pk}" in message.subject
    assert "sup_a" in message.body
    assert "VIP, cek resi" in message.body
    # the timeline says it with the note; the assignee's notifications link to it
    page = browser(cast.supervisor).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "sup_a assigned it to op_a2: “VIP, cek resi”" in page
    notices = browser(teammate).get("/notifications/").content.decode()
    assert f"sup_a assigned T-{ticket.pk} to you" in notices


def test_an_operator_hands_their_own_ticket_on_but_not_someone_elses(cast, browser, teammate):
    mine = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="a"), user=cast.operator)
    theirs = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="b"), user=teammate)
    client = browser(cast.operator)
    response = client.post(f"/tickets/{mine.pk}/assign/", {"assignee": teammate.pk, "expected": cast.operator.pk})
    assert said(response) == ["Assigned to op_a2."]
    before = db_state()
    response = client.post(f"/tickets/{theirs.pk}/assign/", {"assignee": cast.supervisor.pk, "expected": teammate.pk})
    assert said(response)[-1] == "This ticket is assigned to op_a2."
    assert db_state() == before


def test_assigning_is_refused_to_people_who_do_not_work_the_brand(cast, browser):
    ticket = make_ticket(cast.brand_a)
    client = browser(cast.supervisor)
    before = db_state()
    for user in (cast.manager, cast.operator_b, cast.outsider):
        response = client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": user.pk, "expected": 0})
        assert said(response)[-1] == f"{user.username} does not work tickets of this brand."
    cast.operator.is_active = False
    cast.operator.save()
    before = db_state()
    response = client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": cast.operator.pk, "expected": 0})
    assert said(response)[-1] == "Choose whom to assign the ticket to."
    assert db_state() == before


def test_a_stale_picker_never_overwrites_a_claim_made_meanwhile(cast, browser, teammate):
    """The page showed the ticket unowned; the operator claimed it since: the assignment is refused, nothing
    changes and nobody is notified."""
    ticket = make_ticket(cast.brand_a)
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    before = db_state()
    response = browser(cast.supervisor).post(f"/tickets/{ticket.pk}/assign/", {"assignee": teammate.pk, "expected": 0})
    assert said(response) == ["op_a took it meanwhile."]
    assert db_state() == before
    assert mail.outbox == []


def test_assign_is_404_out_of_scope_and_403_read_only_and_changes_nothing(cast, browser, teammate):
    ticket = make_ticket(cast.brand_a)
    before = db_state()
    data = {"assignee": teammate.pk, "expected": 0}
    assert browser(cast.operator_b).post(f"/tickets/{ticket.pk}/assign/", data).status_code == 404
    assert browser(cast.outsider).post(f"/tickets/{ticket.pk}/assign/", data).status_code == 404
    assert browser(cast.manager).post(f"/tickets/{ticket.pk}/assign/", data).status_code == 403
    assert browser(cast.supervisor).get(f"/tickets/{ticket.pk}/assign/").status_code == 405
    assert db_state() == before
    assert mail.outbox == []


def test_the_picker_lists_the_brands_workers_with_their_load_and_presence(cast, browser, teammate):
    for i in range(2):
        workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id=f"l-{i}"), user=teammate)
    Presence.objects.create(user=cast.supervisor, last_seen_at=timezone.now() - timedelta(hours=3))
    ticket = make_ticket(cast.brand_a, author_id="new")
    response = browser(cast.operator).get(f"/tickets/{ticket.pk}/")
    people = [(t["person"].name, t["person"].load, t["person"].online) for t in response.context["teammates"]]
    # online first (op_a2; op_a is online from this very request), then the away supervisor; no manager, no brand B
    assert sorted(people[:2]) == [("op_a", 0, True), ("op_a2", 2, True)]
    assert people[2:] == [("sup_a", 0, False)]
    html = response.content.decode()
    assert "op_a2 · 2 open · online" in html
    assert "sup_a · 0 open · away" in html
    assert "mgr_a" not in html.split('id="id_assignee"')[1].split("</select>")[0]
    # a manager (read-only) gets no picker
    assert 'id="id_assignee"' not in browser(cast.manager).get(f"/tickets/{ticket.pk}/").content.decode()


# --- bulk actions -----------------------------------------------------------------------------------------------


def test_bulk_resolve_does_each_ticket_once_and_says_what_was_skipped_and_why(cast, browser, teammate):
    a, b, c = (make_ticket(cast.brand_a, author_id=f"r-{i}") for i in range(3))
    workflow.claim_ticket(ticket=c, user=teammate)  # after the operator's page showed c unowned
    response = browser(cast.operator).post(BULK, {"tickets": [row(a), row(b), row(c)], "action": "resolve"})
    assert response.status_code == 302
    assert said(response) == [
        f"Done for 2 tickets: T-{a.pk}, T-{b.pk}.",
        f"Skipped 1 ticket — T-{c.pk}: op_a2 took it meanwhile.",
    ]
    assert [Ticket.objects.get(pk=t.pk).status for t in (a, b, c)] == ["resolved", "resolved", "open"]
    assert [event_kinds(t).count("ticket.resolved") for t in (a, b, c)] == [1, 1, 0]


def test_bulk_assign_notifies_once_per_ticket_and_skips_what_the_caller_may_not_do(cast, browser, teammate):
    free = make_ticket(cast.brand_a, author_id="f")
    owned = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="o"), user=cast.supervisor)
    response = browser(cast.operator).post(
        BULK, {"tickets": [row(free), row(owned, cast.supervisor)], "action": "assign", "assignee": teammate.pk}
    )
    assert said(response) == [
        f"Done for 1 ticket: T-{free.pk}.",
        f"Skipped 1 ticket — T-{owned.pk}: This ticket is assigned to sup_a.",
    ]
    assert Ticket.objects.get(pk=free.pk).assignee == teammate
    assert Notification.objects.filter(user=teammate, kind="ticket.assigned").count() == 1
    # the supervisor may reassign
    response = browser(cast.supervisor).post(
        BULK, {"tickets": [row(owned, cast.supervisor)], "action": "assign", "assignee": teammate.pk}
    )
    assert said(response) == [f"Done for 1 ticket: T-{owned.pk}."]


def test_bulk_priority_is_a_supervisors_and_tags_are_added_to_the_ones_there(cast, browser):
    a, b = make_ticket(cast.brand_a, author_id="p1"), make_ticket(cast.brand_a, author_id="p2")
    tags.set_ticket_tags(ticket=a, user=cast.operator, names=["vip"])
    response = browser(cast.operator).post(BULK, {"tickets": [row(a)], "action": "priority", "priority": 4})
    assert said(response) == [f"Skipped 1 ticket — T-{a.pk}: only a supervisor changes the priority"]
    response = browser(cast.supervisor).post(BULK, {"tickets": [row(a), row(b)], "action": "priority", "priority": 4})
    assert said(response) == [f"Done for 2 tickets: T-{a.pk}, T-{b.pk}."]
    assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("priority", "priority_overridden")) == {(4, True)}
    response = browser(cast.operator).post(BULK, {"tickets": [row(a), row(b)], "action": "tag", "tag": " Rusak "})
    assert said(response) == [f"Done for 2 tickets: T-{a.pk}, T-{b.pk}."]
    assert sorted(a.tags.values_list("name", flat=True)) == ["rusak", "vip"]
    response = browser(cast.operator).post(BULK, {"tickets": [row(a)], "action": "tag", "tag": "rusak"})
    assert said(response) == [f"Skipped 1 ticket — T-{a.pk}: it already has this tag"]
    assert event_kinds(a).count("ticket.tags_changed") == 2  # vip, then vip + rusak


def test_bulk_release_gives_back_what_the_caller_owns(cast, browser):
    t = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    response = browser(cast.operator).post(BULK, {"tickets": [row(t, cast.operator)], "action": "release"})
    assert said(response) == [f"Done for 1 ticket: T-{t.pk}."]
    assert Ticket.objects.get(pk=t.pk).status == "new"


def test_a_forged_id_of_another_brand_is_skipped_unread_and_alone_it_is_a_404(cast, browser):
    mine = make_ticket(cast.brand_a, author_id="m")
    theirs = make_ticket(cast.brand_b, author_id="t")
    client = browser(cast.operator)
    response = client.post(BULK, {"tickets": [row(mine), row(theirs)], "action": "resolve"})
    assert said(response) == [f"Done for 1 ticket: T-{mine.pk}.", f"Skipped 1 ticket — T-{theirs.pk}: not found"]
    assert Ticket.objects.get(pk=theirs.pk).status == "new"
    before = db_state()
    assert client.post(BULK, {"tickets": [row(theirs)], "action": "resolve"}).status_code == 404
    assert client.post(BULK, {"tickets": ["999999:0"], "action": "resolve"}).status_code == 404
    assert browser(cast.manager).post(BULK, {"tickets": [row(mine)], "action": "tag", "tag": "x"}).status_code == 403
    assert browser(cast.outsider).post(BULK, {"tickets": [row(mine)], "action": "resolve"}).status_code == 404
    assert browser(None).post(BULK, {"tickets": [row(mine)], "action": "resolve"}).status_code == 302
    assert db_state() == before


def test_the_selection_is_bounded_and_a_malformed_one_is_a_400_naming_the_field(cast, browser):
    t = make_ticket(cast.brand_a)
    client = browser(cast.supervisor)
    before = db_state()
    too_many = [f"{n}:0" for n in range(1, bulk.MAX_SELECTED + 2)]
    response = client.post(BULK, {"tickets": too_many, "action": "resolve"})
    assert response.status_code == 400
    assert "Select at most 100 tickets." in response.content.decode()
    for bad in ("1", "x:0", "1:0:0", "-1:0", f"{2**63}:0", "1:" + "9" * 25):
        response = client.post(BULK, {"tickets": [bad], "action": "resolve"})
        assert response.status_code == 400, bad
        assert "tickets" in response.context["form"].errors
    response = client.post(BULK, {"tickets": [row(t)], "action": "delete"})
    assert (response.status_code, list(response.context["form"].errors)) == (400, ["action"])
    # nothing ticked, or no teammate chosen: said on the queue, as the bar would
    response = client.post(BULK, {"action": "resolve", "back": "?mine=1"})
    assert (response.status_code, response["Location"], said(response)) == (
        302,
        "/queue/?mine=1",
        ["Select at least one ticket."],
    )
    response = client.post(BULK, {"tickets": [row(t)], "action": "assign"})
    assert said(response)[-1] == "Choose whom to assign the tickets to."
    assert db_state() == before
    assert (
        client.post(BULK, {"tickets": [row(t)], "action": "resolve", "back": "//evil.example"})["Location"] == "/queue/"
    )


def test_the_queue_shows_the_bar_and_a_checkbox_per_row_to_whoever_works(cast, browser, teammate):
    t = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=teammate)
    html = browser(cast.operator).get("/queue/").content.decode()
    assert 'id="bulk-form"' in html
    assert f'name="tickets" form="bulk-form" value="{t.pk}:{teammate.pk}"' in html
    assert "op_a2 · 1 open · online" in html
    manager = browser(cast.manager).get("/queue/").content.decode()
    assert 'id="bulk-form"' not in manager
    assert 'name="tickets"' not in manager


# --- the customer's history and linked identities ---------------------------------------------------------------


@pytest.fixture
def customer(cast):
    """Budi on X (two tickets) and on Instagram (one) with brand A; the same X account also wrote to brand B."""
    x1 = make_ticket(cast.brand_a, platform_id="x1", author_id="budi-x", handle="budi", text="paket 1")
    x1.status = TicketStatus.RESOLVED
    x1.save(update_fields=["status"])
    x2 = make_ticket(cast.brand_a, platform_id="x2", author_id="budi-x", handle="budi", text="paket 2")
    ig = make_ticket(cast.brand_a, platform="instagram", platform_id="ig1", author_id="budi-ig", handle="budi.s")
    b = make_ticket(cast.brand_b, platform_id="b1", author_id="budi-x", handle="budi", text="rahasia bank")
    assert x1.pk != x2.pk
    assert x1.author_id == x2.author_id != b.author_id
    return {"x1": x1, "x2": x2, "ig": ig, "b": b}


def test_the_card_lists_every_ticket_of_the_customer_with_this_brand_and_never_another_brands(cast, browser, customer):
    response = browser(cast.operator).get(f"/tickets/{customer['x2'].pk}/")
    history = response.context["customer"]
    assert [t.pk for t in history.tickets] == [customer["x2"].pk, customer["x1"].pk]
    assert (history.total, history.identities) == (2, [])
    html = response.content.decode()
    assert "2 tickets with this brand" in html
    assert "rahasia bank" not in html


def test_linking_two_identities_joins_their_history_for_this_brand_only_and_can_be_undone(cast, browser, customer):
    client = browser(cast.operator)
    x2, ig, b = customer["x2"], customer["ig"], customer["b"]
    response = client.post(f"/tickets/{x2.pk}/customer/link/", {"platform": "instagram", "handle": "@Budi.S"})
    assert said(response) == ["Linked @budi.s as the same customer."]
    history = client.get(f"/tickets/{x2.pk}/").context["customer"]
    assert sorted(t.pk for t in history.tickets) == sorted([x2.pk, customer["x1"].pk, ig.pk])
    assert [a.pk for a in history.identities] == [ig.author_id]
    assert "3 tickets with this brand, linked accounts included" in client.get(f"/tickets/{x2.pk}/").content.decode()
    # from the Instagram ticket it is the same person
    assert {t.pk for t in client.get(f"/tickets/{ig.pk}/").context["customer"].tickets} == {
        x2.pk,
        customer["x1"].pk,
        ig.pk,
    }
    # brand B's view of the same X account is unchanged
    b_history = browser(cast.operator_b).get(f"/tickets/{b.pk}/").context["customer"]
    assert ([t.pk for t in b_history.tickets], b_history.identities) == ([b.pk], [])
    event = x2.events.get(kind="customer.linked")
    assert (event.actor, event.data["handle"], event.data["platform"]) == (cast.operator, "budi.s", "instagram")
    # undo
    response = client.post(f"/tickets/{x2.pk}/customer/unlink/", {"author": ig.author_id})
    assert said(response) == ["@budi.s is no longer linked to this customer."]
    assert LinkedIdentity.objects.count() == 0
    assert event_kinds(x2)[-1] == "customer.unlinked"
    assert "operator unlinked" not in client.get(f"/tickets/{x2.pk}/").content.decode()


def test_a_link_is_refused_across_brands_to_itself_and_twice(cast, browser, customer):
    client = browser(cast.operator)
    x2 = customer["x2"]
    make_ticket(cast.brand_b, platform="instagram", platform_id="b-ig", author_id="only-b", handle="only.b")
    before = db_state()
    for data, message in [
        (
            {"platform": "instagram", "handle": "only.b"},
            "No customer with this handle has written to this brand on that platform.",
        ),
        ({"platform": "x", "handle": "budi"}, "That is this customer's own identity."),
    ]:
        assert said(client.post(f"/tickets/{x2.pk}/customer/link/", data))[-1] == message
    assert db_state() == before
    customers.link(ticket=x2, user=cast.operator, platform="instagram", handle="budi.s")
    response = client.post(f"/tickets/{x2.pk}/customer/link/", {"platform": "instagram", "handle": "budi.s"})
    assert said(response)[-1] == "These identities are already linked."
    # unlinking an author that is not linked (or is brand B's) is refused
    b_author = customer["b"].author_id
    response = client.post(f"/tickets/{x2.pk}/customer/unlink/", {"author": b_author})
    assert said(response)[-1] == "That identity is not linked to this customer."
    assert LinkedIdentity.objects.count() == 2


def test_linking_merges_two_people_and_unlinking_the_last_other_leaves_none(cast, customer):
    x2, ig = customer["x2"], customer["ig"]
    yt = make_ticket(cast.brand_a, platform="youtube", platform_id="yt1", author_id="UCbudi", handle="budi_s")
    fb = make_ticket(cast.brand_a, platform="facebook", platform_id="fb1", author_id="100200", handle="budi.fb")
    customers.link(ticket=x2, user=cast.operator, platform="instagram", handle="budi.s")
    customers.link(ticket=yt, user=cast.operator, platform="facebook", handle="budi.fb")
    customers.link(ticket=ig, user=cast.supervisor, platform="youtube", handle="budi_s")  # two people become one
    assert len({i.person for i in LinkedIdentity.objects.all()}) == 1
    assert {a.pk for a in customers.identities_of(fb.author)} == {x2.author_id, ig.author_id, yt.author_id}
    for author in (ig.author_id, yt.author_id, fb.author_id):
        customers.unlink(ticket=x2, user=cast.operator, author_id=author)
    assert LinkedIdentity.objects.count() == 0


def test_link_and_unlink_are_404_out_of_scope_and_403_read_only(cast, browser, customer):
    x2 = customer["x2"]
    before = db_state()
    for user, status in [(cast.operator_b, 404), (cast.outsider, 404), (cast.manager, 403)]:
        client = browser(user)
        assert (
            client.post(f"/tickets/{x2.pk}/customer/link/", {"platform": "instagram", "handle": "budi.s"}).status_code
            == status
        )
        assert (
            client.post(f"/tickets/{x2.pk}/customer/unlink/", {"author": customer["ig"].author_id}).status_code
            == status
        )
    assert db_state() == before
    # the manager sees the history but no link form
    html = browser(cast.manager).get(f"/tickets/{x2.pk}/").content.decode()
    assert "2 tickets with this brand" in html
    assert "customer/link/" not in html


def test_the_customer_card_costs_a_fixed_number_of_queries(cast, browser, django_assert_num_queries):
    """The page's pinned count (test_ticket_page.py) plus one: the count of the customer's tickets, read only when
    there are more than the card lists; less one: this ticket has no reply, so no reply images are read."""
    from tests.tickets.views.test_ticket_page import TICKET_PAGE_QUERIES

    t0 = timezone.now() - timedelta(days=30)
    for i in range(HISTORY_LIMIT + 4):
        old = make_ticket(cast.brand_a, platform_id=f"h{i}", author_id="loyal", now=t0 + timedelta(hours=i))
        Ticket.objects.filter(pk=old.pk).update(status=TicketStatus.RESOLVED)
    ticket = make_ticket(cast.brand_a, platform_id="now", author_id="loyal")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    client = browser(cast.operator)
    client.get(f"/tickets/{ticket.pk}/")
    with django_assert_num_queries(TICKET_PAGE_QUERIES + 1 - 1):
        response = client.get(f"/tickets/{ticket.pk}/")
    history = response.context["customer"]
    assert (len(history.tickets), history.total) == (HISTORY_LIMIT, HISTORY_LIMIT + 5)
    assert "The latest 20 shown." in response.content.decode()


def test_customer_text_in_the_history_is_escaped(cast, browser):
    make_ticket(cast.brand_a, platform_id="e1", author_id="evil", text="<script>alert(1)</script> paket")
    t = make_ticket(cast.brand_a, platform_id="e2", author_id="evil", text="lagi")
    Ticket.objects.filter(pk=t.pk).update(status=TicketStatus.OPEN, assignee=cast.operator)
    html = browser(cast.operator).get(f"/tickets/{t.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_events_of_the_workspace_read_as_words(cast, browser, customer, teammate):
    x2 = customer["x2"]
    customers.link(ticket=x2, user=cast.operator, platform="instagram", handle="budi.s")
    workflow.assign_ticket(ticket=x2, user=cast.supervisor, assignee=teammate, expected_assignee_id=0)
    html = browser(cast.operator).get(f"/tickets/{x2.pk}/").content.decode()
    assert "op_a linked @budi.s as the same customer" in html
    assert "sup_a assigned it to op_a2" in html
    assert "customer.linked" not in html
    assert Event.objects.filter(kind="ticket.assigned").count() == 1
