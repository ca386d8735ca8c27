"""Versions recorded with every build: code, parser and the libraries that shape the data."""

from __future__ import annotations

from importlib.metadata import version

from pipelines.parsing.report import PARSER_VERSION

CODE_VERSION = version("daily-papers")
DATA_LIBRARIES = ("dagster", "duckdb", "pandera", "polars", "pyarrow")


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour can change the published files."""
    return {name: version(name) for name in DATA_LIBRARIES}


__all__ = ["CODE_VERSION", "PARSER_VERSION", "library_versions"]
