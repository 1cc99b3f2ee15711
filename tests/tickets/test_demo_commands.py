"""The demo commands: seed_demo, simulate_mentions and run_periodic."""

import logging
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from brands.models import Brand, ChannelAccount, Membership, SlaPolicy
from tickets.models import Mention, Note, Reply, Ticket
from tickets.services.delivery import deliver_reply_task, sweep_replies_task


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_the_stated_users_brands_and_mentions():
    out = run("seed_demo", "--mentions", "60")

    assert set(Brand.objects.values_list("slug", flat=True)) == {"telkora", "nusa-bank"}
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"admin", "supervisor", "operator", "manager", "operator2"}
    assert all(u.check_password("smrc-demo") for u in users.values())
    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert not any(users[name].is_superuser for name in ("supervisor", "operator", "manager", "operator2"))
    assert set(Membership.objects.values_list("user__username", "brand__slug", "role")) == {
        ("supervisor", "telkora", "supervisor"),
        ("operator", "telkora", "operator"),
        ("manager", "telkora", "manager"),
        ("operator2", "nusa-bank", "operator"),
    }
    assert ChannelAccount.objects.count() == 8
    assert SlaPolicy.objects.count() == 8
    assert Mention.objects.count() == 60
    assert Reply.objects.filter(status="sent").exists()
    assert Ticket.objects.filter(status="resolved").exists()
    assert Note.objects.exists()
    assert "smrc-demo" in out


@pytest.mark.django_db
def test_seed_demo_if_empty_does_nothing_the_second_time():
    run("seed_demo", "--if-empty", "--mentions", "20")
    counts = (Brand.objects.count(), get_user_model().objects.count(), Mention.objects.count(), Ticket.objects.count())

    out = run("seed_demo", "--if-empty")

    assert "not seeded" in out
    assert counts == (
        Brand.objects.count(),
        get_user_model().objects.count(),
        Mention.objects.count(),
        Ticket.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_twice_refuses_politely():
    run("seed_demo", "--mentions", "20")

    out = run("seed_demo")

    assert "exist already" in out
    assert Mention.objects.count() == 20


@pytest.mark.django_db
def test_simulate_mentions_adds_rate_times_duration_mentions():
    run("seed_demo", "--mentions", "20")

    run("simulate_mentions", "--rate", "5", "--duration", "1", "--seed", "7")

    assert Mention.objects.count() == 25


@pytest.mark.django_db
def test_simulate_mentions_stays_within_the_brand_asked():
    run("seed_demo", "--mentions", "20")
    telkora = Mention.objects.filter(brand__slug="telkora").count()

    run("simulate_mentions", "--rate", "4", "--duration", "1", "--brand", "nusa-bank", "--seed", "7")

    assert Mention.objects.filter(brand__slug="telkora").count() == telkora
    assert Mention.objects.count() == 24


@pytest.mark.django_db
def test_run_periodic_once_survives_a_failing_task(settings, caplog):
    settings.CELERY_BEAT_SCHEDULE = {
        "broken": {"task": deliver_reply_task.name, "schedule": 60.0, "args": ("not-an-id",)},
        "sweep": {"task": sweep_replies_task.name, "schedule": 60.0},
    }

    caplog.set_level(logging.INFO, logger="smrc.periodic")

    run("run_periodic", "--once")

    assert "periodic task broken (tickets.tasks.deliver_reply_task) failed" in caplog.text
    assert "periodic task sweep: 0" in caplog.text
