"""Media (docs/media.md): copies of what customers send, and the image an operator attaches to a reply.

Inbound: ingest writes a :class:`~tickets.models.MentionMedia` row per image or video a platform described
(:func:`record`, in the ingest transaction) and queues :func:`fetch_media_task` once it commits. The task takes
the row by a conditional UPDATE (a lease on ``next_try_at``, so two workers never fetch the same copy), fetches it
through ``channels.media.fetch`` (allowlisted CDN hosts, https, size caps, type from the bytes) and stores it in
the default storage under a name made of its SHA-256. A refusal that will not pass (a host off the list, a link
that expired, the wrong bytes) ends ``failed`` or ``too_large`` at once; anything else is tried again
(1, 4, 16 … minutes, ``SMRC_MEDIA_MAX_ATTEMPTS`` in all) by :func:`sweep_media_task`.

Outbound: :func:`check_image` reads an uploaded file (type from the bytes, size, dimensions) against the
platform's rule (:func:`reply_image_rule`); ``replies.submit_reply`` stores it with :func:`attach`; the platform
module sends it at publish time.
"""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..channels import media as channel_media
from ..channels.base import MediaRef
from ..channels.registry import adapter
from ..models import MediaKind, MediaState, Mention, MentionMedia, Reply, ReplyAttachment, Ticket
from .workflow import WorkflowError

logger = logging.getLogger(__name__)

#: a fetch holds its row this long; a worker that stopped mid-fetch leaves it to the sweep after that
LEASE = timedelta(minutes=5)
RETRY_BASE_SECONDS = 60


def storage_name(prefix: str, sha256: str, content_type: str) -> str:
    return f"{prefix}/{sha256[:2]}/{sha256}.{channel_media.EXTENSIONS.get(content_type, 'bin')}"


def _store(prefix: str, content: bytes, content_type: str) -> tuple[str, str]:
    """Save ``content`` under its SHA-256 (the same bytes are stored once); (name, sha256)."""
    digest = hashlib.sha256(content).hexdigest()
    name = storage_name(prefix, digest, content_type)
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name, digest


# --- inbound ----------------------------------------------------------------------------------------------------


def record(found: Iterable[tuple[Mention, tuple[MediaRef, ...]]]) -> list[int]:
    """Write a pending row per media of each (saved) mention, in the caller's transaction, and queue their
    fetches once it commits. Returns the new rows' ids."""
    rows = [
        MentionMedia(
            brand_id=mention.brand_id,
            mention_id=mention.pk,
            position=position,
            kind=ref.kind,
            source_url=ref.url,
            platform_media_id=ref.media_id,
            alt_text=ref.alt_text,
            content_type=ref.content_type,
        )
        for mention, refs in found
        for position, ref in enumerate(refs)
    ]
    if not rows:
        return []
    MentionMedia.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: enqueue(ids))
    return ids


def enqueue(ids: Iterable[int]) -> None:
    """Queue a fetch per id; a broker that is down leaves the rows pending for the sweep."""
    for media_id in ids:
        try:
            fetch_media_task.delay(media_id)
        except Exception:  # broker errors vary by transport; the sweep is the safety net
            logger.warning("could not queue the fetch of media %s; the sweep will", media_id, exc_info=True)


def retry_seconds(attempts: int) -> int:
    return RETRY_BASE_SECONDS * 4 ** max(attempts - 1, 0)


def fetch_copy(*, media_id: int, now: datetime | None = None) -> MentionMedia | None:
    """Fetch and store one copy if it is pending and due; the row as it ended, or None if it was not ours."""
    now = now or timezone.now()
    taken = (
        MentionMedia.objects.filter(pk=media_id, state=MediaState.PENDING)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        .update(attempts=F("attempts") + 1, next_try_at=now + LEASE)
    )
    if not taken:
        return None
    row = MentionMedia.objects.select_related("mention").get(pk=media_id)
    platform = row.mention.platform
    if row.kind == MediaKind.OTHER:
        return _finish(row, state=MediaState.FAILED, error="not an image or a video: open it on the platform")
    cap = settings.SMRC_MEDIA_MAX_VIDEO_BYTES if row.kind == MediaKind.VIDEO else settings.SMRC_MEDIA_MAX_IMAGE_BYTES
    try:
        got = channel_media.fetch(platform, row.source_url, max_bytes=cap)
        if got.content_type.startswith("image/") and len(got.content) > settings.SMRC_MEDIA_MAX_IMAGE_BYTES:
            raise channel_media.MediaError("an image over the image cap", permanent=True, state="too_large")
        size = channel_media.image_size(got.content) if got.content_type.startswith("image/") else None
        if size and size[0] * size[1] > settings.SMRC_MEDIA_MAX_PIXELS:
            # a few hundred bytes can claim 12,000 × 12,000 pixels: every operator's browser that showed the copy
            # would decode half a gigabyte (a decompression bomb), so it is not kept
            raise channel_media.MediaError("an image of too many pixels", permanent=True, state="too_large")
        if size and size[0] * size[1] * channel_media.image_frames(got.content) > settings.SMRC_MEDIA_MAX_PIXELS:
            # a GIF, APNG or WebP of thousands of small frames passes the cap frame by frame, and a browser
            # decodes every frame it plays: the cap holds over all of them (decision 90)
            raise channel_media.MediaError(
                "an animation of too many pixels in all its frames", permanent=True, state="too_large"
            )
    except channel_media.MediaError as exc:
        if exc.permanent or row.attempts >= settings.SMRC_MEDIA_MAX_ATTEMPTS:
            state = exc.state if exc.state in MediaState.values else MediaState.FAILED
            logger.info("media %s of mention %s: %s (%s)", row.pk, row.mention_id, state, exc.reason)
            return _finish(row, state=state, error=exc.reason)
        retry_at = now + timedelta(seconds=retry_seconds(row.attempts))
        MentionMedia.objects.filter(pk=row.pk, state=MediaState.PENDING).update(
            error=exc.reason[:300], next_try_at=retry_at
        )
        row.error, row.next_try_at = exc.reason[:300], retry_at
        return row
    name, digest = _store("in", got.content, got.content_type)
    kind = MediaKind.IMAGE if got.content_type.startswith("image/") else MediaKind.VIDEO
    return _finish(
        row,
        state=MediaState.STORED,
        error="",
        file=name,
        sha256=digest,
        size=len(got.content),
        content_type=got.content_type,
        kind=kind,
        width=size[0] if size else None,
        height=size[1] if size else None,
        fetched_at=timezone.now(),
    )


