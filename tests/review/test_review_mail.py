"""Review notifications by mail, after commit, in the brand's first language: review requested → the brand's
other supervisors with an address; approved or sent back → the author. A mail server that fails logs a warning
and never undoes the in-app notification."""

import logging

import pytest
from django.core import mail

from brands.models import Role
from tests.factories import make_member, make_user
from tickets.models import Notification, ReplyStatus
from tickets.services import notify, replies


@pytest.fixture
def quiet_supervisor(cast):
    """A third supervisor without an address: told in the app, not by mail."""
    user = make_user("sup_a3")
    user.email = ""
    user.save()
    make_member(user, cast.brand_a, Role.SUPERVISOR)
    return user


@pytest.fixture
def english(cast):
    cast.brand_a.languages = "en,id"
    cast.brand_a.save()


def submit(ticket, user, body="Mohon DM nomor resi ya"):
    return replies.submit_reply(ticket=ticket, user=user, body=body)


def test_a_reply_submitted_for_review_mails_the_other_supervisors_in_indonesian(
    cast, ticket, review_all, supervisor2, quiet_supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(ticket, cast.operator)
    ref = ticket.reference
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["sup_a@example.com"], f"[Acme Telco] Balasan pada {ref} menunggu tinjauan Anda"),
        (["sup_a2@example.com"], f"[Acme Telco] Balasan pada {ref} menunggu tinjauan Anda"),
    ]
    assert mail.outbox[0].body == (
        "Halo sup_a,\n\n"
        f"op_a mengajukan balasan pada {ref} untuk ditinjau:\n\n"
        "Mohon DM nomor resi ya\n\n"
        f"Tinjau di sini: http://localhost:8000/review/?r={reply.pk}\n\n"
        "Anda menerima email ini karena Anda meninjau balasan merek ini di SMRC.\n"
    )
    notified = Notification.objects.filter(kind="review.requested").order_by("user__username")
    assert [n.user.username for n in notified] == ["sup_a", "sup_a2", "sup_a3"]


def test_a_supervisors_own_reply_is_not_mailed_to_them(
    cast, ticket, review_all, supervisor2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(ticket, cast.supervisor)
    assert [m.to for m in mail.outbox] == [["sup_a2@example.com"]]


def test_an_english_brand_mails_in_english(cast, ticket, review_all, english, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(ticket, cast.operator)
    ref = ticket.reference
    assert [m.subject for m in mail.outbox] == [f"[Acme Telco] A reply on {ref} is waiting for your review"]
    assert "op_a submitted a reply on" in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replies.approve_reply(reply=reply, user=cast.supervisor, body="Mohon DM resi, Kak")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["op_a@example.com"], f"[Acme Telco] Your reply on {ref} was approved")
    ]
    assert mail.outbox[0].body == (
        "Hello op_a,\n\n"
        f"sup_a edited and approved your reply on {ref}; it is being published.\n\n"
        f"http://localhost:8000/tickets/{ticket.pk}/\n\n"
        "You receive this because you wrote this reply in SMRC.\n"
    )


def test_changes_requested_mails_the_author_the_reason_and_note(
    cast, ticket, review_all, django_capture_on_commit_callbacks
):
    reply = submit(ticket, cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        replies.request_changes(reply=reply, user=cast.supervisor, code="tone", note="Lebih ramah & sapa <nama>")
    ref = ticket.reference
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["op_a@example.com"], f"[Acme Telco] Perubahan diminta pada balasan Anda di {ref}")
    ]
    assert mail.outbox[0].body == (
        "Halo op_a,\n\n"
        f"sup_a meminta perubahan pada balasan Anda di {ref}.\n\n"
        "Alasan: Gaya bahasa\n"
        "Catatan: Lebih ramah & sapa <nama>\n\n"
        f"http://localhost:8000/tickets/{ticket.pk}/\n\n"
        "Anda menerima email ini karena Anda menulis balasan ini di SMRC.\n"
    )


def test_approved_mails_the_author_in_indonesian(cast, ticket, review_all, django_capture_on_commit_callbacks):
    reply = submit(ticket, cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        replies.approve_reply(reply=reply, user=cast.supervisor)
    assert [m.subject for m in mail.outbox] == [f"[Acme Telco] Balasan Anda pada {ticket.reference} disetujui"]
    assert f"sup_a menyetujui balasan Anda pada {ticket.reference}; balasan sedang dikirim." in mail.outbox[0].body


def test_nothing_is_mailed_before_commit_or_without_review(cast, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = submit(ticket, cast.operator)  # no policy: approved at once, nobody to tell
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert mail.outbox == []


def test_a_failing_mail_server_keeps_the_notification_and_logs_a_warning(
    cast, ticket, review_all, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(notify, "send_mail", broken)
    reply = submit(ticket, cast.operator)
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        replies.approve_reply(reply=reply, user=cast.supervisor)
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT
    assert list(Notification.objects.filter(user=cast.operator).values_list("kind", flat=True)) == ["review.approved"]
    assert [r.getMessage() for r in caplog.records if r.name == "tickets.services.notify"] == [
        f"could not mail the review.approved notice of reply {reply.pk} to user {cast.operator.pk}"
    ]
    assert mail.outbox == []
