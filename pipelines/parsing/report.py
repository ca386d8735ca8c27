"""Parse one report's bytes into a `ParsedReport`.

A report is a header (title, date, source URL) followed by paper blocks, each opened by a
`## 📄 <title>` line. Inside a block: meta lines (link, reading source), an optional inner heading,
an optional ```markdown wrapper, then the five numbered sections. The parser describes what it
finds; deciding what to publish and what to reject is the job of `pipelines.tables`.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass

from pipelines.parsing import grammar
from pipelines.parsing.model import Innovation, Paper, ParsedReport, Problem, Section

# Bump whenever a change to the parser can change its output.
# 2: the first valid date line is the report's. 3: indented and deeper `📄` headings; another
# paper's link inside a paper; two reports in one file; text after a separator in a section; bold
# numbered items; URLs in `<…>` or `[…](…)`; dates with full-width digits or a weekday after;
# section numbers in Chinese numerals; a header without papers is no report. 4: an English name
# in brackets after a section's name (`应用领域 (Application Domain)`) is part of its heading.
# 5: a section's body loses the indentation its lines share (list-item continuation).
# 6: a header without papers keeps its date (in its problem); text after a paper's closing
# separator is not given the paper's rank.
PARSER_VERSION = "6"

Line = tuple[int, str]  # (1-based line number, normalised text)
RAW_BYTES_KEPT = 2000  # of a file that is not text, only this much is kept as `raw_text`
# What each problem the parser finds puts in rejects: a whole file, a section, or single lines.
PROBLEM_LEVELS = {
    "not_utf8": "file",
    "empty_file": "file",
    "not_a_report": "file",
    "joined_reports": "file",
    "no_papers": "file",
    "unknown_section": "section",
    "unassigned_text": "line",
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# In every report title and date line (whose words are matched ignoring case); spelled out
# case by case, which Python's engine scans several times faster than with IGNORECASE.
_HEADER_HINT = re.compile(r"[Dd][Aa][Tt][Ee]|[Dd][Aa][Ii][Ll][Yy]")
AFTER_SEPARATOR = (
    "Text after a separator line at the end of a paper (a footer, or a paper or report whose "
    "heading was not recognised): not part of the paper."
)


def parse_report(data: bytes) -> ParsedReport:
    """Parse a report file's raw bytes. Never raises on bad input: problems are returned."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return unreadable_report(
            "not_utf8", f"File is not valid UTF-8 ({error.reason} at byte {error.start}).", data
        )
    lines = [line.expandtabs(4).rstrip() for line in _LINE_BREAK.split(text)]
    if "\ufeff" in text:  # a byte order mark inside (two files joined) is not part of the line
        lines = [line.lstrip("\ufeff") for line in lines]
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not open a new one
    numbered: list[Line] = list(enumerate(lines, start=1))
    if not any(text for _, text in numbered):
        return ParsedReport(
            None, None, tuple(lines), problems=(_problem("empty_file", "File is empty.", []),)
        )

    paper_starts = [number for number, text in numbered if grammar.paper_title(text) is not None]
    header_end = paper_starts[0] - 1 if paper_starts else len(lines)
    report_date, source_url, problems = _parse_header(numbered[:header_end])
    if report_date is None:
        message = (
            "No `**Date**: YYYY-MM-DD` line before the first paper: not a daily papers report."
        )
        return ParsedReport(
            None, source_url, tuple(lines), problems=(_problem("not_a_report", message, numbered),)
        )

    if not paper_starts:
        message = "A report header but no paper (`## 📄 <title>` heading): nothing to publish."
        problem = _problem("no_papers", message, numbered, report_date=report_date)
        return ParsedReport(None, source_url, tuple(lines), problems=(problem,))
    second_header = _second_header(lines[header_end:], header_end + 1)
    if second_header is not None:
        message = (
            f"Line {second_header} starts a second report (a report title or date line after "
            "the first paper): two reports joined in one file."
        )
        problem = _problem("joined_reports", message, numbered)
        return ParsedReport(None, source_url, tuple(lines), problems=(problem,))

    papers = []
    block_ends = [start - 1 for start in paper_starts[1:]] + [len(lines)]
    for rank, (start, end) in enumerate(zip(paper_starts, block_ends, strict=False), start=1):
        paper, paper_problems = _parse_paper(numbered[start - 1 : end], rank)
        papers.append(paper)
        problems.extend(paper_problems)
    return ParsedReport(report_date, source_url, tuple(lines), tuple(papers), tuple(problems))


