"""Media at the HTTP boundary (docs/media.md): fetching a copy of what a customer sent from the platform's CDN,
telling a file's type from its bytes, and the platforms' rules for an image sent with a reply.

Fetching is the one place SMRC calls an address that came inside a payload, so it is narrow: ``https`` only, to
a host on the platform's CDN allowlist (:data:`CDN_HOSTS`) that resolves to public addresses only, without user
names or odd ports; redirects are followed by hand, at most :data:`MAX_REDIRECTS`, each target checked the same
way (a redirect to 127.0.0.1 or another host is refused); the body is streamed and cut at the size cap; the
stored type is read from the bytes (:func:`sniff`), never from the URL or the ``Content-Type`` header.
"""

import io
import struct
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from brands.services import webhooks

#: platform → the CDN hosts its media come from: an entry starting with "." matches any host under it
CDN_HOSTS: dict[str, tuple[str, ...]] = {
    "facebook": (".fbcdn.net", ".fbsbx.com"),
    "instagram": (".cdninstagram.com", ".fbcdn.net", ".fbsbx.com"),
    "x": ("pbs.twimg.com", "video.twimg.com"),
    "youtube": (),
}
MAX_REDIRECTS = 3
CHUNK = 64 * 1024

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/quicktime")
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}


class MediaError(Exception):
    """A copy could not be fetched. ``state``: ``failed`` or ``too_large``; ``permanent``: trying again will not
    help (a refused host, a link that expired, bytes of a type we do not keep)."""

    def __init__(self, reason: str, *, permanent: bool, state: str = "failed") -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.state = state


def sniff(head: bytes) -> str:
    """The type of a file from its first bytes: one of :data:`IMAGE_TYPES` or :data:`VIDEO_TYPES`, or "" for
    anything else (SVG, HTML, PDF, text… are never served as an image)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:12] == b"qt  " else "video/mp4"
    return ""


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of an image whose header Pillow reads (no pixels decoded), or None when it cannot: a
    file whose first bytes look like an image but is not one."""
    from PIL import Image  # installed with fpdf2; imported here so nothing else pays for it

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            return image.size
    except (OSError, ValueError, SyntaxError, struct.error, Image.DecompressionBombError):
        return None


def image_frames(content: bytes) -> int:
    """How many frames an image has (1 for a still one), from its headers, no pixel decoded: an APNG's and an
    animated WebP's count is in their header; a GIF's frame headers are walked (linear in its bytes, which the
    byte caps bound). A browser decodes every frame it plays, so a cap on pixels counts them all (decision 90).
    An image Pillow cannot walk counts as one frame (:func:`image_size` has refused it already)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            return max(1, int(getattr(image, "n_frames", 1)))
    except (OSError, ValueError, SyntaxError, EOFError, struct.error, Image.DecompressionBombError):
        return 1


def host_allowed(platform: str, host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    for entry in CDN_HOSTS.get(platform, ()):
        if (entry.startswith(".") and host.endswith(entry) and len(host) > len(entry)) or host == entry:
            return True
    return False


def check_source(platform: str, url: str) -> str:
    """``url`` when SMRC may fetch it for ``platform``; :class:`MediaError` (permanent) otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise MediaError("not a valid URL", permanent=True) from None
    if parts.scheme != "https":
        raise MediaError("not https", permanent=True)
    if parts.username or parts.password or "@" in parts.netloc or port not in (None, 443):
        raise MediaError("a user name, password or port in the URL", permanent=True)
    if not host_allowed(platform, parts.hostname or ""):
        raise MediaError(f"host {parts.hostname!r} is not a {platform} media host", permanent=True)
    try:
        addresses = webhooks.resolve(parts.hostname)
    except (OSError, UnicodeError):
        raise MediaError("the host does not resolve", permanent=False) from None
    if not addresses or not all(webhooks._public(a) for a in addresses):
        raise MediaError("the host resolves to a private address", permanent=True)
    return url


def transport() -> requests.Session:
    """The session fetches go through (a seam: the tests mount a fake CDN on it; nothing leaves the machine)."""
    session = webhooks.session()  # connects to the checked addresses only; no proxy from the environment
    session.headers["User-Agent"] = "SMRC/1.0"
    return session


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str


def fetch(platform: str, url: str, *, max_bytes: int) -> Fetched:
    """The file at ``url`` on ``platform``'s CDN, at most ``max_bytes``, of a type we keep; :class:`MediaError`
    otherwise (state ``too_large`` when over the cap)."""
    session = transport()
    for _hop in range(MAX_REDIRECTS + 1):
        check_source(platform, url)
        try:
            response = session.get(
                url,
                stream=True,
                allow_redirects=False,
                timeout=settings.SMRC_HTTP_TIMEOUT,
                headers={"Accept": "image/*, video/*"},
            )
        except requests.RequestException as exc:
            raise MediaError(f"request failed: {type(exc).__name__}", permanent=False) from exc
        with response:
            if response.status_code in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status_code in (401, 403, 404, 410):
                raise MediaError(f"HTTP {response.status_code}: the link has expired", permanent=True)
            if response.status_code != 200:
                raise MediaError(f"HTTP {response.status_code}", permanent=response.status_code < 500)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise MediaError(f"{declared} bytes, over {max_bytes}", permanent=True, state="too_large")
            body = bytearray()
            try:
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        raise MediaError(f"over {max_bytes} bytes", permanent=True, state="too_large")
            except requests.RequestException as exc:
                raise MediaError(f"download failed: {type(exc).__name__}", permanent=False) from exc
        content_type = sniff(bytes(body[:16]))
        if not content_type:
            raise MediaError("not an image or a video we keep (type read from the bytes)", permanent=True)
        if content_type.startswith("image/") and image_size(bytes(body)) is None:
            raise MediaError("not a readable image", permanent=True)
        return Fetched(bytes(body), content_type)
    raise MediaError("too many redirects", permanent=True)


# --- replies with an image ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageRule:
    """What a platform accepts as the one image of a reply: the types (read from the bytes) and the size."""

    max_bytes: int
    types: tuple[str, ...]
    how: str  # how it is sent, for docs/channels.md and the logs

    @property
    def accept(self) -> str:
        """The file input's ``accept`` attribute."""
        return ",".join(self.types)

    @property
    def type_names(self) -> str:
        return ", ".join(EXTENSIONS[t].upper() for t in self.types)

    @property
    def megabytes(self) -> int:
        return self.max_bytes // (1024 * 1024)


MB = 1024 * 1024
#: Messenger and Instagram direct messages (one code path: ``meta._messenger``): the Attachment Upload API
DM_IMAGE = ImageRule(8 * MB, ("image/jpeg", "image/png"), "upload to /me/message_attachments, then send")
#: a Facebook comment's reply: the photo uploaded as ``source`` with the message
FACEBOOK_COMMENT_IMAGE = ImageRule(4 * MB, ("image/jpeg", "image/png", "image/gif"), "source with the comment")
#: an X post: uploaded through the media endpoint, its id in ``media.media_ids``
X_IMAGE = ImageRule(5 * MB, IMAGE_TYPES, "upload to /2/media/upload, then media_ids")
