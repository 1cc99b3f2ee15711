"""Sentiment refined after ingest: the refining model reads recent mentions again, in a worker (docs/sentiment.md,
"Refining after ingest").

Ingest labels every mention with the fast ingest model (``sentiment.classify``), so the queue stays live; the
refining model (``sentiment.refine``, about 17 texts per second on one core) never runs in a request or on the
ingest path. :func:`refine_recent`, run every ``SMRC_REFINE_EVERY_SECONDS`` by beat (and by ``run_periodic``),
takes the newest mentions of the last ``SMRC_REFINE_WINDOW_HOURS`` that the ingest model labelled, in batches of
``SMRC_REFINE_BATCH``, at most ``SMRC_REFINE_MAX_PER_RUN`` per run and no new batch after
``SMRC_REFINE_SECONDS``; older ones keep the ingest model's label.

Each batch, in one transaction: the mentions are taken under row locks that a concurrent run skips (``SELECT …
FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers, so a second run waits and then finds them
done), refined in one call, and stored with ``sentiment_source = refined`` (the intent does not depend on the
sentiment: it stays as ingest read it, docs/intent.md). A refined mention leaves the scan (the partial index
``mention_unrefined_idx``), so it is never refined twice. Then each ticket whose latest mention was refined has
its priority recomputed by the priority service (``priority.with_message``: the same points and levels as
ingest, the other factors kept), under the ticket's lock, as ingest does; a priority set by hand and a closed
ticket are left alone. A changed priority moves the due times (``sla.refresh_due``) and records
``ticket.priority_changed`` (reason ``assessment``).
"""

import logging
import time
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .. import events, sentiment
from ..models import Mention, SentimentSource, Ticket, TicketStatus
from . import priority, sla

logger = logging.getLogger("smrc.refinement")


def _take(since: datetime, size: int) -> list[Mention]:
    """The newest unrefined mentions received since ``since``, locked (PostgreSQL: skipping those a concurrent
    run holds). Call inside a transaction."""
    rows = Mention.objects.filter(sentiment_source=SentimentSource.INGEST, received_at__gte=since).order_by(
        "-received_at", "-pk"
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    return list(rows.only("pk", "ticket_id", "text", "sentiment")[:size])


def _refine_batch(since: datetime, size: int) -> tuple[int, set[int]]:
    """Refine one batch: (mentions refined, their tickets)."""
    with transaction.atomic():
        mentions = _take(since, size)
        if not mentions:
            return 0, set()
        texts = [m.text for m in mentions]
        labels = sentiment.refine(texts)  # one call: the encoder is loaded once per process
        for mention, label in zip(mentions, labels, strict=True):
            mention.sentiment, mention.sentiment_source = label, SentimentSource.REFINED
        Mention.objects.bulk_update(mentions, ["sentiment", "sentiment_source"])
    return len(mentions), {m.ticket_id for m in mentions}


def reassess_ticket(ticket_id: int, *, now: datetime) -> bool:
    """Recompute the ticket's priority from its latest mention's stored sentiment and intent, by the priority
    service's rules (:func:`priority.with_message`). True when the ticket changed."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
        if ticket is None or ticket.priority_overridden or ticket.status == TicketStatus.CLOSED:
            return False
        latest = (
            Mention.objects.filter(ticket_id=ticket_id)
            .order_by("-received_at", "-pk")
            .values("sentiment", "intent", "sentiment_source")
            .first()
        )
        if latest is None or latest["sentiment_source"] != SentimentSource.REFINED:
            return False  # the ingest model's reading of the latest mention is what the ticket holds
        assessment = priority.with_message(
            ticket.priority_factors,
            sentiment=latest["sentiment"],
            intent=latest["intent"],
            source=latest["sentiment_source"],
        )
        if assessment is None or assessment.as_json() == ticket.priority_factors:
            return False
        before = ticket.priority
        ticket.priority, ticket.priority_factors = assessment.priority, assessment.as_json()
        fields = ["priority", "priority_factors", "updated_at"]
        if ticket.priority != before:
            sla.refresh_due(ticket, now=now)
            fields += sla.DUE_FIELDS
        ticket.save(update_fields=fields)
        if ticket.priority != before:
            events.save_all([events.priority_assessed(ticket, before=before, after=ticket.priority, at=now)])
    return True


def refine_recent(
    *,
    now: datetime | None = None,
    batch: int | None = None,
    limit: int | None = None,
    seconds: float | None = None,
) -> dict[str, int]:
    """Refine the newest unrefined mentions (see the module). Returns ``{"refined": …, "tickets": …}``: the
    mentions refined and the tickets whose priority factors changed."""
    now = now or timezone.now()
    batch = batch or settings.SMRC_REFINE_BATCH
    limit = settings.SMRC_REFINE_MAX_PER_RUN if limit is None else limit
    seconds = settings.SMRC_REFINE_SECONDS if seconds is None else seconds
    since = now - timedelta(hours=settings.SMRC_REFINE_WINDOW_HOURS)
    started, refined, changed = time.monotonic(), 0, 0
    while refined < limit and time.monotonic() - started < seconds:
        done, tickets = _refine_batch(since, min(batch, limit - refined))
        if not done:
            break
        refined += done
        changed += sum(reassess_ticket(ticket_id, now=now) for ticket_id in sorted(tickets))
    if refined:
        logger.info("refined %s mentions; %s tickets reassessed", refined, changed)
    return {"refined": refined, "tickets": changed}


# --- Celery task (explicit name: the beat schedule and the routes name it so) ---------------------------------


@shared_task(name="tickets.tasks.refine_sentiment_task")
def refine_sentiment_task() -> dict[str, int]:
    return refine_recent()
