"""Edge 13 of issue 15: mails link to the site's configured address (SITE_URL), never to 127.0.0.1: production
refuses to start without it, the check refuses what is not an address and warns about this machine, and a
trailing slash does not double the links' slashes."""

import os
import subprocess
import sys

from django.core.checks import run_checks

from brands.models import ReviewPolicy
from smrc.checks import site_url_is_the_site
from tests.factories import make_ticket
from tickets.services import replies, workflow


def start(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DEBUG")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
        ],
        env={**base, "DJANGO_SETTINGS_MODULE": "smrc.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "SMRC_PRODUCTION": "true",
    "SECRET_KEY": "k" * 50,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/smrc",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_production_refuses_to_start_without_a_site_url():
    done = start(**PRODUCTION)
    assert done.returncode != 0
    assert "SMRC_PRODUCTION is set but SITE_URL is not" in done.stderr
    assert start(**PRODUCTION, SITE_URL="https://smrc.example.com/").stdout.strip() == "https://smrc.example.com"


def test_development_never_falls_back_to_127_0_0_1():
    assert "127.0.0.1" not in start().stdout


def test_the_check_refuses_what_is_not_an_address_and_warns_about_this_machine(settings):
    settings.SITE_URL = "smrc.example.com"
    assert [m.id for m in site_url_is_the_site(None)] == ["smrc.E002"]
    settings.SITE_URL, settings.SMRC_PRODUCTION = "http://127.0.0.1:8000", True
    assert [m.id for m in site_url_is_the_site(None)] == ["smrc.W002"]
    settings.SITE_URL = "https://smrc.example.com"
    assert site_url_is_the_site(None) == []
    assert "smrc.E002" not in [m.id for m in run_checks()]


def test_review_mails_link_to_the_site(settings, cast, mailoutbox, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://smrc.example.co.id"
    cast.supervisor.email = "sup@example.com"
    cast.supervisor.save(update_fields=["email"])
    ReviewPolicy.objects.create(brand=cast.brand_a, review_all=True)
    ticket = workflow.claim_ticket(ticket=make_ticket(cast.brand_a, text="Kuota hilang"), user=cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        replies.submit_reply(ticket=ticket, user=cast.operator, body="Baik Kak, kami cek.")
    assert mailoutbox
    body = mailoutbox[-1].body
    assert "https://smrc.example.co.id/review/?r=" in body
    assert "127.0.0.1" not in body
    assert "//tickets" not in body.replace("https://", "")
