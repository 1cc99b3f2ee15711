"""The OpenAPI description of the API (drf-spectacular): the errors every endpoint may answer, the
``Idempotency-Key`` header, and the schema and docs views served at ``/api/v1/schema/`` and ``/api/v1/docs/``.

Each view declares its operation with :func:`operation`, which adds the errors that apply to it: ``401`` and
``429`` everywhere, ``400`` and ``413`` on bodies, ``403`` and ``404`` where it checks a capability or an
object, ``409`` and ``422`` where the view says so. Operation ids are given by hand: they stay stable when a
path or a view is renamed (docs/api.md, "The schema")."""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")


class ValidationErrorOut(serializers.Serializer):
    """``{"detail": "..."}``, or ``{field: [messages]}`` naming each field refused (nested for nested fields)."""

    detail = serializers.CharField(required=False)


ERRORS = {
    400: OpenApiResponse(
        ValidationErrorOut,
        description="The request is malformed: a field refused (`{field: [messages]}`), malformed JSON, JSON "
        "nested too deep, or a missing or malformed `Idempotency-Key` (`{detail}`). Nothing was done.",
    ),
    401: OpenApiResponse(ErrorOut, description="No credentials, or a key revoked, expired or unknown."),
    403: OpenApiResponse(
        ErrorOut,
        description="In scope, but the caller's role (or a read-only key) lacks the capability. Nothing was done.",
    ),
    404: OpenApiResponse(
        ErrorOut, description="No such object within the caller's brands (out of scope looks the same)."
    ),
    409: OpenApiResponse(
        ErrorOut, description="The object's state refuses the action (`detail` says why). Nothing changed."
    ),
    413: OpenApiResponse(ErrorOut, description="The body is over the size limit (`SMRC_API_MAX_BYTES`)."),
    422: OpenApiResponse(
        ErrorOut, description="This `Idempotency-Key` was already used with a different request. Nothing was done."
    ),
    429: OpenApiResponse(
        ErrorOut, description="Too many requests for this key or user; retry after the `Retry-After` header's seconds."
    ),
}

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.UUID,
    OpenApiParameter.HEADER,
    required=True,
    description="A UUID made for this submission, sent again unchanged with every retry of it (docs/api.md).",
)


def operation(operation_id: str, *, ok: dict, errors=(), body=None, summary: str = "", tags=None, **kwargs):
    """``extend_schema`` with the answers ``ok`` (status → serializer or ``OpenApiResponse``) and the errors the
    endpoint may give; ``401`` and ``429`` always, ``400`` and ``413`` with a ``body``."""
    codes = {401, 429, *errors}
    if body is not None:
        codes |= {400, 413}
    responses = {**ok, **{code: ERRORS[code] for code in sorted(codes)}}
    return extend_schema(
        operation_id=operation_id, request=body, responses=responses, summary=summary or None, tags=tags, **kwargs
    )


class SchemaView(SpectacularAPIView):
    """``GET /api/v1/schema/``: the OpenAPI 3 document (YAML; ``?format=json`` for JSON). Public: it describes
    the code, not any brand's data."""


@method_decorator(csp_update({"img-src": ["data:"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """``GET /api/v1/docs/``: the schema in Swagger UI, from our own static files (no CDN, no inline script).
    Its stylesheet draws its icons as ``data:`` SVG images: this page alone allows those."""

    url_name = "api-schema"
