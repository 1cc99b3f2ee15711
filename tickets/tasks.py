"""Where Celery finds the app's tasks: importing this module registers all twenty.

Each task is defined beside the service it calls and that queues it, as a thin caller taking ids:

- ``services/inbound.py``: ``process_delivery_task``, ``sweep_deliveries_task``;
- ``services/polling.py``: ``poll_channels_task``, ``poll_account_task``;
- ``services/delivery.py``: ``deliver_reply_task``, ``sweep_replies_task``;
- ``services/csat.py``: ``send_survey_task``, ``sweep_surveys_task``;
- ``services/csat_answers.py``: ``mail_csat_low_task``;
- ``services/notify.py``: ``mail_review_notice_task``, ``mail_assignment_notice_task``;
- ``services/sla.py``: ``sla_scan_task``;
- ``services/workflow.py``: ``close_quiet_tickets_task``;
- ``services/assignment.py``: ``unassign_idle_owners_task``;
- ``services/refinement.py``: ``refine_sentiment_task``;
- ``services/hooks.py``: ``deliver_webhook_task``, ``sweep_webhooks_task``;
- ``services/media.py``: ``fetch_media_task``, ``sweep_media_task``;
- ``reports/mail.py``: ``send_scheduled_reports_task``.

Celery's autodiscovery (``app.autodiscover_tasks()`` in ``smrc/celery.py``, and ``run_periodic``) imports the
``tasks`` module of every installed app, so this index is what a worker started with ``celery -A smrc worker``
imports. Every task keeps the explicit name it was deployed with, ``tickets.tasks.<function>``, whatever module
defines it: the beat schedule and the routes in ``smrc/settings.py`` and every message already queued name it so.
"""

from .reports import mail
from .services import (
    assignment,
    csat,
    csat_answers,
    delivery,
    hooks,
    inbound,
    media,
    notify,
    polling,
    refinement,
    sla,
    workflow,
)

MODULES = (
    inbound,
    polling,
    delivery,
    notify,
    sla,
    workflow,
    assignment,
    refinement,
    hooks,
    media,
    mail,
    csat,
    csat_answers,
)
