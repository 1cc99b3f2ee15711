"""One request id per unit of work, carried into every log line (docs/operations.md, "Logs").

A web request takes the caller's ``X-Request-ID`` when it is sane (8 to 128 letters, digits and ``._:-``), or
gets a fresh one, and answers with it. The id is also put back into ``request.META["HTTP_X_REQUEST_ID"]``, so a
webhook delivery stores the id it was accepted under with its headers. Tasks queued while it is bound carry it in
their message headers, and the worker binds it again while the task runs (``smrc.celery``).
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger("smrc.request")

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("smrc_request_id", default=None)


def get() -> str | None:
    """The request id bound now, or None."""
    return _current.get()


def new() -> str:
    return uuid.uuid4().hex


def accept(value: str | None) -> str:
    """``value`` if it is a sane request id, else a new one."""
    if value and SANE.fullmatch(value):
        return value
    return new()


@contextmanager
def bound(value: str | None) -> Iterator[str | None]:
    """Bind ``value`` (None: leave the current one) for the duration of the block."""
    if not value:
        yield _current.get()
        return
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def bind(value: str | None) -> contextvars.Token:
    return _current.set(value)


def unbind(token: contextvars.Token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """First in the chain: binds the request id, answers with it, and logs one line per request (method, path,
    view, status, duration), so that a request and everything it caused can be found by its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept(request.META.get(META_KEY))
        request.META[META_KEY] = request_id
        request.request_id = request_id
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            match = getattr(request, "resolver_match", None)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "http_method": request.method,
                    "path": request.path,
                    "view": match.view_name if match else None,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                },
            )
            return response
        finally:
            _current.reset(token)
