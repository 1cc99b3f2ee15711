"""Writing and reviewing replies (docs/publishing.md; the reply lifecycle in docs/domain.md).

``draft`` → ``in_review`` when the brand's review policy says so (``brands.services.review_policy``), else
``approved`` at once; a reviewer approves (as is, or edited: the edit is the reviewer's revision) or asks for
changes with a reason; the author revises (a new revision) and it goes back to review. Approved replies are
published by :mod:`.delivery`. Every body a reply had is a :class:`ReplyRevision`; nobody reviews their own reply.

All writes on a ticket's replies take the ticket's row lock first, so two submissions, or a review and a
revision, never interleave; a review is also a compare-and-set on ``in_review`` and the revision the reviewer saw.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.access import has_perm
from brands.models import Membership, Platform, Priority, ReviewPolicy, Role
from brands.services import review_policy
from brands.services.knowledge import placeholders

from .. import events
from ..channels.registry import DELIVERY_CHANNELS
from ..models import (
    REPLY_OPEN_STATUSES,
    ChangesReason,
    Notification,
    Reply,
    ReplyRevision,
    ReplyStatus,
    ReviewDecision,
    Submission,
    Ticket,
    TicketStatus,
)
from . import charcount, composer, idempotency, media
from .delivery import deliver_reply_task
from .notify import mail_review_notice_task
from .workflow import WorkflowError, _locked, ensure_can_act


class UnfilledPlaceholders(WorkflowError):
    """Placeholders left in a reply's text: the composer shows this refusal where it warns about them as the
    operator types (one message, not two)."""

    code = "placeholders"


logger = logging.getLogger(__name__)

REPLY_MAX_LENGTH = 8000
REVIEW_NOTE_MAX_LENGTH = 1000
REPLYABLE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)
#: a reply in one of these keeps another from being started on the same ticket
REPLY_BLOCKING_STATUSES = (*REPLY_OPEN_STATUSES, ReplyStatus.CHANGES_REQUESTED)


def enqueue_delivery(reply_id: int) -> None:
    """Queue the delivery task. If the broker is down the reply stays ``approved`` and the periodic sweep
    queues it again, so nothing accepted is lost."""
    try:
        deliver_reply_task.delay(reply_id)
    except Exception:  # broker errors vary by transport; the sweep is the safety net
        logger.warning("could not queue delivery of reply %s; the sweep will retry", reply_id, exc_info=True)


def mail_on_commit(*, kind: str, reply_id: int, user_ids: Sequence[int], decision_id: int | None = None) -> None:
    """After the transaction commits, queue the mail that goes with a review notification. The notification is
    written either way: a broker that is down loses only the mail (logged), like a mail server that is down."""

    def enqueue() -> None:
        try:
            mail_review_notice_task.delay(kind, reply_id, list(user_ids), decision_id)
        except Exception:  # broker errors vary by transport; the in-app notification stays
            logger.warning("could not queue the %s mail of reply %s", kind, reply_id, exc_info=True)

    if user_ids:
        transaction.on_commit(enqueue)


def check_body(*, body: str, platform: str) -> str:
    """The body stripped, or :class:`WorkflowError`: empty, over :data:`REPLY_MAX_LENGTH`, placeholders left
    in it, or over the platform's limit counted the platform's way (``charcount``)."""
    body = body.strip()
    if not body:
        raise WorkflowError(_("A reply cannot be empty."))
    if len(body) > REPLY_MAX_LENGTH:
        raise WorkflowError(_("A reply can be at most %(n)d characters.") % {"n": REPLY_MAX_LENGTH})
    left = placeholders.leftovers(body)
    if left:
        raise UnfilledPlaceholders(
            _("Fill or remove the placeholder(s) %(names)s before sending.") % {"names": ", ".join(left)}
        )
    size = charcount.measure(body, platform)
    if size.over:
        raise WorkflowError(
            _("Too long for %(platform)s: %(n)d of %(limit)d characters. Shorten it by %(over)d.")
            % {
                "platform": Platform(platform).label if platform in Platform.values else platform,
                "n": size.length,
                "limit": size.limit,
                "over": size.length - size.limit,
            }
        )
    return body


def delivery_channel_for(ticket: Ticket) -> str:
    """The platform's own adapter when the ticket came through one of the brand's accounts that has an access
    token; otherwise ``console`` (recorded, not published)."""
    account = ticket.channel_account
    if account is not None and account.access_token and ticket.platform in DELIVERY_CHANNELS:
        return ticket.platform
    return "console"


def _ensure_replyable(ticket: Ticket, user) -> None:
    if ticket.status not in REPLYABLE_STATUSES:
        raise WorkflowError(
            _("A %(status)s ticket cannot be answered; reopen it first.") % {"status": ticket.get_status_display()}
        )
    if ticket.assignee_id is None:
        raise WorkflowError(_("Claim this ticket before you reply."))
    ensure_can_act(ticket, user)


def _ensure_no_other_reply(ticket: Ticket, *, exclude: int | None = None) -> None:
    statuses = set(
        ticket.replies.filter(status__in=REPLY_BLOCKING_STATUSES).exclude(pk=exclude).values_list("status", flat=True)
    )
    if ReplyStatus.IN_REVIEW in statuses:
        raise WorkflowError(_("Another reply on this ticket is waiting for review."))
    if ReplyStatus.CHANGES_REQUESTED in statuses:
        raise WorkflowError(_("Another reply on this ticket is waiting for its author's changes."))
    if statuses:
        raise WorkflowError(_("Another reply on this ticket is still being sent."))


def review_reasons(*, ticket: Ticket, reply: Reply, body: str) -> list[dict]:
    """What the brand's review policy says about this reply (empty: no review). Also marks ``reply`` (unsaved)
    as sending the customer elsewhere when its text does, by the brand's bounce settings."""
    policy = ReviewPolicy.objects.filter(brand_id=ticket.brand_id).first()
    reply.sends_elsewhere = bool(review_policy.bounces_in(body, policy))
    if policy is None:
        return []
    on_probation = Membership.objects.filter(
        brand_id=ticket.brand_id, user_id=reply.author_id, on_probation=True
    ).exists()
    influence = (ticket.priority_factors or {}).get("influence") or {}
    score = influence.get("score") if isinstance(influence, dict) else None
    facts = review_policy.Facts(
        reply_id=reply.pk,
        author_id=reply.author_id,
        text=body,
        on_probation=on_probation,
        priority=ticket.priority or Priority.NORMAL,
        influence=int(score) if isinstance(score, int | float) else None,
    )
    return review_policy.decide(policy, facts)


