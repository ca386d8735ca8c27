"""From parsed reports to validated tables: `build` makes the candidate rows of each report and
applies the publishing rules, `validate` the Pandera schemas; both route what they cannot
publish into the rejects table."""

from pipelines.tables.build import build_tables, combine_reports, report_rows
from pipelines.tables.validate import validate_tables

__all__ = ["build_tables", "combine_reports", "report_rows", "validate_tables"]
