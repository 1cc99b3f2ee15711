"""Listening rules (matching, routing one mention per brand, load_config), ``manage.py ingest_file`` and the
channel accounts page."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from brands.models import ListeningRule
from brands.services.channels import listening
from brands.services.config import ConfigError, apply_config
from tests.factories import make_channel
from tests.helpers import db_state
from tickets.models import Event, Mention, Ticket

from .conftest import PAGE, PAYLOADS, YT_CHANNEL


def rule(brand, name="main", **fields):
    return ListeningRule.objects.create(brand=brand, name=name, **fields)


def test_a_rule_matches_handles_hashtags_and_whole_keywords(cast):
    r = rule(cast.brand_a, handles="@TelkoraCare", hashtags="#TelkoraLemot", keywords="sinyal hilang, telkora")
    assert listening.matches(r, platform="x", text="halo @telkoracare tolong")
    assert listening.matches(r, platform="x", text="#telkoralemot lagi")
    assert listening.matches(r, platform="youtube", text="Sinyal hilang terus")
    assert not listening.matches(r, platform="x", text="telkoraku bagus")  # whole words only
    assert not listening.matches(r, platform="x", text="@TelkoraCareers loker")
    assert not listening.matches(r, platform="x", text="halo", author_handle="telkoracare")


def test_exclusions_language_platforms_and_inactive_rules(cast):
    r = rule(cast.brand_a, keywords="telkora", exclusions="giveaway, loker", language="id", platforms="x")
    assert listening.matches(r, platform="x", text="telkora lemot", language="id")
    assert listening.matches(r, platform="x", text="telkora lemot", language="")  # unknown language passes
    assert not listening.matches(r, platform="x", text="telkora GIVEAWAY", language="id")
    assert not listening.matches(r, platform="x", text="telkora slow", language="en")
    assert not listening.matches(r, platform="youtube", text="telkora lemot", language="id")
    r.is_active = False
    assert not listening.matches(r, platform="x", text="telkora lemot", language="id")


def test_a_mention_matching_two_brands_is_one_ticket_per_brand(cast, tmp_path):
    rule(cast.brand_a, keywords="telkora")
    rule(cast.brand_b, keywords="nusa bank")
    records = [
        {
            "platform": "x",
            "platform_id": "1",
            "author": {"id": "u1", "handle": "rina"},
            "text": "Telkora dan Nusa Bank sama-sama lemot",
            "posted_at": "2026-11-20T01:00:00Z",
        },
        {
            "platform": "x",
            "platform_id": "2",
            "author": {"id": "u2"},
            "text": "cuma telkora",
            "posted_at": "2026-11-20T01:00:00Z",
        },
        {
            "platform": "x",
            "platform_id": "3",
            "author": {"id": "u3"},
            "text": "tidak ada yang cocok",
            "posted_at": "2026-11-20T01:00:00Z",
        },
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records))
    out = StringIO()
    call_command("ingest_file", "--platform", "json", str(path), "--no-progress", stdout=out)
    assert sorted(Mention.objects.values_list("brand__slug", "platform_id")) == [
        ("acme", "1"),
        ("acme", "2"),
        ("globex", "1"),
    ]
    assert Ticket.objects.count() == 3
    assert "created 3, duplicates 0" in out.getvalue()
    assert "skipped 1: no listening rule matches" in out.getvalue()
    out = StringIO()
    call_command("ingest_file", "--platform", "json", str(path), "--no-progress", stdout=out)
    assert "created 0, duplicates 3" in out.getvalue()
    assert Mention.objects.count() == 3


def test_ingest_file_csv_with_a_brand_and_a_progress_bar(cast, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "platform,platform_id,author_id,author_handle,text,posted_at,brand\n"
        "x,10,u1,budi,paket belum sampai,2026-11-20T01:00:00Z,\n"
        "instagram,11,u2,sari,kopi enak,2026-11-20T02:00:00Z,globex\n"
        "x,,u3,x,no id,2026-11-20T02:00:00Z,\n"
        "x,12,u3,x,bad date,yesterday,\n"
    )
    out, err = StringIO(), StringIO()
    call_command("ingest_file", "--platform", "csv", str(path), "--brand", "acme", stdout=out, stderr=err)
    assert sorted(Mention.objects.values_list("brand__slug", "platform_id")) == [("acme", "10"), ("acme", "11")]
    assert "created 2" in out.getvalue()
    assert "skipped 2" in out.getvalue()
    assert "platform_id is missing" in out.getvalue()
    assert "100%" in err.getvalue()


def test_ingest_file_reads_saved_platform_responses_and_webhook_bodies(cast, accounts):
    out = StringIO()
    call_command(
        "ingest_file",
        "--platform",
        "youtube",
        str(PAYLOADS / "youtube" / "yt_commentThreads_list_response.json"),
        "--no-progress",
        stdout=out,
    )
    assert (
        Mention.objects.filter(brand=cast.brand_b, platform="youtube").count() == 5
    )  # the channel's own reply is not one
    out = StringIO()
    call_command(
        "ingest_file",
        "--platform",
        "facebook",
        str(PAYLOADS / "meta" / "fb_feed_comment_add.json"),
        "--no-progress",
        stdout=out,
    )
    assert Mention.objects.filter(brand=cast.brand_a, platform="facebook").count() == 1
    out = StringIO()
    call_command(
        "ingest_file",
        "--platform",
        "instagram",
        str(PAYLOADS / "meta" / "ig_webhook_mentions.json"),
        "--no-progress",
        stdout=out,
    )
    assert "skipped 2: text not fetched (no API access)" in out.getvalue()
    with pytest.raises(CommandError, match="cannot be read as x"):
        call_command(
            "ingest_file",
            "--platform",
            "x",
            str(PAYLOADS / "youtube" / "yt_commentThreads_list_response.json"),
            "--no-progress",
        )
    with pytest.raises(CommandError, match="unknown brand"):
        call_command(
            "ingest_file",
            "--platform",
            "x",
            str(PAYLOADS / "x" / "x_v2_search_recent_response.json"),
            "--brand",
            "nope",
        )


def test_load_config_creates_and_updates_listening_rules_idempotently(cast):
    doc = {
        "brands": [
            {
                "slug": "acme",
                "listening_rules": [
                    {
                        "name": "brand",
                        "handles": ["AcmeCare"],
                        "hashtags": ["AcmeLemot"],
                        "keywords": ["acme telco"],
                        "exclusions": ["loker"],
                        "language": "id",
                        "platforms": ["x", "youtube"],
                    }
                ],
            }
        ]
    }
    summary = apply_config(doc)
    assert summary.created == {"listening_rules": 1}
    r = ListeningRule.objects.get()
    assert (r.handle_list, r.hashtag_list, r.keyword_list, r.exclusion_list, r.platform_list, r.language) == (
        ["AcmeCare"],
        ["AcmeLemot"],
        ["acme telco"],
        ["loker"],
        ["x", "youtube"],
        "id",
    )
    assert apply_config(doc).created == {}
    assert apply_config(doc).updated == {}
    doc["brands"][0]["listening_rules"][0]["active"] = False
    assert apply_config(doc).updated == {"listening_rules": 1}
    before = db_state()
    bad = {"brands": [{"slug": "acme", "listening_rules": [{"name": "x", "platforms": ["myspace"]}]}]}
    with pytest.raises(ConfigError) as caught:
        apply_config(bad)
    assert any("myspace" in p for p in caught.value.problems)
    assert any("at least one" in p for p in caught.value.problems)
    assert db_state() == before


# --- the channel accounts page ----------------------------------------------------------------------------------


def test_admins_see_every_account_with_webhook_urls_and_no_secret_values(cast, accounts):
    client = Client()
    client.force_login(cast.admin)
    page = client.get("/settings/channels/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "http://testserver/webhooks/meta/" in body
    assert "http://testserver/webhooks/x/" in body
    assert accounts["facebook"].verify_token in body
    assert PAGE in body
    assert YT_CHANNEL in body
    for account in accounts.values():
        for secret in (account.webhook_secret, account.access_token):
            assert not secret or secret not in body


def test_supervisors_see_their_brands_accounts_operators_are_refused(cast, accounts):
    failed = make_channel(
        cast.brand_a, platform="x", status="needs_attention", status_detail="credentials refused (401)"
    )
    client = Client()
    client.force_login(cast.supervisor)
    body = client.get("/settings/channels/").content.decode()
    assert "credentials refused (401)" in body
    assert failed.name in body
    assert YT_CHANNEL not in body  # brand B's
    for user in (cast.operator, cast.manager, cast.outsider):
        client.force_login(user)
        assert client.get("/settings/channels/").status_code == 403


def test_the_page_shows_failed_deliveries_and_last_delivery(cast, accounts):
    from .conftest import post_meta

    bad = {
        "object": "page",
        "entry": [{"id": PAGE, "changes": [{"field": "feed", "value": {"item": "comment", "verb": "add"}}]}],
    }
    post_meta(Client(), bad)
    client = Client()
    client.force_login(cast.supervisor)
    body = client.get("/settings/channels/").content.decode()
    assert "1 failed, 0 waiting" in body
    assert "comment_id" in body
    assert Event.objects.count() == 0


def test_the_documented_example_config_loads_with_its_listening_rules(db, monkeypatch, settings):
    import yaml

    for name in (
        "SMRC_PASSWORD_RINA",
        "KOPI_SENJA_X_TOKEN",
        "KOPI_SENJA_X_SECRET",
        "META_APP_SECRET_KOPI_SENJA",
        "KOPI_SENJA_VERIFY_TOKEN",
    ):
        monkeypatch.setenv(name, f"value-of-{name}-1234")
    document = yaml.safe_load((settings.BASE_DIR / "docs" / "examples" / "smrc-config.yaml").read_text())
    summary = apply_config(document)
    assert summary.created["listening_rules"] == 1
    assert ListeningRule.objects.get().handle_list == ["kopisenja"]
