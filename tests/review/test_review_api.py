"""The review API: GET /api/v1/reviews/, POST /api/v1/replies/<id>/approve/ (with ``body``: edit and approve) and
/request-changes/. Scope (404 outside the brand, 403 without ``reply:approve``), 409 on the service's refusals,
400 on a bad body; every refused call changes nothing, queues nothing, mails nothing and posts nothing."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_channel, make_ticket
from tests.helpers import db_state
from tests.publishing.fake_platform import FakePlatform
from tickets.models import DeliveryAttempt, ReplyStatus, ReviewDecision, Ticket
from tickets.services import replies, workflow

_authors = itertools.count(1)


def submitted(cast, *, user=None, due=None, body="Mohon DM nomor resi ya", channel=None):
    ticket = make_ticket(
        cast.brand_a,
        text="Paket saya belum sampai",
        author_id=f"cust-{next(_authors)}",
        **({"channel_account_id": channel.pk, "platform_id": f"21236162435450{next(_authors)}"} if channel else {}),
    )
    ticket = workflow.claim_ticket(ticket=ticket, user=user or cast.operator)
    if due is not None:
        Ticket.objects.filter(pk=ticket.pk).update(due_at=due)
    return replies.submit_reply(ticket=ticket, user=user or cast.operator, body=body)


def approve_url(reply) -> str:
    return f"/api/v1/replies/{reply.pk}/approve/"


def changes_url(reply) -> str:
    return f"/api/v1/replies/{reply.pk}/request-changes/"


# --- the list ------------------------------------------------------------------------------------------------


def test_the_list_is_ordered_by_sla_due_time_like_the_browser_queue(cast, api, review_all):
    now = timezone.now()
    later = submitted(cast, due=now + timedelta(hours=2))
    sooner = submitted(cast, due=now + timedelta(minutes=10))
    response = api(cast.supervisor).get("/api/v1/reviews/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], [r["id"] for r in body["results"]]) == (2, [sooner.pk, later.pk])
    first = body["results"][0]
    assert {k: first[k] for k in ("author", "body", "status", "reference", "brand", "revision", "reviewer")} == {
        "author": "op_a",
        "body": "Mohon DM nomor resi ya",
        "status": "in_review",
        "reference": sooner.ticket.reference,
        "brand": "acme",
        "revision": 1,
        "reviewer": None,
    }
    assert first["review_reasons"] == [{"code": "all", "params": {}}]
    assert first["ticket"] == sooner.ticket_id


@pytest.mark.parametrize("who", ["operator", "manager", "operator_b", "outsider"])
def test_the_list_is_empty_for_anyone_who_does_not_review_brand_a(cast, api, review_all, who):
    submitted(cast)
    response = api(getattr(cast, who)).get("/api/v1/reviews/")
    assert (response.status_code, response.json()) == (
        200,
        {"count": 0, "next": None, "previous": None, "results": []},
    )


@pytest.mark.parametrize("n", [1, 10])
def test_the_list_takes_the_same_queries_for_1_and_10_replies(cast, api, review_all, n, django_assert_num_queries):
    for _ in range(n):
        submitted(cast)
    client = api(cast.supervisor)
    # token + user, the caller's memberships, the count, the page (ticket, brand, authors, revision in one),
    # the replies' images (one query for the page), the presence stamp
    with django_assert_num_queries(6):
        response = client.get("/api/v1/reviews/")
    assert len(response.json()["results"]) == n


# --- approve, edit and approve, request changes --------------------------------------------------------------


def test_approve_answers_the_reply_and_publishes_it_on_commit(
    cast, api, review_all, django_capture_on_commit_callbacks
):
    reply = submitted(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.supervisor).post(approve_url(reply), {"revision": 1}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["body"], body["reviewer"], body["revision"]) == (
        reply.pk,
        "approved",  # answered before the delivery task runs on commit
        "Mohon DM nomor resi ya",
        "sup_a",
        1,
    )
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert DeliveryAttempt.objects.filter(reply=reply, outcome="succeeded").count() == 1
    assert list(reply.decisions.values_list("reviewer__username", "verdict")) == [("sup_a", "approved")]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["op_a@example.com"], f"[Acme Telco] Balasan Anda pada {reply.ticket.reference} disetujui")
    ]


def test_approve_with_a_body_is_edit_and_approve(cast, api, review_all):
    reply = submitted(cast)
    response = api(cast.supervisor).post(approve_url(reply), {"body": "  Mohon DM resi, Kak  "}, format="json")
    assert response.status_code == 200
    assert (response.json()["body"], response.json()["revision"], response.json()["author"]) == (
        "Mohon DM resi, Kak",
        2,
        "op_a",
    )
    reply.refresh_from_db()
    assert list(reply.revisions.values_list("number", "author__username", "body")) == [
        (1, "op_a", "Mohon DM nomor resi ya"),
        (2, "sup_a", "Mohon DM resi, Kak"),
    ]
    assert list(reply.decisions.values_list("verdict", "revision")) == [(ReviewDecision.Verdict.EDITED, 2)]


def test_request_changes_sends_it_back_with_the_reason_and_note(cast, api, review_all):
    reply = submitted(cast)
    response = api(cast.supervisor).post(
        changes_url(reply), {"reason": "wrong_info", "note": "Cek ongkirnya dulu"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["changes_reason"], body["changes_note"], body["reviewer"]) == (
        "changes_requested",
        "wrong_info",
        "Cek ongkirnya dulu",
        "sup_a",
    )
    assert list(reply.decisions.values_list("verdict", "reason_code", "note")) == [
        ("changes_requested", "wrong_info", "Cek ongkirnya dulu")
    ]


# --- refusals: nothing changes, nothing is queued, mailed or posted ----------------------------------------


@pytest.fixture
def refused(django_capture_on_commit_callbacks):
    """``refused(call)``: run ``call`` and check it changed nothing and left nothing to run on commit."""

    def check(call):
        before = db_state()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = call()
        assert callbacks == []
        assert db_state() == before
        assert mail.outbox == []
        return response

    return check


@pytest.mark.parametrize("who", ["operator_b", "outsider"])
def test_a_reply_of_another_brand_is_404(cast, api, review_all, refused, who):
    reply = submitted(cast)
    client = api(getattr(cast, who))
    for url, data in ((approve_url(reply), {}), (changes_url(reply), {"reason": "tone", "note": "x"})):
        response = refused(lambda url=url, data=data: client.post(url, data, format="json"))
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("who", ["operator", "manager"])
def test_an_operator_or_manager_is_403(cast, api, review_all, refused, who):
    reply = submitted(cast)
    client = api(getattr(cast, who))
    for url, data in ((approve_url(reply), {}), (changes_url(reply), {"reason": "tone", "note": "x"})):
        response = refused(lambda url=url, data=data: client.post(url, data, format="json"))
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "You do not have permission to perform this action."},
        )


def test_nobody_approves_their_own_reply(cast, api, review_all, supervisor2, refused):
    reply = submitted(cast, user=cast.supervisor)
    client = api(cast.supervisor)
    for url, data in ((approve_url(reply), {}), (changes_url(reply), {"reason": "tone", "note": "x"})):
        response = refused(lambda url=url, data=data: client.post(url, data, format="json"))
        assert (response.status_code, response.json()) == (
            409,
            {"detail": "Nobody reviews their own reply: another supervisor has to."},
        )


def test_a_reply_that_changed_state_meanwhile_is_409(cast, api, review_all, supervisor2, refused):
    reply = submitted(cast)
    api(supervisor2).post(changes_url(reply), {"reason": "tone", "note": "Lebih ramah"}, format="json")
    response = refused(lambda: api(cast.supervisor).post(approve_url(reply), {}, format="json"))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This reply is no longer waiting for review (it is Changes requested); nothing was changed."},
    )


def test_a_reply_revised_since_the_revision_read_is_409(cast, api, review_all, refused):
    reply = submitted(cast)
    response = refused(lambda: api(cast.supervisor).post(approve_url(reply), {"revision": 2}, format="json"))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "The reply was revised while you were reading it; read the new text first."},
    )


@pytest.mark.parametrize(
    ("action", "data", "errors"),
    [
        ("changes", {}, {"reason": ["This field is required."], "note": ["This field is required."]}),
        ("changes", {"reason": "rude", "note": "x"}, {"reason": ['"rude" is not a valid choice.']}),
        ("changes", {"reason": "tone", "note": "   "}, {"note": ["This field may not be blank."]}),
        (
            "changes",
            {"reason": "tone", "note": "x" * 1001},
            {"note": ["Ensure this field has no more than 1000 characters."]},
        ),
        ("approve", {"body": ""}, {"body": ["This field may not be blank."]}),
        ("approve", {"body": "x" * 8001}, {"body": ["Ensure this field has no more than 8000 characters."]}),
        ("approve", {"revision": 0}, {"revision": ["Ensure this value is greater than or equal to 1."]}),
        ("approve", [], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_a_bad_body_is_400_with_field_messages(cast, api, review_all, refused, action, data, errors):
    reply = submitted(cast)
    url = approve_url(reply) if action == "approve" else changes_url(reply)
    response = refused(lambda: api(cast.supervisor).post(url, data, format="json"))
    assert (response.status_code, response.json()) == (400, errors)


def test_an_edit_the_platform_refuses_is_409(cast, api, review_all, refused):
    reply = submitted(cast)
    response = refused(lambda: api(cast.supervisor).post(approve_url(reply), {"body": "Halo {nama}"}, format="json"))
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "Fill or remove the placeholder(s) {nama} before sending."},
    )


# --- against the fake platform server ------------------------------------------------------------------------


@pytest.fixture
def fake_platform(settings):
    fake = FakePlatform().start()
    settings.SMRC_X_API_URL = f"{fake.url}/x/2"
    settings.SMRC_HTTP_TIMEOUT = 5
    yield fake
    fake.stop()


def test_on_x_a_refused_call_posts_nothing_and_an_approval_posts_once(
    cast, api, review_all, supervisor2, fake_platform, django_capture_on_commit_callbacks
):
    channel = make_channel(cast.brand_a, platform="x", external_id="acct-x", access_token="tok", handle="acme")
    fake_platform.page_handle = "acme"
    reply = submitted(cast, channel=channel)
    assert reply.delivery_channel == "x"
    for client, url, data in (
        (api(cast.operator_b), approve_url(reply), {}),
        (api(cast.operator), approve_url(reply), {}),
        (api(cast.supervisor), approve_url(reply), {"body": ""}),
        (api(cast.supervisor), approve_url(reply), {"revision": 5}),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, data, format="json").status_code in (400, 403, 404, 409)
    assert fake_platform.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        assert api(cast.supervisor).post(approve_url(reply), {}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        again = api(supervisor2).post(approve_url(reply), {}, format="json")
    assert (again.status_code, again.json()["detail"]) == (
        409,
        "This reply is no longer waiting for review (it is Sent); nothing was changed.",
    )
    assert len(fake_platform.posts()) == 1
    reply.refresh_from_db()
    assert (reply.status, reply.platform_reply_id) == (ReplyStatus.SENT, fake_platform.published[0]["id"])
