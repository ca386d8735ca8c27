"""Reading report files: bytes, checksum and parse, one file at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.parsing import ParsedReport, parse_report
from pipelines.parsing.report import unreadable_report

REPORT_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class SourceReport:
    """A report file as read: where it came from, its checksum, and what the parser made of it."""

    source_file: str
    sha256: str
    size: int
    parsed: ParsedReport

    def failed(self, reason_code: str, message: str) -> SourceReport:
        """This file with what the parser made of it replaced by one file-level problem."""
        text = "\n".join(self.parsed.lines).encode("utf-8")
        parsed = unreadable_report(reason_code, message, text)
        return SourceReport(self.source_file, self.sha256, self.size, parsed)


def report_files(seeds_dir: Path) -> list[str]:
    """Names (relative to `seeds_dir`) of the report files in it, sorted. A broken link counts
    too: reading it fails, and it is rejected as unreadable rather than silently left out."""
    return sorted(
        path.relative_to(seeds_dir).as_posix()
        for path in seeds_dir.rglob("*")
        if (path.is_file() or path.is_symlink()) and path.suffix.lower() in REPORT_SUFFIXES
    )


def read_source(seeds_dir: Path, name: str) -> SourceReport:
    """Read and parse one file. Never raises: a file that cannot be read or parsed is returned
    with a file-level problem, so one bad file cannot stop the others."""
    try:
        data = (seeds_dir / name).read_bytes()
    except OSError as error:
        return _failed(name, b"", "unreadable_file", f"Cannot read the file: {error.strerror}.")
    try:
        parsed = parse_report(data)
    except Exception as error:  # a parser bug must not cost the other files their run
        message = f"The parser failed on this file ({type(error).__name__}: {error})."
        return _failed(name, data, "parse_error", message)
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parsed)


def _failed(name: str, data: bytes, reason_code: str, message: str) -> SourceReport:
    parsed = unreadable_report(reason_code, message, data)
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parsed)
