"""The rules that look across reports, and the candidate tables of many reports put together.

Two rules need more than one file: a file identical to an earlier one is used once (the copy is
rejected), and two different files that claim one report date are both rejected. Both look only
at files sharing a SHA-256 or a date, so any set of reports closed under "same hash or same
date" can be combined on its own (see `pipelines.tables.update`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

import polars as pl
import pyarrow as pa

from pipelines.sources import SourceReport
from pipelines.tables.build import (
    CANDIDATE_TABLES,
    ReportRows,
    candidate_schema,
    pack_rows,
    report_rows,
    unpack_rows,
)
from pipelines.tables.rejects import reject_row


class ReportIdentity(Protocol):
    source_file: str
    sha256: str
    report_date: dt.date | None


@dataclass(frozen=True)
class WholeFileReject:
    level: str
    reason_code: str
    message: str


def whole_file_rejects(reports: Iterable[ReportIdentity]) -> dict[str, WholeFileReject]:
    """Files rejected whole, by source file: copies of an earlier file (by name order) and files
    that claim a date another file claims too."""
    rejected: dict[str, WholeFileReject] = {}
    first_by_hash: dict[str, str] = {}
    by_date: dict[dt.date, list[str]] = defaultdict(list)
    for report in sorted(reports, key=lambda report: report.source_file):
        if report.report_date is None:
            continue
        if report.sha256 in first_by_hash:
            message = (
                f"Identical to {first_by_hash[report.sha256]} (same SHA-256); that file is used."
            )
            rejected[report.source_file] = WholeFileReject("file", "duplicate_file", message)
            continue
        first_by_hash[report.sha256] = report.source_file
        by_date[report.report_date].append(report.source_file)
    for date, names in by_date.items():
        if len(names) == 1:
            continue
        message = f"Report date {date} is claimed by different files: {', '.join(names)}."
        for name in names:
            rejected[name] = WholeFileReject("report", "conflicting_report", message)
    return rejected


def combine_reports(
    reports: Iterable[ReportRows], rejected: Mapping[str, WholeFileReject] | None = None
) -> dict[str, pl.DataFrame]:
    """Candidate rows of every table from `reports`, with the rules across reports applied.

    `rejected` is the outcome of `whole_file_rejects` over a set of reports that includes these
    (when they are one batch of many); by default it is worked out from `reports` themselves."""
    reports = sorted(reports, key=lambda report: report.source_file)
    if rejected is None:
        rejected = whole_file_rejects(reports)
    kept = [report for report in reports if report.source_file not in rejected]
    whole_file = [
        _whole_file_reject(report, rejected[report.source_file])
        for report in reports
        if report.source_file in rejected
    ]
    combined = {}
    for table in CANDIDATE_TABLES:  # one at a time, so only its pieces are unpacked at once
        pieces = [candidate_schema(table).empty_table()]
        pieces += [unpack_rows(report.packed_tables[table]) for report in kept]
        if table == "rejects":
            pieces += [unpack_rows(report.packed_problems) for report in reports]
            pieces.append(unpack_rows(pack_rows(table, whole_file)))
        combined[table] = pl.from_arrow(pa.concat_tables(pieces)).rechunk()
    return combined


def build_tables(sources: Iterable[SourceReport]) -> dict[str, pl.DataFrame]:
    """Candidate rows of every table (before schema validation), rejects included."""
    return combine_reports(report_rows(source) for source in sources)


def _whole_file_reject(report: ReportRows, reject: WholeFileReject) -> dict:
    text = report.source_text
    return reject_row(
        source_file=report.source_file,
        source_sha256=report.sha256,
        level=reject.level,
        line_start=1,
        line_end=report.line_count,
        span_sha256=hashlib.sha256(text.encode()).hexdigest(),
        reason_code=reject.reason_code,
        message=reject.message,
        report_date=report.report_date,
        raw_text=text,
    )
