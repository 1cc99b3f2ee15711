"""Mail that goes with an in-app notification: rendered in the brand's first language, sent after the
transaction that wrote the notification commits, and never undoing it (a mail server down logs a warning).

Used by the SLA scan (:mod:`.sla`) and the review workflow (:func:`mail_review_notice`)."""

import logging
from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from brands.models import Brand

from ..models import ChangesReason, Notification, Reply, ReviewDecision

logger = logging.getLogger(__name__)


def brand_language(brand: Brand) -> str:
    """The language of the brand's mail: Indonesian when its first language is ``id`` (or the old code ``in``),
    else English."""
    first = (brand.languages or "").split(",")[0].strip()
    return "id" if first in ("id", "in") else "en"


def mail_user(*, user, brand: Brand, subject_template: str, body_template: str, context: dict, about: str) -> bool:
    """Render ``subject_template`` and ``body_template`` in the brand's language and mail them to ``user``.
    Nothing is sent to a user without an address. A failing mail server is logged as a warning, never raised:
    the notification it goes with stays. True when the mail went out."""
    if not user.email:
        return False
    with translation.override(brand_language(brand)):
        context = {"user": user, "brand": brand, "site_url": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # SMTP, DNS and socket errors vary; the in-app notice is what counts
        logger.warning("could not mail %s to user %s", about, user.pk, exc_info=True)
        return False
    return True


def mail_review_notice(*, kind: str, reply_id: int, user_ids: Sequence[int], decision_id: int | None = None) -> int:
    """Mail a review notification (``Notification.Kind.REVIEW_*``) about reply ``reply_id`` to ``user_ids``:
    review requested (with the reply's text) to the brand's supervisors; approved or sent back
    (``decision_id``: the reviewer's :class:`ReviewDecision`) to the author. Call it after commit. Returns how
    many mails went out."""
    reply = Reply.objects.select_related("ticket", "brand", "author").filter(pk=reply_id).first()
    if reply is None:
        return 0
    decision = (
        ReviewDecision.objects.select_related("reviewer").filter(pk=decision_id, reply=reply).first()
        if decision_id
        else None
    )
    context = {
        "kind": kind,
        "reply": reply,
        "ticket": reply.ticket,
        "text": reply.body,
        "decision": decision,
        "requested": kind == Notification.Kind.REVIEW_REQUESTED,
        "approved": kind == Notification.Kind.REVIEW_APPROVED,
        "edited": decision is not None and decision.verdict == ReviewDecision.Verdict.EDITED,
        "reason": ChangesReason(decision.reason_code).label if decision and decision.reason_code else "",  # lazy
    }
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("username")
    return sum(
        mail_user(
            user=user,
            brand=reply.brand,
            subject_template="emails/review_subject.txt",
            body_template="emails/review_notice.txt",
            context=context,
            about=f"the {kind} notice of reply {reply.pk}",
        )
        for user in users
    )


def mail_assignment_notice(notification_id: int) -> bool:
    """Mail the assignee of a ticket handed to them (``Notification.Kind.ASSIGNED``), with who did it and their
    note. Call it after commit. True when the mail went out."""
    notice = (
        Notification.objects.select_related("user", "brand", "ticket")
        .filter(pk=notification_id, kind=Notification.Kind.ASSIGNED, user__is_active=True)
        .first()
    )
    if notice is None or notice.ticket is None:
        return False
    return mail_user(
        user=notice.user,
        brand=notice.brand,
        subject_template="emails/assigned_subject.txt",
        body_template="emails/assigned_notice.txt",
        context={"ticket": notice.ticket, "by": notice.data.get("by", ""), "note": notice.data.get("note", "")},
        about=f"the assignment notice {notice.pk}",
    )


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.mail_review_notice_task")
def mail_review_notice_task(kind: str, reply_id: int, user_ids: list[int], decision_id: int | None = None) -> int:
    """Mail a review notification (already in the app) to the users who have an address."""
    return mail_review_notice(kind=kind, reply_id=reply_id, user_ids=user_ids, decision_id=decision_id)


@shared_task(name="tickets.tasks.mail_assignment_notice_task")
def mail_assignment_notice_task(notification_id: int) -> bool:
    """Mail an assignment notification (already in the app) to its user, when they have an address."""
    return mail_assignment_notice(notification_id)
