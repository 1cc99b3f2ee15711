"""The supervisors' SLA settings page."""

from datetime import date, time

import pytest
from django.urls import reverse

from brands.models import BrandHoliday, BusinessPeriod, ConfigChange, Priority, SlaPolicy
from tests.helpers import db_state
from tickets.models import Event


def url(brand):
    return reverse("tickets:sla_settings", args=[brand.slug])


def valid_post(**overrides) -> dict:
    data = {
        "time_zone": "Asia/Makassar",
        "round_the_clock": "",
        "holiday_country": "id",
        "observe_collective_leave": "on",
        "sla_warning_minutes": "20",
        "escalation_raises_priority": "on",
        "hours_0": "08:00-12:00, 13:00-17:00",
        "hours_1": "08:00-17:00",
        "hours_2": "08:00-17:00",
        "hours_3": "08:00-17:00",
        "hours_4": "08:00-11:30",
        "hours_5": "",
        "hours_6": "",
        "holidays": "2026-12-31 Tutup buku\n\n2026-12-24 Malam Natal",
    }
    for priority in Priority:
        for key, minutes in (("first", 30), ("next", 45), ("resolution", 600)):
            data[f"target_{priority.value}_{key}"] = str(minutes * (5 - priority.value))
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("who", "status"), [("outsider", 404), ("operator_b", 404), ("operator", 403), ("manager", 403)]
)
def test_only_supervisors_of_the_brand_may_open_or_change_it(browser, cast, who, status):
    client = browser(getattr(cast, who))
    before = db_state()
    assert client.get(url(cast.brand_a)).status_code == status
    assert client.post(url(cast.brand_a), valid_post()).status_code == status
    assert db_state() == before


def test_anonymous_is_sent_to_login(browser, cast):
    response = browser(None).get(url(cast.brand_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_supervisor_sees_the_current_settings(browser, cast):
    response = browser(cast.supervisor).get(url(cast.brand_a))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["time_zone"] == "Asia/Jakarta"
    assert form.initial["round_the_clock"] is True
    assert form.initial[f"target_{Priority.URGENT}_first"] == 15
    assert form.initial[f"target_{Priority.LOW}_resolution"] == 72 * 60


def test_saving_stores_everything_and_records_an_event(browser, cast):
    response = browser(cast.supervisor).post(url(cast.brand_a), valid_post())
    assert response.status_code == 302
    brand = cast.brand_a
    brand.refresh_from_db()
    assert (brand.time_zone, brand.round_the_clock, brand.holiday_country) == ("Asia/Makassar", False, "ID")
    assert (brand.sla_warning_minutes, brand.escalation_raises_priority) == (20, True)
    assert list(BusinessPeriod.objects.filter(brand=brand).values_list("weekday", "starts_at", "ends_at")) == [
        (0, time(8), time(12)),
        (0, time(13), time(17)),
        (1, time(8), time(17)),
        (2, time(8), time(17)),
        (3, time(8), time(17)),
        (4, time(8), time(11, 30)),
    ]
    assert list(BrandHoliday.objects.filter(brand=brand).values_list("date", "name")) == [
        (date(2026, 12, 24), "Malam Natal"),
        (date(2026, 12, 31), "Tutup buku"),
    ]
    urgent = SlaPolicy.objects.get(brand=brand, priority=Priority.URGENT)
    assert (urgent.first_response_minutes, urgent.next_response_minutes, urgent.resolution_minutes) == (30, 45, 600)
    change = ConfigChange.objects.get(kind="sla_settings.updated")
    assert (change.brand_id, change.actor_id, change.actor_name, change.source, change.area) == (
        brand.pk,
        cast.supervisor.pk,
        "sup_a",
        "page",
        "sla",
    )
    assert (change.before["time_zone"], change.after["time_zone"]) == ("Asia/Jakarta", "Asia/Makassar")
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours_0", "09:00-12:00, 11:00-14:00", "periods overlap"),
        ("hours_1", "17:00-09:00", "end after it starts"),
        ("hours_2", "nine to five", "Write periods like 09:00-12:00"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        (f"target_{Priority.HIGH}_first", "0", "greater than or equal to 1"),
        (f"target_{Priority.LOW}_resolution", "-5", "greater than or equal to 1"),
        ("holidays", "31/12/2026 Tutup", "Line 1: start with a date"),
        ("holiday_country", "ZZ", "Unknown holiday country"),
    ],
)
def test_bad_input_is_refused_in_place_and_changes_nothing(browser, cast, field, value, message):
    before = db_state()
    response = browser(cast.supervisor).post(url(cast.brand_a), valid_post(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_state() == before


def test_closed_every_day_without_round_the_clock_is_refused(browser, cast):
    empty_week = {f"hours_{d}": "" for d in range(7)}
    response = browser(cast.supervisor).post(url(cast.brand_a), valid_post(**empty_week))
    assert response.status_code == 400
    assert "Give business hours for at least one day" in response.content.decode()


def test_settings_index_lists_the_only_brand_and_the_channel_accounts(browser, cast):
    """No redirect to the SLA page: from here a one-brand supervisor reaches every settings page (issue 15)."""
    response = browser(cast.supervisor).get(reverse("tickets:settings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert url(cast.brand_a) in page
    assert reverse("channel_accounts") in page


def test_settings_index_lists_nothing_for_an_operator(browser, cast):
    response = browser(cast.operator).get(reverse("tickets:settings"))
    assert response.status_code == 200
    assert response.context["brands"] == []
