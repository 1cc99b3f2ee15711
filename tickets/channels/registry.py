"""The one table of platforms: platform → the module that parses, polls and publishes for it.

Adding a platform is one module (the interface is in :mod:`tickets.channels.base`) and one line in
:data:`PLATFORMS`. The module is imported when first asked for, so a platform's dependencies load only where it
is used.
"""

from importlib import import_module
from types import ModuleType

#: platform (``brands.models.Platform``) → its module. Facebook and Instagram share the Graph API: one module.
PLATFORMS = {
    "x": "tickets.channels.x",
    "facebook": "tickets.channels.meta",
    "instagram": "tickets.channels.meta",
    "youtube": "tickets.channels.youtube",
}

#: where a reply can be delivered (``Reply.delivery_channel``): every platform, and ``console``, which records a
#: reply instead of publishing it (a brand whose channel account cannot publish, the demo)
DELIVERY_CHANNELS = {**PLATFORMS, "console": "tickets.channels.console"}


def adapter(platform: str) -> ModuleType:
    """The module of ``platform`` (x, facebook, instagram, youtube): ``parse``, and ``poll``, ``verify``… where
    the platform has them."""
    try:
        return import_module(PLATFORMS[platform])
    except KeyError:
        raise LookupError(f"no adapter for platform {platform!r}") from None


def delivery_channel(name: str) -> ModuleType:
    """The module that publishes on delivery channel ``name`` (``publish``, ``find_published``)."""
    try:
        return import_module(DELIVERY_CHANNELS[name])
    except KeyError:
        raise LookupError(f"unknown delivery channel {name!r}") from None


def polled_platforms() -> tuple[str, ...]:
    """The platforms SMRC polls: those whose module has ``poll`` (X and YouTube)."""
    return tuple(platform for platform in PLATFORMS if hasattr(adapter(platform), "poll"))
