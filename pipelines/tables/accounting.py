"""Proof that nothing was lost: every paper block and every non-blank line of every input file
ends up in a published row or in rejects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import polars as pl

from pipelines.parsing import grammar

if TYPE_CHECKING:
    from pipelines.tables.build import ReportRows

WHOLE_FILE_LEVELS = ("file", "report")


def account(
    reports: Iterable[ReportRows], papers: pl.DataFrame, rejects: pl.DataFrame
) -> pl.DataFrame:
    """One row per input file: papers found, published and rejected, and the non-blank lines
    that no published paper, reject or report header accounts for.

    Lines are accounted for per file when its rows are made (`ReportRows.unassigned_lines`):
    a paper rejected later keeps its lines, and a file rejected whole covers all of them."""
    published = _spans_by_file(papers)
    rejected_papers = _spans_by_file(rejects.filter(pl.col("level") == "paper"))
    rejected_whole = set(rejects.filter(pl.col("level").is_in(WHOLE_FILE_LEVELS))["source_file"])
    rows = []
    for report in reports:
        name = report.source_file
        found = report.papers_found
        whole = name in rejected_whole
        unassigned = () if whole else report.unassigned_lines
        rows.append(
            {
                "source_file": name,
                "papers_found": found,
                "papers_published": len(published[name]),
                "papers_rejected": found if whole else len(set(rejected_papers[name])),
                "unassigned_lines": len(unassigned),
                "first_unassigned_line": unassigned[0] if unassigned else None,
            }
        )
    schema = {
        "source_file": pl.String,
        "papers_found": pl.Int64,
        "papers_published": pl.Int64,
        "papers_rejected": pl.Int64,
        "unassigned_lines": pl.Int64,
        "first_unassigned_line": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def unbalanced(accounts: pl.DataFrame) -> pl.DataFrame:
    """The files whose papers or lines do not add up."""
    return accounts.filter(
        (pl.col("papers_found") != pl.col("papers_published") + pl.col("papers_rejected"))
        | (pl.col("unassigned_lines") > 0)
    )


def _spans_by_file(frame: pl.DataFrame) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for name, start, end in frame.select("source_file", "line_start", "line_end").iter_rows():
        spans[name].append((start, end))
    return spans


def unassigned_lines(lines: Sequence[str], spans: Iterable[tuple[int, int]]) -> list[int]:
    """Numbers of the non-blank lines outside `spans` that carry data (not report structure)."""
    covered = bytearray(len(lines) + 2)
    for start, end in spans:
        covered[start : end + 1] = b"\x01" * (end - start + 1)
    return [
        number
        for number, text in enumerate(lines, start=1)
        if not covered[number] and text.strip() and not _is_structure(text)
    ]


def _is_structure(text: str) -> bool:
    """Lines that carry no data of their own: report title, date and URL, separators, fences."""
    field = grammar.meta_field(text)
    return (
        grammar.is_report_title(text)
        or grammar.is_separator(text)
        or grammar.is_fence(text)
        or (field is not None and field[0] in ("date", "source_url"))
    )
