"""Shared QA builders: published replies made directly (status ``sent``, ``sent_at`` chosen), a second supervisor,
and a complete grade."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from brands.models import Role
from brands.services import qa as rubric
from tests.factories import make_member, make_ticket, make_user
from tickets.models import Reply, ReplyStatus
from tickets.services import qa

#: a Wednesday noon in Jakarta (brand A's zone is the default Asia/Jakarta), in ISO week 2026-W10
WEDNESDAY = datetime(2026, 3, 4, 12, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
MONDAY = WEDNESDAY.date() - timedelta(days=2)
_customers = count(1)


def publish(brand, author, *, body="Halo Kak, sudah kami cek ya", at=WEDNESDAY, ticket=None, **ticket_kw) -> Reply:
    """A reply of ``author`` published at ``at`` on ``ticket`` (a new one by default)."""
    if ticket is None:
        ticket_kw.setdefault("author_id", f"qa-{next(_customers)}")
        ticket = make_ticket(brand, **ticket_kw)
    return Reply.objects.create(
        brand=brand, ticket=ticket, author=author, body=body, status=ReplyStatus.SENT, submitted_at=at, sent_at=at
    )


def full_grade(score=4, comment="", coaching="", brand=None, **per_key) -> qa.Grade:
    keys = [d.key for d in rubric.DEFAULTS] if brand is None else [c.key for c in rubric.criteria_for(brand)]
    return qa.Grade(
        lines={
            k: qa.Line(per_key.get(k, score), comment or ("perlu lebih ramah" if per_key.get(k, score) <= 2 else ""))
            for k in keys
        },
        coaching=coaching,
    )


def form_data(score=4, coaching="", **per_key) -> dict:
    data = {"coaching": coaching}
    for d in rubric.DEFAULTS:
        data[f"score-{d.key}"] = str(per_key.get(d.key, score))
        data[f"comment-{d.key}"] = ""
    return data


@pytest.fixture
def second_supervisor(cast):
    user = make_user("sup_a2")
    make_member(user, cast.brand_a, Role.SUPERVISOR)
    return user


@pytest.fixture
def browser():
    def client_for(user) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return client_for
