"""SLA reports for brand managers: figures (``queries``), exports and the scheduled mail."""
