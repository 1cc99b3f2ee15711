"""Through a real Celery worker (Redis and PostgreSQL; skipped without them): a reply queued under a request id is
published by the worker under the same id, in its JSON log."""

import json
import time

import pytest

from smrc import requestid
from tests.factories import make_ticket
from tests.tickets.test_celery_worker import WAIT_SECONDS, worker  # noqa: F401 - the fixture
from tickets.models import Reply, ReplyStatus
from tickets.services import replies, workflow

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_worker_publishes_under_the_request_id_of_the_submission(cast, worker):  # noqa: F811
    proc, log = worker
    ticket = make_ticket(cast.brand_a, text="Paket saya belum sampai")
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    with requestid.bound("compose-req-worker-01"):
        reply = replies.send_reply(ticket=ticket, user=cast.operator, body="Mohon DM nomor resi ya")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and proc.poll() is None:
        if Reply.objects.get(pk=reply.pk).status == ReplyStatus.SENT:
            break
        time.sleep(0.2)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    published = [line for line in lines if line["message"].startswith(f"reply {reply.pk} published")]
    assert len(published) == 1, log.read_text()[-3000:]
    assert published[0]["request_id"] == "compose-req-worker-01"
    assert published[0]["task_name"] == "tickets.tasks.deliver_reply_task"
