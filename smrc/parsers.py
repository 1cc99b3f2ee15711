"""The API's JSON parser, registered in ``REST_FRAMEWORK``: every body has a size and a depth limit."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from .jsonlimits import JSONLimitError, loads_bounded


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """``SMRC_API_MAX_BYTES`` bytes (413 above) and ``SMRC_JSON_MAX_DEPTH`` levels (400 deeper) at most."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SMRC_API_MAX_BYTES
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise BodyTooLarge(_("The body is over the limit of %(n)d bytes.") % {"n": limit})
        try:
            return loads_bounded(body, max_depth=settings.SMRC_JSON_MAX_DEPTH, max_bytes=limit)
        except JSONLimitError as exc:
            if exc.code == "too_deep":
                raise ParseError(_("The body is nested deeper than %(n)d levels.") % {"n": exc.limit}) from None
            raise ParseError(f"JSON parse error - {exc.detail}") from None  # as DRF's own parser says
