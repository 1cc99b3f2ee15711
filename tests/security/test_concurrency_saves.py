"""Two clicks at once on the brand's settings and knowledge forms, on SQLite and on PostgreSQL (the same set-up
as ``tests/security/test_concurrency.py``: each click a client on its own connection, released together).

These saves carry no idempotency key (they are not answers to a customer), so a repeat is recognised by what it
would write: the brand's row lock orders them, the first writes, each repeat finds it written and answers as
a repeat does today — never a 500 from a unique index, never a second row or a second audit record.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from brands.models import BrandHoliday, ConfigChange, Product, ReviewPolicy, SlaPolicy, Snippet, UrgencyTerm
from brands.services.sla import current_settings
from tests.concurrency.test_races import run_together
from tests.security.test_write_isolation import SNIPPET_FORM
from tickets.forms.settings import SlaSettingsForm
from tickets.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

N = 4


def browsers(user, n: int = N) -> list[Client]:
    clients = [Client() for _ in range(n)]
    for client in clients:
        client.force_login(user)
    return clients


def click_together(clients, url: str, data: dict) -> list[int]:
    answers = run_together(*(lambda c=c: c.post(url, data) for c in clients))
    errors = [a for a in answers if isinstance(a, Exception)]
    assert errors == [], errors
    return sorted(a.status_code for a in answers)


def settings_events(kind: str) -> int:
    """The audit records of ``kind`` (brands.ConfigChange); the ticket event log holds no settings change."""
    assert not Event.objects.filter(ticket=None).exists()
    return ConfigChange.objects.filter(kind=kind).count()


def test_the_sla_settings_saved_four_times_at_once_change_once(cast):
    data = SlaSettingsForm.initial_from(current_settings(cast.brand_a))
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False and v is not None}
    data.update({"holidays": "2026-12-31 Tutup buku\n2027-01-02 Stok opname", "target_4_first": 7})
    assert click_together(browsers(cast.supervisor), "/settings/acme/sla/", data) == [302] * N
    assert sorted(BrandHoliday.objects.values_list("name", flat=True)) == ["Stok opname", "Tutup buku"]
    assert SlaPolicy.objects.get(brand=cast.brand_a, priority=4).first_response_minutes == 7
    assert SlaPolicy.objects.filter(brand=cast.brand_a).count() == 4
    assert settings_events("sla_settings.updated") == 1


def test_the_review_policy_saved_four_times_at_once_is_one_policy_and_one_event(cast):
    data = {"sample_percent": 30, "review_all": "on", "flagged_terms": "gratis"}
    assert click_together(browsers(cast.supervisor), "/settings/acme/review/", data) == [302] * N
    assert list(ReviewPolicy.objects.values_list("brand__slug", "sample_percent", "review_all")) == [("acme", 30, True)]
    assert settings_events("review_policy.created") == 1


@pytest.mark.parametrize(
    ("data", "model"),
    [
        ({"action": "urgency", "pattern": "darurat", "label": "urgent", "weight": 40}, UrgencyTerm),
    ],
)
def test_a_rule_added_four_times_at_once_is_added_once(cast, data, model):
    statuses = click_together(browsers(cast.supervisor), "/settings/acme/priority/", data)
    assert statuses == [302] + [400] * (N - 1)
    assert model.objects.filter(brand=cast.brand_a).count() == 1


def test_a_product_created_four_times_at_once_is_created_once(cast):
    data = {
        "name": "Kuota Mini",
        "category": "data",
        "specifications": "kuota: 5 GB",
        "faq": "",
        "competitor_notes": "",
    }
    statuses = click_together(browsers(cast.supervisor), "/knowledge/acme/products/new/", data)
    assert statuses == [302] + [400] * (N - 1)
    assert list(Product.objects.values_list("name", flat=True)) == ["Kuota Mini"]
    assert settings_events("product.created") == 1


def test_a_snippet_created_four_times_at_once_is_created_once(cast):
    data = SNIPPET_FORM
    statuses = click_together(browsers(cast.supervisor), "/knowledge/acme/snippets/new/", data)
    assert statuses == [302] + [400] * (N - 1)
    assert list(Snippet.objects.values_list("title", flat=True)) == ["Salam"]
    assert settings_events("snippet.created") == 1


def test_the_routing_saved_four_times_at_once_changes_once(cast):
    data = {"action": "routing", "routing_mode": "load", "operator_capacity": 3, "idle_owner_minutes": 30}
    assert click_together(browsers(cast.supervisor), "/settings/acme/priority/", data) == [302] * N
    cast.brand_a.refresh_from_db()
    assert (cast.brand_a.routing_mode, cast.brand_a.operator_capacity, cast.brand_a.idle_owner_minutes) == (
        "load",
        3,
        30,
    )
    assert settings_events("assignment.updated") == 1


def test_a_knowledge_csv_imported_twice_at_once_or_again_later_makes_each_snippet_once(cast):
    """Rows without a shortcut are matched by title and text: importing the same file again changes nothing
    (it made every such snippet a second time), and two imports at once make each snippet once."""
    text = 'title,body\nSalam,"Halo {customer_name}!"\nTutup,Terima kasih sudah menghubungi kami\n'

    def upload(client):
        csv = SimpleUploadedFile("s.csv", text.encode(), content_type="text/csv")
        return client.post("/knowledge/acme/import/", {"kind": "snippets", "file": csv}).status_code

    statuses = sorted(run_together(*(lambda c=c: upload(c) for c in browsers(cast.supervisor, 2))))
    # SQLite runs the second import after the first (its transaction waits at BEGIN): it finds the snippets and
    # changes nothing (302). On PostgreSQL the second reads before the first commits, then meets the snippets
    # under the brand's lock and refuses (400). Either way each snippet is made once.
    assert statuses in ([302, 302], [302, 400])
    assert upload(browsers(cast.supervisor, 1)[0]) == 302
    assert sorted(Snippet.objects.values_list("title", "version")) == [("Salam", 1), ("Tutup", 1)]
    assert settings_events("snippet.created") == 2
