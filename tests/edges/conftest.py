from tests.tickets.reports.conftest import world  # noqa: F401 - a week of brand A with figures in every chart