def _finish(row: MentionMedia, *, state: str, error: str, **fields) -> MentionMedia:
    values = {"state": state, "error": error[:300], "next_try_at": None, **fields}
    MentionMedia.objects.filter(pk=row.pk, state=MediaState.PENDING).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def media_due(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending copies whose retry time (or lease) has come, and those never tried whose task was lost."""
    now = now or timezone.now()
    lost = Q(next_try_at__isnull=True, created_at__lt=now - timedelta(minutes=1))
    return list(
        MentionMedia.objects.filter(state=MediaState.PENDING)
        .filter(lost | Q(next_try_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@shared_task(name="tickets.tasks.fetch_media_task")
def fetch_media_task(media_id: int) -> str:
    row = fetch_copy(media_id=media_id)
    return row.state if row else "skipped"


@shared_task(name="tickets.tasks.sweep_media_task")
def sweep_media_task() -> int:
    due = media_due()
    enqueue(due)
    return len(due)


# --- outbound: the image of a reply --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageUpload:
    """An image checked for a reply: its bytes, the type read from them, its dimensions and digest."""

    content: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    name: str


def reply_image_rule(ticket: Ticket, mention: Mention | None = None) -> channel_media.ImageRule | None:
    """What the ticket's platform accepts as an image with a reply to ``mention`` (default: the latest message,
    which a reply answers), or None where it takes text only (Instagram comments, YouTube)."""
    if mention is None:
        mention = ticket.mentions.order_by("-posted_at", "-pk").only("kind").first()
    try:
        module = adapter(ticket.platform)
    except LookupError:
        return None
    rule_for = getattr(module, "reply_image_rule", None)
    return rule_for(ticket.platform, mention.kind if mention else "") if rule_for else None


def check_image(*, content: bytes, name: str, rule: channel_media.ImageRule | None) -> ImageUpload:
    """``content`` as an image the rule accepts, or :class:`WorkflowError` saying why not: no image on this
    platform, too large, a type the platform does not take (read from the bytes: an HTML or SVG file named .jpg is
    refused), not a readable image, or too many pixels (in all its frames, for an animation)."""
    if rule is None:
        raise WorkflowError(_("Replies on this platform cannot carry an image."))
    limit = min(rule.max_bytes, settings.SMRC_REPLY_IMAGE_MAX_BYTES)
    if len(content) > limit:
        raise WorkflowError(_("The image is too large: at most %(mb)s MB here.") % {"mb": f"{limit / (1024 * 1024):g}"})
    content_type = channel_media.sniff(content[:16])
    if content_type not in rule.types:
        raise WorkflowError(_("Attach a %(types)s image.") % {"types": rule.type_names})
    size = channel_media.image_size(content)
    if size is None or not all(size):
        raise WorkflowError(_("This file is not a readable image."))
    if size[0] * size[1] > settings.SMRC_REPLY_IMAGE_MAX_PIXELS:
        raise WorkflowError(_("The image has too many pixels (%(w)d × %(h)d).") % {"w": size[0], "h": size[1]})
    frames = channel_media.image_frames(content)
    if size[0] * size[1] * frames > settings.SMRC_REPLY_IMAGE_MAX_PIXELS:  # every frame is decoded (decision 90)
        raise WorkflowError(
            _("The image has too many pixels in all its frames (%(n)d frames of %(w)d × %(h)d).")
            % {"n": frames, "w": size[0], "h": size[1]}
        )
    clean = "".join(c for c in (name or "").rsplit("/", 1)[-1] if c.isprintable())[:200]
    return ImageUpload(content, content_type, size[0], size[1], hashlib.sha256(content).hexdigest(), clean)


def attach(*, reply: Reply, image: ImageUpload) -> ReplyAttachment:
    """Store ``image`` with ``reply`` (in the caller's transaction; the file is named by its digest, so a
    transaction that rolls back leaves at most an unreferenced copy that the same image reuses)."""
    name, _digest = _store("out", image.content, image.content_type)
    return ReplyAttachment.objects.create(
        brand_id=reply.brand_id,
        reply=reply,
        file=name,
        name=image.name,
        content_type=image.content_type,
        size=len(image.content),
        width=image.width,
        height=image.height,
        sha256=image.sha256,
    )


def attachments_of(replies: Iterable[Reply]) -> dict[int, ReplyAttachment]:
    """reply id → its image, one query."""
    ids = [r.pk for r in replies]
    if not ids:
        return {}
    return {a.reply_id: a for a in ReplyAttachment.objects.filter(reply_id__in=ids)}
