"""Our own copies of media, served to those who see the ticket (docs/media.md): a customer's image or video
(``/media/m/<id>/``) and a reply's image (``/media/r/<id>/``). Pages never link a platform's CDN.

The headers (stored type with ``nosniff``, inline or download, sandbox CSP, private cache) are
``smrc.stored_files.serve_stored``'s, the same the API's ``/api/v1/media/…`` sends (``tickets/api/media.py``).
"""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from smrc.stored_files import mention_media_name, reply_image_name, serve_stored

from ..selectors.media import get_mention_media_for_user, get_reply_image_for_user


@login_required
@require_safe
def mention_media(request, pk: int):
    found = get_mention_media_for_user(request.user, pk)
    return serve_stored(found.file, found.content_type, mention_media_name(found))


@login_required
@require_safe
def reply_image(request, pk: int):
    found = get_reply_image_for_user(request.user, pk)
    return serve_stored(found.file, found.content_type, reply_image_name(found))
