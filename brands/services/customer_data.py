"""What SMRC accepts about customers from outside (API, webhooks, polling, imports, configuration).

- :func:`gate_url` is the one URL gate: only ``http``/``https`` links pass (Django's ``URLValidator``), no
  credentials before the host, at most :data:`MAX_URL_LENGTH` characters. Anything else is refused with a reason
  that the caller records. :func:`platform_link` is the gate for a mention's link: also on the platform's site.
- :func:`clean_handle` checks a handle against the platform's own handle characters and length.
- :func:`profile_url` builds a customer's profile link from platform, handle and id: profile links are never
  taken from a payload.
- :func:`bounded_count` keeps follower, following and interaction counts in the range of the columns that
  hold them (0 … :data:`MAX_COUNT`); anything else is unknown (``None``), never clamped to a huge value.

Pure functions: no database, usable by both apps.
"""

import re
import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

#: the largest count we store (PostgreSQL ``integer``, the range of a PositiveIntegerField)
MAX_COUNT = 2_147_483_647
#: the longest link we store (Mention.url)
MAX_URL_LENGTH = 500
URL_SCHEMES = ("http", "https")

_url_validator = URLValidator(schemes=list(URL_SCHEMES))

#: the sites a link to an item on each platform may lead to (the domain or any of its subdomains)
PLATFORM_HOSTS = {
    "x": ("x.com", "twitter.com"),
    "facebook": ("facebook.com", "fb.com", "fb.watch"),
    "instagram": ("instagram.com",),
    "youtube": ("youtube.com", "youtu.be"),
}

#: each platform's handle: its characters and length (without the leading @)
HANDLE_PATTERNS = {
    "x": re.compile(r"[A-Za-z0-9_]{1,15}"),
    "instagram": re.compile(r"[A-Za-z0-9._]{1,30}"),
    "facebook": re.compile(r"[A-Za-z0-9.]{1,50}"),
    "youtube": re.compile(r"[\w.\-]{3,30}"),
}
_FACEBOOK_ID = re.compile(r"[0-9]{1,30}")
_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_\-]{22}")
_DIGITS = re.compile(r"[0-9]{1,10}")


def gate_url(value: Any) -> tuple[str, str]:
    """``(url, "")`` when ``value`` may be stored and shown as a link, ``("", reason)`` when it may not;
    ``("", "")`` for no link at all. Nothing is repaired: a value with odd whitespace or invisible characters,
    another scheme, user credentials or a host that only looks like ASCII is refused whole."""
    if value is None or value == "":
        return "", ""
    if not isinstance(value, str):
        return "", f"not text ({type(value).__name__})"
    if len(value) > MAX_URL_LENGTH:
        return "", f"longer than {MAX_URL_LENGTH} characters"
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    if scheme not in URL_SCHEMES:
        return "", f"scheme {scheme[:20]!r} is not allowed (only http and https)" if scheme else "no http(s) scheme"
    try:
        _url_validator(value)
    except ValidationError:
        return "", "not a valid http(s) URL"
    if any(unicodedata.category(c)[0] in "CZ" for c in value):
        return "", "control, format or space characters"
    host = urlsplit(value).netloc
    if "@" in host:
        return "", "credentials before the host"
    if not host.isascii():
        return "", "a host outside ASCII (give it as xn--)"
    return value, ""


def platform_link(platform: str, value: Any) -> tuple[str, str]:
    """:func:`gate_url`, and the link must lead to ``platform``'s own site (:data:`PLATFORM_HOSTS`, or a
    subdomain of one): a mention's "open on platform" link. ``https://evil.example/login`` passes the URL gate
    but would put a look-alike login page behind the button operators trust to open the customer's post."""
    url, reason = gate_url(value)
    if not url:
        return url, reason
    host = (urlsplit(url).hostname or "").rstrip(".")
    if not any(host == site or host.endswith("." + site) for site in PLATFORM_HOSTS.get(platform, ())):
        return "", f"not a link to {platform} ({host[:60] or 'no host'})"
    return url, ""


def clean_handle(platform: str, value: Any) -> tuple[str, str]:
    """``(handle, "")`` without its leading ``@`` when it fits the platform's handle rules, ``("", reason)``
    when it does not, ``("", "")`` for none."""
    if value is None or value == "":
        return "", ""
    if not isinstance(value, str):
        return "", f"not text ({type(value).__name__})"
    handle = value[1:] if value.startswith("@") else value
    pattern = HANDLE_PATTERNS.get(platform)
    if pattern is None or not pattern.fullmatch(handle):
        return "", f"not a valid {platform} handle"
    return handle, ""


def profile_url(platform: str, handle: str, user_id: str) -> str:
    """The customer's profile on the platform, built by us: ``https://x.com/<handle>``,
    ``https://www.instagram.com/<handle>/``, ``https://www.facebook.com/<id>`` (or ``/<handle>``),
    ``https://www.youtube.com/channel/<id>`` (or ``/@<handle>``). ``""`` when neither fits the platform."""
    handle = handle if handle and clean_handle(platform, handle)[0] == handle else ""
    if platform == "x" and handle:
        return f"https://x.com/{handle}"
    if platform == "instagram" and handle:
        return f"https://www.instagram.com/{handle}/"
    if platform == "facebook":
        if _FACEBOOK_ID.fullmatch(user_id or ""):
            return f"https://www.facebook.com/{user_id}"
        return f"https://www.facebook.com/{handle}" if handle else ""
    if platform == "youtube":
        if _YOUTUBE_CHANNEL_ID.fullmatch(user_id or ""):
            return f"https://www.youtube.com/channel/{user_id}"
        return f"https://www.youtube.com/@{quote(handle)}" if handle else ""
    return ""


def bounded_count(value: Any) -> int | None:
    """A count from outside as an int in 0 … :data:`MAX_COUNT`, or ``None`` (unknown) when it is missing, not a
    whole number, negative or larger: an impossible count is not trusted at all."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _DIGITS.fullmatch(text):
            return None
        value = int(text)
    if not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_COUNT else None
