"""Submit → review → approve / edit and approve / request changes → revise; nobody reviews their own reply;
decisions on a reply that changed meanwhile are refused; notifications both ways; every revision kept;
per-reply stamps of the first response's split (docs/domain.md, "SLA clocks")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brands.models import Membership, Priority, ReviewPolicy
from tests.helpers import db_state
from tickets.models import Notification, Reply, ReplyStatus, ReviewDecision, Ticket
from tickets.services import delivery, replies
from tickets.services.workflow import WorkflowError

T0 = timezone.now().replace(microsecond=0)


def submit(ticket, user, body="Mohon DM nomor resi ya", now=T0):
    return replies.submit_reply(ticket=ticket, user=user, body=body, now=now)


def test_without_a_policy_a_reply_is_approved_at_once(cast, ticket):
    reply = submit(ticket, cast.operator)
    assert (reply.status, reply.review_reasons, reply.approved_at) == (ReplyStatus.APPROVED, [], T0)


def test_a_reply_that_needs_review_waits_and_the_supervisors_are_told(cast, ticket, review_all, supervisor2):
    reply = submit(ticket, cast.operator)
    assert (reply.status, reply.submitted_at, reply.approved_at) == (ReplyStatus.IN_REVIEW, T0, None)
    assert reply.review_reasons == [{"code": "all", "params": {}}]
    ticket.refresh_from_db()
    assert (ticket.first_submitted_at, ticket.first_approved_at) == (T0, None)
    assert delivery.deliver_reply(reply_id=reply.pk) is None  # nothing is published before approval
    notices = Notification.objects.filter(kind="review.requested").order_by("user__username")
    assert [(n.user.username, n.data) for n in notices] == [
        ("sup_a", {"reply_id": reply.pk, "author": "op_a"}),
        ("sup_a2", {"reply_id": reply.pk, "author": "op_a"}),
    ]


def test_approve_publishes_and_stamps_every_step(cast, ticket, review_all):
    reply = submit(ticket, cast.operator)
    replies.mark_review_started(reply, now=T0 + timedelta(minutes=2))
    approved = replies.approve_reply(
        reply=reply, user=cast.supervisor, expected_revision=1, now=T0 + timedelta(minutes=3)
    )
    assert (approved.status, approved.reviewer, approved.approved_at) == (
        ReplyStatus.APPROVED,
        cast.supervisor,
        T0 + timedelta(minutes=3),
    )
    sent = delivery.deliver_reply(reply_id=reply.pk, now=T0 + timedelta(minutes=4))
    sent.refresh_from_db()
    # queue wait and handling are the ticket's (received → claimed → submitted); then review and delivery
    assert (sent.submitted_at, sent.review_started_at, sent.reviewed_at, sent.approved_at, sent.sent_at) == (
        T0,
        T0 + timedelta(minutes=2),
        T0 + timedelta(minutes=3),
        T0 + timedelta(minutes=3),
        T0 + timedelta(minutes=4),
    )
    ticket.refresh_from_db()
    assert (ticket.first_submitted_at, ticket.first_approved_at, ticket.first_response_at) == (
        T0,
        T0 + timedelta(minutes=3),
        T0 + timedelta(minutes=4),
    )
    decision = ReviewDecision.objects.get()
    assert (decision.verdict, decision.revision, decision.reviewer) == ("approved", 1, cast.supervisor)
    notice = Notification.objects.get(kind="review.approved")
    assert (notice.user, notice.data) == (cast.operator, {"reply_id": reply.pk, "edited": False})


def test_edit_and_approve_keeps_the_edit_as_the_reviewers_revision(cast, ticket, review_all):
    reply = submit(ticket, cast.operator, body="Mohon DM ya")
    approved = replies.approve_reply(
        reply=reply, user=cast.supervisor, body="Mohon DM nomor resi ya, Kak 🙏", expected_revision=1
    )
    assert approved.body == "Mohon DM nomor resi ya, Kak 🙏"
    assert list(approved.revisions.values_list("number", "author__username", "body")) == [
        (1, "op_a", "Mohon DM ya"),
        (2, "sup_a", "Mohon DM nomor resi ya, Kak 🙏"),
    ]
    assert ReviewDecision.objects.get().verdict == "edited"
    assert approved.author == cast.operator


def test_request_changes_then_revise_goes_back_to_review(cast, ticket, review_all):
    reply = submit(ticket, cast.operator, body="Refund? Tidak bisa.")
    back = replies.request_changes(
        reply=reply, user=cast.supervisor, code="tone", note="Lebih sopan, tawarkan cek pesanan", expected_revision=1
    )
    assert (back.status, back.changes_code, back.changes_note) == (
        ReplyStatus.CHANGES_REQUESTED,
        "tone",
        "Lebih sopan, tawarkan cek pesanan",
    )
    notice = Notification.objects.get(kind="review.changes")
    assert (notice.user, notice.data["code"]) == (cast.operator, "tone")
    # while it waits for changes no other reply starts on the ticket
    with pytest.raises(WorkflowError, match="waiting for its author's changes"):
        submit(ticket, cast.operator, body="Balasan lain")

    revised = replies.revise_reply(reply=reply, user=cast.operator, body="Mohon maaf Kak, boleh DM nomor pesanan?")
    assert (revised.status, revised.changes_note) == (ReplyStatus.IN_REVIEW, "")
    assert revised.submitted_at == T0  # the first submission: the rework counts as review time
    assert list(revised.revisions.values_list("number", flat=True)) == [1, 2]
    # the first reviewer's page showed revision 1: approving it now is refused
    with pytest.raises(WorkflowError, match="revised while you were reading"):
        replies.approve_reply(reply=reply, user=cast.supervisor, expected_revision=1)
    assert replies.approve_reply(reply=reply, user=cast.supervisor, expected_revision=2).status == "approved"


def test_a_revision_is_reviewed_again_even_if_the_policy_changed_meanwhile(cast, ticket, review_all):
    reply = submit(ticket, cast.operator)
    replies.request_changes(reply=reply, user=cast.supervisor, code="other", note="Tambah salam")
    ReviewPolicy.objects.filter(brand=cast.brand_a).update(review_all=False)
    revised = replies.revise_reply(reply=reply, user=cast.operator, body="Halo Kak, mohon DM nomor resi ya")
    assert (revised.status, revised.review_reasons) == (ReplyStatus.IN_REVIEW, [{"code": "resubmitted", "params": {}}])


@pytest.mark.parametrize("who", ["operator", "supervisor"])
def test_nobody_approves_their_own_reply(cast, ticket, review_all, supervisor2, who):
    author = getattr(cast, who)
    reply = submit(ticket, author)
    before = db_state()
    for action in (
        lambda: replies.approve_reply(reply=reply, user=author),
        lambda: replies.request_changes(reply=reply, user=author, code="tone", note="x"),
    ):
        with pytest.raises(WorkflowError) as exc:
            action()
        expected = (
            "Only a supervisor of this brand reviews replies."
            if who == "operator"
            else "Nobody reviews their own reply: another supervisor has to."
        )
        assert str(exc.value) == expected
    assert db_state() == before
    if who == "supervisor":
        assert replies.approve_reply(reply=reply, user=supervisor2).status == ReplyStatus.APPROVED


def test_approving_a_reply_that_changed_state_meanwhile_is_refused(cast, ticket, review_all, supervisor2):
    reply = submit(ticket, cast.operator)
    replies.request_changes(reply=reply, user=supervisor2, code="wrong_info", note="Cek harga")
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        replies.approve_reply(reply=reply, user=cast.supervisor, expected_revision=1)
    assert (
        str(exc.value) == "This reply is no longer waiting for review (it is Changes requested); nothing was changed."
    )
    assert db_state() == before


@pytest.mark.parametrize(
    ("code", "note", "message"),
    [
        ("", "Tolong ganti", "Choose why the reply needs changes."),
        ("rude", "Tolong ganti", "Choose why the reply needs changes."),
        ("tone", "   ", "Tell the author what to change."),
        ("tone", "x" * 1001, "A review note can be at most 1000 characters."),
    ],
)
def test_a_request_for_changes_needs_a_reason_and_a_note(cast, ticket, review_all, code, note, message):
    reply = submit(ticket, cast.operator)
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        replies.request_changes(reply=reply, user=cast.supervisor, code=code, note=note)
    assert str(exc.value) == message
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "A reply cannot be empty."), ("x" * 8001, "A reply can be at most 8000 characters.")],
)
def test_an_edit_and_approve_with_a_bad_body_changes_nothing(cast, ticket, review_all, body, message):
    reply = submit(ticket, cast.operator)
    before = db_state()
    with pytest.raises(WorkflowError) as exc:
        replies.approve_reply(reply=reply, user=cast.supervisor, body=body + " ", expected_revision=1)
    assert str(exc.value) == message
    assert db_state() == before


def test_probation_high_priority_influence_and_flagged_terms_route_to_review(cast, ticket):
    ReviewPolicy.objects.create(
        brand=cast.brand_a, review_probation=True, influence_threshold=50, review_flagged_terms=True
    )
    assert submit(ticket, cast.operator, body="Halo").status == ReplyStatus.APPROVED
    Reply.objects.update(status=ReplyStatus.SENT)

    flagged = submit(ticket, cast.operator, body="Kompensasi akan kami kirim")
    assert flagged.review_reasons == [{"code": "flagged", "params": {"terms": ["kompensasi"]}}]
    Reply.objects.update(status=ReplyStatus.SENT)

    Membership.objects.filter(user=cast.operator, brand=cast.brand_a).update(on_probation=True)
    assert replies.review_expected(ticket=ticket, user=cast.operator) is True
    assert submit(ticket, cast.operator, body="Halo lagi").review_reasons == [{"code": "probation", "params": {}}]
    Reply.objects.update(status=ReplyStatus.SENT)
    Membership.objects.update(on_probation=False)

    Ticket.objects.filter(pk=ticket.pk).update(priority_factors={"influence": {"score": 64, "reasons": []}})
    ticket.refresh_from_db()
    assert submit(ticket, cast.operator, body="Halo juga").review_reasons == [
        {"code": "influence", "params": {"score": 64, "threshold": 50}}
    ]
    Reply.objects.update(status=ReplyStatus.SENT)

    ReviewPolicy.objects.update(review_high_priority=True, influence_threshold=None)
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT)
    ticket.refresh_from_db()
    assert submit(ticket, cast.operator, body="Segera kami bantu").review_reasons == [
        {"code": "priority", "params": {"priority": 4}}
    ]


def test_a_failed_reply_is_revised_through_review_when_the_policy_says_so(cast, ticket, review_all):
    reply = submit(ticket, cast.operator)
    replies.approve_reply(reply=reply, user=cast.supervisor)
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.FAILED, failure_reason="duplicate content")
    revised = replies.revise_reply(reply=reply, user=cast.operator, body="Halo Kak, teks baru")
    assert (revised.status, revised.failure_reason) == (ReplyStatus.IN_REVIEW, "")
    assert revised.revisions.count() == 2


def test_retry_only_from_failed(cast, ticket):
    reply = submit(ticket, cast.operator)
    with pytest.raises(WorkflowError, match="Only a reply that was not published can be retried"):
        replies.retry_reply(reply=reply, user=cast.operator)


def test_a_reply_that_bounces_the_customer_waits_for_review_and_the_same_reply_without_it_does_not(cast, ticket):
    ReviewPolicy.objects.create(brand=cast.brand_a)

    held = submit(ticket, cast.operator, body="Mohon maaf kak, silakan datang ke kantor cabang terdekat ya.")

    assert (held.status, held.review_reasons) == (
        ReplyStatus.IN_REVIEW,
        [{"code": "bounce", "params": {"phrases": ["datang ke kantor cabang terdekat"], "kinds": ["visit"]}}],
    )
    assert delivery.deliver_reply(reply_id=held.pk) is None
