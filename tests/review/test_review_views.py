"""The review queue page, its actions, the ticket page's review states, review settings and presence:
scope (404 outside the brand, 403 without the capability), ordering by SLA due time, escaping, shortcuts."""

import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from brands.models import ConfigChange, Membership, ReviewPolicy
from tests.factories import make_ticket
from tests.helpers import db_state, keyed
from tickets.models import Event, ReplyStatus, Ticket
from tickets.services import replies, workflow


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


_authors = itertools.count(1)


def submitted(cast, text="Paket saya belum sampai", body="Mohon DM nomor resi ya", due=None):
    ticket = make_ticket(cast.brand_a, text=text, author_id=f"cust-{next(_authors)}")
    ticket = workflow.claim_ticket(ticket=ticket, user=cast.operator)
    if due is not None:
        Ticket.objects.filter(pk=ticket.pk).update(due_at=due)
    return replies.submit_reply(ticket=ticket, user=cast.operator, body=body)


def test_the_queue_is_ordered_by_sla_due_time_with_the_ticket_beside(cast, review_all):
    now = timezone.now()
    later = submitted(cast, text="yang nanti", due=now + timedelta(hours=2))
    sooner = submitted(cast, text="yang <b>segera</b>", due=now + timedelta(minutes=10))
    response = client(cast.supervisor).get("/review/")
    assert response.status_code == 200
    assert [r.pk for r in response.context["items"]] == [sooner.pk, later.pk]
    assert response.context["selected"] == sooner
    html = response.content.decode()
    assert "yang &lt;b&gt;segera&lt;/b&gt;" in html
    assert "<b>segera</b>" not in html
    assert 'data-key="a"' in html
    assert 'data-key-focus="e"' in html
    assert 'data-key-focus="x"' in html
    assert f'href="/review/?r={later.pk}" data-key="j"' in html
    assert "This brand reviews every reply." in html
    sooner.refresh_from_db()
    assert sooner.review_started_at is not None


def test_approve_from_the_page_goes_to_the_next(cast, review_all):
    first, second = submitted(cast), submitted(cast)
    response = client(cast.supervisor).post(f"/review/{first.pk}/approve/", keyed({"revision": 1}))
    assert response.status_code == 302
    assert response["Location"] == f"/review/?r={second.pk}"
    first.refresh_from_db()
    assert first.status in (ReplyStatus.APPROVED, ReplyStatus.SENT)


def test_edit_and_approve_from_the_page(cast, review_all):
    reply = submitted(cast)
    response = client(cast.supervisor).post(
        f"/review/{reply.pk}/approve/", keyed({"revision": 1, "edit": "1", "body": "Mohon DM nomor resi, Kak"})
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.body == "Mohon DM nomor resi, Kak"


def test_request_changes_needs_a_reason_and_a_note(cast, review_all):
    reply = submitted(cast)
    before = db_state()
    response = client(cast.supervisor).post(f"/review/{reply.pk}/changes/", keyed({"revision": 1, "code": "tone"}))
    assert response.status_code == 400
    assert db_state() == before
    response = client(cast.supervisor).post(
        f"/review/{reply.pk}/changes/", keyed({"revision": 1, "code": "tone", "note": "Terlalu kaku <i>x</i>"})
    )
    assert response.status_code == 302
    page = client(cast.operator).get(f"/tickets/{reply.ticket_id}/").content.decode()
    assert "sup_a asked for changes" in page
    assert "Terlalu kaku &lt;i&gt;x&lt;/i&gt;" in page
    assert f'action="/replies/{reply.pk}/revise/"' in page


def test_a_stale_decision_answers_409_and_changes_nothing(cast, review_all, supervisor2):
    reply = submitted(cast)
    replies.approve_reply(reply=reply, user=supervisor2)
    before = db_state()
    response = client(cast.supervisor).post(f"/review/{reply.pk}/approve/", keyed({"revision": 1}))
    assert response.status_code == 409
    assert "no longer waiting for review" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize(("who", "status"), [("operator_b", 404), ("outsider", 404), ("operator", 403)])
def test_reviewing_outside_ones_brands_or_role_is_refused(cast, review_all, who, status):
    reply = submitted(cast)
    before = db_state()
    c = client(getattr(cast, who))
    assert c.post(f"/review/{reply.pk}/approve/", keyed({"revision": 1})).status_code == status
    assert (
        c.post(f"/review/{reply.pk}/changes/", keyed({"revision": 1, "code": "tone", "note": "x"})).status_code
        == status
    )
    assert c.get(f"/review/?r={reply.pk}").status_code == status
    assert db_state() == before
    assert client(cast.operator_b).get("/review/").context["items"] == []


def test_own_reply_is_shown_without_the_buttons(cast, review_all, supervisor2):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.supervisor)
    reply = replies.submit_reply(ticket=ticket, user=cast.supervisor, body="Halo Kak")
    html = client(cast.supervisor).get(f"/review/?r={reply.pk}").content.decode()
    assert "another supervisor reviews it" in html
    assert 'data-key="a"' not in html
    assert client(cast.supervisor).post(f"/review/{reply.pk}/approve/", keyed({"revision": 1})).status_code == 409


