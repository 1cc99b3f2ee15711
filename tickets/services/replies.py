"""Writing replies. Until review policies exist every reply needs no review: ``draft`` → ``approved`` at once,
then delivery publishes it (DESIGN §4)."""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Platform
from brands.services import placeholders

from .. import events
from ..models import REPLY_OPEN_STATUSES, Reply, ReplyRevision, ReplyStatus, Ticket, TicketStatus
from . import charcount, composer
from .workflow import WorkflowError, _locked, ensure_can_act

logger = logging.getLogger(__name__)

REPLY_MAX_LENGTH = 8000
REPLYABLE_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


def enqueue_delivery(reply_id: int) -> None:
    """Queue the delivery task. If the broker is down the reply stays ``approved`` and the periodic sweep
    queues it again, so nothing accepted is lost."""
    from ..tasks import deliver_reply_task

    try:
        deliver_reply_task.delay(reply_id)
    except Exception:  # broker errors vary by transport; the sweep is the safety net
        logger.warning("could not queue delivery of reply %s; the sweep will retry", reply_id, exc_info=True)


def check_body(*, body: str, platform: str) -> None:
    """Refuse (:class:`WorkflowError`) a body with placeholders left in it or over the platform's limit,
    counted the platform's way (``charcount``)."""
    left = placeholders.leftovers(body)
    if left:
        raise WorkflowError(
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


def send_reply(
    *, ticket: Ticket, user, body: str, now: datetime | None = None, snippet_ids: Sequence[int] = ()
) -> Reply:
    """Write a reply and approve it for delivery (no review yet). Refused with :class:`WorkflowError` on an
    empty or over-long body (the platform's own limit and way of counting too), placeholders left unfilled, a
    ticket that is not active, a ticket owned by someone else, or while another reply on the ticket is still on
    its way. ``snippet_ids``: snippets the composer inserted, counted as used as is or edited.
    Takes the ticket's row lock."""
    now = now or timezone.now()
    body = body.strip()
    if not body:
        raise WorkflowError(_("A reply cannot be empty."))
    if len(body) > REPLY_MAX_LENGTH:
        raise WorkflowError(_("A reply can be at most %(n)d characters.") % {"n": REPLY_MAX_LENGTH})
    check_body(body=body, platform=ticket.platform)
    with transaction.atomic():
        current = _locked(ticket.pk)
        if current.status not in REPLYABLE_STATUSES:
            raise WorkflowError(
                _("A %(status)s ticket cannot be answered; reopen it first.") % {"status": current.get_status_display()}
            )
        if current.assignee_id is None:
            raise WorkflowError(_("Claim this ticket before you reply."))
        ensure_can_act(current, user)
        if current.replies.filter(status__in=REPLY_OPEN_STATUSES).exists():
            raise WorkflowError(_("Another reply on this ticket is still being sent."))
        in_reply_to = current.mentions.order_by("-posted_at", "-pk").first()
        reply = Reply.objects.create(
            brand_id=current.brand_id,
            ticket=current,
            author=user,
            in_reply_to=in_reply_to,
            body=body,
            status=ReplyStatus.APPROVED,
            submitted_at=now,
            approved_at=now,
        )
        ReplyRevision.objects.create(reply=reply, number=1, body=body, author=user)
        Ticket.objects.filter(pk=current.pk).update(
            first_submitted_at=Coalesce("first_submitted_at", now),
            first_approved_at=Coalesce("first_approved_at", now),
            updated_at=now,
        )
        events.reply_submitted(reply)
        events.reply_approved(reply, actor=user)
        if snippet_ids:
            as_is, edited = composer.count_usage(ticket=current, user=user, body=body, snippet_ids=list(snippet_ids))
            if as_is or edited:
                events.snippets_used(reply, as_is=as_is, edited=edited)
        transaction.on_commit(lambda: enqueue_delivery(reply.pk))
    return reply
