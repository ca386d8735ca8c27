"""Dagster assets, one module per stage of the data flow: ingest → tables → warehouse, release."""

OWNERS = ["team:daily-papers"]
