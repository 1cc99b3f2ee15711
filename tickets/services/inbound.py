"""Inbound channels: webhook deliveries stored before they are acknowledged, processed by a task, swept when
the broker lost them; and brand matching: which brand (and channel account) each parsed item of a webhook, a
poll or an import is for, then its ingest (docs/channels.md).

Brand matching, per item: an item addressed to one of our channel accounts (page, IG account, X user, YouTube channel)
is for that account's brand; an item from a search or an import is for the brands of the accounts it addresses by
handle (it starts with ``@handle``, or its platform marks the handle or the account as mentioned) and for every
brand whose listening rules match it (one mention, one ticket per brand), or for the brand an import names. Our
own posts (the author is the brand's channel account, the platform says it is an echo, or its id is one of our
published replies) are attached to their ticket, never a new one. Processing is idempotent: replaying anything
creates nothing new.
"""

import hashlib
import hmac
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from brands.models import Brand, ChannelAccount, ListeningRule
from brands.services.channels import listening
from smrc.jsonlimits import loads_bounded

from ..channels import http, registry
from ..channels.base import (
    ChannelError,
    CredentialsError,
    InboundAction,
    InboundItem,
    NormalizedMention,
    Parsed,
    PayloadError,
)
from ..models import Author, InboundDelivery, Mention, Reply
from . import ingest

logger = logging.getLogger("smrc.inbound")

#: webhook families: the endpoint name → the platforms of the accounts it serves
FAMILIES = {"x": ("x",), "meta": ("facebook", "instagram")}
FAMILY_OF = {platform: family for family, platforms in FAMILIES.items() for platform in platforms}
#: request headers kept with a delivery (never credentials)
KEPT_HEADERS = (
    "CONTENT_TYPE",
    "HTTP_USER_AGENT",
    "HTTP_X_HUB_SIGNATURE_256",
    "HTTP_X_TWITTER_WEBHOOKS_SIGNATURE",
    "HTTP_X_REQUEST_ID",
)
MAX_SKIPPED_REASONS = 50


@dataclass
class Outcome:
    """What ingesting a batch of parsed items did, for deliveries, polls and imports alike."""

    created: int = 0
    duplicates: int = 0
    edited: int = 0
    echoes: int = 0
    actions: int = 0
    tickets_created: int = 0
    skipped: list[str] = field(default_factory=list)

    def add(self, other: "Outcome") -> None:
        for name in ("created", "duplicates", "edited", "echoes", "actions", "tickets_created"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.extend(other.skipped)

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "edited": self.edited,
            "echoes": self.echoes,
            "actions": self.actions,
            "tickets_created": self.tickets_created,
            "skipped": len(self.skipped),
            "skipped_reasons": self.skipped[:MAX_SKIPPED_REASONS],
        }


# --- secrets and signatures -----------------------------------------------------------------------------------


def _fallback_secret(family: str) -> str:
    return settings.X_CONSUMER_SECRET if family == "x" else settings.META_APP_SECRET


def webhook_secrets(family: str) -> list[str]:
    """Every app secret a delivery to ``family`` could be signed with: the ``webhook_secret`` of its channel
    accounts, then the environment fallback (X_CONSUMER_SECRET, META_APP_SECRET). Only a first filter, so that
    no stranger's body is ever parsed: which account a delivery may write to is :func:`signed_accounts`'s call."""
    accounts = ChannelAccount.objects.filter(platform__in=FAMILIES[family]).exclude(webhook_secret="")
    found = list(dict.fromkeys(accounts.order_by("pk").values_list("webhook_secret", flat=True)))
    fallback = _fallback_secret(family)
    return [*found, fallback] if fallback else found


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


def verify_token_matches(token: str) -> bool:
    """Meta's subscription handshake: ``hub.verify_token`` is the verify token of one of our Meta accounts (or
    META_VERIFY_TOKEN). Compared as equal-length digests, every candidate, so the time taken tells nothing."""
    if not token:
        return False
    tokens = ChannelAccount.objects.filter(platform__in=FAMILIES["meta"]).values_list("verify_token", flat=True)
    given = _digest(token)
    matched = False
    for candidate in [*tokens, settings.META_VERIFY_TOKEN]:
        if candidate:
            matched |= hmac.compare_digest(given, _digest(candidate))
    return matched


