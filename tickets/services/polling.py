"""Polling of the platforms without webhooks for what we need: X (mentions timeline and a recent search per
listening rule, cursor ``since_id``) and YouTube (comment threads of the channel, cursor: newest timestamp).

The cursor moves only after the items were stored, so a crash polls the same page again (harmless: ingest is
idempotent). A rate limit or quota error sets ``next_poll_at`` to the announced reset; refused credentials mark
the account ``needs_attention`` with the reason, shown on the channel accounts page.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from brands.models import ChannelAccount, ListeningRule
from brands.services.channels import listening

from ..channels import http, registry
from ..channels.base import ChannelError, CredentialsError
from . import inbound

logger = logging.getLogger("smrc.polling")


def accounts_due(now=None) -> list[int]:
    now = now or timezone.now()
    interval = timedelta(seconds=settings.SMRC_POLL_INTERVAL_SECONDS)
    return list(
        ChannelAccount.objects.filter(platform__in=registry.polled_platforms(), status=ChannelAccount.Status.ACTIVE)
        .exclude(access_token="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=now - interval))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _rules_for(account: ChannelAccount) -> list[ListeningRule]:
    rules = ListeningRule.objects.filter(brand_id=account.brand_id, is_active=True).order_by("pk")
    return [r for r in rules if not r.platform_list or account.platform in r.platform_list]


def poll_account(account_id: int, *, client=None) -> dict:
    """Poll one account; returns what was stored (or the error)."""
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None or account.platform not in registry.polled_platforms():
        return {"skipped": "not a polled account"}
    adapter = registry.adapter(account.platform)
    now = timezone.now()
    try:
        parsed, cursor = adapter.poll(
            account, account.poll_cursor or {}, client or http.session(), rules=_rules_for(account)
        )
        outcome = inbound.match_brands_and_ingest(parsed, rules=listening.active_rules())
    except CredentialsError as exc:
        account.status = ChannelAccount.Status.NEEDS_ATTENTION
        account.status_detail = exc.reason[:500]
        account.last_polled_at = now
        account.save(update_fields=["status", "status_detail", "last_polled_at"])
        logger.warning("channel account %s needs attention: %s", account.pk, exc.reason)
        return {"error": exc.reason, "needs_attention": True}
    except ChannelError as exc:
        account.status_detail = exc.reason[:500]
        account.last_polled_at = now
        if exc.retry_after:
            account.next_poll_at = now + timedelta(seconds=exc.retry_after)
        fields = ["status_detail", "last_polled_at", "next_poll_at"]
        if exc.permanent:
            account.status = ChannelAccount.Status.NEEDS_ATTENTION
            fields.append("status")
        account.save(update_fields=fields)
        return {"error": exc.reason, "retry_after": exc.retry_after}
    account.poll_cursor = cursor
    account.last_polled_at = now
    account.next_poll_at = None
    account.status_detail = ""
    account.save(update_fields=["poll_cursor", "last_polled_at", "next_poll_at", "status_detail"])
    return outcome.as_json()


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.poll_channels_task")
def poll_channels_task() -> int:
    """Queue a poll of every X and YouTube account that is due (interval passed, no rate-limit wait)."""
    due = accounts_due()
    for account_id in due:
        poll_account_task.delay(account_id)
    return len(due)


@shared_task(name="tickets.tasks.poll_account_task")
def poll_account_task(account_id: int) -> dict:
    return poll_account(account_id)
