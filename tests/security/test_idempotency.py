"""Idempotency keys under attack and at their edges (docs/api.md#idempotency-key, docs/publishing.md#exactly-once).

A key belongs to the user who sent it: another brand's staff, a colleague, a read-only manager, an outsider or a
user who lost access can neither replay another's submission nor learn anything about it; a missing or malformed
key, or a spent one sent with another request, does nothing. The pages keep a key while their form is corrected
and give a fresh one once it is spent. (Submissions at the same instant: ``test_concurrency.py``.)
"""

import re
import uuid
from types import SimpleNamespace

import pytest
from django.test import Client

from brands.models import Membership, ReviewPolicy
from tests.factories import make_ticket
from tests.helpers import KeyedAPIClient, db_state, keyed
from tickets.models import Note, Reply, ReplyStatus, Submission
from tickets.services import replies, workflow

KEY = "0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40"
MISSING = "Send an Idempotency-Key header: a UUID you make for this submission, the same one if you send it again."
MALFORMED = "The Idempotency-Key header must be a UUID, like 0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40."
REUSED = "This Idempotency-Key was already used with a different request; nothing was done. Use a new key."


@pytest.fixture
def world(cast):
    """Brand A with every review on: an unclaimed ticket, one op_a works, and op_a's reply waiting for review."""
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    free = make_ticket(cast.brand_a, author_id="u-free")
    worked = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="u-worked"), user=cast.operator)
    reviewed = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="u-review"), user=cast.operator)
    reply = replies.submit_reply(ticket=reviewed, user=cast.operator, body="Halo Kak, mohon DM ya")
    return SimpleNamespace(free=free, worked=worked, reply=reply)


#: every API call that needs a key: the path, its body and who may make it
CALLS = {
    "claim": lambda w: (f"/api/v1/tickets/{w.free.pk}/claim/", {}, "operator"),
    "replies": lambda w: (f"/api/v1/tickets/{w.worked.pk}/replies/", {"body": "Baik Kak, kami cek"}, "operator"),
    "notes": lambda w: (f"/api/v1/tickets/{w.worked.pk}/notes/", {"body": "Pelanggan VIP"}, "operator"),
    "approve": lambda w: (f"/api/v1/replies/{w.reply.pk}/approve/", {"revision": 1}, "supervisor"),
    "request-changes": lambda w: (
        f"/api/v1/replies/{w.reply.pk}/request-changes/",
        {"reason": "tone", "note": "Lebih ramah"},
        "supervisor",
    ),
}


def api(user) -> KeyedAPIClient:
    client = KeyedAPIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def send(user, path: str, data: dict, key: str | None = KEY):
    return api(user).post(path, data, format="json", HTTP_IDEMPOTENCY_KEY=key or "")


# --- the header ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    ("key", "detail"),
    [
        (None, MISSING),
        ("abc", MALFORMED),
        (KEY.replace("-", ""), MALFORMED),
        ("{" + KEY + "}", MALFORMED),
        ("urn:uuid:" + KEY, MALFORMED),
        (KEY + " ", MALFORMED),
        (KEY[:-1] + "g", MALFORMED),
        ("1" * 10_000, MALFORMED),
    ],
)
def test_a_call_without_a_usable_key_is_400_and_does_nothing(
    cast, world, django_capture_on_commit_callbacks, name, key, detail
):
    path, data, who = CALLS[name](world)
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        response = send(getattr(cast, who), path, data, key=key)
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert db_state() == before
    assert callbacks == []


@pytest.mark.parametrize("name", CALLS)
def test_a_repeat_answers_200_as_the_first_did_and_does_nothing(cast, world, django_capture_on_commit_callbacks, name):
    path, data, who = CALLS[name](world)
    first = send(getattr(cast, who), path, data)
    assert first.status_code == (201 if name in ("replies", "notes") else 200)
    assert "Idempotent-Replayed" not in first.headers
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        repeat = send(getattr(cast, who), path, data, key=KEY.upper())  # the same UUID, however it is spelled
    assert (repeat.status_code, repeat.headers["Idempotent-Replayed"]) == (200, "true")
    assert repeat.json()["id"] == first.json()["id"]
    assert db_state() == before
    assert callbacks == []


