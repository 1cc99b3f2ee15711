"""Our own copies of media, served to those who see the ticket (docs/media.md): a customer's image or video
(``/media/m/<id>/``) and a reply's image (``/media/r/<id>/``). Pages never link a platform's CDN.

The stored type (read from the bytes when the copy was made) is the one sent, with ``nosniff``; images and videos
are shown inline, anything else is a download; a response of its own ``Content-Security-Policy`` (sandboxed, no
sources) keeps a file from ever acting as a page; ``Cache-Control: private`` keeps it out of shared caches.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.views.decorators.http import require_safe

from ..selectors.media import get_mention_media_for_user, get_reply_image_for_user

INLINE_PREFIXES = ("image/", "video/")


def _serve(stored, content_type: str, name: str) -> FileResponse:
    inline = content_type.startswith(INLINE_PREFIXES)
    response = FileResponse(
        stored.open("rb"), content_type=content_type or "application/octet-stream", as_attachment=not inline
    )
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_safe
def mention_media(request, pk: int):
    found = get_mention_media_for_user(request.user, pk)
    extension = found.file.name.rsplit(".", 1)[-1]
    return _serve(found.file, found.content_type, f"media-{found.pk}.{extension}")


@login_required
@require_safe
def reply_image(request, pk: int):
    found = get_reply_image_for_user(request.user, pk)
    extension = found.file.name.rsplit(".", 1)[-1]
    return _serve(found.file, found.content_type, f"reply-image-{found.pk}.{extension}")
