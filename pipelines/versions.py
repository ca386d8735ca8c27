"""Versions recorded with every build: code, parser and the libraries that shape the data."""

from __future__ import annotations

import hashlib
from importlib.metadata import version
from pathlib import Path

from pipelines.parsing.report import PARSER_VERSION
from schemas import SCHEMA_VERSION

CODE_VERSION = version("daily-papers")
# The code that turns one report file into its candidate rows (`pipelines.tables.build`).
_PIPELINES = Path(__file__).resolve().parent
ROWS_CODE = (
    _PIPELINES / "sources.py",
    _PIPELINES / "provenance.py",
    _PIPELINES / "parsing",
    _PIPELINES / "facets",
    _PIPELINES / "tables" / "build.py",
    _PIPELINES / "tables" / "accounting.py",
    _PIPELINES.parent / "schemas",
)
DATA_LIBRARIES = ("dagster", "duckdb", "pandera", "polars", "pyarrow")


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour can change the published files."""
    return {name: version(name) for name in DATA_LIBRARIES}


def rows_version() -> str:
    """Version of the stored per-report rows: parser and schema version plus a hash of the code
    that makes them, so any change to that code makes every report be parsed again."""
    digest = hashlib.sha256()
    for folder_or_file in ROWS_CODE:
        paths = (
            sorted(folder_or_file.rglob("*.py")) if folder_or_file.is_dir() else [folder_or_file]
        )
        for path in paths:
            digest.update(path.relative_to(_PIPELINES.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return f"parser-{PARSER_VERSION}+schema-{SCHEMA_VERSION}+code-{digest.hexdigest()[:12]}"


__all__ = ["CODE_VERSION", "PARSER_VERSION", "library_versions", "rows_version"]
