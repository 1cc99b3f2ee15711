"""Each Celery task name goes to its queue, so that one kind of work never waits behind another (a publishing
backlog never delays ingest), and every task the app knows has a queue."""

import pytest
from django.conf import settings

from smrc.celery import app

EXPECTED = {
    "tickets.tasks.process_delivery_task": "ingest",
    "tickets.tasks.poll_account_task": "ingest",
    "tickets.tasks.deliver_reply_task": "publishing",
    "tickets.tasks.send_survey_task": "publishing",
    "tickets.tasks.mail_review_notice_task": "mail",
    "tickets.tasks.mail_csat_low_task": "mail",
    "tickets.tasks.mail_assignment_notice_task": "mail",
    "tickets.tasks.send_scheduled_reports_task": "mail",
    "tickets.tasks.deliver_webhook_task": "mail",
    "tickets.tasks.fetch_media_task": "mail",
    "tickets.tasks.sweep_media_task": "periodic",
    "tickets.tasks.sweep_webhooks_task": "periodic",
    "tickets.tasks.sweep_deliveries_task": "periodic",
    "tickets.tasks.poll_channels_task": "periodic",
    "tickets.tasks.sweep_replies_task": "periodic",
    "tickets.tasks.sweep_surveys_task": "periodic",
    "tickets.tasks.sla_scan_task": "periodic",
    "tickets.tasks.close_quiet_tickets_task": "periodic",
    "tickets.tasks.unassign_idle_owners_task": "periodic",
    "tickets.tasks.refine_sentiment_task": "periodic",
    "smrc.heartbeat": "periodic",
}


def queue_of(name: str, **options) -> str:
    return app.amqp.router.route(options, name)["queue"].name


@pytest.mark.parametrize(("name", "queue"), sorted(EXPECTED.items()))
def test_each_task_name_goes_to_its_queue(name, queue):
    assert queue_of(name) == queue


def test_every_task_of_the_app_has_a_queue():
    app.loader.import_default_modules()
    ours = sorted(name for name in app.tasks if not name.startswith("celery."))
    assert ours == sorted(EXPECTED)
    assert sorted(settings.CELERY_TASK_ROUTES) == sorted(EXPECTED)


def test_the_queues_are_the_four_of_the_procfile():
    assert list(settings.SMRC_TASK_QUEUES) == ["ingest", "publishing", "mail", "periodic"]
    procfile = (settings.BASE_DIR / "Procfile").read_text()
    for queue in settings.SMRC_TASK_QUEUES:
        assert f"--queues {queue} " in procfile
    for unit in ("smrc-worker@.service",):
        assert "--queues %i" in (settings.BASE_DIR / "docs" / "deploy" / unit).read_text()


def test_beat_sends_a_heartbeat_to_each_queue():
    beats = {key: entry for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] == "smrc.heartbeat"}
    assert {entry["args"][0]: entry["options"]["queue"] for entry in beats.values()} == {
        "ingest": "ingest",
        "publishing": "publishing",
        "mail": "mail",
        "periodic": "periodic",
    }
    # the explicit queue wins over the route by name
    assert queue_of("smrc.heartbeat", queue="ingest") == "ingest"