def _supervisors_of(brand_id: int, *, exclude: int | None = None) -> list[int]:
    return list(
        Membership.objects.filter(brand_id=brand_id, role=Role.SUPERVISOR, user__is_active=True)
        .exclude(user_id=exclude)
        .values_list("user_id", flat=True)
    )


def _notify(user_ids: Sequence[int], *, kind: str, reply: Reply, now: datetime, **data) -> None:
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                brand_id=reply.brand_id,
                ticket_id=reply.ticket_id,
                kind=kind,
                data={"reply_id": reply.pk, **data},
                created_at=now,
            )
            for uid in dict.fromkeys(user_ids)
        ]
    )


def _review_gate(reply: Reply, ticket: Ticket, *, reasons: list[dict], actor, now: datetime) -> None:
    """The review gate: send a just-written (or revised) reply to review when ``reasons`` (the brand's review
    policy, :func:`review_reasons`) say so, else approve it for delivery at once; with its event and notices."""
    reply.review_reasons = reasons
    # The first submission and the first time a reviewer opened it stay: the first response splits the reply's
    # whole way (rework included) into handling, review and delivery (docs/domain.md, "SLA clocks"). Each
    # revision has its own time (ReplyRevision).
    reply.submitted_at = reply.submitted_at or now
    reply.changes_code, reply.changes_note = "", ""
    reply.failure_reason = ""
    reply.delivery_channel = delivery_channel_for(ticket)
    if reasons:
        reply.status = ReplyStatus.IN_REVIEW
        reply.approved_at = None
    else:
        reply.status = ReplyStatus.APPROVED
        reply.approved_at = now
    reply.save()
    Ticket.objects.filter(pk=ticket.pk).update(
        first_submitted_at=Coalesce("first_submitted_at", now),
        **({} if reasons else {"first_approved_at": Coalesce("first_approved_at", now)}),
        updated_at=now,
    )
    reply.ticket = ticket
    if reasons:
        events.reply_review_requested(reply, reasons=reasons)
        reviewers = _supervisors_of(ticket.brand_id, exclude=reply.author_id)
        _notify(
            reviewers,
            kind=Notification.Kind.REVIEW_REQUESTED,
            reply=reply,
            now=now,
            author=reply.author.get_username(),
        )
        mail_on_commit(kind=Notification.Kind.REVIEW_REQUESTED, reply_id=reply.pk, user_ids=reviewers)
    else:
        events.reply_approved(reply, actor=actor)
        transaction.on_commit(lambda: enqueue_delivery(reply.pk))


