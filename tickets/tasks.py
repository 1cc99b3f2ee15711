"""Celery tasks: thin callers of the services, taking ids."""

import math
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import ReplyStatus
from .reports import mail as report_mail
from .services import delivery, notify, routing, sla, workflow


@shared_task(bind=True, name="tickets.tasks.deliver_reply_task", max_retries=None)
def deliver_reply_task(self, reply_id: int) -> str:
    """Publish one reply. A transient error or a rate limit leaves it ``approved`` with ``retry_at``: the task
    retries itself then (Celery countdown). Run in-process (eager, or called directly) it does not wait: the
    sweep picks the reply up when ``retry_at`` has come."""
    reply = delivery.deliver_reply(reply_id=reply_id)
    if reply is None:
        return "skipped"
    if reply.status == ReplyStatus.APPROVED and reply.retry_at is not None:
        if not (self.request.is_eager or self.request.called_directly):
            countdown = max(1, math.ceil((reply.retry_at - timezone.now()).total_seconds()))
            raise self.retry(countdown=countdown)
        return "deferred"
    return reply.status


@shared_task(name="tickets.tasks.mail_review_notice_task")
def mail_review_notice_task(kind: str, reply_id: int, user_ids: list[int], decision_id: int | None = None) -> int:
    """Mail a review notification (already in the app) to the users who have an address."""
    return notify.mail_review_notice(kind=kind, reply_id=reply_id, user_ids=user_ids, decision_id=decision_id)


@shared_task(name="tickets.tasks.sweep_replies_task")
def sweep_replies_task() -> int:
    """Re-queue approved replies whose delivery task was lost (broker down at commit time) or whose retry time
    has come, and take over replies left ``sending`` by a stopped worker (looked up before any new post)."""
    recovered = delivery.recover_stale_replies()
    waiting = delivery.approved_replies_waiting(older_than=timedelta(minutes=1))
    queued = list(dict.fromkeys([*recovered, *waiting]))
    for reply_id in queued:
        deliver_reply_task.delay(reply_id)
    return len(queued)


@shared_task(name="tickets.tasks.close_quiet_tickets_task")
def close_quiet_tickets_task() -> int:
    return workflow.close_quiet_tickets(older_than=timezone.now() - timedelta(hours=settings.SMRC_CLOSE_AFTER_HOURS))


@shared_task(name="tickets.tasks.sla_scan_task")
def sla_scan_task() -> dict[str, int]:
    result = sla.scan()
    return {"warned": result.warned, "escalated": result.escalated}


@shared_task(name="tickets.tasks.send_scheduled_reports_task")
def send_scheduled_reports_task() -> int:
    """Mail the weekly and monthly reports that are due; each period once per brand."""
    return report_mail.send_scheduled_reports()


# --- inbound channels -------------------------------------------------------------------------------------------


@shared_task(name="tickets.tasks.process_delivery_task")
def process_delivery_task(delivery_id: int) -> str:
    from .services import inbound

    return inbound.process_delivery(delivery_id)


@shared_task(name="tickets.tasks.sweep_deliveries_task")
def sweep_deliveries_task() -> int:
    """Re-queue webhook deliveries stored but not processed (the broker was down when they arrived)."""
    from .services import inbound

    waiting = inbound.pending_deliveries(older_than=timedelta(seconds=settings.SMRC_DELIVERY_SWEEP_AFTER_SECONDS))
    for delivery_id in waiting:
        inbound.enqueue(delivery_id)
    return len(waiting)


@shared_task(name="tickets.tasks.poll_channels_task")
def poll_channels_task() -> int:
    """Queue a poll of every X and YouTube account that is due (interval passed, no rate-limit wait)."""
    from .services import polling

    due = polling.accounts_due()
    for account_id in due:
        poll_account_task.delay(account_id)
    return len(due)


@shared_task(name="tickets.tasks.poll_account_task")
def poll_account_task(account_id: int) -> dict:
    from .services import polling

    return polling.poll_account(account_id)


@shared_task(name="tickets.tasks.unassign_idle_owners_task")
def unassign_idle_owners_task() -> int:
    return routing.unassign_idle_owners()
