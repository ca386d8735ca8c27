"""Versions recorded with every build: code, parser and the libraries that shape the data."""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from pipelines.parsing.report import PARSER_VERSION
from schemas import SCHEMA_VERSION

# The code that turns one report file into its candidate rows (`pipelines.tables.build`).
_PIPELINES = Path(__file__).resolve().parent
ROWS_CODE = (
    _PIPELINES / "sources.py",
    _PIPELINES / "provenance.py",
    _PIPELINES / "parsing",
    _PIPELINES / "facets",
    _PIPELINES / "tables" / "build.py",
    _PIPELINES / "tables" / "accounting.py",
    _PIPELINES / "tables" / "rejects.py",
    _PIPELINES.parent / "schemas",
)
# The code that combines the rows of many reports into the stored tables: which reports are
# redone, the rules across reports, validation (in batches and in the type check), which stored
# rows are kept, and how the files are written.
TABLES_CODE = (
    _PIPELINES / "tables" / "update.py",
    _PIPELINES / "tables" / "combine.py",
    _PIPELINES / "tables" / "validate.py",
    _PIPELINES / "tables" / "parallel.py",
    _PIPELINES / "table_types.py",
    _PIPELINES / "assets" / "tables.py",
    _PIPELINES / "parquet.py",
)
# In those folders, but no part of making rows: the docs generators and the warehouse history.
NOT_ROWS_CODE = ("schemas/dictionary.py", "schemas/fingerprint.py", "schemas/history.py")
CODE_SUFFIXES = (".py", ".sql")  # the warehouse views are SQL
DATA_LIBRARIES = ("dagster", "duckdb", "pandera", "polars", "pyarrow")


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour can change the published files."""
    return {name: version(name) for name in DATA_LIBRARIES}


def code_version(*parts: str) -> str:
    """A hash of the code in `parts` (files or folders of `pipelines/`): a Dagster code version
    that changes whenever that code does."""
    return _code_hash(tuple(_PIPELINES / part for part in parts))


def _code_hash(files_and_folders: tuple[Path, ...], leave_out: tuple[str, ...] = ()) -> str:
    """A short SHA-256 of the code files in `files_and_folders`, but those named in
    `leave_out` (paths from the project folder)."""
    digest = hashlib.sha256()
    for folder_or_file in files_and_folders:
        paths = (
            sorted(p for p in folder_or_file.rglob("*") if p.suffix in CODE_SUFFIXES)
            if folder_or_file.is_dir()
            else [folder_or_file]
        )
        for path in paths:
            name = path.relative_to(_PIPELINES.parent).as_posix()
            if name in leave_out:
                continue
            digest.update(name.encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


# The package version and a hash of all its code (`pipelines/`, `schemas/`): which code ran a
# build or made a release, also between package versions.
CODE_VERSION = (
    f"{version('daily-papers')}+{_code_hash((_PIPELINES, _PIPELINES.parent / 'schemas'))}"
)
# Version of the stored per-report rows: parser and schema version plus a hash of the code that
# makes them, so any change to that code makes every report be parsed again.
ROWS_VERSION = (
    f"parser-{PARSER_VERSION}+schema-{SCHEMA_VERSION}+code-{_code_hash(ROWS_CODE, NOT_ROWS_CODE)}"
)
# Version of the stored tables: the rows version plus a hash of the code that combines, validates
# and writes them, so any change to it rebuilds the tables from scratch.
TABLES_VERSION = f"{ROWS_VERSION}+tables-{_code_hash(TABLES_CODE, NOT_ROWS_CODE)}"

__all__ = [
    "CODE_VERSION",
    "PARSER_VERSION",
    "ROWS_VERSION",
    "TABLES_VERSION",
    "code_version",
    "library_versions",
]