def unreadable_report(reason_code: str, message: str, data: bytes) -> ParsedReport:
    """A file that could not be read as a report: one file-level problem, with its first bytes."""
    raw = data[:RAW_BYTES_KEPT].decode("utf-8", errors="replace")
    return ParsedReport(
        None, None, (), problems=(Problem(reason_code, "file", message, 0, 0, raw),)
    )


def _problem(
    reason_code: str,
    message: str,
    lines: list[Line],
    rank: int | None = None,
    report_date: dt.date | None = None,
) -> Problem:
    level = PROBLEM_LEVELS[reason_code]
    start = lines[0][0] if lines else 0
    end = lines[-1][0] if lines else 0
    raw = "\n".join(text for _, text in lines)
    return Problem(reason_code, level, message, start, end, raw, rank, report_date)


def _parse_header(lines: list[Line]) -> tuple[dt.date | None, str | None, list[Problem]]:
    report_date = source_url = None
    unassigned = _UnassignedRuns(
        "Header text that is neither title, date (the first valid one) nor source URL."
    )
    for number, text in lines:
        if not text:
            continue
        if grammar.is_report_title(text) or grammar.is_separator(text):
            unassigned.end_run()
            continue
        field = grammar.meta_field(text)
        if field and field[0] == "date":
            date = _iso_date(field[1])
            # The first valid date is the report's: a later line neither replaces it nor, if
            # unreadable, unsets it; a later different date is shown, as unassigned text.
            if date is not None and report_date in (None, date):
                report_date = date
                unassigned.end_run()
                continue
        elif field and field[0] == "source_url":
            url = grammar.url_value(field[1])
            # The first URL is the report's; a later one, or a value that is no URL, is shown.
            if url is not None and source_url is None:
                source_url = url
                unassigned.end_run()
                continue
        unassigned.add((number, text))
    return report_date, source_url, unassigned.problems()


class _UnassignedRuns:
    """Collects unassigned lines; a run of them, blank lines aside, becomes one problem."""

    def __init__(self, message: str, rank: int | None = None) -> None:
        self.message = message
        self.rank = rank
        self.runs: list[list[Line]] = []
        self.open = False

    def add(self, line: Line) -> None:
        if not self.open:
            self.runs.append([])
            self.open = True
        self.runs[-1].append(line)

    def end_run(self) -> None:
        self.open = False

    def problems(self) -> list[Problem]:
        return [_problem("unassigned_text", self.message, run, self.rank) for run in self.runs]


def _iso_date(value: str) -> dt.date | None:
    date = grammar.date_value(value)
    try:
        return dt.date.fromisoformat(date) if date else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Preamble:
    """What a paper block says between its heading and its first section."""

    meta: dict[str, str]  # `link` and `reading_source`, the first of each
    inner_heading: str | None
    wrapped_in_fence: bool
    problems: list[Problem]  # runs of other text


