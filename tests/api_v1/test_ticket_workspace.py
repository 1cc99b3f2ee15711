"""The ticket page's and the queue's actions through the API: assign with a note, bulk actions with the per-row
summary, restore, the computed priority again, notes (read as the page shows them), a reply's revision, the
customer card and linking identities. The same services as the pages; another brand 404, a role or a read-only
key without the capability 403, and a refused call changes nothing and sends nothing."""

import pytest
from django.core import mail
from django.utils import timezone

from brands.models import Presence, ReviewPolicy, Role
from brands.services import api_keys
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import KeyedAPIClient, api_as, db_state, event_kinds
from tickets.models import Event, LinkedIdentity, Notification, ReplyRevision, Ticket, TicketStatus
from tickets.selectors.queue import QueueFilters
from tickets.services import replies, tags, views, workflow

pytestmark = pytest.mark.django_db

BULK = "/api/v1/tickets/bulk/"


def client_for(user) -> KeyedAPIClient:
    return api_as(user)


def read_only_key(user, brand="acme") -> KeyedAPIClient:
    token = api_keys.create_key(user=user, name="ro", scope="read", brand_slugs=[brand]).token
    client = KeyedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def teammate(cast):
    user = make_user("op_a2")
    make_member(user, cast.brand_a, Role.OPERATOR)
    Presence.objects.create(user=user, last_seen_at=timezone.now())
    return user


def refused(responses, before) -> None:
    """Each call refused with its status and body; nothing written, nothing sent."""
    for response, (code, body) in responses:
        assert (response.status_code, response.json()) == (code, body)
    assert db_state() == before
    assert mail.outbox == []


NOT_FOUND = (404, {"detail": "Not found."})
FORBIDDEN = (403, {"detail": "You do not have permission to perform this action."})


# --- assign ---------------------------------------------------------------------------------------------------


def test_a_supervisor_assigns_with_a_note_through_the_pages_service(cast, teammate, django_capture_on_commit_callbacks):
    ticket = make_ticket(cast.brand_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.supervisor).post(
            f"/api/v1/tickets/{ticket.pk}/assign/",
            {"assignee": "op_a2", "expected_assignee": None, "note": "  VIP, cek resi  "},
            format="json",
        )
    assert response.status_code == 200
    assert (response.json()["assignee"], response.json()["status"]) == ("op_a2", "open")
    event = Ticket.objects.get(pk=ticket.pk).events.get(kind="ticket.assigned")
    assert (event.actor, event.data) == (cast.supervisor, {"before": None, "after": "op_a2", "note": "VIP, cek resi"})
    (notice,) = Notification.objects.filter(user=teammate)
    assert (notice.kind, notice.data) == ("ticket.assigned", {"by": "sup_a", "note": "VIP, cek resi"})
    assert [m.to for m in mail.outbox] == [["op_a2@example.com"]]


def test_assign_refusals_say_why_and_change_nothing(cast, teammate):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.supervisor)
    url = f"/api/v1/tickets/{ticket.pk}/assign/"
    reader = read_only_key(cast.supervisor)
    before = db_state()
    operator, supervisor = client_for(cast.operator), client_for(cast.supervisor)
    refused(
        [
            (
                operator.post(url, {"assignee": "op_a2"}, format="json"),
                (409, {"detail": "This ticket is assigned to sup_a."}),
            ),
            (
                supervisor.post(url, {"assignee": "op_a2", "expected_assignee": None}, format="json"),
                (409, {"detail": "sup_a took it meanwhile."}),
            ),
            (
                supervisor.post(url, {"assignee": "op_b"}, format="json"),
                (409, {"detail": "op_b does not work tickets of this brand."}),
            ),
            (
                supervisor.post(url, {"assignee": "nobody-at-all"}, format="json"),
                (409, {"detail": "nobody-at-all does not work tickets of this brand."}),
            ),
            (
                supervisor.post(url, {"assignee": "mgr_a"}, format="json"),
                (409, {"detail": "mgr_a does not work tickets of this brand."}),
            ),
            (supervisor.post(url, {}, format="json"), (400, {"assignee": ["This field is required."]})),
            (client_for(cast.manager).post(url, {"assignee": "op_a2"}, format="json"), FORBIDDEN),
            (reader.post(url, {"assignee": "op_a2"}, format="json"), FORBIDDEN),
            (client_for(cast.operator_b).post(url, {"assignee": "op_a2"}, format="json"), NOT_FOUND),
            (client_for(cast.outsider).post(url, {"assignee": "op_a2"}, format="json"), NOT_FOUND),
        ],
        before,
    )


