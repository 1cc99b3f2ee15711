"""Our copies of media through the API (docs/media.md, docs/api.md): ``GET /api/v1/media/m/<id>/`` (a customer's
image or video) and ``GET /api/v1/media/r/<id>/`` (a reply's image), for an API key as for a session. The same
scoped selectors as the pages (``ticket:view``: read-only keys read; 404 outside the brand and while a copy is
not stored) and the same bytes and headers (``smrc.stored_files.serve_stored``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from smrc.stored_files import mention_media_name, reply_image_name, serve_stored

from ..selectors.media import get_mention_media_for_user, get_reply_image_for_user
from .schema import operation

TAGS = ["media"]

FILE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="The stored bytes with their stored Content-Type, X-Content-Type-Options: nosniff, "
    "Content-Disposition (inline for images and videos, attachment otherwise), Cache-Control: private and a "
    "sandboxing Content-Security-Policy.",
)


class AnyAccept(DefaultContentNegotiation):
    """A file answers whatever the client accepts (``Accept: image/*`` is no reason for a 406); errors are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class MentionMediaView(APIView):
    """``GET /api/v1/media/m/<id>/``: our stored copy of a customer's image or video (``ticket:view``)."""

    content_negotiation_class = AnyAccept

    @operation(
        "media_mention_retrieve",
        ok={(200, "application/octet-stream"): FILE},
        errors=(404,),
        summary="A customer's image or video",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        found = get_mention_media_for_user(request.user, pk)
        return serve_stored(found.file, found.content_type, mention_media_name(found))


class ReplyImageView(APIView):
    """``GET /api/v1/media/r/<id>/``: the image sent with a reply (``ticket:view``)."""

    content_negotiation_class = AnyAccept

    @operation(
        "media_reply_image_retrieve",
        ok={(200, "application/octet-stream"): FILE},
        errors=(404,),
        summary="A reply's image",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        found = get_reply_image_for_user(request.user, pk)
        return serve_stored(found.file, found.content_type, reply_image_name(found))
