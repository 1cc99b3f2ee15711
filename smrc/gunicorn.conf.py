"""Gunicorn settings for SMRC (`make prod`, docs/deploy): JSON logs like the app's, and the bookkeeping of the
Prometheus multiprocess mode. Bind address and worker count come from the command line (the Procfile).

``PROMETHEUS_MULTIPROC_DIR`` must be set in the environment before gunicorn starts (the Procfile does): each
worker writes its metrics there and ``/metrics`` sums them. The folder is emptied when the master starts, and a
worker that exits hands back its live gauges.
"""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

_level = os.environ.get("LOG_LEVEL", "INFO")
_format = os.environ.get("LOG_FORMAT", "json")

# gunicorn's own lines (start, stop, worker timeouts) as JSON; the app writes one line per request itself
accesslog = None
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "process"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if _format == "plain" else "json"},
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": _level, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


# gunicorn's control socket defaults to one path per user for every instance on the machine; SMRC does not use it
control_socket_disable = True
