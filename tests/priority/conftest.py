import pytest
from django.utils import timezone

from brands.models import Presence


@pytest.fixture
def fixed_sentiment(monkeypatch):
    """``fixed_sentiment("negative")``: every text of the next ingests is classed so; returns the calls made."""
    calls: list[list[str]] = []

    def use(label: str):
        def classify(texts):
            calls.append(list(texts))
            return [label] * len(texts)

        monkeypatch.setattr("tickets.services.ingest.classify", classify)
        return calls

    return use


def make_online(*users, at=None) -> None:
    for user in users:
        Presence.objects.update_or_create(user=user, defaults={"last_seen_at": at or timezone.now()})
