"""Self-report check-ins: cadence rules, due dates, contact windows."""
