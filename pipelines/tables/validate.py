"""Validate candidate rows against the Pandera schemas, routing failing rows into rejects.

A paper is published whole or not at all: when one of its sections, innovations or facet rows
fails a check, the paper is rejected (naming the failed check) together with all its rows, so
published papers always carry all their sections, and a faulty extractor costs the papers it
failed on, not the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import pandera.errors
import polars as pl

from pipelines.tables.rejects import reject_row
from schemas import FACET_TABLES, TABLES, RejectsSchema, polars_schema

PAPER_KEY = ["report_date", "arxiv_id"]
CHILD_TABLES = ("sections", "innovations", *FACET_TABLES)


class SourceText(Protocol):
    def text(self, line_start: int, line_end: int) -> str: ...


def validate_tables(
    candidates: Mapping[str, pl.DataFrame], sources: Mapping[str, SourceText]
) -> dict[str, pl.DataFrame]:
    """Published tables (every row passed its Pandera model) plus the rejects table. The child
    tables (sections, innovations, facets) keep the rows of the published papers, and each
    report's `paper_count` counts them (set after validating, a count is never out of range).

    `sources` maps each source file to its text (a `ParsedReport` or `ReportRows`), for the
    source text of rejected rows.
    """
    rejects = [candidates["rejects"]]

    reports, failed = split_valid("reports", candidates["reports"])
    rejects.append(_rejects("report", failed, sources))

    papers = candidates["papers"].join(reports.select("report_date"), on="report_date", how="semi")
    papers, failed = split_valid("papers", papers)
    rejects.append(_rejects("paper", failed, sources))

    children = {}
    failed_children = []
    for table in CHILD_TABLES:
        rows = candidates[table].join(papers.select(PAPER_KEY), on=PAPER_KEY, how="semi")
        children[table], failed = split_valid(table, rows)
        failed_children.append(failed.select(*PAPER_KEY, "failed_check"))
    failed_papers = (
        pl.concat(failed_children)
        .group_by(PAPER_KEY, maintain_order=True)
        .agg(pl.col("failed_check").unique(maintain_order=True).str.join("; "))
    )
    rejects.append(_rejects("paper", papers.join(failed_papers, on=PAPER_KEY), sources))
    papers = papers.join(failed_papers, on=PAPER_KEY, how="anti")
    for table in children:
        children[table] = children[table].join(failed_papers, on=PAPER_KEY, how="anti")

    paper_counts = papers.group_by("report_date").len("published")
    reports = (
        reports.join(paper_counts, on="report_date", how="left")
        .with_columns(paper_count=pl.col("published").fill_null(0).cast(pl.Int64))
        .drop("published")
    )
    all_rejects = RejectsSchema.validate(pl.concat(rejects, how="vertical"))
    return {"reports": reports, "papers": papers, **children, "rejects": all_rejects}


def split_valid(table: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`(valid rows, failing rows with a `failed_check` column)` of a candidate table."""
    try:
        return TABLES[table].validate(frame, lazy=True), frame.clear().with_columns(
            failed_check=pl.lit(None, pl.String)
        )
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        if cases["index"].null_count():
            raise  # a wrong column or type is a bug in the pipeline, not bad input
    failed = cases.group_by("index", maintain_order=True).agg(
        failed_check=pl.when(pl.col("schema_context") == "DataFrameSchema")
        .then(pl.format("{}: {}", pl.lit(table), "check"))
        .otherwise(pl.format("{}.{}: {}", pl.lit(table), "column", "check"))
        .unique(maintain_order=True)
        .str.join("; ")
    )
    indexed = frame.with_row_index("index").with_columns(pl.col("index").cast(pl.Int64))
    failed = failed.with_columns(pl.col("index").cast(pl.Int64))
    good = indexed.join(failed, on="index", how="anti").drop("index")
    bad = indexed.join(failed, on="index", how="inner").drop("index")
    return good, bad


def _rejects(level: str, failed: pl.DataFrame, sources: Mapping[str, SourceText]) -> pl.DataFrame:
    """Reject rows for rows that failed schema checks."""
    rows = [
        reject_row(
            source_file=row["source_file"],
            source_sha256=row["source_sha256"],
            level=level,
            line_start=row["line_start"],
            line_end=row["line_end"],
            span_sha256=row["span_sha256"],
            reason_code="schema_check_failed",
            failed_check=row["failed_check"],
            message=f"The {level} failed schema checks: {row['failed_check']}.",
            report_date=row["report_date"],
            arxiv_id=row.get("arxiv_id"),
            rank=row.get("rank"),
            raw_text=sources[row["source_file"]].text(row["line_start"], row["line_end"]),
        )
        for row in failed.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema=polars_schema("rejects"), orient="row")
