"""Two clicks at once, on SQLite and on PostgreSQL: the same reply, note, claim, `Get next`, review decision,
revision and retry, sent from four threads at the same instant, take effect once (docs/publishing.md#exactly-once).

How this races on both databases. Every thread is a client of its own, on its own database connection (Django's
connections are per thread), released by a ``threading.Barrier``; ``transaction=True`` commits what the setup
wrote so those connections see it, and runs ``on_commit`` for real, so Celery's eager task publishes through the
fake platform server (or the console channel) exactly as a worker would. The SQLite test database is a file
(``tests/conftest.py``), so SQLite's connections wait for each other's writes (``BEGIN IMMEDIATE``, 20 s busy
timeout) as the embedded default does — the first test below shows it — where PostgreSQL waits on the ticket's
row lock. Either way the second submission runs after the first
committed and must recognise it by its key; where no lock orders two submissions (one key on two tickets, `Get
next`), the first's transaction is held open so the second really overlaps it and meets the unique key.

Each test asserts exact counts of what a double would duplicate: rows, events, notifications, deliveries queued,
delivery attempts and calls to the platform. The platform is faked only at its HTTP boundary.
"""

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from brands.models import ReviewPolicy, Role
from tests.concurrency.test_races import run_together, slow
from tests.factories import make_member, make_ticket, make_user
from tests.helpers import KeyedAPIClient, keyed
from tests.publishing.fake_platform import payload
from tests.publishing.test_publishing import answered_ticket
from tickets import events
from tickets.models import (
    DeliveryAttempt,
    Event,
    Note,
    Notification,
    Reply,
    ReplyRevision,
    ReplyStatus,
    ReviewDecision,
    Submission,
    Ticket,
)
from tickets.services import idempotency, replies, workflow

pytestmark = pytest.mark.django_db(transaction=True)

#: how many identical submissions each test sends at once (the issue's four)
N = 4
BODY = "Halo Kak, mohon DM nomor pesanan ya"


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The replies queued for delivery, in order (a spy: the real task still runs)."""
    calls: list[int] = []
    real = replies.enqueue_delivery

    def spy(reply_id: int) -> None:
        calls.append(reply_id)
        real(reply_id)

    monkeypatch.setattr(replies, "enqueue_delivery", spy)
    return calls


def browsers(user, n: int = N) -> list[Client]:
    clients = [Client() for _ in range(n)]
    for client in clients:
        client.force_login(user)
    return clients


def apis(user, n: int = N) -> list[KeyedAPIClient]:
    clients = [KeyedAPIClient() for _ in range(n)]
    for client in clients:
        client.force_authenticate(user)
    return clients


def form_key(html: str, action: str) -> str:
    """The idempotency key in the form of ``html`` that posts to ``action``: what the page made when it rendered."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no form posting to {action}"
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', form.group(1)).group(1)


def click_together(clients: list[Client], page: str, url: str, data: dict) -> list:
    """The form of ``page`` that posts to ``url``, filled with ``data`` and the key the page made, sent by every
    client at the same instant; each answer followed to the page it leads to."""
    data = {**data, "idempotency_key": form_key(clients[0].get(page).content.decode(), url)}
    return run_together(*(lambda c=c: c.post(url, data, follow=True) for c in clients))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def kinds(**filters) -> list[str]:
    return sorted(Event.objects.filter(**filters).values_list("kind", flat=True))


def statuses(responses) -> list[int]:
    return sorted(r.status_code for r in responses)


def replayed(responses) -> int:
    return sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses)


# --- the infrastructure races -------------------------------------------------------------------------------


