from datetime import timedelta

import pytest
from django.utils import timezone

from brands.services.knowledge import snippet_index
from tests.factories import make_product, make_snippet, make_ticket
from tickets.services import workflow


@pytest.fixture(autouse=True)
def _fresh_index():
    snippet_index.forget()
    yield
    snippet_index.forget()


@pytest.fixture
def library(cast):
    """Brand A's knowledge: four published snippets, an expired, a draft and an archived one; brand B's own."""
    kuota = make_product(cast.brand_a, "Kuota Max", category="Paket data", specifications={"quota": "50 GB"})
    s = {
        "refund_id": make_snippet(
            cast.brand_a,
            title="Refund pulsa",
            body="Mohon maaf {customer_name}, pulsa yang terpotong akan kami kembalikan dalam 1x24 jam.",
            tags="refund, pulsa",
            shortcut="refund-id",
        ),
        "refund_en": make_snippet(
            cast.brand_a,
            title="Refund credit",
            body="Sorry {customer_name}, the deducted credit will be refunded within 24 hours.",
            language="en",
            tags="refund, credit",
            shortcut="refund-en",
        ),
        "kuota": make_snippet(
            cast.brand_a,
            title="Kuota Max info",
            body="{product.name} berisi kuota {product.quota} untuk 30 hari. Salam, {operator_name}",
            tags="kuota",
            product=kuota,
            shortcut="kuota",
        ),
        "sinyal": make_snippet(
            cast.brand_a, title="Sinyal lemah", body="Mohon maaf atas gangguan sinyal di area Anda.", tags="sinyal"
        ),
        "expired": make_snippet(
            cast.brand_a,
            title="Promo pulsa terpotong",
            body="Promo pulsa kembalikan terpotong",
            expires_at=timezone.now() - timedelta(minutes=1),
        ),
        "draft": make_snippet(cast.brand_a, title="Draft pulsa terpotong", body="Draft pulsa", status="draft"),
        "archived": make_snippet(cast.brand_a, title="Old pulsa terpotong", body="Old pulsa", status="archived"),
        "brand_b": make_snippet(cast.brand_b, title="Globex pulsa terpotong", body="Globex pulsa", shortcut="refund-b"),
    }
    s["product"] = kuota
    return s


@pytest.fixture
def claimed_ticket(cast):
    ticket = make_ticket(
        cast.brand_a,
        handle="budi",
        text="Pulsa saya terpotong terus, tolong kembalikan! Paket Kuota Max juga",
        language="id",
    )
    workflow.claim_ticket(ticket=ticket, user=cast.operator)
    ticket.refresh_from_db()
    return ticket
