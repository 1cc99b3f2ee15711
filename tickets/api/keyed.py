"""The ``Idempotency-Key`` header of the API's actions that must take effect once (docs/api.md#idempotency-key)."""

from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from ..services import idempotency


def request_key(request):
    """The request's ``Idempotency-Key`` (a UUID the client makes per submission and sends again with every repeat
    of it), or 400. Read after the scoping and the capability: a stranger learns nothing from it."""
    value = request.headers.get(idempotency.HEADER)
    if not value:
        raise ParseError(
            _("Send an Idempotency-Key header: a UUID you make for this submission, the same one if you send it again.")
        )
    key = idempotency.parse(value)
    if key is None:
        raise ParseError(_("The Idempotency-Key header must be a UUID, like 0b6f4d9e-3c1a-4f7e-9a58-2d7c1e5b8f40."))
    return key


def keyed_answer(result, data, *, created: bool = False) -> Response:
    """201 (``created``) or 200 for a new submission; a repeat of one answers 200 with the object as it is now and
    ``Idempotent-Replayed: true``, having done nothing."""
    if idempotency.was_replayed(result):
        return Response(data, status=status.HTTP_200_OK, headers={"Idempotent-Replayed": "true"})
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def key_reused() -> Response:
    detail = _("This Idempotency-Key was already used with a different request; nothing was done. Use a new key.")
    return Response({"detail": detail}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
