"""Webhook endpoints. Public, authenticated by signature instead of a session (docs/channels.md).

Order of work for a POST, so that nothing unverified is stored and nothing verified is lost:
1. size: over ``SMRC_WEBHOOK_MAX_BYTES`` → 413;
2. signature over the raw body, before any parsing: missing → 401; made by none of our app secrets → 403;
3. JSON within ``SMRC_WEBHOOK_MAX_DEPTH``, an object → else 400;
4. every part names the account it is for (``entry[].id``, ``for_user_id``, ``filter.user_id``) → else 400;
5. per account, its own secret must have made the signature: when no addressed account's did → 403; else the
   parts of the accounts that signed are kept and the others recorded as refused on the delivery;
6. store the raw delivery once per body (a replay of the same bytes is acknowledged, not stored again), then
   queue its processing (the broker may be down: the sweep re-queues) → 200.
A delivery only for accounts SMRC does not know is stored as ``ignored`` for admins and still answered 200, as
platforms retry errors. The GET challenges answer only tokens of the platform's shape, and are throttled.
"""

import logging
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from smrc.bounds import ID_MAX, parse_int
from smrc.jsonlimits import JSONLimitError, loads_bounded

from ..channels import meta, x
from ..channels.base import PayloadError
from ..services import inbound

logger = logging.getLogger("smrc.webhooks")

ADAPTERS = {"x": x, "meta": meta}
#: a valid signature is at most 71 characters (``sha256=`` and 64 hex digits)
MAX_SIGNATURE_CHARS = 128
#: Meta's ``hub.challenge`` is an integer
META_CHALLENGE = re.compile(r"[0-9]{1,32}")
MAX_VERIFY_TOKEN_CHARS = 256


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _receive(request: HttpRequest, family: str) -> HttpResponse:
    adapter = ADAPTERS[family]
    limit = settings.SMRC_WEBHOOK_MAX_BYTES
    length = parse_int(request.META.get("CONTENT_LENGTH") or "", max_value=ID_MAX)  # not a number: Django reads none
    if length is not None and length > limit:
        return _problem(413, f"The body is over the limit of {limit} bytes.")
    try:
        body = request.body
    except RequestDataTooBig:
        return _problem(413, f"The body is over the limit of {limit} bytes.")
    if len(body) > limit:
        return _problem(413, f"The body is over the limit of {limit} bytes.")
    signature = request.META.get(adapter.SIGNATURE_HEADER, "")
    if not signature:
        return _problem(401, "The signature header is missing.")
    if len(signature) > MAX_SIGNATURE_CHARS or not adapter.verify(body, signature, inbound.webhook_secrets(family)):
        return _problem(403, "The signature does not match.")
    try:
        payload = loads_bounded(body, max_depth=settings.SMRC_WEBHOOK_MAX_DEPTH, max_bytes=limit, repair_text=True)
    except JSONLimitError as exc:
        return _problem(400, exc.sentence)
    if not isinstance(payload, dict):
        return _problem(400, "The body is not a JSON object.")
    try:
        addressed = adapter.addressed_accounts(payload)
    except PayloadError as exc:
        return _problem(400, f"The body does not have the platform's shape: {exc}.")
    signed = inbound.signed_accounts(family=family, addressed=addressed, body=body, signature=signature)
    if signed.refused:
        logger.warning("%s webhook: %s", family, signed.note)
        if not signed.accounts:
            return _problem(403, "The signature is not the addressed account's.")
    (platform,) = {platform for platform, _ in addressed}
    delivery = inbound.store_delivery(platform=platform, body=body, meta=request.META, signed=signed)
    if delivery is None:
        return JsonResponse({"received": True, "duplicate": True})
    if delivery.state == delivery.State.PENDING:
        inbound.enqueue(delivery.pk)
    return JsonResponse({"received": True})


def _throttled(request: HttpRequest, group: str) -> HttpResponse | None:
    """429 once this client address asked for ``group`` more than ``SMRC_WEBHOOK_CHALLENGES_PER_MINUTE`` times
    this minute (django-ratelimit: an atomic counter in the cache). An unreachable cache lets the request by:
    the challenges themselves sign nothing of use."""
    rate = f"{settings.SMRC_WEBHOOK_CHALLENGES_PER_MINUTE}/m"
    try:
        usage = get_usage(request, group=group, key="ip", rate=rate, method="GET", increment=True)
    except Exception:  # the cache is down (redis ConnectionError…)
        logger.warning("could not count %s requests; letting it through", group, exc_info=True)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    response = _problem(429, "Too many requests; try again later.")
    response["Retry-After"] = str(max(1, usage["time_left"]))
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_webhook(request: HttpRequest) -> HttpResponse:
    """GET: the CRC challenge (``crc_token``); POST: Account Activity / X Activity events."""
    if request.method == "GET":
        refused = _throttled(request, "webhooks.x.crc")
        if refused:
            return refused
        token = request.GET.get("crc_token", "")
        if not x.is_crc_token(token):
            return _problem(400, "crc_token is missing or not of the shape X sends.")
        secrets = inbound.webhook_secrets("x")
        if not secrets:
            return _problem(400, "No X app secret is configured.")
        return JsonResponse(x.crc_response(token, secrets[0]))
    return _receive(request, "x")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    """GET: the subscription handshake (``hub.*``); POST: Page feed, Messenger and Instagram events."""
    if request.method == "GET":
        refused = _throttled(request, "webhooks.meta.handshake")
        if refused:
            return refused
        challenge = request.GET.get("hub.challenge", "")
        token = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and META_CHALLENGE.fullmatch(challenge)
            and len(token) <= MAX_VERIFY_TOKEN_CHARS
            and inbound.verify_token_matches(token)
        ):
            return HttpResponse(challenge, content_type="text/plain")
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    return _receive(request, "meta")