@idempotency.once
def submit_reply(
    *,
    ticket: Ticket,
    user,
    body: str,
    now: datetime | None = None,
    snippet_ids: Sequence[int] = (),
    key: UUID | None = None,
    image: media.ImageUpload | None = None,
) -> Reply:
    """Write a reply and send it to review, or approve it for delivery when the brand's policy needs none.

    Refused with :class:`WorkflowError` (and nothing written) on an empty or over-long body (the platform's own
    limit and way of counting too), placeholders left unfilled, a ticket that is not active or not claimed, a
    ticket owned by someone else (only its assignee or a supervisor replies), or while another reply on the ticket
    is in review, waiting for changes or on its way. ``snippet_ids``: snippets the composer inserted, counted as
    used as is or edited. Takes the ticket's row lock, so of two submissions at the same moment one is refused.
    ``key``: the submission's idempotency key; a repeat of it (a double click, a retried request, both at once)
    returns the first submission's reply, marked replayed, and stores, queues and publishes nothing.
    ``image``: an image checked by ``media.check_image``, sent with the reply; checked again here against the
    platform's rule for the message it answers (refused where the platform takes text only)."""
    now = now or timezone.now()
    body = check_body(body=body, platform=ticket.platform)
    request = {"body": body, "snippets": sorted(set(snippet_ids))}
    if image is not None:
        request["image"] = image.sha256
    submission = {"action": Submission.Action.REPLY, "target": ticket.pk, "request": request}
    with transaction.atomic():
        current = _locked(ticket.pk)
        found = idempotency.previous(user=user, key=key, **submission)
        if found is not None:
            return idempotency.replayed(found.reply)
        _ensure_replyable(current, user)
        _ensure_no_other_reply(current)
        in_reply_to = current.mentions.order_by("-posted_at", "-pk").first()
        if image is not None:
            rule = media.reply_image_rule(current, in_reply_to)
            media.check_image(content=image.content, name=image.name, rule=rule)
        reply = Reply.objects.create(
            brand_id=current.brand_id,
            ticket=current,
            author=user,
            in_reply_to=in_reply_to,
            body=body,
            status=ReplyStatus.DRAFT,
            submitted_at=now,
        )
        ReplyRevision.objects.create(reply=reply, number=1, body=body, author=user)
        if image is not None:
            media.attach(reply=reply, image=image)
        reasons = review_reasons(ticket=current, reply=reply, body=body)
        reply.ticket = current
        reply.status = ReplyStatus.IN_REVIEW if reasons else ReplyStatus.APPROVED
        events.reply_submitted(reply)
        _review_gate(reply, current, reasons=reasons, actor=user, now=now)
        if snippet_ids:
            as_is, edited = composer.count_usage(ticket=current, user=user, body=body, snippet_ids=list(snippet_ids))
            if as_is or edited:
                events.snippets_used(reply, as_is=as_is, edited=edited)
        idempotency.record(user=user, key=key, ticket=current, reply=reply, **submission)
    logger.info("reply %s submitted on ticket %s: %s", reply.pk, current.pk, reply.status)
    return reply


