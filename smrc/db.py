"""Reads for the reports go to the read replica (``DATABASE_REPLICA_URL``); everything else to the primary.

The reports are the heaviest reads and tolerate a replica's lag of seconds; the scoping reads around them
(memberships, the brand) stay on the primary, so a revoked membership is never read stale. Code that reads for a
report runs inside :func:`replica_reads` and takes raw cursors from :func:`read_connection`; the router then
sends its ORM reads to the ``replica`` alias when ``SMRC_READ_REPLICA`` is on (a replica URL is configured).
Writes always go to the primary, and migrations run only there.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"

_reading = contextvars.ContextVar("smrc_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside the block, reads go to the replica (when one is configured)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_alias(model=None) -> str:
    """The alias a read of ``model`` goes to now."""
    return router.db_for_read(model) if model is not None else _alias()


def read_connection(model=None):
    """The connection for a raw-cursor read of ``model`` (Django's routers do not see raw cursors)."""
    return connections[read_alias(model)]


def _alias() -> str:
    return REPLICA if _reading.get() and settings.SMRC_READ_REPLICA else DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return _alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # the replica holds the same rows as the primary
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
