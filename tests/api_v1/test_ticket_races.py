"""The API's new keyed writes sent four times at once (SQLite and PostgreSQL, as tests/security/test_concurrency.py
races them): a revision is one revision and one review request; an assignment and a bulk action on the same
tickets at once are each done once, the others told why."""

import pytest

from brands.models import ReviewPolicy, Role
from tests.concurrency.test_races import run_together
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import KeyedAPIClient
from tickets.models import Event, Notification, ReplyRevision, ReplyStatus, Ticket
from tickets.services import replies, workflow

pytestmark = pytest.mark.django_db(transaction=True)

N = 4


def apis(user, n: int = N) -> list[KeyedAPIClient]:
    clients = [KeyedAPIClient() for _ in range(n)]
    for client in clients:
        client.force_authenticate(user)
    return clients


def test_one_api_revision_sent_four_times_at_once_is_one_revision(cast):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Mohon ditunggu")
    replies.request_changes(reply=reply, user=cast.supervisor, code="tone", note="Sapa namanya")
    url = f"/api/v1/replies/{reply.pk}/revise/"
    key = "3c1a0b6f-4d9e-4f7e-9a58-2d7c1e5b8f40"
    body = {"body": "Halo Kak Budi, mohon ditunggu"}

    answers = run_together(
        *(lambda c=c: c.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key) for c in apis(cast.operator))
    )

    assert sorted(a.status_code for a in answers) == [200] * N
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == N - 1
    assert list(ReplyRevision.objects.filter(reply=reply).values_list("number", flat=True).order_by("number")) == [1, 2]
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.IN_REVIEW
    assert Event.objects.filter(kind="reply.revised").count() == 1
    assert Event.objects.filter(kind="reply.review_requested").count() == 2  # the submission and the revision


def test_four_assignments_of_one_ticket_at_once_assign_it_once(cast):
    teammates = [make_user(f"op_t{n}") for n in range(N)]
    for user in teammates:
        make_member(user, cast.brand_a, Role.OPERATOR)
    ticket = make_ticket(cast.brand_a)
    url = f"/api/v1/tickets/{ticket.pk}/assign/"
    clients = apis(cast.supervisor)

    answers = run_together(
        *(
            lambda c=c, u=u: c.post(url, {"assignee": u.username, "expected_assignee": None}, format="json")
            for c, u in zip(clients, teammates, strict=True)
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    owner = Ticket.objects.get(pk=ticket.pk).assignee
    assert {a.json()["detail"] for a in answers if a.status_code == 409} == {f"{owner.username} took it meanwhile."}
    assert Event.objects.filter(ticket=ticket, kind="ticket.assigned").count() == 1
    assert Notification.objects.filter(kind="ticket.assigned").count() == 1


def test_one_bulk_resolve_sent_four_times_at_once_resolves_each_ticket_once(cast):
    tickets = [make_ticket(cast.brand_a, author_id=f"r-{n}") for n in range(3)]
    rows = [{"id": t.pk, "expected_assignee": None} for t in tickets]

    answers = run_together(
        *(
            lambda c=c: c.post("/api/v1/tickets/bulk/", {"action": "resolve", "tickets": rows}, format="json")
            for c in apis(cast.operator)
        )
    )

    assert [a.status_code for a in answers] == [200] * N
    done = sorted(ref for a in answers for ref in a.json()["done"])
    assert done == sorted(f"T-{t.pk}" for t in tickets)
    assert sum(len(a.json()["skipped"]) for a in answers) == 3 * (N - 1)
    assert Event.objects.filter(kind="ticket.resolved").count() == 3
