"""Fixtures of the media tests: the fake CDN mounted where fetches go."""

import pytest

from tickets.channels import media as channel_media

from .cdn import FakeCDN


@pytest.fixture
def cdn(monkeypatch):
    fake = FakeCDN()
    monkeypatch.setattr(channel_media, "transport", fake.transport)
    return fake
