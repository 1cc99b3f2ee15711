"""Scoped reads of media (docs/media.md): a customer's image or video and a reply's image, each visible exactly
to those who see its ticket (``brands.access``: 404 outside the brand)."""

from django.db.models import F
from django.http import Http404

from brands.access import scope_to_brands

from ..models import MentionMedia, ReplyAttachment


def get_mention_media_for_user(user, pk: int) -> MentionMedia:
    """The stored copy ``pk`` when ``user`` sees its ticket's brand; 404 otherwise, and while it is not stored."""
    found = scope_to_brands(MentionMedia.objects.filter(mention__brand_id=F("brand_id")), user).filter(pk=pk).first()
    if found is None or not found.is_stored:
        raise Http404
    return found


def get_reply_image_for_user(user, pk: int) -> ReplyAttachment:
    """The image of a reply when ``user`` sees its ticket's brand; 404 otherwise."""
    found = scope_to_brands(ReplyAttachment.objects.filter(reply__brand_id=F("brand_id")), user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
