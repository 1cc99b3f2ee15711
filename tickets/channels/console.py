"""The ``console`` delivery channel: records a reply instead of publishing it on a platform.

Used until a brand's channel account can publish, and in the demo. The record is the
:class:`~tickets.models.DeliveryAttempt` row written by the delivery service, plus one log line.
"""

import logging

from ..models import Reply

logger = logging.getLogger("smrc.console")


def publish(reply: Reply) -> str:
    """Publish ``reply`` and return its id on the channel. Idempotent: the id derives from the reply's key."""
    logger.info("console reply %s on ticket T-%s (%d chars)", reply.pk, reply.ticket_id, len(reply.body))
    return f"console-{reply.idempotency_key}"


def find_published(reply: Reply) -> str | None:
    """The console keeps nothing to look up, and publishing again is harmless: same key, same id."""
    return None