def test_the_key_again_with_another_request_is_422_and_does_nothing(cast, world, django_capture_on_commit_callbacks):
    path, data, _who = CALLS["replies"](world)
    assert send(cast.operator, path, data).status_code == 201
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        other_text = send(cast.operator, path, {"body": "Teks lain"})
        other_action = send(cast.operator, f"/api/v1/tickets/{world.worked.pk}/notes/", data)
        other_ticket = send(cast.operator, f"/api/v1/tickets/{world.free.pk}/claim/", {})
    assert [r.status_code for r in (other_text, other_action, other_ticket)] == [422] * 3
    assert other_text.json() == {"detail": REUSED}
    assert db_state() == before
    assert callbacks == []


# --- whose key it is ----------------------------------------------------------------------------------------


def test_another_brands_operator_with_the_key_is_404_everywhere_and_learns_nothing(cast, world):
    path, data, _who = CALLS["replies"](world)
    mine = send(cast.operator, path, data)
    before = db_state()
    for name in CALLS:
        theirs_path, theirs_data, _ = CALLS[name](world)
        response = send(cast.operator_b, theirs_path, data if name == "replies" else theirs_data)
        assert response.status_code == 404, name
        assert "Baik Kak" not in response.content.decode()
        assert str(mine.json()["id"]) not in response.content.decode()
    assert db_state() == before


def test_the_same_key_on_another_brand_is_that_users_own_new_submission(cast, world):
    path, data, _who = CALLS["replies"](world)
    mine = send(cast.operator, path, data).json()
    theirs_ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_b), user=cast.operator_b)

    response = send(cast.operator_b, f"/api/v1/tickets/{theirs_ticket.pk}/replies/", {"body": "Selamat pagi"})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    theirs = response.json()
    assert (theirs["author"], theirs["body"]) == ("op_b", "Selamat pagi")
    assert theirs["id"] != mine["id"]
    assert sorted(Submission.objects.values_list("user__username", "key")) == [
        ("op_a", uuid.UUID(KEY)),
        ("op_b", uuid.UUID(KEY)),
    ]
    assert Reply.objects.get(pk=mine["id"]).body == "Baik Kak, kami cek"


def test_a_colleague_sending_the_same_key_and_text_is_not_answered_with_the_others_reply(cast, world):
    """The supervisor may reply on op_a's ticket, and sends op_a's key with op_a's text: a new submission of
    the supervisor's, judged on its own (op_a's reply waits for review: 409), never op_a's reply replayed."""
    path, data, _who = CALLS["replies"](world)
    assert send(cast.operator, path, data).status_code == 201
    before = db_state()

    response = send(cast.supervisor, path, data)

    assert response.status_code == 409
    assert response.json() == {"detail": "Another reply on this ticket is waiting for review."}
    assert "Idempotent-Replayed" not in response.headers
    assert db_state() == before


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("outsider", 404), (None, 401)])
def test_the_read_only_manager_an_outsider_and_a_stranger_are_refused_with_any_key(
    cast, world, django_capture_on_commit_callbacks, name, who, status
):
    path, data, owner = CALLS[name](world)
    first = send(getattr(cast, owner), path, data)  # the key in use: replaying it gives nobody else anything
    before = db_state()
    with django_capture_on_commit_callbacks() as callbacks:
        for key in (KEY, str(uuid.uuid4())):
            response = send(getattr(cast, who) if who else None, path, data, key=key)
            assert response.status_code == status, (name, who, key)
            assert str(first.json()["id"]) not in response.content.decode()
    assert db_state() == before
    assert callbacks == []


@pytest.mark.parametrize("name", ["approve", "request-changes"])
def test_an_operator_with_a_key_cannot_decide_a_review(cast, world, name):
    path, data, _who = CALLS[name](world)
    before = db_state()
    assert send(cast.operator, path, data).status_code == 403
    assert db_state() == before


def test_a_key_does_not_outlive_access(cast, world):
    path, data, _who = CALLS["replies"](world)
    assert send(cast.operator, path, data).status_code == 201
    Membership.objects.filter(user=cast.operator).delete()
    before = db_state()
    response = send(type(cast.operator).objects.get(pk=cast.operator.pk), path, data)  # a new request's user
    assert response.status_code == 404
    assert "Baik Kak" not in response.content.decode()
    assert db_state() == before


# --- the pages ----------------------------------------------------------------------------------------------


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def keys_in(html: str) -> dict[str, str]:
    """Form action → its idempotency key, for every form of the page that carries one."""
    found = {}
    for form in re.finditer(r'<form[^>]*action="([^"]+)"([^>]*)>(.*?)</form>', html, re.S):
        key = re.search(r'name="idempotency_key" value="([^"]*)"', form.group(3))
        if key:
            assert "hx-disabled-elt" in form.group(2), form.group(1)  # no second click while one is in flight
            found[form.group(1)] = key.group(1)
    return found


