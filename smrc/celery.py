"""Celery application. With no REDIS_URL the settings make every task run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smrc.settings")

app = Celery("smrc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
