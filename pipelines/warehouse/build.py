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

from pipelines.files import fsync_dir, fsync_file, temporary_beside
from pipelines.parquet import TableFile
from pipelines.tables.inputs import input_files
from pipelines.warehouse import ddl, history
from schemas import TABLES

WAREHOUSE_FILE = "daily_papers.duckdb"
STORAGE_VERSION = "v1.2.0"
# DuckDB streams the Parquet files in; a bounded memory keeps big loads within the machine's.
MEMORY_LIMIT = "1GB"
VIEW_NAMES = ("paper_summaries", "paper_innovations", "report_overview", "rejects_by_reason")


def build_warehouse(path: Path, tables: Mapping[str, TableFile], run_id: str | None = None) -> None:
    """Load the table files (and the views) into a new DuckDB file at `path`, replacing any old
    one.

    With a `run_id`, the history tables are carried over from the old file and the run's input
    files recorded; without, the file holds the tables and views only (the release copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    temporary.unlink(missing_ok=True)
    with duckdb.connect(config={"memory_limit": MEMORY_LIMIT}) as connection:
        connection.execute(
            f"ATTACH '{temporary}' AS warehouse (STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        connection.execute("USE warehouse")
        for table in TABLES:
            connection.execute(ddl.create_table(table))
            for statement in ddl.comments(table):
                connection.execute(statement)
            connection.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)",
                [str(tables[table].path)],
            )
        for statement in _view_statements():
            connection.execute(statement)
        if run_id is not None:
            history.create_history_tables(connection)
            history.carry_over(connection, path)
            sources = input_files(
                tables["reports"].read(), tables["rejects"].read(["source_file", "source_sha256"])
            )
            history.record_source_files(connection, sources, run_id)
        connection.execute("USE memory")
        connection.execute("DETACH warehouse")
    fsync_file(temporary)
    os.replace(temporary, path)
    fsync_dir(path.parent)


def remove_stale_temporaries(warehouse_dir: Path) -> list[Path]:
    """Delete half-written database files left by killed builds; call only under the build lock."""
    stale = sorted(warehouse_dir.glob(f".{WAREHOUSE_FILE}.*.tmp*"))  # with its `.wal`
    for path in stale:
        path.unlink()
    return stale


def _view_statements() -> list[str]:
    text = files("pipelines.warehouse").joinpath("views.sql").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
