"""Webhook endpoints. Public, authenticated by signature instead of a session (docs/channels.md).

Order of work for a POST, so that nothing unverified is stored and nothing verified is lost:
1. size: over ``SMRC_WEBHOOK_MAX_BYTES`` → 413;
2. signature over the raw body, before any parsing: missing → 401, wrong → 403;
3. JSON: malformed → 400;
4. the addressed account's own secret must have signed it (one brand's app cannot post for another's) → 403;
5. store the raw delivery, then queue its processing (the broker may be down: the sweep re-queues) → 200.
An unknown page or account is stored as ``ignored`` for admins and still answered 200, as platforms retry errors.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .channels import meta, x
from .services import inbound

logger = logging.getLogger("smrc.webhooks")

ADAPTERS = {"x": x, "meta": meta}


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _receive(request: HttpRequest, family: str) -> HttpResponse:
    adapter = ADAPTERS[family]
    limit = settings.SMRC_WEBHOOK_MAX_BYTES
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > limit:
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
    if not adapter.verify(body, signature, inbound.webhook_secrets(family)):
        return _problem(403, "The signature does not match.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _problem(400, "The body is not JSON.")
    if not isinstance(payload, dict):
        return _problem(400, "The body is not a JSON object.")
    try:
        addressed = adapter.account_ids(payload)
    except (AttributeError, TypeError):
        return _problem(400, "The body does not have the platform's shape.")
    own_secrets = inbound.webhook_secrets(family, addressed)
    if addressed and own_secrets and not adapter.verify(body, signature, own_secrets):
        return _problem(403, "The signature is not the addressed account's.")
    delivery = inbound.store_delivery(family=family, payload=payload, body=body, meta=request.META)
    if delivery.state == delivery.State.PENDING:
        inbound.enqueue(delivery.pk)
    return JsonResponse({"received": True})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_webhook(request: HttpRequest) -> HttpResponse:
    """GET: the CRC challenge (``crc_token``); POST: Account Activity / X Activity events."""
    if request.method == "GET":
        token = request.GET.get("crc_token", "")
        secrets = inbound.webhook_secrets("x")
        if not token or not secrets:
            return _problem(400, "crc_token missing or no X app secret configured.")
        return JsonResponse(x.crc_response(token, secrets[0]))
    return _receive(request, "x")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    """GET: the subscription handshake (``hub.*``); POST: Page feed, Messenger and Instagram events."""
    if request.method == "GET":
        if request.GET.get("hub.mode") == "subscribe" and inbound.verify_token_matches(
            request.GET.get("hub.verify_token", "")
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    return _receive(request, "meta")
