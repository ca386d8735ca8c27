"""From parsed reports to validated tables: `build` applies the publishing rules, `validate` the
Pandera schemas; both route what they cannot publish into the rejects table."""

from pipelines.tables.build import build_tables
from pipelines.tables.validate import validate_tables

__all__ = ["build_tables", "validate_tables"]
