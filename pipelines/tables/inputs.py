"""The input files a set of tables was built from, published or rejected, with their hashes."""

from __future__ import annotations

import polars as pl

# The columns of `reports` and `rejects` that `input_files` reads.
INPUT_COLUMNS = ["source_file", "source_sha256", "report_date"]


def input_files(reports: pl.DataFrame, rejects: pl.DataFrame) -> pl.DataFrame:
    """`source_file, source_sha256, report_date` of every input file, sorted by file.

    A file that produced no report row (empty, not UTF-8, conflicting...) is known from its
    rejects, with the date they read from it (null if none did)."""
    published = reports.select(INPUT_COLUMNS)
    rejected = (
        rejects.join(published, on="source_file", how="anti")
        .group_by("source_file", "source_sha256")
        .agg(pl.col("report_date").drop_nulls().min())
    )
    return pl.concat([published, rejected]).sort("source_file")
