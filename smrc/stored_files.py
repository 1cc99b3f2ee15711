"""One way to send a stored copy (docs/media.md), shared by the pages (``tickets/views/media.py``) and the API
(``tickets/api/media.py``): the stored type with ``nosniff``; images and videos inline, anything else a download;
a ``Content-Security-Policy`` of its own (sandboxed, no sources) so a file never acts as a page;
``Cache-Control: private`` keeps it out of shared caches. A copy the database names but the storage no longer
holds (a disk restored from an older backup) is a 404, as a copy not stored yet."""

import logging

from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)

INLINE_PREFIXES = ("image/", "video/")


def serve_stored(stored, content_type: str, name: str) -> FileResponse:
    inline = content_type.startswith(INLINE_PREFIXES)
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        logger.warning("stored file %s is missing from the storage", stored.name)
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type or "application/octet-stream", as_attachment=not inline)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def mention_media_name(found) -> str:
    return f"media-{found.pk}.{found.file.name.rsplit('.', 1)[-1]}"


def reply_image_name(found) -> str:
    return f"reply-image-{found.pk}.{found.file.name.rsplit('.', 1)[-1]}"