# --- bulk -------------------------------------------------------------------------------------------------------


def test_bulk_resolve_says_per_ticket_what_was_done_and_what_was_skipped_and_why(cast, teammate):
    a, b, c = (make_ticket(cast.brand_a, author_id=f"r-{i}") for i in range(3))
    theirs = make_ticket(cast.brand_b, author_id="r-b")
    workflow.claim_ticket(ticket=c, user=teammate)  # after the client read c unowned
    rows = [{"id": t.pk, "expected_assignee": None} for t in (a, b, c, theirs)]
    response = client_for(cast.operator).post(BULK, {"action": "resolve", "tickets": rows}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "done": [f"T-{a.pk}", f"T-{b.pk}"],
        "skipped": [
            {"ticket": f"T-{c.pk}", "reason": "op_a2 took it meanwhile."},
            {"ticket": f"T-{theirs.pk}", "reason": "not found"},
        ],
    }
    assert [Ticket.objects.get(pk=t.pk).status for t in (a, b, c, theirs)] == ["resolved", "resolved", "open", "new"]
    assert [event_kinds(t).count("ticket.resolved") for t in (a, b, c)] == [1, 1, 0]


def test_bulk_assign_priority_and_tag(cast, teammate):
    free = make_ticket(cast.brand_a, author_id="f")
    owned = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="o"), user=cast.supervisor)
    rows = [{"id": free.pk, "expected_assignee": None}, {"id": owned.pk, "expected_assignee": "sup_a"}]
    operator = client_for(cast.operator)
    assert operator.post(BULK, {"action": "assign", "tickets": rows, "assignee": "op_a2"}, format="json").json() == {
        "done": [f"T-{free.pk}"],
        "skipped": [{"ticket": f"T-{owned.pk}", "reason": "This ticket is assigned to sup_a."}],
    }
    assert Notification.objects.filter(user=teammate, kind="ticket.assigned").count() == 1
    rows[0]["expected_assignee"] = "op_a2"
    assert operator.post(BULK, {"action": "priority", "tickets": rows, "priority": "high"}, format="json").json() == {
        "done": [],
        "skipped": [
            {"ticket": f"T-{free.pk}", "reason": "only a supervisor changes the priority"},
            {"ticket": f"T-{owned.pk}", "reason": "only a supervisor changes the priority"},
        ],
    }
    tags.set_ticket_tags(ticket=free, user=cast.operator, names=["vip"])
    assert client_for(cast.supervisor).post(
        BULK, {"action": "tag", "tickets": rows, "tag": " VIP "}, format="json"
    ).json() == {
        "done": [f"T-{owned.pk}"],
        "skipped": [{"ticket": f"T-{free.pk}", "reason": "it already has this tag"}],
    }


def test_bulk_is_404_with_nothing_in_scope_and_403_for_readers_and_400_when_malformed(cast):
    ticket = make_ticket(cast.brand_a)
    rows = [{"id": ticket.pk, "expected_assignee": None}]
    reader = read_only_key(cast.supervisor)
    before = db_state()
    supervisor = client_for(cast.supervisor)
    refused(
        [
            (client_for(cast.operator_b).post(BULK, {"action": "resolve", "tickets": rows}, format="json"), NOT_FOUND),
            (client_for(cast.manager).post(BULK, {"action": "resolve", "tickets": rows}, format="json"), FORBIDDEN),
            (reader.post(BULK, {"action": "resolve", "tickets": rows}, format="json"), FORBIDDEN),
            (
                supervisor.post(BULK, {"action": "assign", "tickets": rows}, format="json"),
                (400, {"assignee": ["Choose whom to assign the tickets to."]}),
            ),
            (
                supervisor.post(BULK, {"action": "assign", "tickets": rows, "assignee": "ghost"}, format="json"),
                (400, {"assignee": ["Choose whom to assign the tickets to."]}),
            ),
            (
                supervisor.post(BULK, {"action": "tag", "tickets": rows, "tag": "?!"}, format="json"),
                (
                    400,
                    {
                        "detail": "The tag “?!” may hold only letters, digits, hyphens and underscores, and starts "
                        "with a letter or digit."
                    },
                ),
            ),
            (
                supervisor.post(BULK, {"action": "resolve", "tickets": []}, format="json"),
                (400, {"tickets": {"non_field_errors": ["This list may not be empty."]}}),
            ),
            (
                supervisor.post(BULK, {"action": "resolve", "tickets": rows * 101}, format="json"),
                (400, {"tickets": {"non_field_errors": ["Ensure this field has no more than 100 elements."]}}),
            ),
        ],
        before,
    )


