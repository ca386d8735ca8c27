"""The input files a set of tables was built from, published or rejected, with their hashes."""

from __future__ import annotations

import polars as pl


def input_files(reports: pl.DataFrame, rejects: pl.DataFrame) -> pl.DataFrame:
    """`source_file, source_sha256, report_date` of every input file, sorted by file.

    A file that produced no report row (empty, not UTF-8, conflicting...) is known from its
    rejects; its report date is null then."""
    published = reports.select("source_file", "source_sha256", "report_date")
    rejected = (
        rejects.select("source_file", "source_sha256")
        .join(published, on="source_file", how="anti")
        .unique(maintain_order=True)
        .with_columns(report_date=pl.lit(None, pl.Date))
    )
    return pl.concat([published, rejected]).sort("source_file")
