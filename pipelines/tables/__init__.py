"""From parsed reports to validated tables:

- `build` makes the candidate rows of each report (what it cannot publish goes to rejects);
- `combine` puts reports together under the rules that look across them (date and file clashes
  go to rejects);
- `validate` applies the Pandera schemas (failing rows go to rejects);
- `accounting` proves that every paper block and line ended up in a table or in rejects;
- `update` works out which reports a build must redo, `parallel` spreads the work over the
  cores, `store` keeps the tables between builds, and `inputs` lists the files they came from.
"""

from pipelines.tables.build import report_rows
from pipelines.tables.combine import build_tables, combine_reports
from pipelines.tables.validate import validate_tables

__all__ = ["build_tables", "combine_reports", "report_rows", "validate_tables"]
