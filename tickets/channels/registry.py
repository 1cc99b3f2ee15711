"""Channel modules looked up by name, lazily.

- delivery channels: name → module with ``publish(reply) -> platform id`` and ``find_published(reply) -> platform
  id | None`` (raising ``publishing.CannotLookUp`` where the platform offers no way to look; docs/publishing.md);
- inbound adapters: platform → module with ``parse(payload, *, fetch=None) -> Parsed`` (and, for the platforms
  that can be polled, ``poll(account, cursor, client, *, rules) -> (Parsed, cursor)``).
"""

from importlib import import_module
from types import ModuleType

DELIVERY_CHANNELS = {
    "console": "tickets.channels.console",
    "x": "tickets.channels.x_publish",
    "facebook": "tickets.channels.meta_publish",
    "instagram": "tickets.channels.meta_publish",
    "youtube": "tickets.channels.youtube_publish",
}

INBOUND_ADAPTERS = {
    "x": "tickets.channels.x",
    "facebook": "tickets.channels.meta",
    "instagram": "tickets.channels.meta",
    "youtube": "tickets.channels.youtube",
}


def delivery_channel(name: str) -> ModuleType:
    try:
        return import_module(DELIVERY_CHANNELS[name])
    except KeyError:
        raise LookupError(f"unknown delivery channel {name!r}") from None


def adapter(platform: str) -> ModuleType:
    """The inbound adapter of ``platform`` (x, facebook, instagram, youtube)."""
    try:
        return import_module(INBOUND_ADAPTERS[platform])
    except KeyError:
        raise LookupError(f"no inbound adapter for platform {platform!r}") from None
