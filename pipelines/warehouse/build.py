"""Build the warehouse file: a fresh DuckDB database swapped in whole.

The new database is written beside the old one and renamed over it only once complete, so a
failed or killed build leaves the previous warehouse as it was. It is written with a storage
version that DuckDB 1.2 and later can open.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import duckdb
import polars as pl

from pipelines.files import fsync_dir, fsync_file
from pipelines.warehouse import ddl
from schemas import TABLES

WAREHOUSE_FILE = "daily_papers.duckdb"
STORAGE_VERSION = "v1.2.0"
VIEW_NAMES = ("paper_summaries", "paper_innovations", "report_overview", "rejects_by_reason")


def build_warehouse(path: Path, tables: Mapping[str, pl.DataFrame]) -> None:
    """Write `tables` (and the views) into a new DuckDB file at `path`, replacing any old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        connection.execute(
            f"ATTACH '{temporary}' AS warehouse (STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        connection.execute("USE warehouse")
        for table in TABLES:
            connection.execute(ddl.create_table(table))
            for statement in ddl.comments(table):
                connection.execute(statement)
            connection.register("incoming", tables[table].to_arrow())
            connection.execute(f"INSERT INTO {table} SELECT * FROM incoming")
            connection.unregister("incoming")
        for statement in _view_statements():
            connection.execute(statement)
        connection.execute("USE memory")
        connection.execute("DETACH warehouse")
    fsync_file(temporary)
    os.replace(temporary, path)
    fsync_dir(path.parent)


def _view_statements() -> list[str]:
    text = files("pipelines.warehouse").joinpath("views.sql").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
