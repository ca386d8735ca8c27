"""A row of the rejects table: one definition for every step that rejects something (a file,
a report, a paper, a section or lines), so that all give the same columns."""

from __future__ import annotations

import datetime as dt


def reject_row(
    *,
    source_file: str,
    source_sha256: str,
    level: str,
    line_start: int,
    line_end: int,
    span_sha256: str,
    reason_code: str,
    message: str,
    report_date: dt.date | None,
    raw_text: str,
    failed_check: str | None = None,
    arxiv_id: str | None = None,
    rank: int | None = None,
) -> dict:
    return {
        "source_file": source_file,
        "source_sha256": source_sha256,
        "level": level,
        "line_start": line_start,
        "line_end": line_end,
        "span_sha256": span_sha256,
        "reason_code": reason_code,
        "failed_check": failed_check,
        "message": message,
        "report_date": report_date,
        "arxiv_id": arxiv_id,
        "rank": rank,
        "raw_text": raw_text,
    }
