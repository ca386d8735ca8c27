"""Candidate rows for every table from the parsed reports, with the publishing rules applied.

Rules: an identical file counted twice is used once; two different files for one date are both
rejected; a paper is published only with a usable arXiv id, all five sections, and an id not
already seen in its report. Everything else goes to rejects with its reason and source text.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import polars as pl

from pipelines.parsing import Paper, ParsedReport
from pipelines.sources import SourceReport
from schemas import PARSED_TABLES, polars_schema
from schemas.sections import SECTION_KEYS


def build_tables(sources: Iterable[SourceReport]) -> dict[str, pl.DataFrame]:
    """Candidate rows of every table (before schema validation), rejects included."""
    rows: dict[str, list[dict]] = {table: [] for table in PARSED_TABLES}
    usable = _usable_sources(
        sorted(sources, key=lambda source: source.source_file), rows["rejects"]
    )
    for source in usable:
        _add_report(source, rows)
    return {
        table: pl.DataFrame(rows[table], schema=polars_schema(table), orient="row")
        for table in PARSED_TABLES
    }


def _usable_sources(sources: list[SourceReport], rejects: list[dict]) -> list[SourceReport]:
    """Sources that are readable reports, not copies, and not in conflict over their date."""
    first_by_hash: dict[str, str] = {}
    by_date: dict[object, list[SourceReport]] = defaultdict(list)
    for source in sources:
        parsed = source.parsed
        for problem in parsed.problems:
            rejects.append(
                _reject(
                    source,
                    problem.level,
                    problem.reason_code,
                    problem.message,
                    problem.line_start,
                    problem.line_end,
                    problem.raw_text,
                    rank=problem.rank,
                )
            )
        if parsed.report_date is None:
            continue
        if source.sha256 in first_by_hash:
            message = (
                f"Identical to {first_by_hash[source.sha256]} (same SHA-256); that file is used."
            )
            rejects.append(
                _reject(
                    source,
                    "file",
                    "duplicate_file",
                    message,
                    1,
                    len(parsed.lines),
                    parsed.text(1, len(parsed.lines)),
                )
            )
            continue
        first_by_hash[source.sha256] = source.source_file
        by_date[parsed.report_date].append(source)

    usable = []
    for same_date in by_date.values():
        if len(same_date) == 1:
            usable.extend(same_date)
            continue
        names = ", ".join(source.source_file for source in same_date)
        for source in same_date:
            parsed = source.parsed
            message = f"Report date {parsed.report_date} is claimed by different files: {names}."
            rejects.append(
                _reject(
                    source,
                    "report",
                    "conflicting_report",
                    message,
                    1,
                    len(parsed.lines),
                    parsed.text(1, len(parsed.lines)),
                )
            )
    return sorted(usable, key=lambda source: source.source_file)


def _add_report(source: SourceReport, rows: dict[str, list[dict]]) -> None:
    parsed = source.parsed
    provenance = {"source_file": source.source_file, "source_sha256": source.sha256}
    seen_ids: set[str] = set()
    published = 0
    for paper in parsed.papers:
        reason = _paper_reject_reason(paper, seen_ids)
        if reason is not None:
            code, message = reason
            rows["rejects"].append(
                _reject(
                    source,
                    "paper",
                    code,
                    message,
                    paper.line_start,
                    paper.line_end,
                    parsed.text(paper.line_start, paper.line_end),
                    rank=paper.rank,
                    arxiv_id=paper.arxiv_id,
                )
            )
            continue
        seen_ids.add(paper.arxiv_id)  # type: ignore[arg-type]
        published += 1
        key = {"report_date": parsed.report_date, "arxiv_id": paper.arxiv_id}
        rows["papers"].append(_paper_row(paper, key, provenance, parsed))
        for section in paper.sections:
            rows["sections"].append(
                {
                    **key,
                    "section_key": section.key,
                    "section_number": section.number,
                    "heading": section.heading,
                    "body": section.body,
                    **provenance,
                    **span_provenance(parsed, section.line_start, section.line_end),
                }
            )
        for item in paper.innovations:
            rows["innovations"].append(
                {
                    **key,
                    "ordinal": item.ordinal,
                    "name": item.name,
                    "description": item.description,
                    **provenance,
                    **span_provenance(parsed, item.line_start, item.line_end),
                }
            )
    rows["reports"].append(
        {
            "report_date": parsed.report_date,
            "source_url": parsed.source_url,
            "paper_count": published,
            **provenance,
            "source_bytes": source.size,
            **span_provenance(parsed, 1, len(parsed.lines)),
        }
    )


def _paper_reject_reason(paper: Paper, seen_ids: set[str]) -> tuple[str, str] | None:
    if paper.arxiv_id is None:
        if paper.link_raw is None:
            return "paper_without_id", "The paper has no `链接` (link) line."
        return "paper_without_id", f"No arXiv id in the link {paper.link_raw!r}."
    missing = [key for key in SECTION_KEYS if key not in {s.key for s in paper.sections}]
    if missing:
        return "missing_sections", f"Sections not found: {', '.join(missing)}."
    if paper.arxiv_id in seen_ids:
        return "duplicate_paper", f"arXiv {paper.arxiv_id} already appears earlier in this report."
    return None


def _paper_row(paper: Paper, key: dict, provenance: dict, parsed: ParsedReport) -> dict:
    return {
        **key,
        "rank": paper.rank,
        "title": paper.title,
        "paper_url": f"https://huggingface.co/papers/{paper.arxiv_id}",
        "arxiv_url": f"https://arxiv.org/abs/{paper.arxiv_id}",
        "link_raw": paper.link_raw,
        "reading_source": paper.reading_source,
        "inner_heading": paper.inner_heading,
        **provenance,
        **span_provenance(parsed, paper.line_start, paper.line_end),
    }


def span_provenance(
    parsed: ParsedReport, line_start: int, line_end: int, raw_text: str = ""
) -> dict:
    """Where a row came from: its line span and a hash of that span's text."""
    text = parsed.text(line_start, line_end) if line_start >= 1 else raw_text
    return {
        "line_start": line_start,
        "line_end": line_end,
        "span_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }


def _reject(
    source: SourceReport,
    level: str,
    reason_code: str,
    message: str,
    line_start: int,
    line_end: int,
    raw_text: str,
    *,
    rank: int | None = None,
    arxiv_id: str | None = None,
    failed_check: str | None = None,
) -> dict:
    return {
        "source_file": source.source_file,
        "source_sha256": source.sha256,
        "level": level,
        **span_provenance(source.parsed, line_start, line_end, raw_text),
        "reason_code": reason_code,
        "failed_check": failed_check,
        "message": message,
        "report_date": source.parsed.report_date,
        "arxiv_id": arxiv_id,
        "rank": rank,
        "raw_text": raw_text,
    }
