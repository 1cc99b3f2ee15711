"""HTTP calls to the platforms: always with a timeout, errors turned into :class:`ChannelError`.

Rate limits become ``retry_after`` seconds: X answers 429 with ``x-rate-limit-reset`` (epoch seconds); Meta
throttles with error codes 4, 17, 32, 613, 80001, 80002 and an ``estimated_time_to_regain_access`` in
``X-Business-Use-Case-Usage`` (minutes); YouTube answers 403 ``quotaExceeded`` (the daily quota, reset at
midnight Pacific time). Refused credentials (401, Meta code 190) raise :class:`CredentialsError`.

Every answer body we parse goes through :func:`read_json` (polls, lookups, publish answers, error bodies): the
bounded reader the webhook paths use (``smrc.jsonlimits.loads_bounded``, ``repair_text``), so a NUL or a lone
UTF-16 surrogate in a polled message is kept as U+FFFD (PostgreSQL refuses both in text and JSONB, which failed
the whole poll) and an answer nested too deep is "not JSON", never a ``RecursionError`` (decision 90).
"""

import datetime
import time
import zoneinfo
from typing import Any

import requests
from django.conf import settings

from smrc.jsonlimits import keepable, loads_bounded

from .base import ChannelError, CredentialsError, is_ascii_number

META_THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002}
PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
#: the largest platform answer we parse (a page of 100 posts with their expansions is well under 2 MB)
MAX_ANSWER_BYTES = 16 * 1024 * 1024


def read_json(body: bytes | str) -> Any:
    """A platform's answer (or header) parsed within bounds, each NUL and lone surrogate read as U+FFFD, as a
    webhook delivery is. Raises ``ValueError`` (``JSONLimitError``) for what is too big, too deep or not JSON."""
    return loads_bounded(body, max_depth=settings.SMRC_WEBHOOK_MAX_DEPTH, max_bytes=MAX_ANSWER_BYTES, repair_text=True)


def session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = "SMRC/1.0"
    return s


def seconds_to_pacific_midnight(now: float | None = None) -> float:
    now_dt = datetime.datetime.fromtimestamp(now if now is not None else time.time(), PACIFIC)
    tomorrow = (now_dt + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (tomorrow - now_dt).total_seconds())


def _meta_regain_seconds(headers) -> float:
    minutes = 0.0
    try:
        usage = read_json(headers.get("x-business-use-case-usage") or "{}")
        for entries in usage.values():
            for entry in entries:
                minutes = max(minutes, float(entry.get("estimated_time_to_regain_access") or 0))
    except (ValueError, TypeError, AttributeError):
        pass
    return minutes * 60 or 60.0


def raise_for(response: requests.Response) -> None:
    """Turn a failed response into the right :class:`ChannelError`; return quietly on success."""
    if response.status_code < 400:
        return
    try:
        body = read_json(response.content)
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = keepable(
        str(error.get("message") or body.get("detail") or body.get("title") or response.reason or "")[:300]
    )
    code = error.get("code")
    reasons = {e.get("reason") for e in error.get("errors", []) if isinstance(e, dict)}
    status = response.status_code
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        wait = max(1.0, float(reset) - time.time()) if is_ascii_number(reset) and len(reset) <= 19 else 60.0
        raise ChannelError(f"rate limited ({status}): {message}", permanent=False, retry_after=wait)
    if code == 190 or status == 401:
        raise CredentialsError(f"credentials refused ({status}, code {code}): {message}")
    if code in META_THROTTLE_CODES:
        wait = _meta_regain_seconds(response.headers)
        raise ChannelError(f"throttled (code {code}): {message}", permanent=False, retry_after=wait)
    if "quotaExceeded" in reasons or "rateLimitExceeded" in reasons:
        wait = seconds_to_pacific_midnight() if "quotaExceeded" in reasons else 60.0
        raise ChannelError(f"quota exceeded ({status}): {message}", permanent=False, retry_after=wait)
    raise ChannelError(f"HTTP {status}: {message}", permanent=status < 500)


def get_json(client: requests.Session, url: str, *, params=None, token: str = "") -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = client.get(url, params=params, headers=headers, timeout=settings.SMRC_HTTP_TIMEOUT)
    except requests.Timeout as exc:
        raise ChannelError(f"timed out: {url.split('?')[0]}", permanent=False, retry_after=30.0) from exc
    except requests.RequestException as exc:
        raise ChannelError(f"connection failed: {type(exc).__name__}", permanent=False, retry_after=30.0) from exc
    raise_for(response)
    try:
        data = read_json(response.content)
    except ValueError as exc:
        raise ChannelError("the platform answered with something that is not JSON", permanent=False) from exc
    if not isinstance(data, dict):
        raise ChannelError("the platform answered with unexpected JSON", permanent=False)
    return data
