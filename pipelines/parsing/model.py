"""What the parser returns: one report, its papers, their sections and innovations.

Line numbers are 1-based and inclusive, counted in the file as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    heading: str
    body: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class Innovation:
    ordinal: int
    name: str
    description: str
    line_start: int
    line_end: int


@dataclass(frozen=True)
class Problem:
    """Something in the input that cannot be published, with the lines it covers."""

    reason_code: str
    level: str
    message: str
    line_start: int
    line_end: int
    raw_text: str
    rank: int | None = None  # of the paper it is in, if any
    # The date read from a file that is no report to publish (a header without papers).
    report_date: dt.date | None = None


@dataclass(frozen=True)
class Paper:
    rank: int
    title: str
    link_raw: str | None
    arxiv_id: str | None
    reading_source: str | None
    inner_heading: str | None
    line_start: int
    line_end: int
    sections: tuple[Section, ...]
    innovations: tuple[Innovation, ...]
    # A line in the sections that is another paper's link line (see `_another_block`).
    another_block_at: int | None = None


@dataclass(frozen=True)
class ParsedReport:
    report_date: dt.date | None
    source_url: str | None
    lines: tuple[str, ...]
    papers: tuple[Paper, ...] = ()
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def text(self, line_start: int, line_end: int) -> str:
        """The normalised source text of lines `line_start..line_end`."""
        return "\n".join(self.lines[line_start - 1 : line_end])