# --- restore, automatic priority ----------------------------------------------------------------------------------


def test_restore_and_automatic_priority_as_on_the_ticket_page(cast):
    ticket = make_ticket(cast.brand_a)
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.IGNORED, ignored_reason="spam")
    before = db_state()
    url = f"/api/v1/tickets/{ticket.pk}/restore/"
    refused(
        [(client_for(cast.manager).post(url), FORBIDDEN), (client_for(cast.operator_b).post(url), NOT_FOUND)], before
    )
    response = client_for(cast.operator).post(url)
    assert (response.status_code, response.json()["status"]) == (200, "new")
    again = client_for(cast.operator).post(url)
    assert (again.status_code, again.json()) == (409, {"detail": "Only an ignored ticket can be restored."})
    workflow.change_priority(ticket=ticket, user=cast.supervisor, priority=4)
    url = f"/api/v1/tickets/{ticket.pk}/priority/"
    assert client_for(cast.operator).post(url, {"priority": "automatic"}, format="json").status_code == 403
    response = client_for(cast.supervisor).post(url, {"priority": "automatic"}, format="json")
    assert (response.status_code, response.json()["priority"]) == (200, "normal")
    assert Ticket.objects.get(pk=ticket.pk).priority_overridden is False


# --- notes ------------------------------------------------------------------------------------------------------


def test_notes_are_listed_as_the_ticket_page_shows_them(cast):
    ticket = make_ticket(cast.brand_a)
    team = workflow.add_note(ticket=ticket, user=cast.operator, body="cek resi dulu")
    client = workflow.add_note(ticket=ticket, user=cast.operator, body="sudah dikirim", visibility="client")
    url = f"/api/v1/tickets/{ticket.pk}/notes/"
    assert [n["id"] for n in client_for(cast.operator).get(url).json()] == [team.pk, client.pk]
    shown = client_for(cast.manager).get(url)
    assert shown.status_code == 200
    assert shown.json() == [
        {
            "id": client.pk,
            "author": "op_a",
            "body": "sudah dikirim",
            "visibility": "client",
            "created_at": shown.json()[0]["created_at"],
        }
    ]
    assert client_for(cast.operator_b).get(url).status_code == 404


