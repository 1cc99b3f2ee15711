"""Celery application. With no REDIS_URL the settings make every task run eagerly in-process.

Queues and routes are in the settings (``SMRC_TASK_QUEUES``). Here: the heartbeat each queue's worker stamps for
``/readyz``, and the request id carried from whoever queued a task to the worker that runs it.
"""

import os
import time

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from . import requestid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")

app = Celery("smrc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"


def heartbeat_key(queue: str) -> str:
    return f"smrc:heartbeat:{queue}"


@app.task(name="smrc.heartbeat", ignore_result=True)
def heartbeat(queue: str) -> float:
    """Stamp "a worker of ``queue`` ran a task just now" in the cache (beat sends one per queue)."""
    from django.conf import settings
    from django.core.cache import cache

    now = time.time()
    cache.set(heartbeat_key(queue), now, timeout=settings.SMRC_READY_HEARTBEAT_MAX_AGE * 10)
    return now


@before_task_publish.connect(dispatch_uid="smrc.requestid.publish")
def _carry_request_id(headers=None, **kwargs):
    """The request id bound while a task is queued travels in its message headers."""
    current = requestid.get()
    if current and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, current)


_tokens: dict[str, object] = {}


@task_prerun.connect(dispatch_uid="smrc.requestid.prerun")
def _bind_request_id(task_id=None, task=None, **kwargs):
    """A worker runs each task under the request id it was queued with (or the task id, for beat's own)."""
    if task is None or task.request.is_eager:
        return  # in-process: the caller's id is bound already
    carried = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(REQUEST_ID_HEADER)
    _tokens[task_id] = requestid.bind(requestid.accept(carried) if carried else task_id)


@task_postrun.connect(dispatch_uid="smrc.requestid.postrun")
def _unbind_request_id(task_id=None, **kwargs):
    token = _tokens.pop(task_id, None)
    if token is not None:
        requestid.unbind(token)
