"""Reading report files: bytes, checksum and parse, one file at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.parsing import ParsedReport, parse_report

REPORT_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class SourceReport:
    """A report file as read: where it came from, its checksum, and what the parser made of it."""

    source_file: str
    sha256: str
    size: int
    parsed: ParsedReport


def report_files(seeds_dir: Path) -> list[str]:
    """Names (relative to `seeds_dir`) of the report files in it, sorted."""
    return sorted(
        path.relative_to(seeds_dir).as_posix()
        for path in seeds_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in REPORT_SUFFIXES
    )


def read_source(seeds_dir: Path, name: str) -> SourceReport:
    data = (seeds_dir / name).read_bytes()
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parse_report(data))