def test_the_composer_says_submit_for_review_when_the_policy_surely_reviews(cast, review_all):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    html = client(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Submit for review" in html
    response = client(cast.operator).post(f"/tickets/{ticket.pk}/reply/", keyed({"body": "Halo Kak"}), follow=True)
    assert "Submitted for review. This brand reviews every reply." in response.content.decode()
    assert "Waiting for a supervisor's review." in response.content.decode()
    ReviewPolicy.objects.all().delete()
    other = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, author_id="someone-else"), user=cast.operator)
    html = client(cast.operator).get(f"/tickets/{other.pk}/").content.decode()
    assert "Submit for review" not in html


def test_a_failed_reply_shows_its_reason_and_can_be_retried(cast, django_capture_on_commit_callbacks):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    reply = replies.submit_reply(ticket=ticket, user=cast.operator, body="Halo Kak")
    type(reply).objects.filter(pk=reply.pk).update(status=ReplyStatus.FAILED, failure_reason="duplicate <content>")
    html = client(cast.operator).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "duplicate &lt;content&gt;" in html
    assert f'action="/replies/{reply.pk}/retry/"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client(cast.operator).post(f"/replies/{reply.pk}/retry/", keyed())
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT  # eager task in tests: approved → published by the console
    assert Event.objects.filter(kind="reply.retried", reply=reply).count() == 1


def test_revise_with_an_empty_body_is_refused_in_place(cast, review_all):
    reply = submitted(cast)
    replies.request_changes(reply=reply, user=cast.supervisor, code="other", note="Tambah salam")
    before = db_state()
    response = client(cast.operator).post(f"/replies/{reply.pk}/revise/", keyed({"body": "   "}))
    assert response.status_code == 400
    assert db_state() == before


def test_review_settings_for_supervisors(cast):
    url = f"/settings/{cast.brand_a.slug}/review/"
    assert client(cast.operator).get(url).status_code == 403
    assert client(cast.outsider).get(url).status_code == 404
    page = client(cast.supervisor).get(url)
    assert page.status_code == 200
    assert "ganti rugi, kompensasi, refund" in page.content.decode()
    membership = Membership.objects.get(user=cast.operator, brand=cast.brand_a)
    response = client(cast.supervisor).post(
        url,
        {
            "review_all": "",
            "review_probation": "on",
            "sample_percent": "15",
            "review_high_priority": "on",
            "influence_threshold": "",
            "review_flagged_terms": "on",
            "flagged_terms": "refund,\nsomasi, refund",
            "probation": [str(membership.pk)],
        },
    )
    assert response.status_code == 302
    policy = ReviewPolicy.objects.get(brand=cast.brand_a)
    assert (policy.sample_percent, policy.review_high_priority, policy.flagged_terms) == (15, True, "refund, somasi")
    membership.refresh_from_db()
    assert membership.on_probation is True
    change = ConfigChange.objects.get(area="review")
    assert (change.kind, change.actor, change.before["on_probation"], change.after["on_probation"]) == (
        "review_policy.created",
        cast.supervisor,
        [],
        ["op_a"],
    )
    assert (change.before["sample_percent"], change.after["sample_percent"]) == (None, 15)
    bad = client(cast.supervisor).post(url, {"sample_percent": "150", "flagged_terms": ""})
    assert bad.status_code == 400


def test_presence_shows_who_else_is_viewing_or_writing(cast):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    url = f"/tickets/{ticket.pk}/presence/"
    before = db_state()
    assert client(cast.supervisor).post(url, {"body": ""}).content.decode().strip() == ""
    answer = client(cast.operator).post(url, {"body": "Halo Kak, sedang saya"}).content.decode()
    assert "sup_a is viewing" in answer
    answer = client(cast.supervisor).post(url, {"body": ""}).content.decode()
    assert "op_a is writing a reply" in answer
    page = client(cast.manager).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "op_a is writing a reply" in page
    assert "sup_a is viewing" in page
    assert db_state() == before  # the cache only
    assert client(cast.outsider).post(url).status_code == 404


def test_a_second_reply_at_the_same_time_is_refused_with_a_clear_message(cast, review_all):
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a), user=cast.operator)
    replies.submit_reply(ticket=ticket, user=cast.operator, body="Satu")
    response = client(cast.supervisor).post(f"/tickets/{ticket.pk}/reply/", keyed({"body": "Dua"}))
    assert response.status_code == 400
    assert "Another reply on this ticket is waiting for review." in response.content.decode()