@dataclass(frozen=True)
class Signed:
    """Which of the accounts a delivery addresses it may write to: ``accounts``, whose own secret made its
    signature. ``refused``: known accounts whose secret did not; ``unknown``: ids SMRC has no account for."""

    accounts: tuple[ChannelAccount, ...] = ()
    refused: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        """What was left out and why, for admins (the delivery's ``error``)."""
        parts = []
        if self.refused:
            parts.append(f"refused, not signed with the account's own secret: {', '.join(self.refused)}")
        if self.unknown:
            parts.append(f"unknown account(s): {', '.join(self.unknown)}")
        return "; ".join(parts)


def signed_accounts(*, family: str, addressed: set[tuple[str, str]], body: bytes, signature: str) -> Signed:
    """Check ``signature`` over the raw ``body`` once per addressed (platform, account id): an account is signed
    only by its own ``webhook_secret`` (or, when it has none, the environment's fallback secret). One brand's
    app secret therefore never vouches for another brand's account, whatever else the body carries."""
    verify = registry.adapter(FAMILIES[family][0]).verify
    ids = {external_id for _, external_id in addressed}
    rows = ChannelAccount.objects.filter(platform__in=FAMILIES[family], external_id__in=ids).order_by("pk")
    known = {(a.platform, a.external_id): a for a in rows}
    fallback = _fallback_secret(family)
    made_it: dict[str, bool] = {}  # one HMAC per distinct secret, however many pages share an app
    accounts, refused, unknown = [], [], []
    for key in sorted(addressed):
        account = known.get(key)
        if account is None:
            unknown.append(":".join(key))
            continue
        secret = account.webhook_secret or fallback
        if secret not in made_it:
            made_it[secret] = bool(secret) and verify(body, signature, [secret])
        if made_it[secret]:
            accounts.append(account)
        else:
            refused.append(":".join(key))
    return Signed(tuple(accounts), tuple(refused), tuple(unknown))


# --- deliveries -----------------------------------------------------------------------------------------------


def store_delivery(*, platform: str, body: bytes, meta: dict, signed: Signed) -> InboundDelivery | None:
    """Store a delivery whose signature :func:`signed_accounts` checked: ``pending`` when an addressed account
    signed it, ``ignored`` when it only addresses accounts SMRC does not know (the platform still gets its 200,
    or it would retry for days). What was left out is in ``error``.

    The same bytes again (a platform's retry, or a replay: signatures carry no time) are stored once, by the
    unique body hash: returns None and nothing changes."""
    now = timezone.now()
    pending = bool(signed.accounts)
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                platform=platform,
                channel_account=signed.accounts[0] if pending else None,
                body=body.decode("utf-8"),
                body_sha256=hashlib.sha256(body).hexdigest(),
                headers={k: str(meta[k])[:300] for k in KEPT_HEADERS if k in meta},
                received_at=now,
                state=InboundDelivery.State.PENDING if pending else InboundDelivery.State.IGNORED,
                processed_at=None if pending else now,
                error=signed.note,
            )
    except IntegrityError:
        return None
    if pending:
        ChannelAccount.objects.filter(pk__in=[a.pk for a in signed.accounts]).update(last_delivery_at=now)
    return delivery


def enqueue(delivery_id: int) -> bool:
    """Queue the processing task. With the broker down the delivery stays pending for the sweep."""
    try:
        process_delivery_task.delay(delivery_id)
    except Exception:  # kombu OperationalError, connection refused…: the sweep will pick it up
        logger.warning("could not queue inbound delivery %s; the sweep will retry it", delivery_id, exc_info=True)
        return False
    return True


def _fetcher(platform: str, accounts: tuple[ChannelAccount, ...]):
    """The platform's ``fetch`` for parsing (Meta's reads Instagram mentions), limited to the signing accounts."""
    make = getattr(registry.adapter(platform), "fetcher", None)
    return make({a.external_id: a for a in accounts}, http.session()) if make else None


def _signed_only(parsed: Parsed, signed: Signed) -> Parsed:
    """The items and actions of ``parsed`` addressed to an account that signed the delivery; everything else
    (another account, or none: never matched by listening rules or by platform id alone) is skipped with why."""
    keys = {(a.platform, a.external_id) for a in signed.accounts}
    kept = Parsed(account_ids={a.external_id for a in signed.accounts}, skipped=list(parsed.skipped))
    for part in [*parsed.items, *parsed.actions]:
        if (part.platform, part.account_id) in keys:
            (kept.items if isinstance(part, InboundItem) else kept.actions).append(part)
        else:
            target = f"{part.platform}:{part.account_id}" if part.account_id else "no account"
            kept.skipped.append(f"{part.platform}:{part.platform_id}: for {target}, which did not sign the delivery")
    return kept