def _parse_paper(block: list[Line], rank: int) -> tuple[Paper, list[Problem]]:
    """Parse one paper block: its heading line, meta lines, preamble and sections."""
    title = grammar.paper_title(block[0][1]) or ""
    body = _strip_trailing_decoration(block[1:])
    heading_positions = _section_headings(body)
    first_section = heading_positions[0][0] if heading_positions else len(body)
    preamble = _preamble(body[:first_section], rank)
    if preamble.wrapped_in_fence and body and grammar.is_fence(body[-1][1]):
        body = _strip_trailing_decoration(body[:-1])
    sections, innovation_lines, unknown, after_separator = _sections(body, heading_positions)
    problems = (
        preamble.problems
        + [
            _problem("unknown_section", f"Unknown section heading {lines[0][1]!r}.", lines, rank)
            for lines in unknown
        ]
        # not the paper's (see AFTER_SEPARATOR): no rank, so not its arXiv id either
        + [_problem("unassigned_text", AFTER_SEPARATOR, lines) for lines in after_separator]
    )
    link = preamble.meta.get("link")
    kept = body
    if after_separator:
        cut_off = {number for lines in after_separator for number, _ in lines}
        kept = _strip_trailing_decoration([line for line in body if line[0] not in cut_off])
    paper = Paper(
        rank=rank,
        title=title,
        link_raw=link,
        arxiv_id=grammar.arxiv_id(link) if link else None,
        reading_source=preamble.meta.get("reading_source"),
        inner_heading=preamble.inner_heading,
        line_start=block[0][0],
        line_end=(kept or block)[-1][0],
        sections=tuple(sections),
        innovations=_innovations(innovation_lines),
        another_block_at=_another_block(kept[first_section:], link),
    )
    return paper, problems


def _section_headings(body: list[Line]) -> list[tuple[int, grammar.SectionHeading | None]]:
    """The positions in `body` of its section headings, in order: a known heading (None for a
    numbered heading of an unknown section, which runs to the next heading and is rejected)."""
    positions: list[tuple[int, grammar.SectionHeading | None]] = []
    last_order = -1
    for position, (_, text) in enumerate(body):
        heading = grammar.section_heading(text)
        if heading is not None:
            order = grammar.SECTION_KEYS.index(heading.key)
            if order > last_order:  # a repeated or earlier name is body text, e.g. a list item
                positions.append((position, heading))
                last_order = order
        elif (unknown := grammar.unknown_section_number(text)) and unknown > last_order + 1:
            # A number that does not move past the current section's (`**1. 名称**` in
            # section 4) numbers items inside it.
            positions.append((position, None))
    return positions


def _preamble(lines: list[Line], rank: int) -> _Preamble:
    """The meta lines, inner heading and fence before a paper's first section; any other text
    there is unassigned (a run of it, blank lines aside, is one problem)."""
    meta: dict[str, str] = {}
    inner_heading = None
    wrapped_in_fence = False
    unassigned = _UnassignedRuns(
        "Text between a paper heading and its first section that is not a known field.", rank
    )
    for number, text in lines:
        if not text:
            continue
        field = grammar.meta_field(text)
        if field and field[0] in ("link", "reading_source") and field[0] not in meta:
            meta[field[0]] = field[1]
        elif grammar.is_fence(text) and not wrapped_in_fence:
            wrapped_in_fence = True
        elif grammar.markdown_heading(text) is not None and inner_heading is None:
            inner_heading = grammar.markdown_heading(text)
        elif not grammar.is_separator(text):
            unassigned.add((number, text))
            continue
        unassigned.end_run()
    return _Preamble(meta, inner_heading, wrapped_in_fence, unassigned.problems())


def _second_header(lines: list[str], first_number: int) -> int | None:
    """The number of the first of `lines` (all from the first paper heading on, the first
    numbered `first_number`) that is a report title or a valid date line: the header of another
    report."""
    # One scan of the whole text for the words such a line holds, then a look at those lines
    # only: most of a report is neither.
    joined = "\n".join(lines)
    index = scanned = 0
    for hint in _HEADER_HINT.finditer(joined):
        index += joined.count("\n", scanned, hint.start())
        scanned = hint.start()
        number, text = first_number + index, lines[index]
        field = grammar.meta_field(text)
        if grammar.is_report_title(text) or (
            field is not None and field[0] == "date" and _iso_date(field[1]) is not None
        ):
            return number
    return None


def _another_block(lines: list[Line], link: str | None) -> int | None:
    """The first of `lines` (a paper's sections) that starts another paper: a link to another
    paper. That paper's heading was not recognised, so the two would be mixed."""
    own_id = grammar.arxiv_id(link) if link else None
    for number, text in lines:
        if "链接" not in text:  # the label of every link line; most lines have none
            continue
        field = grammar.meta_field(text)
        other_id = grammar.arxiv_id(field[1]) if field and field[0] == "link" else None
        if other_id is not None and other_id != own_id:
            return number
    return None


