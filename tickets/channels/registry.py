"""Delivery channel name → module with ``publish(reply) -> platform id``. Looked up lazily by name."""

from importlib import import_module
from types import ModuleType

DELIVERY_CHANNELS = {"console": "tickets.channels.console"}


def delivery_channel(name: str) -> ModuleType:
    try:
        return import_module(DELIVERY_CHANNELS[name])
    except KeyError:
        raise LookupError(f"unknown delivery channel {name!r}") from None