#: the name the composer and older callers use
send_reply = submit_reply


def _locked_reply(reply: Reply) -> tuple[Reply, Ticket]:
    ticket = _locked(reply.ticket_id)
    current = Reply.objects.select_related("author").get(pk=reply.pk)
    current.ticket = ticket
    return current, ticket


def _latest_revision(reply: Reply) -> int:
    return reply.revisions.order_by("-number").values_list("number", flat=True).first() or 0


@idempotency.once
def revise_reply(*, reply: Reply, user, body: str, now: datetime | None = None, key: UUID | None = None) -> Reply:
    """A new revision of a reply sent back by a reviewer or refused by the platform; it then goes through the
    review policy again (always back to review after a request for changes). Only the reply's author, the
    ticket's assignee or a supervisor may revise, on a ticket that can still be answered. ``key``: a repeat of
    it returns the reply as it is now, marked replayed, without a second revision."""
    now = now or timezone.now()
    with transaction.atomic():
        current, ticket = _locked_reply(reply)
        body = check_body(body=body, platform=ticket.platform)
        submission = {"action": Submission.Action.REVISE, "target": current.pk, "request": {"body": body}}
        if idempotency.previous(user=user, key=key, **submission):
            return idempotency.replayed(current)
        if current.status not in (ReplyStatus.CHANGES_REQUESTED, ReplyStatus.FAILED):
            raise WorkflowError(
                _("Only a reply sent back for changes or not published can be revised; this one is %(status)s.")
                % {"status": current.get_status_display()}
            )
        _ensure_replyable(ticket, user)
        _ensure_no_other_reply(ticket, exclude=current.pk)
        was_sent_back = current.status == ReplyStatus.CHANGES_REQUESTED
        number = _latest_revision(current) + 1
        ReplyRevision.objects.create(reply=current, number=number, body=body, author=user)
        current.body = body
        events.reply_revised(current, actor=user, revision=number, at=now)
        reasons = review_reasons(ticket=ticket, reply=current, body=body)
        if was_sent_back and not reasons:
            reasons = [{"code": "resubmitted", "params": {}}]
        _review_gate(current, ticket, reasons=reasons, actor=user, now=now)
        idempotency.record(user=user, key=key, ticket=ticket, reply=current, **submission)
    return current


def _ensure_reviewer(reply: Reply, ticket: Ticket, user, *, expected_revision: int | None) -> int:
    if not has_perm(user, ticket.brand_id, "reply:approve"):
        raise WorkflowError(_("Only a supervisor of this brand reviews replies."))
    if reply.author_id == user.pk:
        raise WorkflowError(_("Nobody reviews their own reply: another supervisor has to."))
    if reply.status != ReplyStatus.IN_REVIEW:
        raise WorkflowError(
            _("This reply is no longer waiting for review (it is %(status)s); nothing was changed.")
            % {"status": reply.get_status_display()}
        )
    latest = _latest_revision(reply)
    if expected_revision is not None and expected_revision != latest:
        raise WorkflowError(_("The reply was revised while you were reading it; read the new text first."))
    return latest


def _claim_review(reply: Reply, *, status: str, now: datetime, user, **fields) -> None:
    """The compare-and-set on ``in_review``: under the ticket lock it cannot lose, but it keeps the rule local."""
    changed = Reply.objects.filter(pk=reply.pk, status=ReplyStatus.IN_REVIEW).update(
        status=status,
        reviewed_at=now,
        reviewer=user,
        review_started_at=Coalesce("review_started_at", now),
        **fields,
    )
    if not changed:
        raise WorkflowError(_("This reply is no longer waiting for review; nothing was changed."))
    reply.refresh_from_db()


