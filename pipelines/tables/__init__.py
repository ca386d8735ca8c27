"""From parsed reports to validated tables: `build` makes the candidate rows of each report,
`combine` puts reports together under the rules that look across them, `validate` applies the
Pandera schemas, and `update` works out which reports a build must redo; all route what they
cannot publish into the rejects table."""

from pipelines.tables.build import report_rows
from pipelines.tables.combine import build_tables, combine_reports
from pipelines.tables.validate import validate_tables

__all__ = ["build_tables", "combine_reports", "report_rows", "validate_tables"]