def _load(body: str):
    """A stored body, parsed within the webhook limits (bodies are checked on the way in; this keeps the limits
    true for rows stored before them)."""
    return loads_bounded(
        body,
        max_depth=settings.SMRC_WEBHOOK_MAX_DEPTH,
        max_bytes=settings.SMRC_WEBHOOK_MAX_BYTES,
        repair_text=True,  # a NUL or half an emoji in a message is U+FFFD: the message is kept
    )


def process_delivery(delivery_id: int) -> str:
    """Parse and ingest one stored delivery, once. Returns its state afterwards.

    The signature kept with the body is checked again, per account, with the secrets of today: only the items
    and actions of accounts that signed it are ingested, and only for those accounts' brands (so an ``ignored`` delivery
    retried after its account was added is accepted only if that account's own secret signed it). The row is
    locked for the whole run, so two workers never process it twice; the ingest runs in a savepoint, so a
    failure leaves no half batch behind and the delivery pending (transient) or failed (unreadable).
    """
    with transaction.atomic():
        delivery = InboundDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.state != InboundDelivery.State.PENDING:
            return delivery.state if delivery else "missing"
        delivery.attempts += 1
        outcome = Outcome()
        try:
            with transaction.atomic():
                adapter = registry.adapter(delivery.platform)
                payload = _load(delivery.body)
                signed = signed_accounts(
                    family=FAMILY_OF[delivery.platform],
                    addressed=adapter.addressed_accounts(payload),
                    body=delivery.body.encode("utf-8"),
                    signature=delivery.headers.get(adapter.SIGNATURE_HEADER, ""),
                )
                if signed.accounts:
                    parsed = adapter.parse(payload, fetch=_fetcher(delivery.platform, signed.accounts))
                    outcome = match_brands_and_ingest(_signed_only(parsed, signed))
        except (PayloadError, ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            delivery.state = InboundDelivery.State.FAILED
            delivery.error = f"unreadable: {type(exc).__name__}: {exc}"[:2000]
        except ChannelError as exc:
            delivery.error = exc.reason[:2000]
            if exc.permanent or delivery.attempts >= settings.SMRC_DELIVERY_MAX_ATTEMPTS:
                delivery.state = InboundDelivery.State.FAILED
            if isinstance(exc, CredentialsError) and delivery.channel_account_id:
                ChannelAccount.objects.filter(pk=delivery.channel_account_id).update(
                    status=ChannelAccount.Status.NEEDS_ATTENTION, status_detail=exc.reason[:500]
                )
        except Exception as exc:
            logger.exception("inbound delivery %s failed", delivery_id)
            delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
            if delivery.attempts >= settings.SMRC_DELIVERY_MAX_ATTEMPTS:
                delivery.state = InboundDelivery.State.FAILED
        else:
            delivery.processed_at = timezone.now()
            delivery.error = signed.note
            if signed.accounts:
                delivery.state = InboundDelivery.State.PROCESSED
                delivery.channel_account = signed.accounts[0]
                delivery.summary = outcome.as_json()
            else:  # none of its accounts signed it (now): only unknown accounts, or a secret changed since
                delivery.state = InboundDelivery.State.FAILED if signed.refused else InboundDelivery.State.IGNORED
        delivery.save(update_fields=["state", "attempts", "error", "processed_at", "summary", "channel_account"])
        # under the request id the webhook was accepted with (kept in its headers), whoever re-queued it
        logger.info(
            "inbound delivery %s %s: %s",
            delivery.pk,
            delivery.state,
            delivery.summary if delivery.state == InboundDelivery.State.PROCESSED else delivery.error,
            extra={"request_id": delivery.headers.get("HTTP_X_REQUEST_ID"), "delivery_id": delivery.pk},
        )
        return delivery.state


def pending_deliveries(*, older_than: timedelta, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        InboundDelivery.objects.filter(state=InboundDelivery.State.PENDING, received_at__lte=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )


def retry_deliveries(ids: list[int]) -> int:
    """Admin action: put failed (or ignored) deliveries back to pending and queue them."""
    count = InboundDelivery.objects.filter(pk__in=ids).update(
        state=InboundDelivery.State.PENDING, attempts=0, processed_at=None
    )
    for delivery_id in ids:
        enqueue(delivery_id)
    return count


# --- brand matching -------------------------------------------------------------------------------------------


#: the identifiers of an inbound item and the columns that keep them
ID_COLUMNS = (
    ("platform_id", Mention, "platform_id"),
    ("author.platform_user_id", Author, "platform_user_id"),
    ("conversation_id", Mention, "conversation_id"),
    ("parent_id", Mention, "parent_id"),
)


def unfit_id(item: InboundItem) -> str:
    """Why ``item`` cannot be stored as it came (an id longer than its column), or "". An id is never cut to
    fit: two ids sharing their first characters would become one customer, mention or thread; and on PostgreSQL
    the over-long value would fail the whole batch (a delivery's other items with it)."""
    for name, model, column in ID_COLUMNS:
        value = item.author.platform_user_id if name.startswith("author.") else getattr(item, name)
        limit = model._meta.get_field(column).max_length
        if len(str(value or "")) > limit:
            return f"{name} is longer than {limit} characters"
    return ""


@dataclass
class _Batch:
    mentions: list[NormalizedMention] = field(default_factory=list)
    echoes: list[NormalizedMention] = field(default_factory=list)
    actions: dict[int, list[InboundAction]] = field(default_factory=lambda: defaultdict(list))


def _handle_index(accounts: dict[tuple[str, str], ChannelAccount]) -> dict[tuple[str, str], list[ChannelAccount]]:
    """(platform, lower-cased handle without "@") → our accounts with that handle."""
    index: dict[tuple[str, str], list[ChannelAccount]] = defaultdict(list)
    for account in accounts.values():
        handle = account.handle.strip().lstrip("@").lower()
        if handle:
            index[(account.platform, handle)].append(account)
    return index


def _addressed_targets(
    item: InboundItem,
    accounts: dict[tuple[str, str], ChannelAccount],
    handles: dict[tuple[str, str], list[ChannelAccount]],
) -> list[tuple[int, ChannelAccount]]:
    """(brand, account) for each of our accounts on the item's platform that the item addresses by handle or
    as a mentioned account (:meth:`InboundItem.addressed`), one per brand (the first account of each)."""
    named, ids = item.addressed()
    found = [a for handle in sorted(named) for a in handles.get((item.platform, handle), ())]
    found += [accounts[(item.platform, i)] for i in sorted(ids) if (item.platform, i) in accounts]
    targets: dict[int, ChannelAccount] = {}
    for account in sorted(found, key=lambda a: a.pk):
        targets.setdefault(account.brand_id, account)
    return sorted(targets.items())


def _match_brands(
    parsed: Parsed,
    *,
    accounts: dict[tuple[str, str], ChannelAccount],
    rules: list[ListeningRule],
    brand: Brand | None,
    brand_slugs: list[str] | None,
    outcome: Outcome,
) -> _Batch:
    batch = _Batch()
    own_ids = {(a.brand_id, a.platform, a.external_id) for a in accounts.values()}
    ids = {i.platform_id for i in parsed.items}
    ours = (
        set(Reply.objects.filter(platform_reply_id__in=ids).values_list("brand_id", "platform_reply_id"))
        if ids
        else set()
    )
    slugs = dict(Brand.objects.values_list("slug", "pk")) if brand_slugs and any(brand_slugs) else {}
    handles = _handle_index(accounts)
    for index, item in enumerate(parsed.items):
        if reason := unfit_id(item):
            outcome.skipped.append(f"{item.platform}:{str(item.platform_id)[:40]}: {reason}")
            continue
        account = accounts.get((item.platform, item.account_id)) if item.account_id else None
        named = brand_slugs[index] if brand_slugs else ""
        if brand is not None:
            targets = [(brand.pk, account if account and account.brand_id == brand.pk else None)]
        elif named:
            if named not in slugs:
                outcome.skipped.append(f"{item.platform}:{item.platform_id}: unknown brand {named!r}")
                continue
            targets = [(slugs[named], None)]
        elif account is not None:
            targets = [(account.brand_id, account)]
        else:
            # Not received by an account of ours: for the brands of the accounts it addresses by handle, then
            # for those whose listening rules match (a saved timeline, a search, an import).
            addressed = _addressed_targets(item, accounts, handles)
            if item.account_id and not addressed:
                outcome.skipped.append(f"{item.platform}:{item.platform_id}: unknown account {item.account_id}")
                continue
            found = (
                []
                if item.account_id
                else listening.brands_for_item(
                    rules,
                    platform=item.platform,
                    text=item.text,
                    language=item.language,
                    author_handle=item.author.handle,
                )
            )
            targets = list(addressed) + [(b, None) for b in found if b not in {brand_id for brand_id, _ in addressed}]
            if not targets:
                outcome.skipped.append(f"{item.platform}:{item.platform_id}: no listening rule matches")
                continue
        for brand_id, target_account in targets:
            mention = item.for_brand(brand_id, target_account.pk if target_account else None)
            own = (
                item.own
                or (brand_id, item.platform, item.author.platform_user_id) in own_ids
                or (brand_id, item.platform_id) in ours
            )
            (batch.echoes if own else batch.mentions).append(mention)
    for action in parsed.actions:
        account = accounts.get((action.platform, action.account_id)) if action.account_id else None
        if brand is not None:
            brand_ids = [brand.pk]
        elif account is not None:
            brand_ids = [account.brand_id]
        else:
            brand_ids = list(
                Mention.objects.filter(platform=action.platform, platform_id=action.platform_id)
                .values_list("brand_id", flat=True)
                .distinct()
            )
        for brand_id in brand_ids:
            batch.actions[brand_id].append(action)
    return batch


def match_brands_and_ingest(
    parsed: Parsed,
    *,
    brand: Brand | None = None,
    brand_slugs: list[str] | None = None,
    rules: list[ListeningRule] | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Match ``parsed`` to brands and store it: new mentions, edits, echoes and actions, in one transaction."""
    outcome = Outcome(skipped=list(parsed.skipped))
    platforms = {i.platform for i in parsed.items} | {a.platform for a in parsed.actions}
    # every account on these platforms (a small table): the addressed ones decide the brand, all of them spot own posts
    accounts = {(a.platform, a.external_id): a for a in ChannelAccount.objects.filter(platform__in=platforms)}
    if rules is None and brand is None and any(not i.account_id for i in parsed.items):
        rules = listening.active_rules()
    batch = _match_brands(
        parsed, accounts=accounts, rules=rules or [], brand=brand, brand_slugs=brand_slugs, outcome=outcome
    )
    with transaction.atomic():
        if batch.mentions:
            for result in ingest.ingest_mentions(items=batch.mentions, now=now):
                if result.status == "created":
                    outcome.created += 1
                    outcome.tickets_created += int(result.ticket_created)
                elif result.status == "edited":
                    outcome.edited += 1
                else:
                    outcome.duplicates += 1
        if batch.echoes:
            for result in ingest.attach_echoes(items=batch.echoes, now=now):
                if result.status == "echo":
                    outcome.echoes += 1
                else:
                    outcome.skipped.append("our own post, on no ticket we hold")
        for brand_id, actions in batch.actions.items():
            outcome.actions += ingest.apply_actions(brand_id=brand_id, actions=actions, now=now)
    return outcome


# --- the channel accounts page --------------------------------------------------------------------------------


def delivery_stats(account_ids: list[int]) -> dict[int, dict]:
    """Per account: pending and failed deliveries, and the latest failure's error and time."""
    stats: dict[int, dict] = {
        pk: {"pending": 0, "failed": 0, "last_error": "", "last_error_at": None} for pk in account_ids
    }
    rows = (
        InboundDelivery.objects.filter(
            channel_account_id__in=account_ids,
            state__in=[InboundDelivery.State.PENDING, InboundDelivery.State.FAILED],
        )
        .order_by("received_at")
        .values_list("channel_account_id", "state", "error", "received_at")
    )
    for account_id, state, error, received_at in rows:
        entry = stats[account_id]
        entry[state] += 1
        if error:
            entry["last_error"], entry["last_error_at"] = error, received_at
    return stats


def unrouted_count(user) -> int:
    """Deliveries for unknown accounts (admins only: they belong to no brand)."""
    from brands.access import is_admin

    if not is_admin(user):
        return 0
    return InboundDelivery.objects.filter(state=InboundDelivery.State.IGNORED).count()


# --- Celery tasks (their names stay as deployed: workers and queued tasks use them) ---------------------------


@shared_task(name="tickets.tasks.process_delivery_task")
def process_delivery_task(delivery_id: int) -> str:
    return process_delivery(delivery_id)


@shared_task(name="tickets.tasks.sweep_deliveries_task")
def sweep_deliveries_task() -> int:
    """Re-queue webhook deliveries stored but not processed (the broker was down when they arrived)."""
    waiting = pending_deliveries(older_than=timedelta(seconds=settings.SMRC_DELIVERY_SWEEP_AFTER_SECONDS))
    for delivery_id in waiting:
        enqueue(delivery_id)
    return len(waiting)