@idempotency.once
def approve_reply(
    *,
    reply: Reply,
    user,
    body: str | None = None,
    expected_revision: int | None = None,
    now: datetime | None = None,
    key: UUID | None = None,
) -> Reply:
    """Approve a reply in review, as is or edited (``body``: kept as the reviewer's revision), and queue its
    delivery. Refused if the user is its author or not a supervisor of the brand, or the reply left review or
    was revised since ``expected_revision``. ``key``: a repeat of it returns the reply as it is now, marked
    replayed, with no second decision, event, notice or delivery."""
    now = now or timezone.now()
    request = {"body": None if body is None else body.strip(), "revision": expected_revision}
    submission = {"action": Submission.Action.APPROVE, "target": reply.pk, "request": request}
    with transaction.atomic():
        current, ticket = _locked_reply(reply)
        if idempotency.previous(user=user, key=key, **submission):
            return idempotency.replayed(current)
        latest = _ensure_reviewer(current, ticket, user, expected_revision=expected_revision)
        edited = body is not None and body.strip() != current.body
        fields: dict = {"approved_at": now}
        if edited:
            text = check_body(body=body or "", platform=ticket.platform)
            ReplyRevision.objects.create(reply=current, number=latest + 1, body=text, author=user)
            fields["body"] = text
            policy = ReviewPolicy.objects.filter(brand_id=ticket.brand_id).first()
            fields["sends_elsewhere"] = bool(review_policy.bounces_in(text, policy))
        _claim_review(current, status=ReplyStatus.APPROVED, now=now, user=user, **fields)
        current.ticket = ticket
        decision = ReviewDecision.objects.create(
            reply=current,
            reviewer=user,
            verdict=ReviewDecision.Verdict.EDITED if edited else ReviewDecision.Verdict.APPROVED,
            revision=latest + 1 if edited else latest,
            created_at=now,
        )
        Ticket.objects.filter(pk=ticket.pk).update(first_approved_at=Coalesce("first_approved_at", now), updated_at=now)
        if edited:
            events.reply_revised(current, actor=user, revision=latest + 1, at=now, by_reviewer=True)
        events.reply_approved(current, actor=user, reviewed=True)
        _notify([current.author_id], kind=Notification.Kind.REVIEW_APPROVED, reply=current, now=now, edited=edited)
        mail_on_commit(
            kind=Notification.Kind.REVIEW_APPROVED,
            reply_id=current.pk,
            user_ids=[current.author_id],
            decision_id=decision.pk,
        )
        transaction.on_commit(lambda: enqueue_delivery(current.pk))
        idempotency.record(user=user, key=key, ticket=ticket, reply=current, **submission)
    return current


@idempotency.once
def request_changes(
    *,
    reply: Reply,
    user,
    code: str,
    note: str,
    expected_revision: int | None = None,
    now: datetime | None = None,
    key: UUID | None = None,
) -> Reply:
    """Send a reply in review back to its author with a reason code (:class:`ChangesReason`) and a note, both
    required. Same refusals and the same ``key`` as :func:`approve_reply`."""
    now = now or timezone.now()
    note = (note or "").strip()
    if code not in ChangesReason.values:
        raise WorkflowError(_("Choose why the reply needs changes."))
    if not note:
        raise WorkflowError(_("Tell the author what to change."))
    if len(note) > REVIEW_NOTE_MAX_LENGTH:
        raise WorkflowError(_("A review note can be at most %(n)d characters.") % {"n": REVIEW_NOTE_MAX_LENGTH})
    request = {"code": code, "note": note, "revision": expected_revision}
    submission = {"action": Submission.Action.CHANGES, "target": reply.pk, "request": request}
    with transaction.atomic():
        current, ticket = _locked_reply(reply)
        if idempotency.previous(user=user, key=key, **submission):
            return idempotency.replayed(current)
        latest = _ensure_reviewer(current, ticket, user, expected_revision=expected_revision)
        _claim_review(
            current, status=ReplyStatus.CHANGES_REQUESTED, now=now, user=user, changes_code=code, changes_note=note
        )
        current.ticket = ticket
        decision = ReviewDecision.objects.create(
            reply=current,
            reviewer=user,
            verdict=ReviewDecision.Verdict.CHANGES,
            revision=latest,
            reason_code=code,
            note=note,
            created_at=now,
        )
        events.reply_changes_requested(current, actor=user, code=code, note=note, at=now)
        _notify([current.author_id], kind=Notification.Kind.REVIEW_CHANGES, reply=current, now=now, code=code)
        mail_on_commit(
            kind=Notification.Kind.REVIEW_CHANGES,
            reply_id=current.pk,
            user_ids=[current.author_id],
            decision_id=decision.pk,
        )
        idempotency.record(user=user, key=key, ticket=ticket, reply=current, **submission)
    return current


