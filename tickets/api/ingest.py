"""``POST /api/v1/mentions/``: ingest normalized mentions."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from brands.access import brands_for, channel_accounts_for, has_perm
from smrc.bounds import ID_MAX, parse_int

from ..channels.base import NormalizedAuthor, NormalizedMention
from ..services import ingest
from .schema import operation
from .serializers import IngestOut, MentionIn

if TYPE_CHECKING:  # an annotation only: the API reaches models through services and selectors
    from brands.models import ChannelAccount


def _route(data: dict, *, user, brand_ids: dict[str, int], channels: dict[int, "ChannelAccount"]) -> NormalizedMention:
    """Resolve brand and channel account within the user's scope; raise ValidationError if unknown."""
    channel = None
    if data.get("channel_account"):
        channel = channels.get(data["channel_account"])
        if channel is None:
            raise ValidationError({"channel_account": [_("Unknown channel account.")]})
        if channel.platform != data["platform"]:
            raise ValidationError({"channel_account": [_("This channel account is on another platform.")]})
    if data.get("brand"):
        brand_id = brand_ids.get(data["brand"])
        if brand_id is None:
            raise ValidationError({"brand": [_("Unknown brand.")]})
        if channel and channel.brand_id != brand_id:
            raise ValidationError({"channel_account": [_("This channel account belongs to another brand.")]})
    else:
        brand_id = channel.brand_id  # type: ignore[union-attr]
    author = data["author"]
    return NormalizedMention(
        brand_id=brand_id,
        channel_account_id=channel.pk if channel else None,
        platform=data["platform"],
        platform_id=data["platform_id"],
        kind=data["kind"],
        author=NormalizedAuthor(
            platform_user_id=author["id"],
            handle=author["handle"],
            name=author["name"],
            followers_count=author["followers_count"],
            following_count=author["following_count"],
            verified_type=author["verified_type"],
        ),
        text=data["text"],
        language=data["language"],
        posted_at=data["posted_at"],
        conversation_id=data["conversation_id"],
        parent_id=data["parent_id"],
        url=data["url"],
        raw=data["raw"],
    )


class MentionIngestView(APIView):
    """``POST /api/v1/mentions/``: a batch (a JSON list, or ``{"mentions": [...]}``) of normalized mentions.

    All or nothing: any invalid item answers 400 with a result per item and writes nothing; otherwise every
    item is ``created`` or ``duplicate``. Over the size limits: 413.
    """

    @operation(
        "mentions_ingest",
        body=MentionIn(many=True),
        ok={201: IngestOut, 200: IngestOut},
        errors=(403,),
        summary="Ingest a batch of normalized mentions",
        tags=["ingest"],
    )
    def post(self, request):
        length = parse_int(request.META.get("CONTENT_LENGTH") or "0", max_value=ID_MAX)
        if length is None or length > settings.SMRC_INGEST_MAX_BYTES:
            return Response(
                {"detail": _("The body is over the limit of %(n)d bytes.") % {"n": settings.SMRC_INGEST_MAX_BYTES}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        payload = request.data
        if isinstance(payload, dict) and "mentions" in payload:
            payload = payload["mentions"]
        if not isinstance(payload, list) or not payload:
            raise ParseError(_('Send a non-empty JSON list of mentions, or {"mentions": [...]}.'))
        if len(payload) > settings.SMRC_INGEST_MAX_ITEMS:
            return Response(
                {"detail": _("A batch can hold at most %(n)d mentions.") % {"n": settings.SMRC_INGEST_MAX_ITEMS}},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )

        visible = {b.slug: b.pk for b in brands_for(request.user)}
        channels = channel_accounts_for(request.user).in_bulk()
        items: list[NormalizedMention | None] = []
        errors: dict[int, dict] = {}
        for index, raw in enumerate(payload):
            serializer = MentionIn(data=raw) if isinstance(raw, dict) else None
            try:
                if serializer is None:
                    raise ValidationError({"non_field_errors": [_("Each mention must be a JSON object.")]})
                serializer.is_valid(raise_exception=True)
                items.append(_route(serializer.validated_data, user=request.user, brand_ids=visible, channels=channels))
            except ValidationError as exc:
                errors[index] = exc.detail
                items.append(None)
        denied = {
            item.brand_id for item in items if item and not has_perm(request.user, item.brand_id, "mention:ingest")
        }
        if denied:
            raise PermissionDenied
        if errors:
            results = [
                {"index": i, "status": "error", "errors": errors[i]} if i in errors else {"index": i, "status": "valid"}
                for i in range(len(payload))
            ]
            return Response(
                {
                    "detail": ngettext(
                        "Nothing was stored: %(n)d mention is invalid.",
                        "Nothing was stored: %(n)d of the mentions are invalid.",
                        len(errors),
                    )
                    % {"n": len(errors)},
                    "results": results,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        outcome = ingest.ingest_mentions(items=[item for item in items if item])
        created = sum(1 for r in outcome if r.status == "created")
        body = {
            "created": created,
            "duplicates": len(outcome) - created,
            "results": [
                {
                    "index": i,
                    "status": r.status,
                    "mention": r.mention_id,
                    "ticket": r.ticket_id,
                    "ticket_created": r.ticket_created,
                }
                for i, r in enumerate(outcome)
            ],
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
