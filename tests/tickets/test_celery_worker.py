"""A reply delivered by a real Celery worker through Redis (skipped without REDIS_URL and PostgreSQL).

The worker is a separate process: it reads the pytest test database (so ``transactional_db``: the rows must be
committed to be seen) and consumes every queue (SMRC_TASK_QUEUES) of the test's Redis database.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from smrc.celery import app
from tests.factories import make_ticket
from tickets.models import DeliveryAttempt, Reply, ReplyStatus, TicketStatus
from tickets.services import replies, workflow

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 30


def test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def worker(settings, tmp_path):
    """A ``celery worker`` subprocess on the test database; killed at teardown whatever happens."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()  # tasks left over from an earlier run must not run against this database
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "smrc.settings",
        "DB_CONN_MAX_AGE": "0",
    }
    celery = Path(sys.executable).with_name("celery")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(celery), "-A", "smrc", "worker", "--pool=solo", "-Q", ",".join(settings.SMRC_TASK_QUEUES)]
            + ["--loglevel=INFO", "--without-gossip"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield proc, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        app.conf.task_always_eager = True


def test_a_reply_is_sent_by_a_real_worker(cast, worker):
    proc, log = worker
    ticket = make_ticket(cast.brand_a, text="Paket saya belum sampai")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)

    reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Mohon DM nomor resi ya")

    # committed and queued, not run in this process
    assert Reply.objects.get(pk=reply.pk).status in (ReplyStatus.APPROVED, ReplyStatus.SENDING, ReplyStatus.SENT)
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        reply.refresh_from_db()
        if reply.status == ReplyStatus.SENT or proc.poll() is not None:
            break
        time.sleep(0.2)
    assert reply.status == ReplyStatus.SENT, log.read_text()[-3000:]
    assert reply.platform_reply_id == f"console-{reply.idempotency_key}"
    assert DeliveryAttempt.objects.filter(reply=reply, outcome="succeeded").count() == 1
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (TicketStatus.PENDING, reply.sent_at)
    assert "tickets.tasks.deliver_reply_task" in log.read_text()
