from tests.tickets.reports.conftest import world  # noqa: F401 - a week of brand A with figures in every chart
from tests.tickets.views.conftest import browser  # noqa: F401 - browser(user): a logged-in test client
