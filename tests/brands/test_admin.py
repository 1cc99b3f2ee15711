"""The admin refuses invalid business hours like the settings page does."""

from django.urls import reverse

from brands.models import BusinessPeriod


def _inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


def _brand_form(brand, periods: list[dict]) -> dict:
    data = {
        "name": brand.name,
        "slug": brand.slug,
        "time_zone": brand.time_zone,
        "languages": brand.languages,
        "holiday_country": "ID",
        "observe_collective_leave": "on",
        "sla_warning_minutes": "15",
        "thread_window_hours": "72",
        "routing_mode": "claim",
        "operator_capacity": "10",
        "idle_owner_minutes": "0",
    }
    data |= _inline("memberships", [])
    data |= _inline("sla_policies", [])
    data |= _inline("business_periods", periods)
    data |= _inline("holidays", [])
    return data


def test_overlapping_periods_are_refused_in_the_admin(client, cast):
    client.force_login(cast.admin)
    periods = [
        {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": "0", "starts_at": "11:00", "ends_at": "13:00"},
    ]
    response = client.post(
        reverse("admin:brands_brand_change", args=[cast.brand_a.pk]), _brand_form(cast.brand_a, periods)
    )
    assert response.status_code == 200
    assert "periods overlap" in response.content.decode()
    assert BusinessPeriod.objects.count() == 0


def test_valid_periods_are_saved_in_the_admin(client, cast):
    client.force_login(cast.admin)
    periods = [
        {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": "0", "starts_at": "13:00", "ends_at": "00:00"},
    ]
    response = client.post(
        reverse("admin:brands_brand_change", args=[cast.brand_a.pk]), _brand_form(cast.brand_a, periods)
    )
    assert response.status_code == 302
    assert BusinessPeriod.objects.filter(brand=cast.brand_a).count() == 2
