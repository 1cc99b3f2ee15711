"""``manage.py load_config``: configuration as code, idempotent, all or nothing."""

import json
from datetime import time
from io import StringIO

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from brands.models import Brand, BusinessPeriod, ChannelAccount, Membership, Priority, SlaPolicy
from tests.helpers import db_state

CONFIG = {
    "users": [
        {"username": "rina", "email": "rina@agency.example", "password_env": "TEST_RINA_PASSWORD"},
        {"username": "dimas", "email": "dimas@agency.example"},
    ],
    "brands": [
        {
            "slug": "kopi-senja",
            "name": "Kopi Senja",
            "languages": ["id", "en"],
            "members": {"rina": "supervisor", "dimas": "operator"},
            "channels": [
                {
                    "platform": "x",
                    "external_id": "1499",
                    "name": "@kopisenja",
                    "access_token_env": "TEST_KS_TOKEN",
                    "webhook_secret_env": "TEST_KS_SECRET",
                }
            ],
            "sla": {
                "time_zone": "Asia/Makassar",
                "round_the_clock": False,
                "hours": {"mon": ["08:00-12:00", "13:00-17:00"], "sat": "09:00-13:00"},
                "holidays": {"2026-12-31": "Tutup buku"},
                "targets": {"urgent": {"first_response": 10}},
            },
        }
    ],
}


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("TEST_RINA_PASSWORD", "rina-pass-9876")
    monkeypatch.setenv("TEST_KS_TOKEN", "token-abc")
    monkeypatch.setenv("TEST_KS_SECRET", "secret-xyz")


def load(tmp_path, data, name="config.yaml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = StringIO()
    call_command("load_config", str(path), stdout=out)
    return out.getvalue().strip()


def test_it_creates_everything_once(db, tmp_path, secrets):
    output = load(tmp_path, CONFIG)
    assert output == "1 brands created, 1 channels created, 2 memberships created, 2 users created, 1 sla updated"
    brand = Brand.objects.get(slug="kopi-senja")
    assert (brand.name, brand.languages, brand.time_zone, brand.round_the_clock) == (
        "Kopi Senja",
        "id,en",
        "Asia/Makassar",
        False,
    )
    rina = get_user_model().objects.get(username="rina")
    assert rina.check_password("rina-pass-9876")
    assert not get_user_model().objects.get(username="dimas").has_usable_password()
    assert sorted(Membership.objects.values_list("user__username", "role")) == [
        ("dimas", "operator"),
        ("rina", "supervisor"),
    ]
    channel = ChannelAccount.objects.get()
    assert (channel.platform, channel.external_id, channel.access_token, channel.webhook_secret) == (
        "x",
        "1499",
        "token-abc",
        "secret-xyz",
    )
    assert list(BusinessPeriod.objects.values_list("weekday", "starts_at", "ends_at")) == [
        (0, time(8), time(12)),
        (0, time(13), time(17)),
        (5, time(9), time(13)),
    ]
    urgent = SlaPolicy.objects.get(brand=brand, priority=Priority.URGENT)
    assert (urgent.first_response_minutes, urgent.next_response_minutes, urgent.resolution_minutes) == (10, 15, 240)


def test_loading_the_same_file_again_changes_nothing(db, tmp_path, secrets):
    load(tmp_path, CONFIG)
    before = db_state()
    assert load(tmp_path, CONFIG) == "nothing to change"
    assert db_state() == before


def test_json_works_too(db, tmp_path, secrets):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(CONFIG))
    out = StringIO()
    call_command("load_config", str(path), stdout=out)
    assert Brand.objects.filter(slug="kopi-senja").exists()


def _broken(mutate):
    data = yaml.safe_load(yaml.safe_dump(CONFIG))
    mutate(data)
    return data


BROKEN = [
    ("unknown role", lambda d: d["brands"][0]["members"].update(dimas="boss"), "members.dimas: unknown role"),
    ("unknown user", lambda d: d["brands"][0]["members"].update(ghost="operator"), "members.ghost: unknown user"),
    ("unknown platform", lambda d: d["brands"][0]["channels"][0].update(platform="myspace"), "unknown platform"),
    ("overlap", lambda d: d["brands"][0]["sla"]["hours"].update(tue=["08:00-12:00", "11:00-13:00"]), "overlap"),
    ("reversed", lambda d: d["brands"][0]["sla"]["hours"].update(wed=["17:00-08:00"]), "end after it starts"),
    ("bad zone", lambda d: d["brands"][0]["sla"].update(time_zone="Asia/Atlantis"), "Unknown time zone"),
    (
        "zero target",
        lambda d: d["brands"][0]["sla"]["targets"].update(low={"resolution": 0}),
        "more than zero minutes",
    ),
    ("missing slug", lambda d: d["brands"][0].pop("slug"), "brands[0].slug: is required"),
    ("wrong type", lambda d: d["brands"][0].update(thread_window_hours="soon"), "must be int"),
    ("unknown section", lambda d: d.update(widgets=[]), "widgets: unknown section"),
]


@pytest.mark.parametrize(("name", "mutate", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_changes_nothing_and_says_where(db, tmp_path, secrets, name, mutate, message):
    before = db_state()
    with pytest.raises(CommandError, match="nothing was changed") as raised:
        load(tmp_path, _broken(mutate))
    assert message in str(raised.value)
    assert db_state() == before


def test_a_missing_secret_variable_is_named(db, tmp_path, secrets, monkeypatch):
    monkeypatch.delenv("TEST_KS_TOKEN")
    with pytest.raises(CommandError, match="environment variable TEST_KS_TOKEN is not set"):
        load(tmp_path, CONFIG)
    assert not Brand.objects.exists()


def test_invalid_yaml_is_refused(db, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("brands: [\n  - slug: x\n   name: y")
    with pytest.raises(CommandError, match="is not valid YAML"):
        call_command("load_config", str(path))
    assert not Brand.objects.exists()
