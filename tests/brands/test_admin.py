"""The admin refuses invalid business hours like the settings page does."""

from django.forms.models import model_to_dict
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


def _post_brand(client, brand, periods: list[dict]):
    """Post the brand's change form as the admin page would, with ``periods`` as its business hours and
    every other inline empty (whatever inlines the brand admin has)."""
    url = reverse("admin:brands_brand_change", args=[brand.pk])
    page = client.get(url)
    data = {key: value for key, value in model_to_dict(brand).items() if value is not None and value is not False}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= _inline(prefix, periods if prefix == "business_periods" else [])
    return client.post(url, data)


def test_overlapping_periods_are_refused_in_the_admin(client, cast):
    client.force_login(cast.admin)
    periods = [
        {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": "0", "starts_at": "11:00", "ends_at": "13:00"},
    ]
    response = _post_brand(client, cast.brand_a, periods)
    assert response.status_code == 200
    assert "periods overlap" in response.content.decode()
    assert BusinessPeriod.objects.count() == 0


def test_valid_periods_are_saved_in_the_admin(client, cast):
    client.force_login(cast.admin)
    periods = [
        {"weekday": "0", "starts_at": "09:00", "ends_at": "12:00"},
        {"weekday": "0", "starts_at": "13:00", "ends_at": "00:00"},
    ]
    response = _post_brand(client, cast.brand_a, periods)
    assert response.status_code == 302
    assert BusinessPeriod.objects.filter(brand=cast.brand_a).count() == 2
