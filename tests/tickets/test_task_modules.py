"""Celery tasks live beside their services: every service module imports on its own, in any order, with no import
inside a function to dodge a cycle; ``tickets.tasks`` (what autodiscovery imports) registers all twenty tasks
under the names they were deployed with."""

import ast
import subprocess
import sys
from pathlib import Path

from django.conf import settings

import tickets.tasks
from smrc.celery import app

TICKETS = Path(tickets.tasks.__file__).parent
#: the modules that define the tasks, and every service module
MODULES = sorted(
    ".".join(path.relative_to(TICKETS.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in [*TICKETS.joinpath("services").rglob("*.py"), TICKETS / "reports" / "mail.py", TICKETS / "tasks.py"]
)
TASKS = {
    "tickets.tasks.process_delivery_task": "tickets.services.inbound",
    "tickets.tasks.sweep_deliveries_task": "tickets.services.inbound",
    "tickets.tasks.poll_channels_task": "tickets.services.polling",
    "tickets.tasks.poll_account_task": "tickets.services.polling",
    "tickets.tasks.deliver_reply_task": "tickets.services.delivery",
    "tickets.tasks.sweep_replies_task": "tickets.services.delivery",
    "tickets.tasks.mail_review_notice_task": "tickets.services.notify",
    "tickets.tasks.mail_assignment_notice_task": "tickets.services.notify",
    "tickets.tasks.sla_scan_task": "tickets.services.sla",
    "tickets.tasks.close_quiet_tickets_task": "tickets.services.workflow",
    "tickets.tasks.unassign_idle_owners_task": "tickets.services.assignment",
    "tickets.tasks.refine_sentiment_task": "tickets.services.refinement",
    "tickets.tasks.send_scheduled_reports_task": "tickets.reports.mail",
    "tickets.tasks.send_survey_task": "tickets.services.csat",
    "tickets.tasks.sweep_surveys_task": "tickets.services.csat",
    "tickets.tasks.mail_csat_low_task": "tickets.services.csat_answers",
    "tickets.tasks.deliver_webhook_task": "tickets.services.hooks",
    "tickets.tasks.sweep_webhooks_task": "tickets.services.hooks",
    "tickets.tasks.fetch_media_task": "tickets.services.media",
    "tickets.tasks.sweep_media_task": "tickets.services.media",
}

#: run in a fresh interpreter: import each module first, in a clean slate of tickets' code modules
FIRST_EACH = """
import importlib, sys
import django
django.setup()
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.startswith(("tickets.services", "tickets.channels", "tickets.tasks",
                                                         "tickets.reports"))]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
        importlib.import_module("tickets.tasks")
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed) or "ok")
"""


def test_every_task_is_defined_beside_its_service_under_its_deployed_name():
    app.loader.import_default_modules()
    found = {name: task.run.__module__ for name, task in app.tasks.items() if name.startswith("tickets.")}
    assert found == TASKS
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} - {"smrc.heartbeat"}
    assert scheduled <= set(TASKS)
    assert set(settings.CELERY_TASK_ROUTES) - {"smrc.heartbeat"} == set(TASKS)


def test_each_module_imports_first_in_a_fresh_interpreter():
    result = subprocess.run(
        [sys.executable, "-c", FIRST_EACH, *MODULES],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "smrc.settings", "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )
    assert (result.stdout.strip(), result.returncode) == ("ok", 0), result.stderr[-2000:]


def test_no_module_of_the_app_imports_inside_a_function_from_tickets_tasks():
    inner = []
    for path in TICKETS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom) and (sub.module or "").endswith("tasks"):
                        inner.append(f"{path.relative_to(TICKETS)}:{sub.lineno}")
    assert inner == []
