"""Reading report files: bytes, checksum and parse, one file at a time."""

from __future__ import annotations

import hashlib
import os
import re
import stat
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


class SeedsFolderError(RuntimeError):
    """The seeds folder itself cannot be listed: no file in it can be read or rejected."""

    def __init__(self, seeds_dir: Path, reason: str) -> None:
        super().__init__(f"Cannot list the seeds folder {seeds_dir}: {reason}.")
        self.reason = reason


def report_files(seeds_dir: Path) -> list[str]:
    """Names (relative to `seeds_dir`) of the report files in it, sorted.

    Links to folders are followed, and each folder is read once: by its own path rather than
    through a link, else by the first link in name order. A broken link counts too, and so does
    a subfolder that cannot be listed: reading either fails, and it is rejected as unreadable
    rather than silently left out (the reports in such a folder would otherwise vanish from the
    tables without a trace)."""
    unlisted: list[OSError] = []
    names = []
    read = set()
    # The folders that have a path of their own here (no link on the way): read by that path.
    own_paths = {os.path.realpath(folder): folder for folder, _, _ in os.walk(seeds_dir)}
    walk = os.walk(seeds_dir, onerror=unlisted.append, followlinks=True)
    for folder, subfolders, files in walk:
        # The same names whatever order the disk lists them in; a folder by its own path first.
        subfolders.sort(key=lambda name: (os.path.islink(os.path.join(folder, name)), name))
        real = os.path.realpath(folder)
        if real in read or own_paths.get(real, folder) != folder:
            subfolders.clear()  # read already, or to be read by its own path: not through a link
            continue
        read.add(real)
        # String operations, not a Path per file: ten years of reports are listed in 6 ms, not 60.
        prefix = Path(folder).relative_to(seeds_dir).as_posix()
        names += [
            name if prefix == "." else f"{prefix}/{name}"
            for name in files
            if os.path.splitext(name)[1].lower() in REPORT_SUFFIXES
        ]
    for error in unlisted:
        if error.filename == os.fspath(seeds_dir):
            raise SeedsFolderError(seeds_dir, error.strerror)
        names.append(Path(error.filename).relative_to(seeds_dir).as_posix())
    return sorted(_printable(name) for name in names)


def _printable(name: str) -> str:
    """The name, with the bytes of a name that is not UTF-8 written as `\\xff` escapes (as
    read, such bytes are lone surrogates, which no partition key or table can hold). A file
    so named is then not found by that name, and is rejected as unreadable."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


def _has_unprintable_name(seeds_dir: Path, name: str) -> bool:
    """Whether `name` is what `_printable` made of a file name that is not UTF-8."""
    raw = _ESCAPED_BYTE.sub(lambda byte: bytes([int(byte[1], 16)]), name.encode())
    return raw != name.encode() and os.path.lexists(os.fsencode(seeds_dir) + b"/" + raw)


def read_source(seeds_dir: Path, name: str) -> SourceReport:
    """Read and parse one file. Never raises: a file that cannot be read or parsed is returned
    with a file-level problem, so one bad file cannot stop the others."""
    path = seeds_dir / name
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            return _failed(name, b"", "unreadable_file", _folder_problem(path))
        if not stat.S_ISREG(mode):
            # Reading a named pipe would wait for a writer forever.
            message = "Not a regular file (a named pipe, socket or device): only files are read."
            return _failed(name, b"", "unreadable_file", message)
        data = path.read_bytes()
    except OSError as error:
        if _has_unprintable_name(seeds_dir, name):
            message = "The file name is not valid UTF-8 (shown with \\x escapes): rename it."
        else:
            message = f"Cannot read the file: {error.strerror}."
        return _failed(name, b"", "unreadable_file", message)
    try:
        parsed = parse_report(data)
    except Exception as error:  # a parser bug must not cost the other files their run
        message = f"The parser failed on this file ({type(error).__name__}: {error})."
        return _failed(name, data, "parse_error", message)
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parsed)


def _failed(name: str, data: bytes, reason_code: str, message: str) -> SourceReport:
    parsed = unreadable_report(reason_code, message, data)
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parsed)


def _folder_problem(path: Path) -> str:
    try:
        os.listdir(path)
    except OSError as error:
        return f"Cannot list the folder: {error.strerror}. The reports in it were not read."
    return "A folder, not a file."