def _strip_trailing_decoration(lines: list[Line]) -> list[Line]:
    """Drop trailing blank and separator lines (the gap before the next paper)."""
    end = len(lines)
    while end and (not lines[end - 1][1] or grammar.is_separator(lines[end - 1][1])):
        end -= 1
    return lines[:end]


def _sections(
    body: list[Line], heading_positions: list[tuple[int, grammar.SectionHeading | None]]
) -> tuple[list[Section], list[Line], list[list[Line]], list[list[Line]]]:
    """The sections, the body lines of the innovations section (parsed further), the lines
    of each section under an unknown heading, and the text after a separator line in a section
    (a footer after the last paper, say).

    Each section runs to the next heading; the last one to the end of the body (zip stops at
    the shorter list, so a paper without headings has no section)."""
    sections = []
    innovation_lines: list[Line] = []
    unknown = []
    after_separator = []
    ends = [position for position, _ in heading_positions[1:]] + [len(body)]
    for (position, heading), end in zip(heading_positions, ends, strict=False):
        if heading is None:
            unknown.append(_trim_blank(body[position:end]))
            continue
        heading_line = body[position][0]
        inline = [(heading_line, heading.inline_text)] if heading.inline_text else []
        lines = _trim_blank(inline + _dedented(body[position + 1 : end]))
        body_text = "\n".join(text for _, text in lines)
        # Most sections have no separator: one scan of their text instead of a match per line.
        separator = _first_separator(lines) if _may_hold_separator(body_text) else None
        if separator and (after := _trim_blank(lines[separator + 1 :])):
            after_separator.append(after)
            lines = _trim_blank(lines[:separator])
            body_text = "\n".join(text for _, text in lines)
        sections.append(
            Section(
                number=heading.number,
                key=heading.key,
                heading=heading.heading,
                body=body_text,
                line_start=heading_line,
                line_end=lines[-1][0] if lines else heading_line,
            )
        )
        if heading.key == "innovations":
            innovation_lines = lines
    return sections, innovation_lines, unknown, after_separator


def _dedented(lines: list[Line]) -> list[Line]:
    """`lines` without the leading spaces that all their non-blank lines share (a section's text
    is usually indented under its numbered heading, as a list item's)."""
    if not lines:  # a section with nothing below its heading
        return lines
    texts = textwrap.dedent("\n".join(text for _, text in lines)).split("\n")
    return [(number, text) for (number, _), text in zip(lines, texts, strict=True)]


def _may_hold_separator(text: str) -> bool:
    """False for a text without a separator line (`grammar.is_separator`), most texts."""
    return "=" in text or "---" in text or "***" in text or "___" in text


def _first_separator(lines: list[Line]) -> int | None:
    """The index of the first separator line among `lines`, if any."""
    return next((i for i, (_, text) in enumerate(lines) if grammar.is_separator(text)), None)


def _trim_blank(lines: list[Line]) -> list[Line]:
    start, end = 0, len(lines)
    while start < end and not lines[start][1]:
        start += 1
    while end > start and not lines[end - 1][1]:
        end -= 1
    return lines[start:end]


def _innovations(lines: list[Line]) -> tuple[Innovation, ...]:
    """The top-level list items of the innovations section: `**name**：description`."""
    items = [(position, grammar.list_item(text)) for position, (_, text) in enumerate(lines)]
    items = [(position, item) for position, item in items if item is not None]
    if not items:
        return ()
    top_indent = min(indent for _, (indent, _) in items)
    starts = [position for position, (indent, _) in items if indent == top_indent]
    innovations = []
    for ordinal, (start, end) in enumerate(
        zip(starts, [*starts[1:], len(lines)], strict=True), start=1
    ):
        item_lines = _trim_blank(lines[start:end])
        name, first = grammar.split_lead(grammar.list_item(item_lines[0][1])[1])  # type: ignore[index]
        rest = [text.strip() for _, text in item_lines[1:]]
        description = "\n".join(part for part in [first, *rest] if part)
        innovations.append(
            Innovation(ordinal, name, description, item_lines[0][0], item_lines[-1][0])
        )
    return tuple(innovations)
