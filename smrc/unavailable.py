"""A request that meets the database down (restarting, failing over, unreachable) answers 503 with Retry-After, not
500: the service is briefly unavailable, not broken. Django's handler for uncaught exceptions (``handler500`` in
``smrc/urls.py``) sees the exception from anywhere in the request (a view or a middleware); pages get SMRC's own
page in the user's language, the API and the webhooks a JSON body (a platform retries a webhook on any error; the
delivery was not stored, so nothing is half-done). Every process reconnects on its next request
(``conn_health_checks``). Anything else is the usual 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as default_server_error

RETRY_AFTER_SECONDS = 5
JSON_PREFIXES = ("/api/", "/webhooks/")


def server_error(request, *args, **kwargs):
    exception = sys.exc_info()[1]
    if not isinstance(exception, OperationalError | InterfaceError):
        return default_server_error(request, *args, **kwargs)
    if request.path.startswith(JSON_PREFIXES):
        response = JsonResponse({"detail": "The service is briefly unavailable; try again."}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