def test_a_note_is_made_once_per_key_and_refused_to_readers(cast):
    ticket = make_ticket(cast.brand_a)
    url = f"/api/v1/tickets/{ticket.pk}/notes/"
    key = "0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40"
    operator = client_for(cast.operator)
    first = operator.post(url, {"body": "untuk klien", "visibility": "client"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = operator.post(url, {"body": "untuk klien", "visibility": "client"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code, again.headers["Idempotent-Replayed"]) == (201, 200, "true")
    assert first.json() == again.json()
    assert first.json()["visibility"] == "client"
    reader = read_only_key(cast.operator)
    before = db_state()
    refused(
        [
            (client_for(cast.manager).post(url, {"body": "x"}, format="json"), FORBIDDEN),
            (reader.post(url, {"body": "x"}, format="json"), FORBIDDEN),
            (client_for(cast.outsider).post(url, {"body": "x"}, format="json"), NOT_FOUND),
            (
                operator.post(url, {"body": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=""),
                (
                    400,
                    {
                        "detail": "Send an Idempotency-Key header: a UUID you make for this submission, the same one "
                        "if you send it again."
                    },
                ),
            ),
        ],
        before,
    )


# --- replies: create once per key, revise -------------------------------------------------------------------------


def test_a_reply_sent_again_with_its_key_is_the_same_reply(cast):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f"
    operator = client_for(cast.operator)
    first = operator.post(url, {"body": "Halo Kak"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = operator.post(url, {"body": "Halo Kak"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ticket.replies.count() == 1
    other = operator.post(url, {"body": "Halo lagi"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert other.status_code == 422
    assert ticket.replies.count() == 1


@pytest.fixture
def sent_back(cast):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Mohon ditunggu")
    replies.request_changes(reply=reply, user=cast.supervisor, code="tone", note="Sapa namanya")
    return reply


def test_a_reply_sent_back_is_revised_once_per_key_and_goes_back_to_review(cast, sent_back):
    url = f"/api/v1/replies/{sent_back.pk}/revise/"
    key = "1d3c5e7f-2a4b-4c6d-8e0f-1a2b3c4d5e6f"
    operator = client_for(cast.operator)
    first = operator.post(url, {"body": "Halo Kak Budi, mohon ditunggu"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = operator.post(url, {"body": "Halo Kak Budi, mohon ditunggu"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, again.status_code, again.headers["Idempotent-Replayed"]) == (200, 200, "true")
    assert (first.json()["id"], first.json()["status"], first.json()["body"]) == (
        sent_back.pk,
        "in_review",
        "Halo Kak Budi, mohon ditunggu",
    )
    assert list(ReplyRevision.objects.filter(reply=sent_back).order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
    assert Event.objects.filter(kind="reply.revised").count() == 1
    reader = read_only_key(cast.operator)
    before = db_state()
    refused(
        [
            (
                operator.post(url, {"body": "lagi"}, format="json"),
                (
                    409,
                    {
                        "detail": "Only a reply sent back for changes or not published can be revised; this one is "
                        "In review."
                    },
                ),
            ),
            (client_for(cast.manager).post(url, {"body": "x"}, format="json"), FORBIDDEN),
            (reader.post(url, {"body": "x"}, format="json"), FORBIDDEN),
            (client_for(cast.operator_b).post(url, {"body": "x"}, format="json"), NOT_FOUND),
            (operator.post(url, {"body": ""}, format="json"), (400, {"body": ["This field may not be blank."]})),
        ],
        before,
    )


# --- the customer ---------------------------------------------------------------------------------------------------


@pytest.fixture
def customer(cast):
    x1 = make_ticket(cast.brand_a, platform_id="x1", author_id="budi-x", handle="budi", text="paket 1")
    Ticket.objects.filter(pk=x1.pk).update(status=TicketStatus.RESOLVED)
    x2 = make_ticket(cast.brand_a, platform_id="x2", author_id="budi-x", handle="budi", text="paket 2")
    ig = make_ticket(cast.brand_a, platform="instagram", platform_id="ig1", author_id="budi-ig", handle="budi.s")
    b = make_ticket(cast.brand_b, platform_id="b1", author_id="budi-x", handle="budi", text="rahasia bank")
    return {"x1": x1, "x2": x2, "ig": ig, "b": b}


def test_the_customer_card_and_linking_identities_for_this_brand_only(cast, customer):
    x1, x2, ig = customer["x1"], customer["x2"], customer["ig"]
    url = f"/api/v1/tickets/{x2.pk}/customer/"
    card = client_for(cast.manager).get(url)
    assert card.status_code == 200
    assert card.json()["customer"] == {
        "id": x2.author_id,
        "platform": "x",
        "platform_user_id": "budi-x",
        "handle": "budi",
        "name": "Budi",
        "profile_url": "https://x.com/budi",
    }
    assert ([t["id"] for t in card.json()["tickets"]], card.json()["total"], card.json()["identities"]) == (
        [x2.pk, x1.pk],
        2,
        [],
    )
    assert card.json()["history"] == {"tickets": 2, "mentions": 2, "ratings": 0, "rating_average": None}
    linked = client_for(cast.operator).post(
        f"{url}link/", {"platform": "instagram", "handle": "@Budi.S"}, format="json"
    )
    assert linked.status_code == 200
    assert [i["id"] for i in linked.json()["identities"]] == [ig.author_id]
    assert sorted(t["id"] for t in linked.json()["tickets"]) == sorted([x1.pk, x2.pk, ig.pk])
    assert event_kinds(x2)[-1] == "customer.linked"
    assert "rahasia bank" not in linked.content.decode()
    unlinked = client_for(cast.operator).post(f"{url}unlink/", {"identity": ig.author_id}, format="json")
    assert (unlinked.status_code, unlinked.json()["identities"]) == (200, [])
    assert LinkedIdentity.objects.count() == 0
    assert event_kinds(x2)[-1] == "customer.unlinked"


def test_customer_refusals_change_nothing(cast, customer):
    x2, b = customer["x2"], customer["b"]
    url = f"/api/v1/tickets/{x2.pk}/customer/"
    link = {"platform": "instagram", "handle": "budi.s"}
    reader = read_only_key(cast.operator)
    before = db_state()
    operator = client_for(cast.operator)
    refused(
        [
            (client_for(cast.operator_b).get(url), NOT_FOUND),
            (client_for(cast.outsider).get(url), NOT_FOUND),
            (client_for(cast.manager).post(f"{url}link/", link, format="json"), FORBIDDEN),
            (reader.post(f"{url}link/", link, format="json"), FORBIDDEN),
            (client_for(cast.operator_b).post(f"{url}link/", link, format="json"), NOT_FOUND),
            (client_for(cast.operator_b).post(f"{url}unlink/", {"identity": b.author_id}, format="json"), NOT_FOUND),
            (
                operator.post(f"{url}link/", {"platform": "x", "handle": "budi"}, format="json"),
                (409, {"detail": "That is this customer's own identity."}),
            ),
            (
                operator.post(f"{url}link/", {"platform": "x", "handle": "nobody"}, format="json"),
                (409, {"detail": "No customer with this handle has written to this brand on that platform."}),
            ),
            (
                operator.post(f"{url}unlink/", {"identity": b.author_id}, format="json"),
                (409, {"detail": "That identity is not linked to this customer."}),
            ),
        ],
        before,
    )


# --- Get next, saved views ------------------------------------------------------------------------------------------


def test_get_next_claims_the_most_urgent_new_ticket_once_per_key(cast):
    calm = make_ticket(cast.brand_a, author_id="n-1")
    urgent = make_ticket(cast.brand_a, author_id="n-2")
    workflow.change_priority(ticket=urgent, user=cast.supervisor, priority=4)
    url = "/api/v1/tickets/next/"
    key = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    operator = client_for(cast.operator)
    first = operator.post(url, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = operator.post(url, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert (first.status_code, first.json()["id"], first.json()["assignee"]) == (200, urgent.pk, "op_a")
    assert (again.status_code, again.json()["id"], again.headers["Idempotent-Replayed"]) == (200, urgent.pk, "true")
    assert Ticket.objects.get(pk=calm.pk).assignee is None
    assert operator.post(url).json()["id"] == calm.pk
    nothing = operator.post(url)
    assert (nothing.status_code, nothing.content) == (204, b"")
    reader = read_only_key(cast.operator)
    before = db_state()
    refused([(client_for(cast.manager).post(url), FORBIDDEN), (reader.post(url), FORBIDDEN)], before)


def test_saved_views_are_listed_with_their_counts(cast):
    make_ticket(cast.brand_a, author_id="v-1")
    mine = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="v-2"), user=cast.operator)
    own = views.save_view(user=cast.operator, name="Mine", filters=QueueFilters(mine=True))
    team = views.save_view(
        user=cast.supervisor, name="All new", filters=QueueFilters(status="new"), team_brand_id=cast.brand_a.pk
    )
    views.save_view(user=cast.supervisor, name="Theirs", filters=QueueFilters())
    response = client_for(cast.operator).get("/api/v1/views/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": own.pk, "name": "Mine", "team": None, "query": {"mine": "1"}, "count": 1},
        {
            "id": team.pk,
            "name": "All new",
            "team": "acme",
            "query": {"brand": str(cast.brand_a.pk), "status": "new"},
            "count": 1,
        },
    ]
    assert mine.assignee == cast.operator
    assert client_for(cast.operator_b).get("/api/v1/views/").json() == []
