"""Logging: one JSON object per line (python-json-logger) in production, plain text for development.

Every record gets ``request_id`` (the web request or the task's, ``smrc.requestid``) and, inside a Celery task,
``task_id`` and ``task_name``, so one search by request id finds a webhook, the worker that processed it and the
tickets it made, or a reply from the composer to the platform. ``LOG_FORMAT`` chooses ``json`` (default) or
``plain``.
"""

import logging

from . import requestid

FIELDS = ("asctime", "levelname", "name", "message", "request_id", "task_id", "task_name", "process")


class ContextFilter(logging.Filter):
    """Adds the request id and the running task (if any) to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = requestid.get()
        if not hasattr(record, "task_id"):
            task = _current_task()
            record.task_id = task.request.id if task else None
            record.task_name = task.name if task else None
        return True


def _current_task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task._get_current_object() if current_task else None
    return task if task is not None and getattr(task.request, "id", None) else None


def config(*, level: str, fmt: str) -> dict:
    """The ``LOGGING`` dictionary: everything to stderr, as JSON (``fmt="json"``) or plain text."""
    formatters = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": list(FIELDS),
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    if fmt not in formatters:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, got {fmt!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "smrc.logs.ContextFilter"}},
        "formatters": {fmt: formatters[fmt]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": fmt, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # one line per request is written by smrc.requestid; Django's own server lines would repeat it
            "django.server": {"level": "WARNING"},
        },
    }