@idempotency.once
def retry_reply(*, reply: Reply, user, now: datetime | None = None, key: UUID | None = None) -> Reply:
    """``failed`` → ``approved`` and queued again, as it is (to change the text, :func:`revise_reply`). Only the
    author, the assignee or a supervisor, on a ticket that can still be answered. ``key``: a repeat of it (two
    clicks on `Retry`) returns the reply as it is now, marked replayed, and queues nothing: even if the retried
    delivery failed again meanwhile, it is not sent a third time."""
    now = now or timezone.now()
    submission = {"action": Submission.Action.RETRY, "target": reply.pk, "request": {}}
    with transaction.atomic():
        current, ticket = _locked_reply(reply)
        if idempotency.previous(user=user, key=key, **submission):
            return idempotency.replayed(current)
        if current.status != ReplyStatus.FAILED:
            raise WorkflowError(
                _("Only a reply that was not published can be retried; this one is %(status)s.")
                % {"status": current.get_status_display()}
            )
        _ensure_replyable(ticket, user)
        _ensure_no_other_reply(ticket, exclude=current.pk)
        changed = Reply.objects.filter(pk=current.pk, status=ReplyStatus.FAILED).update(
            status=ReplyStatus.APPROVED, failure_reason="", retry_at=None, delivery_channel=delivery_channel_for(ticket)
        )
        if not changed:
            raise WorkflowError(_("This reply changed meanwhile; nothing was done."))
        current.refresh_from_db()
        current.ticket = ticket
        events.reply_retried(current, actor=user, at=now)
        transaction.on_commit(lambda: enqueue_delivery(current.pk))
        idempotency.record(user=user, key=key, ticket=ticket, reply=current, **submission)
    return current


def mark_review_started(reply: Reply, *, now: datetime | None = None) -> None:
    """Stamp the moment a reviewer first opened the reply (one conditional UPDATE; later openings change nothing)."""
    if reply.review_started_at is None and reply.status == ReplyStatus.IN_REVIEW:
        at = now or timezone.now()
        Reply.objects.filter(pk=reply.pk, review_started_at__isnull=True).update(review_started_at=at)


def review_hint(*, ticket: Ticket, user) -> tuple[bool, list[str]]:
    """For the composer: will a reply by ``user`` surely go to review (:func:`review_expected`), and the flagged
    terms the page warns about while it is written (empty when the policy does not review them)."""
    policy = ReviewPolicy.objects.filter(brand_id=ticket.brand_id).first()
    if policy is None:
        return False, []
    terms = policy.flagged_term_list if policy.review_flagged_terms else []
    return review_expected(ticket=ticket, user=user, policy=policy), terms


def review_expected(*, ticket: Ticket, user, policy: ReviewPolicy | None = None) -> bool:
    """Will a reply by ``user`` on ``ticket`` surely go to review (the rules that do not depend on its text)?
    The composer says `Submit for review` then; flagged terms and the sample are only known at submission."""
    policy = policy or ReviewPolicy.objects.filter(brand_id=ticket.brand_id).first()
    if policy is None:
        return False
    if policy.review_all or (policy.review_high_priority and ticket.priority >= Priority.HIGH):
        return True
    influence = (ticket.priority_factors or {}).get("influence") or {}
    score = influence.get("score") if isinstance(influence, dict) else None
    threshold = policy.influence_threshold
    if threshold is not None and isinstance(score, int | float) and score >= threshold:
        return True
    return policy.review_probation and (
        Membership.objects.filter(brand_id=ticket.brand_id, user_id=user.pk, on_probation=True).exists()
    )