def test_the_racing_threads_have_their_own_connections_and_wait_for_each_other(cast):
    """The proof that SQLite is raced, not merely run: two threads, two connections to the one database file; the
    second's write waits until the first commits (on PostgreSQL, for the row lock), then sees its row."""
    ticket = make_ticket(cast.brand_a)
    first_holds = threading.Event()

    def first():
        with transaction.atomic():
            Ticket.objects.filter(pk=ticket.pk).update(subject="first")
            first_holds.set()
            time.sleep(0.5)
        return id(connection.connection)

    def second():
        assert first_holds.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            seen = Ticket.objects.select_for_update().get(pk=ticket.pk).subject
            Ticket.objects.filter(pk=ticket.pk).update(subject="second")
        return time.monotonic() - started, seen, id(connection.connection)

    (first_connection, (waited, seen, second_connection)) = run_together(first, second)

    assert first_connection != second_connection
    assert waited >= 0.3
    assert seen == "first"
    ticket.refresh_from_db()
    assert ticket.subject == "second"


def test_without_the_key_check_every_repeat_of_the_form_is_published_again(cast, fake_platform, monkeypatch):
    """What the issue reproduced, made deterministic: the ticket's state rules cannot tell a repeat from a new
    reply once the first is published, so with the key check switched off the same form sent four times (each
    after the previous one went out, as a slow double click or a retried request arrives) stores and publishes
    four replies. On the old code four at once gave two or three on SQLite."""
    monkeypatch.setattr(idempotency, "previous", lambda **kwargs: None)
    monkeypatch.setattr(idempotency, "record", lambda **kwargs: None)
    ticket = answered_ticket(cast, fake_platform, "x")
    client = browsers(cast.operator, 1)[0]
    url = f"/tickets/{ticket.pk}/reply/"
    data = keyed({"body": BODY})

    answers = [client.post(url, data).status_code for _ in range(N)]

    assert answers == [302] * N
    assert Reply.objects.filter(status=ReplyStatus.SENT).count() == N
    assert len(fake_platform.posts()) == N


# --- replies --------------------------------------------------------------------------------------------------


def test_one_reply_form_sent_four_times_at_once_stores_one_reply_and_publishes_it_once(cast, fake_platform, queued):
    ticket = answered_ticket(cast, fake_platform, "x")
    clients = browsers(cast.operator)
    page = f"/tickets/{ticket.pk}/"
    url = f"/tickets/{ticket.pk}/reply/"

    answers = click_together(clients, page, url, {"body": BODY, "snippets": ""})

    assert [a.redirect_chain for a in answers] == [[(page, 302)]] * N  # no error page for anyone
    assert [messages_of(a) for a in answers] == [["Reply sent."]] * N
    reply = Reply.objects.get()
    assert (reply.status, reply.body, reply.author) == (ReplyStatus.SENT, BODY, cast.operator)
    assert ReplyRevision.objects.count() == 1
    assert kinds(reply=reply) == ["reply.approved", "reply.sent", "reply.submitted"]
    assert queued == [reply.pk]
    assert DeliveryAttempt.objects.filter(outcome="succeeded").count() == DeliveryAttempt.objects.count() == 1
    assert [post.body["text"] for post in fake_platform.posts()] == [BODY]
    assert Submission.objects.count() == 1
    # the page offers a new form now: the next reply is a new submission
    assert form_key(clients[0].get(page).content.decode(), url) != str(Submission.objects.get().key)


def test_one_api_reply_sent_four_times_at_once_is_created_once_and_the_repeats_answer_200(cast, fake_platform, queued):
    ticket = answered_ticket(cast, fake_platform, "x")
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e5f"

    answers = run_together(
        *(lambda c=c: c.post(url, {"body": BODY}, format="json", HTTP_IDEMPOTENCY_KEY=key) for c in apis(cast.operator))
    )

    assert statuses(answers) == [200, 200, 200, 201]
    assert replayed(answers) == 3
    reply = Reply.objects.get()
    assert {a.json()["id"] for a in answers} == {reply.pk}
    assert queued == [reply.pk]
    assert DeliveryAttempt.objects.count() == 1
    assert len(fake_platform.posts()) == 1
    assert kinds(reply=reply) == ["reply.approved", "reply.sent", "reply.submitted"]


