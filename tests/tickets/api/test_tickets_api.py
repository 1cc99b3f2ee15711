"""GET /api/v1/tickets/ and /api/v1/tickets/<id>/: scoped, filtered, paginated, exact bodies."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_ticket
from tests.helpers import db_state
from tickets.services import delivery, replies, tags, workflow

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
LIST = "/api/v1/tickets/"


def _token(values) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": values}).encode()).decode().rstrip("=")


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def tickets(cast):
    """Four brand-A tickets (one claimed, one urgent, one resolved) and one brand-B ticket, oldest first."""
    a1 = make_ticket(cast.brand_a, author_id="u-1", now=T0)
    a2 = make_ticket(cast.brand_a, author_id="u-2", now=T0 + timedelta(minutes=1))
    a3 = make_ticket(cast.brand_a, author_id="u-3", now=T0 + timedelta(minutes=2))
    a4 = make_ticket(cast.brand_a, author_id="u-4", now=T0 + timedelta(minutes=3))
    b1 = make_ticket(cast.brand_b, author_id="u-5", now=T0 + timedelta(minutes=4))
    workflow.claim_ticket(ticket=a1, user=cast.operator)
    workflow.change_priority(ticket=a2, user=cast.supervisor, priority=4)
    workflow.resolve_ticket(ticket=a3, user=cast.supervisor)
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "b1": b1}


def test_the_list_shows_only_the_callers_brands_newest_first(cast, api, tickets):
    t = tickets
    for who in ("operator", "supervisor", "manager"):
        response = api(getattr(cast, who)).get(LIST)
        assert response.status_code == 200
        assert ids(response) == [t["a4"].pk, t["a3"].pk, t["a2"].pk, t["a1"].pk]
    assert ids(api(cast.operator_b).get(LIST)) == [t["b1"].pk]
    assert ids(api(cast.admin).get(LIST)) == [t["b1"].pk, t["a4"].pk, t["a3"].pk, t["a2"].pk, t["a1"].pk]


def test_the_outsider_gets_an_empty_list(cast, api, tickets):
    response = api(cast.outsider).get(LIST)
    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": []}


def test_unauthenticated_is_401(cast, api, tickets):
    response = api(None).get(LIST)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("brand=acme", ["a4", "a3", "a2", "a1"]),
        ("status=open", ["a1"]),
        ("status=resolved", ["a3"]),
        ("status=new", ["a4", "a2"]),
        ("priority=urgent", ["a2"]),
        ("priority=normal", ["a4", "a3", "a1"]),
        ("assignee=op_a", ["a1"]),
        ("assignee=none", ["a4", "a3", "a2"]),
        ("status=new&priority=urgent", ["a2"]),
        ("status=closed", []),
    ],
)
def test_filters(cast, api, tickets, query, expected):
    response = api(cast.supervisor).get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert ids(response) == [tickets[name].pk for name in expected]


def test_assignee_me(cast, api, tickets):
    assert ids(api(cast.operator).get(f"{LIST}?assignee=me")) == [tickets["a1"].pk]
    assert ids(api(cast.supervisor).get(f"{LIST}?assignee=me")) == []


def test_an_assignee_filter_does_not_reveal_who_exists(cast, api, tickets):
    """A username from another brand, or no user at all: the same empty answer."""
    for username in ("op_a", "nobody-at-all"):
        response = api(cast.operator_b).get(f"{LIST}?assignee={username}")
        assert response.status_code == 200
        assert response.json() == {"next": None, "previous": None, "results": []}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("brand=globex", {"brand": ["Unknown brand."]}),
        ("brand=no-such-brand", {"brand": ["Unknown brand."]}),
        ("status=bogus", {"status": ["Select a valid choice. bogus is not one of the available choices."]}),
        ("priority=3", {"priority": ["Select a valid choice. 3 is not one of the available choices."]}),
    ],
)
def test_bad_filters_are_400(cast, api, tickets, query, errors):
    response = api(cast.supervisor).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_cursor_pages_walk_forwards_and_back_without_a_count(cast, api, tickets):
    t = tickets
    client = api(cast.supervisor)
    first = client.get(f"{LIST}?page_size=3")
    assert set(first.json()) == {"next", "previous", "results"}
    assert first.json()["previous"] is None
    assert ids(first) == [t["a4"].pk, t["a3"].pk, t["a2"].pk]
    second = client.get(first.json()["next"])
    assert ids(second) == [t["a1"].pk]
    assert second.json()["next"] is None
    back = client.get(second.json()["previous"])
    assert ids(back) == [t["a4"].pk, t["a3"].pk, t["a2"].pk]
    assert back.json()["previous"] is None
    assert client.get(back.json()["next"]).json()["results"] == second.json()["results"]


def test_a_page_neither_repeats_nor_skips_when_tickets_arrive_meanwhile(cast, api, tickets):
    """Same received time for every ticket: the id is the tiebreaker; a newer ticket does not shift the pages."""
    client = api(cast.supervisor)
    same = [make_ticket(cast.brand_a, author_id=f"s-{n}", now=T0 + timedelta(hours=1)) for n in range(4)]
    first = client.get(f"{LIST}?page_size=2")
    assert ids(first) == [same[3].pk, same[2].pk]
    make_ticket(cast.brand_a, author_id="late", now=T0 + timedelta(hours=2))
    assert ids(client.get(first.json()["next"])) == [same[1].pk, same[0].pk]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("cursor=bm90LWEtY3Vyc29y", {"cursor": ["This cursor is not valid: follow the next and previous links."]}),
        ("cursor=%25%25", {"cursor": ["This cursor is not valid: follow the next and previous links."]}),
        ("cursor=eyJwIjpbMSwyLDNdfQ", {"cursor": ["This cursor is not valid: follow the next and previous links."]}),
        *(
            (f"cursor={_token(values)}", {"cursor": ["This cursor is not valid: follow the next and previous links."]})
            for values in (
                ["d:2025-03-03T02:00:00+00:00", "d:2025-03-03T02:00:00+00:00"],
                [1, 2],
                ["d:2025-03-03T02:00:00", 1],
                ["d:9999-12-31T23:59:59-14:00", 1],
                ["d:2025-03-03T02:00:00+00:00", True],
                ["d:2025-03-03T02:00:00+00:00", 2**70],
            )
        ),
        ("page_size=0", {"page_size": ["Ensure this value is between 1 and 200."]}),
        ("page_size=201", {"page_size": ["Ensure this value is between 1 and 200."]}),
    ],
)
def test_a_forged_cursor_or_page_size_is_400(cast, api, tickets, query, errors):
    """Also a cursor of the wrong types for the sort's fields, or a moment past the calendar's end."""
    response = api(cast.supervisor).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_the_list_costs_the_same_queries_whatever_the_page_size(cast, api, django_assert_num_queries):
    for n in range(12):
        make_ticket(cast.brand_a, author_id=f"u-{n}", now=T0)
    client = api(cast.supervisor)
    client.get(LIST)  # warm the token lookup path
    # token+user, memberships, page, and the page's tags (one prefetch since tickets carry tags); no count
    with django_assert_num_queries(4):
        assert len(ids(client.get(f"{LIST}?page_size=2"))) == 2
    with django_assert_num_queries(4):
        assert len(ids(client.get(f"{LIST}?page_size=12"))) == 12


# --- detail -------------------------------------------------------------------------------------------------


def test_the_detail_has_the_ticket_its_mentions_replies_and_notes(cast, api):
    ticket = make_ticket(
        cast.brand_a,
        platform_id="tw-1",
        author_id="u-1",
        handle="budi",
        text="Paket belum sampai",
        posted_at=T0 - timedelta(minutes=3),
        now=T0,
        language="id",
        conversation_id="c-1",
    )
    workflow.claim_ticket(ticket=ticket, user=cast.operator, now=T0 + timedelta(minutes=1))
    # a note for the client: the manager reads it (team-only notes are not theirs: tests/edges/test_note_visibility.py)
    note = workflow.add_note(ticket=ticket, user=cast.operator, body="cek resi", visibility="client")
    tags.set_ticket_tags(ticket=ticket, user=cast.operator, names=["refund", "Delivery"])
    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Mohon DM resi", now=T0 + timedelta(minutes=2))
    delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=3))
    reply.refresh_from_db()
    mention = ticket.mentions.get()

    response = api(cast.manager).get(f"{LIST}{ticket.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": ticket.pk,
        "reference": f"T-{ticket.pk}",
        "brand": "acme",
        "platform": "x",
        "status": "pending",
        "priority": "normal",
        "assignee": "op_a",
        "author": {
            "platform": "x",
            "platform_user_id": "u-1",
            "handle": "budi",
            "name": "Budi",
            "followers_count": None,
            "following_count": None,
            "verified_type": "",
            "profile_url": "https://x.com/budi",
        },
        "subject": "Paket belum sampai",
        "is_private": False,
        "mention_count": 1,
        "posted_at": "2025-03-03T08:57:00+07:00",
        "received_at": "2025-03-03T09:00:00+07:00",
        "claimed_at": "2025-03-03T09:01:00+07:00",
        "first_submitted_at": "2025-03-03T09:02:00+07:00",
        "first_approved_at": "2025-03-03T09:02:00+07:00",
        "first_response_at": "2025-03-03T09:03:00+07:00",
        "resolved_at": None,
        "first_response_due_at": "2025-03-03T10:00:00+07:00",
        "next_response_due_at": None,
        "resolution_due_at": "2025-03-04T09:00:00+07:00",
        "due_at": None,
        "tags": ["delivery", "refund"],
        "mentions": [
            {
                "id": mention.pk,
                "platform_id": "tw-1",
                "kind": "post",
                "author": "u-1",
                "text": "Paket belum sampai",
                "language": "id",
                "url": "",
                "conversation_id": "c-1",
                "parent_id": "",
                "posted_at": "2025-03-03T08:57:00+07:00",
                "received_at": "2025-03-03T09:00:00+07:00",
                "is_edited": False,
                "is_deleted": False,
                "media": [],
            }
        ],
        "replies": [
            {
                "id": reply.pk,
                "author": "op_a",
                "body": "Mohon DM resi",
                "status": "sent",
                "platform_reply_id": f"console-{reply.idempotency_key}",
                "failure_reason": "",
                "created_at": response.json()["replies"][0]["created_at"],
                "submitted_at": "2025-03-03T09:02:00+07:00",
                "approved_at": "2025-03-03T09:02:00+07:00",
                "sent_at": "2025-03-03T09:03:00+07:00",
                "image": None,
            }
        ],
        "notes": [
            {
                "id": note.pk,
                "author": "op_a",
                "body": "cek resi",
                "visibility": "client",
                "created_at": response.json()["notes"][0]["created_at"],
            }
        ],
    }


@pytest.mark.parametrize("who", ["outsider", "operator_b"])
def test_the_detail_of_another_brands_ticket_is_404(cast, api, tickets, who):
    response = api(getattr(cast, who)).get(f"{LIST}{tickets['a1'].pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_missing_ticket_is_the_same_404(cast, api, tickets):
    response = api(cast.supervisor).get(f"{LIST}999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_detail_is_read_only(cast, api, tickets):
    before = db_state()
    for method in ("put", "patch", "delete", "post"):
        assert getattr(api(cast.supervisor), method)(f"{LIST}{tickets['a1'].pk}/").status_code == 405
    assert db_state() == before


def test_the_detail_costs_the_same_queries_whatever_the_conversation_length(cast, api, django_assert_num_queries):
    short = make_ticket(cast.brand_a, author_id="u-1", conversation_id="c-1", now=T0)
    long = make_ticket(cast.brand_a, author_id="u-2", conversation_id="c-2", now=T0)
    for n in range(20):
        make_ticket(cast.brand_a, author_id=f"v-{n}", conversation_id="c-2", now=T0)
        workflow.add_note(ticket=long, user=cast.operator, body=f"note {n}")
    assert long.mentions.count() == 21
    client = api(cast.supervisor)
    client.get(f"{LIST}{short.pk}/")
    # token+user, memberships, ticket, tags (a prefetch since tickets carry tags), mentions, their media, replies,
    # notes (the replies' images: one more query when there are replies)
    with django_assert_num_queries(8):
        client.get(f"{LIST}{short.pk}/")
    with django_assert_num_queries(8):
        client.get(f"{LIST}{long.pk}/")
