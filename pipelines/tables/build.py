"""Candidate rows for every table, one report at a time, with the rules within a report applied.

Rules: a paper is published only with a usable arXiv id, all five sections, and an id not already
seen in its report. Everything else goes to rejects with its reason and source text.

`report_rows` does all the work that needs only one report (parsing is already done; rows,
facets and line accounting), so reports can be processed in parallel and kept between runs;
`pipelines.tables.combine` then applies the rules that look across reports.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from functools import cache

import polars as pl
import pyarrow as pa

from pipelines.facets import paper_facet_rows
from pipelines.parsing import Paper, ParsedReport
from pipelines.provenance import span_provenance
from pipelines.sources import SourceReport
from pipelines.tables.accounting import unassigned_lines
from pipelines.tables.rejects import reject_row
from schemas import FACET_TABLES, PARSED_TABLES, check_row_columns, polars_schema
from schemas.sections import SECTION_KEYS

CANDIDATE_TABLES = (*PARSED_TABLES, *FACET_TABLES)


@dataclass(frozen=True)
class ReportRows:
    """Everything one input file contributes, before the rules that look across files.

    Rows and text are kept compressed (LZ4 Arrow IPC streams and zlib): thousands of reports are
    held and stored at once, and many small data frames cost far more memory than their data."""

    source_file: str
    sha256: str
    size: int
    report_date: dt.date | None
    line_count: int
    papers_found: int
    unassigned_lines: tuple[int, ...]  # non-blank lines no candidate row or reject covers
    packed_text: bytes  # the normalised source text, for the raw text of rejects
    packed_problems: bytes  # rejects for what the parser could not read
    packed_tables: dict[str, bytes]  # candidate rows; rejects here are rejected papers

    @property
    def source_text(self) -> str:
        return zlib.decompress(self.packed_text).decode("utf-8")

    @property
    def problems(self) -> pl.DataFrame:
        return pl.from_arrow(unpack_rows(self.packed_problems))

    def text(self, line_start: int, line_end: int) -> str:
        """The normalised source text of lines `line_start..line_end`."""
        return "\n".join(self.source_text.split("\n")[line_start - 1 : line_end])


def report_rows(source: SourceReport) -> ReportRows:
    """Candidate rows of every table (facets included) from one parsed report. Never raises: a
    bug in the code that makes rows costs this file (a `parse_error` reject), not the run."""
    try:
        return _report_rows(source)
    except Exception as error:
        message = f"Making rows from this file failed ({type(error).__name__}: {error})."
        return _report_rows(source.failed("parse_error", message))


def _report_rows(source: SourceReport) -> ReportRows:
    parsed = source.parsed
    paper_ids = {paper.rank: paper.arxiv_id for paper in parsed.papers}
    problems = [
        _reject(
            source,
            problem.level,
            problem.reason_code,
            problem.message,
            problem.line_start,
            problem.line_end,
            problem.raw_text,
            rank=problem.rank,
            arxiv_id=paper_ids.get(problem.rank),
            report_date=problem.report_date,
        )
        for problem in parsed.problems
    ]
    rows: dict[str, list[dict]] = {table: [] for table in CANDIDATE_TABLES}
    if parsed.report_date is not None:
        _add_report(source, rows)
    spans = [(r["line_start"], r["line_end"]) for r in rows["papers"] + rows["rejects"] + problems]
    return ReportRows(
        source_file=source.source_file,
        sha256=source.sha256,
        size=source.size,
        report_date=parsed.report_date,
        line_count=len(parsed.lines),
        papers_found=len(parsed.papers),
        unassigned_lines=tuple(unassigned_lines(parsed.lines, spans)),
        packed_text=zlib.compress("\n".join(parsed.lines).encode("utf-8"), 1),
        packed_problems=pack_rows("rejects", problems),
        packed_tables={table: pack_rows(table, rows[table]) for table in CANDIDATE_TABLES},
    )


@cache
def candidate_schema(table: str) -> pa.Schema:
    """Arrow schema of a table's candidate rows: its polars types, as polars hands them over."""
    return pl.DataFrame(schema=polars_schema(table)).to_arrow().schema


# LZ4 rather than zstd: a third larger, but it compresses twice and decompresses seven times
# as fast, and every report is packed once and unpacked by every full build of the tables.
PACK_CODEC = "lz4"


def pack_rows(table: str, rows: list[dict]) -> bytes:
    """Rows as one LZ4-compressed Arrow IPC stream, prefixed with its uncompressed size."""
    if not rows:
        return _packed_empty(table)  # most reports have no rejects: skip the fixed cost
    check_row_columns(table, rows)
    # Straight from Python to Arrow: a polars data frame on the way costs twice as much.
    return _pack(pa.Table.from_pylist(rows, schema=candidate_schema(table)))