def test_every_form_that_must_act_once_carries_a_fresh_key_on_every_page(cast, world):
    client = browser(cast.operator)
    failed = replies.submit_reply(
        ticket=workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="u-f"), user=cast.operator),
        user=cast.operator,
        body="Halo",
    )
    Reply.objects.filter(pk=failed.pk).update(status=ReplyStatus.FAILED)
    pages = {
        f"/tickets/{world.free.pk}/": {f"/tickets/{world.free.pk}/claim/", f"/tickets/{world.free.pk}/note/"},
        f"/tickets/{world.worked.pk}/": {f"/tickets/{world.worked.pk}/reply/", f"/tickets/{world.worked.pk}/note/"},
        f"/tickets/{failed.ticket_id}/": {
            f"/tickets/{failed.ticket_id}/reply/",
            f"/replies/{failed.pk}/revise/",
            f"/replies/{failed.pk}/retry/",
            f"/tickets/{failed.ticket_id}/note/",
        },
        "/queue/": {"/queue/next/"},
    }
    for page, actions in pages.items():
        first, second = keys_in(client.get(page).content.decode()), keys_in(client.get(page).content.decode())
        assert set(first) == set(second) == actions, page
        assert all(uuid.UUID(first[a]) and first[a] != second[a] for a in actions), page
    review = keys_in(browser(cast.supervisor).get(f"/review/?r={world.reply.pk}").content.decode())
    assert set(review) == {f"/review/{world.reply.pk}/approve/", f"/review/{world.reply.pk}/changes/"}


def test_a_form_sent_back_with_an_error_keeps_its_key_until_it_is_accepted(cast, world):
    client = browser(cast.operator)
    url = f"/tickets/{world.worked.pk}/reply/"
    refused = client.post(url, keyed({"body": "Halo {customer_name}"}, key=KEY))
    assert refused.status_code == 400
    assert keys_in(refused.content.decode())[url] == KEY
    assert Submission.objects.count() == 0  # a refusal spends nothing

    accepted = client.post(url, keyed({"body": "Halo Kak"}, key=KEY), follow=True)

    assert accepted.redirect_chain == [(f"/tickets/{world.worked.pk}/", 302)]
    assert Reply.objects.filter(ticket=world.worked).count() == 1


def test_the_same_form_sent_again_with_other_text_is_refused_and_gets_a_fresh_key(cast, world):
    client = browser(cast.operator)
    url = f"/tickets/{world.worked.pk}/note/"
    assert client.post(url, keyed({"body": "Satu"}, key=KEY)).status_code == 302
    before = db_state()

    response = client.post(url, keyed({"body": "Dua"}, key=KEY))

    assert response.status_code == 409
    html = response.content.decode()
    assert "This form was already sent with different content, so nothing was done." in html
    assert ">Dua</textarea>" in html  # the text is kept, to be sent again as a new note
    assert keys_in(html)[url] not in ("", KEY)
    assert db_state() == before
    assert list(Note.objects.values_list("body", flat=True)) == ["Satu"]


def test_a_review_decision_sent_again_as_another_decision_is_refused(cast, world):
    client = browser(cast.supervisor)
    url = f"/review/{world.reply.pk}/approve/"
    assert client.post(url, keyed({"revision": 1}, key=KEY)).status_code == 302
    before = db_state()
    response = client.post(url, keyed({"revision": 1, "edit": "1", "body": "Diubah"}, key=KEY))
    assert response.status_code == 409
    assert "This form was already sent with different content" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("key", [None, "", "not-a-key"])
def test_a_form_without_a_usable_key_does_nothing_and_comes_back_with_one(cast, world, key):
    client = browser(cast.operator)
    url = f"/tickets/{world.worked.pk}/reply/"
    data = {"body": "Halo Kak"} if key is None else {"body": "Halo Kak", "idempotency_key": key}
    before = db_state()

    response = client.post(url, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "This form was out of date, so nothing was done. Check it and send it again." in html
    assert uuid.UUID(keys_in(html)[url])
    assert db_state() == before


@pytest.mark.parametrize("path", ["/tickets/{free}/claim/", "/replies/{reply}/retry/", "/queue/next/"])
def test_a_button_without_a_key_does_nothing(cast, world, path):
    Reply.objects.filter(pk=world.reply.pk).update(status=ReplyStatus.FAILED)
    before = db_state()
    response = browser(cast.operator).post(path.format(free=world.free.pk, reply=world.reply.pk), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This page was out of date, so nothing was done. Try again."
    ]
    assert db_state() == before
