"""The priority and routing settings page: supervisors only (brand:configure); an invalid pattern is refused
with its reason and nothing is saved."""

import pytest

from brands.models import BlockedAuthor, SpamPattern, UrgencyTerm
from tests.helpers import db_state

URL = "/settings/acme/priority/"


def test_the_page_lists_the_rules_and_escapes_them(cast, browser):
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern="<b>refund</b>", label="money", weight=15)
    body = browser(cast.supervisor).get(URL).content.decode()
    assert "Priority and routing" in body
    assert "&lt;b&gt;refund&lt;/b&gt;" in body
    assert "<b>refund</b>" not in body
    assert "penipuan" in body  # the built-in terms


def test_routing_is_saved_with_its_audit_record(cast, browser):
    response = browser(cast.supervisor).post(
        URL, {"action": "routing", "routing_mode": "load", "operator_capacity": "5", "idle_owner_minutes": "20"}
    )
    assert response.status_code == 302
    cast.brand_a.refresh_from_db()
    assert (cast.brand_a.routing_mode, cast.brand_a.operator_capacity, cast.brand_a.idle_owner_minutes) == (
        "load",
        5,
        20,
    )
    change = cast.brand_a.config_changes.get()
    assert (change.area, change.kind, change.actor, change.source) == (
        "assignment",
        "assignment.updated",
        cast.supervisor,
        "page",
    )
    assert change.before == {"routing_mode": "claim", "operator_capacity": 10, "idle_owner_minutes": 0}
    assert change.after == {"routing_mode": "load", "operator_capacity": 5, "idle_owner_minutes": 20}


def test_rules_are_added_and_removed(cast, browser):
    client = browser(cast.supervisor)
    assert (
        client.post(
            URL,
            {"action": "urgency", "pattern": r"kartu\s+diblokir", "is_regex": "on", "label": "card", "weight": "25"},
        ).status_code
        == 302
    )
    assert client.post(URL, {"action": "spam", "pattern": "followers murah", "label": "followers"}).status_code == 302
    assert (
        client.post(URL, {"action": "blocked", "platform": "x", "handle": "@SpamBot", "note": "bot"}).status_code == 302
    )
    assert list(UrgencyTerm.objects.values_list("pattern", "is_regex", "label", "weight")) == [
        (r"kartu\s+diblokir", True, "card", 25)
    ]
    assert list(SpamPattern.objects.values_list("pattern", "label")) == [("followers murah", "followers")]
    assert list(BlockedAuthor.objects.values_list("platform", "handle", "note")) == [("x", "SpamBot", "bot")]
    term = UrgencyTerm.objects.get()
    assert client.post(URL, {"action": "delete-urgency", "pk": str(term.pk)}).status_code == 302
    assert not UrgencyTerm.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"action": "urgency", "pattern": "([", "is_regex": "on", "label": "x", "weight": "10"},
            "Not a valid regular expression",
        ),
        ({"action": "spam", "pattern": ".*", "is_regex": "on", "label": "all"}, "matches empty text"),
        (
            {"action": "routing", "routing_mode": "fastest", "operator_capacity": "0", "idle_owner_minutes": "0"},
            "Select a valid choice",
        ),
    ],
)
def test_invalid_input_is_refused_and_nothing_changes(cast, browser, data, message):
    before = db_state()
    response = browser(cast.supervisor).post(URL, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_state() == before


def test_a_duplicate_term_is_refused(cast, browser):
    UrgencyTerm.objects.create(brand=cast.brand_a, pattern="refund", label="money", weight=15)
    before = db_state()
    response = browser(cast.supervisor).post(
        URL, {"action": "urgency", "pattern": "refund", "label": "x", "weight": "5"}
    )
    assert response.status_code == 400
    assert db_state() == before


def test_another_brands_rule_cannot_be_removed(cast, browser):
    other = UrgencyTerm.objects.create(brand=cast.brand_b, pattern="x", label="x", weight=1)
    browser(cast.supervisor).post(URL, {"action": "delete-urgency", "pk": str(other.pk)})
    assert UrgencyTerm.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("manager", 403), ("outsider", 404), ("operator_b", 404)]
)
def test_only_supervisors_configure(cast, browser, who, status):
    before = db_state()
    client = browser(getattr(cast, who))
    assert client.get(URL).status_code == status
    assert client.post(URL, {"action": "blocked", "platform": "x", "handle": "a"}).status_code == status
    assert db_state() == before