@cache
def _packed_empty(table: str) -> bytes:
    return _pack(candidate_schema(table).empty_table())


def _pack(stream: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, stream.schema) as writer:
        writer.write_table(stream)
    raw = sink.getvalue()
    return raw.size.to_bytes(8, "little") + pa.compress(raw, codec=PACK_CODEC, asbytes=True)


def unpack_rows(packed: bytes) -> pa.Table:
    # Compressing the whole stream, not each column buffer, makes reading thousands of small
    # pieces several times faster; pyarrow reads them faster than polars does.
    size = int.from_bytes(packed[:8], "little")
    raw = pa.decompress(packed[8:], decompressed_size=size, codec=PACK_CODEC)
    return pa.ipc.open_stream(raw).read_all()


def _add_report(source: SourceReport, rows: dict[str, list[dict]]) -> None:
    parsed = source.parsed
    provenance = {"source_file": source.source_file, "source_sha256": source.sha256}
    unusable = [_unusable_reason(paper) for paper in parsed.papers]
    taken = _copies_taken([p for p, why in zip(parsed.papers, unusable, strict=True) if not why])
    published = 0
    for paper, why_unusable in zip(parsed.papers, unusable, strict=True):
        reason = why_unusable or _duplicate_reason(paper, taken)
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
        published += 1
        key = {"report_date": parsed.report_date, "arxiv_id": paper.arxiv_id}
        rows["papers"].append(_paper_row(paper, key, provenance, parsed))
        sections = [
            {
                **key,
                "section_key": section.key,
                "section_number": section.number,
                "heading": section.heading,
                "body": section.body,
                **provenance,
                **span_provenance(parsed, section.line_start, section.line_end),
            }
            for section in paper.sections
        ]
        rows["sections"].extend(sections)
        for table, facet_rows in paper_facet_rows(key, sections, paper.title, parsed).items():
            rows[table].extend(facet_rows)
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


def _copies_taken(usable: list[Paper]) -> dict[str, Paper]:
    """The copy published of each arXiv id among the papers that could be published, when a
    report has several: the first that looks complete, else the first. A copy with an empty
    title or section would fail its schema check and leave the paper unpublished although a
    later copy is whole."""
    taken: dict[str, Paper] = {}
    for paper in usable:
        first = taken.setdefault(paper.arxiv_id, paper)  # type: ignore[arg-type]
        if not _looks_complete(first) and _looks_complete(paper):
            taken[paper.arxiv_id] = paper  # type: ignore[index]
    return taken


def _looks_complete(paper: Paper) -> bool:
    return bool(paper.title.strip()) and all(section.body.strip() for section in paper.sections)


def _duplicate_reason(paper: Paper, taken: dict[str, Paper]) -> tuple[str, str] | None:
    """`duplicate_paper` for a usable paper that is not the copy taken of its arXiv id."""
    copy = taken[paper.arxiv_id]  # type: ignore[index]
    if copy is paper:
        return None
    where = "earlier" if copy.line_start < paper.line_start else "later"
    return "duplicate_paper", (
        f"arXiv {paper.arxiv_id} also appears {where} in this report, in the paper from "
        f"line {copy.line_start}: that copy is the one used."
    )


def _unusable_reason(paper: Paper) -> tuple[str, str] | None:
    """Why the paper cannot be published, whatever else the report holds."""
    if paper.another_block_at is not None:
        return "mixed_blocks", (
            f"Line {paper.another_block_at}, inside the paper's sections, is the link of another "
            "paper, whose heading was not recognised: the two papers would be mixed."
        )
    if paper.arxiv_id is None:
        if paper.link_raw is None:
            return "paper_without_id", "The paper has no `链接` (link) line."
        return "paper_without_id", f"No arXiv id in the link {paper.link_raw!r}."
    missing = [key for key in SECTION_KEYS if key not in {s.key for s in paper.sections}]
    if missing:
        return "missing_sections", f"Sections not found: {', '.join(missing)}."
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
    report_date: dt.date | None = None,
) -> dict:
    return reject_row(
        source_file=source.source_file,
        source_sha256=source.sha256,
        level=level,
        **span_provenance(source.parsed, line_start, line_end, raw_text),
        reason_code=reason_code,
        message=message,
        report_date=source.parsed.report_date or report_date,
        arxiv_id=arxiv_id,
        rank=rank,
        raw_text=raw_text,
    )