def test_one_key_with_two_texts_at_once_stores_one_and_refuses_the_other_422(cast, queued):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    url = f"/api/v1/tickets/{ticket.pk}/replies/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e60"
    first, second = apis(cast.operator, 2)

    answers = run_together(
        lambda: first.post(url, {"body": "Satu"}, format="json", HTTP_IDEMPOTENCY_KEY=key),
        lambda: second.post(url, {"body": "Dua"}, format="json", HTTP_IDEMPOTENCY_KEY=key),
    )

    assert statuses(answers) == [201, 422]
    created = next(a for a in answers if a.status_code == 201)
    refused = next(a for a in answers if a.status_code == 422)
    assert refused.json() == {
        "detail": "This Idempotency-Key was already used with a different request; nothing was done. Use a new key."
    }
    reply = Reply.objects.get()
    assert reply.body == created.json()["body"]
    assert queued == [reply.pk]
    assert DeliveryAttempt.objects.count() == 1


def test_one_key_on_two_tickets_at_once_meets_the_unique_key_and_keeps_one(cast, queued, monkeypatch):
    """No lock orders these two: each holds its own ticket. The submission event is slowed so both transactions
    are open together; the second's key then collides with the first's (PostgreSQL: it waits on the unique index
    and fails when the first commits), everything it wrote is rolled back, and it is answered 422."""
    tickets = [
        workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id=f"u-{n}"), user=cast.operator) for n in (1, 2)
    ]
    monkeypatch.setattr(replies.events, "reply_submitted", slow(events, "reply_submitted"))
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e61"
    clients = apis(cast.operator, 2)

    answers = run_together(
        *(
            lambda c=c, t=t: c.post(
                f"/api/v1/tickets/{t.pk}/replies/", {"body": BODY}, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
            for c, t in zip(clients, tickets, strict=True)
        )
    )

    assert statuses(answers) == [201, 422]
    reply = Reply.objects.get()
    loser = next(t for t in tickets if t.pk != reply.ticket_id)
    assert kinds(ticket=loser) == ["ticket.claimed", "ticket.created"]
    assert Submission.objects.get().reply == reply
    assert queued == [reply.pk]
    assert DeliveryAttempt.objects.count() == 1


# --- notes and claims ---------------------------------------------------------------------------------------


def test_add_note_clicked_four_times_at_once_stores_one_note(cast):
    ticket = make_ticket(cast.brand_a)
    clients = browsers(cast.operator)
    url = f"/tickets/{ticket.pk}/note/"

    answers = click_together(clients, f"/tickets/{ticket.pk}/", url, {"body": "Pelanggan VIP, hati-hati"})

    assert [messages_of(a) for a in answers] == [["Note added."]] * N
    note = Note.objects.get()
    assert (note.body, note.author) == ("Pelanggan VIP, hati-hati", cast.operator)
    assert kinds(kind="note.added") == ["note.added"]


def test_one_api_note_sent_four_times_at_once_is_created_once(cast):
    ticket = make_ticket(cast.brand_a)
    url = f"/api/v1/tickets/{ticket.pk}/notes/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e62"

    answers = run_together(
        *(
            lambda c=c: c.post(url, {"body": "Cek"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            for c in apis(cast.operator)
        )
    )

    assert statuses(answers) == [200, 200, 200, 201]
    assert replayed(answers) == 3
    assert {a.json()["id"] for a in answers} == {Note.objects.get().pk}
    assert kinds(kind="note.added") == ["note.added"]


def test_claim_clicked_four_times_at_once_is_one_claim_and_no_error(cast):
    ticket = make_ticket(cast.brand_a)
    clients = browsers(cast.operator)
    url = f"/tickets/{ticket.pk}/claim/"

    answers = click_together(clients, f"/tickets/{ticket.pk}/", url, {})

    assert [messages_of(a) for a in answers] == [["You own this ticket now."]] * N
    ticket.refresh_from_db()
    assert ticket.assignee == cast.operator
    assert kinds(kind="ticket.claimed") == ["ticket.claimed"]


def test_one_api_claim_sent_four_times_at_once_claims_once(cast):
    ticket = make_ticket(cast.brand_a)
    url = f"/api/v1/tickets/{ticket.pk}/claim/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e63"

    answers = run_together(*(lambda c=c: c.post(url, HTTP_IDEMPOTENCY_KEY=key) for c in apis(cast.operator)))

    assert statuses(answers) == [200] * N
    assert replayed(answers) == 3
    assert {a.json()["assignee"] for a in answers} == {"op_a"}
    assert kinds(kind="ticket.claimed") == ["ticket.claimed"]


def test_get_next_clicked_four_times_at_once_claims_one_ticket(cast, monkeypatch):
    """No ticket lock orders these: on PostgreSQL each press skips the rows the others locked and picks another
    ticket. The claim event is slowed so the presses overlap; the unique key rolls back every claim but the
    first, and each press is answered with the first one's ticket."""
    tickets = [make_ticket(cast.brand_a, author_id=f"u-{n}") for n in range(N)]
    monkeypatch.setattr(workflow.events, "ticket_claimed", slow(events, "ticket_claimed"))
    clients = browsers(cast.operator)
    key = form_key(clients[0].get("/queue/").content.decode(), "/queue/next/")

    answers = run_together(*(lambda c=c: c.post("/queue/next/", {"idempotency_key": key}) for c in clients))

    claimed = Ticket.objects.get(assignee=cast.operator)
    assert [a["Location"] for a in answers] == [f"/tickets/{claimed.pk}/"] * N
    assert Ticket.objects.filter(assignee__isnull=True).count() == len(tickets) - 1
    assert kinds(kind="ticket.claimed") == ["ticket.claimed"]


# --- review decisions ---------------------------------------------------------------------------------------


@pytest.fixture
def in_review(cast, fake_platform):
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = answered_ticket(cast, fake_platform, "x")
    return replies.submit_reply(ticket=ticket, user=cast.operator, body=BODY)


@pytest.fixture
def supervisor2(cast):
    user = make_user("sup_a2")
    make_member(user, cast.brand_a, Role.SUPERVISOR)
    return user


@pytest.mark.parametrize(
    ("form", "verdict", "text"),
    [({}, "approved", BODY), ({"edit": "1", "body": "Halo Kak, boleh DM nomor pesanannya?"}, "edited", None)],
)
def test_approve_clicked_four_times_at_once_decides_once_and_publishes_once(
    cast, fake_platform, queued, in_review, form, verdict, text
):
    text = text or form["body"]
    clients = browsers(cast.supervisor)

    url = f"/review/{in_review.pk}/approve/"

    answers = click_together(clients, f"/review/?r={in_review.pk}", url, {"revision": 1, **form})

    assert [a.redirect_chain for a in answers] == [[("/review/", 302)]] * N
    assert [messages_of(a) for a in answers] == [["Reply approved; it is being published."]] * N
    decision = ReviewDecision.objects.get()
    assert (decision.verdict, decision.reviewer) == (verdict, cast.supervisor)
    in_review.refresh_from_db()
    assert (in_review.status, in_review.body) == (ReplyStatus.SENT, text)
    assert ReplyRevision.objects.count() == (2 if verdict == "edited" else 1)
    approvals = ["reply.approved", "reply.review_requested", "reply.sent", "reply.submitted"]
    assert kinds(reply=in_review) == sorted(approvals + (["reply.revised"] if verdict == "edited" else []))
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_APPROVED).count() == 1
    assert queued == [in_review.pk]
    assert DeliveryAttempt.objects.count() == 1
    assert [post.body["text"] for post in fake_platform.posts()] == [text]


def test_request_changes_clicked_four_times_at_once_sends_it_back_once(cast, fake_platform, queued, in_review):
    clients = browsers(cast.supervisor)
    form = {"revision": 1, "code": "tone", "note": "Lebih ramah, sapa namanya"}

    answers = click_together(clients, f"/review/?r={in_review.pk}", f"/review/{in_review.pk}/changes/", form)

    assert [messages_of(a) for a in answers] == [["Sent back to op_a with your note."]] * N
    decision = ReviewDecision.objects.get()
    assert (decision.verdict, decision.reason_code, decision.note) == ("changes_requested", "tone", form["note"])
    in_review.refresh_from_db()
    assert in_review.status == ReplyStatus.CHANGES_REQUESTED
    assert kinds(kind="reply.changes_requested") == ["reply.changes_requested"]
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_CHANGES).count() == 1
    assert queued == []
    assert fake_platform.posts() == []


def test_one_api_approval_sent_four_times_at_once_decides_once(cast, fake_platform, queued, in_review):
    url = f"/api/v1/replies/{in_review.pk}/approve/"
    key = "6f0c1d2e-8a4b-4c3d-9e5f-0a1b2c3d4e64"

    answers = run_together(
        *(
            lambda c=c: c.post(url, {"revision": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key)
            for c in apis(cast.supervisor)
        )
    )

    assert statuses(answers) == [200] * N
    assert replayed(answers) == 3
    assert ReviewDecision.objects.count() == 1
    assert queued == [in_review.pk]
    assert len(fake_platform.posts()) == 1


def test_two_reviewers_deciding_at_once_make_one_decision_and_the_other_is_told(
    cast, fake_platform, queued, in_review, supervisor2
):
    first, second = apis(cast.supervisor, 1)[0], apis(supervisor2, 1)[0]

    answers = run_together(
        lambda: first.post(f"/api/v1/replies/{in_review.pk}/approve/", {"revision": 1}, format="json"),
        lambda: second.post(
            f"/api/v1/replies/{in_review.pk}/request-changes/",
            {"revision": 1, "reason": "tone", "note": "Lebih ramah"},
            format="json",
        ),
    )

    assert statuses(answers) == [200, 409]
    assert "no longer waiting for review" in next(a for a in answers if a.status_code == 409).json()["detail"]
    assert ReviewDecision.objects.count() == 1
    assert len(fake_platform.posts()) == len(queued) == (1 if ReviewDecision.objects.get().verdict == "approved" else 0)


# --- revisions and retries ----------------------------------------------------------------------------------


def test_a_revision_sent_four_times_at_once_is_one_revision_and_one_review_request(cast, fake_platform, in_review):
    replies.request_changes(reply=in_review, user=cast.supervisor, code="tone", note="Sapa namanya")
    clients = browsers(cast.operator)
    url = f"/replies/{in_review.pk}/revise/"
    revised = "Halo Kak Budi, mohon DM nomor pesanan ya"

    answers = click_together(clients, f"/tickets/{in_review.ticket_id}/", url, {"body": revised})

    assert [messages_of(a) for a in answers] == [["Revised and submitted for review."]] * N
    assert list(ReplyRevision.objects.order_by("number").values_list("number", "body")) == [(1, BODY), (2, revised)]
    in_review.refresh_from_db()
    assert in_review.status == ReplyStatus.IN_REVIEW
    assert kinds(kind="reply.revised") == ["reply.revised"]
    assert kinds(kind="reply.review_requested") == ["reply.review_requested"] * 2  # the submission and the revision
    assert Notification.objects.filter(kind=Notification.Kind.REVIEW_REQUESTED).count() == 2
    assert fake_platform.posts() == []


def test_retry_clicked_four_times_at_once_sends_once_more_even_when_it_fails_again(cast, fake_platform, queued):
    """The platform refuses the reply, then refuses the retry too: without the key, every click after that second
    failure would find the reply `failed` again and post it once more."""
    refusal = payload("x_v2_error_403_duplicate_content.json")["response"]
    for _ in range(2):
        fake_platform.script("POST", "/x/2/tweets", 403, refusal["body"])
    ticket = answered_ticket(cast, fake_platform, "x")
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body=BODY)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    clients = browsers(cast.operator)
    url = f"/replies/{reply.pk}/retry/"

    answers = click_together(clients, f"/tickets/{ticket.pk}/", url, {})

    assert [messages_of(a) for a in answers] == [["Publishing the reply again."]] * N
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.FAILED
    assert kinds(kind="reply.retried") == ["reply.retried"]
    assert queued == [reply.pk, reply.pk]  # the submission and the one retry
    assert DeliveryAttempt.objects.filter(outcome="failed").count() == DeliveryAttempt.objects.count() == 2
    assert len(fake_platform.posts()) == 2
