"""The fake platform server, with the publishers' API roots pointed at it."""

import pytest

from tests.publishing.fake_platform import FakePlatform


@pytest.fixture
def fake_platform(settings):
    fake = FakePlatform().start()
    settings.SMRC_X_API_URL = f"{fake.url}/x/2"
    settings.SMRC_GRAPH_API_URL = f"{fake.url}/graph"
    settings.SMRC_YOUTUBE_API_URL = f"{fake.url}/yt"
    settings.SMRC_HTTP_TIMEOUT = 5
    yield fake
    fake.stop()
