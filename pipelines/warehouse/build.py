"""Bring the warehouse file up to date with the stored tables: rebuilt whole, or updated.

A rebuild writes a new DuckDB database beside the old one and renames it over the old one only
once complete. An update, possible when the warehouse holds the tables of the build the current
tables were updated from, replaces the rows of the changed source files in one transaction.
Either way a failed or killed load leaves the previous warehouse as it was. The file is written
with a storage version that DuckDB 1.2 and later can open.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path

import duckdb
import polars as pl

from pipelines.files import fsync_dir, fsync_file, temporary_beside
from pipelines.parquet import TableFile
from pipelines.tables.inputs import INPUT_COLUMNS, input_files
from pipelines.tables.store import TablesState
from pipelines.warehouse import ddl, history
from schemas import HISTORY_TABLES, TABLES

WAREHOUSE_FILE = "daily_papers.duckdb"
STORAGE_VERSION = "v1.2.0"
# DuckDB streams the Parquet files in; a bounded memory keeps big loads within the machine's.
MEMORY_LIMIT = "1GB"
# An update replaces rows file by file and keeps the primary-key indexes up to date as it goes
# (about 10 ms a file with ten years loaded); a rebuild loads everything and builds each index
# once (about 2 ms a report). So a build that replaces more than a fifth of the files, and more
# than a few dozen, rebuilds: e.g. after every report file was touched, 7 s instead of 36 s.
UPDATE_FILES_ALWAYS = 50
UPDATE_SHARE_AT_MOST = 0.2


def load_warehouse(
    path: Path, tables: Mapping[str, TableFile], state: TablesState | None, run_id: str
) -> str:
    """Update the warehouse at `path` to hold `tables` (built as `state` records), or rebuild
    it; returns which of the two was done ("updated" or "rebuilt")."""
    if state is not None and worth_updating(state) and path.exists():
        with duckdb.connect(str(path), config={"memory_limit": MEMORY_LIMIT}) as connection:
            if _loaded_build(connection) == state.previous_build_id:
                _update(connection, tables, state, run_id)
                return "updated"
    build_warehouse(path, tables, run_id, state.build_id if state else None)
    return "rebuilt"


def worth_updating(state: TablesState) -> bool:
    """Whether to update the warehouse in place rather than rebuild it (if it can be updated)."""
    if state.replaced_files is None:  # the tables were built from scratch
        return False
    replaced = len(state.replaced_files)
    return replaced <= max(UPDATE_FILES_ALWAYS, UPDATE_SHARE_AT_MOST * len(state.reports))


def build_warehouse(
    path: Path, tables: Mapping[str, TableFile], run_id: str, tables_build: str | None
) -> None:
    """Load the table files (and the views) into a new DuckDB file at `path`, replacing any old
    one; the history tables are carried over from the old file and the load recorded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _merge_left_over_log(path)
    temporary = temporary_beside(path)
    temporary.unlink(missing_ok=True)
    # Rows in any order: DuckDB then loads each table on every core (a quarter faster at ten
    # years). SQL promises no order without ORDER BY, and the published Parquet files keep theirs.
    config = {"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False}
    with duckdb.connect(config=config) as connection:
        connection.execute(
            f"ATTACH {ddl.literal(str(temporary))} AS warehouse "
            f"(STORAGE_VERSION '{STORAGE_VERSION}')"
        )
        connection.execute("USE warehouse")
        for table in TABLES:
            connection.execute(ddl.create_table(table, primary_key=False))
            for statement in ddl.comments(table):
                connection.execute(statement)
            connection.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)",
                [str(tables[table].path)],
            )
            connection.execute(ddl.add_primary_key(table))
        for statement in [*_view_statements(), *ddl.view_comments()]:
            connection.execute(statement)
        history.create_history_tables(connection)
        history.carry_over(connection, path)
        history.record_source_files(connection, _input_files(tables), run_id)
        _record_load(connection, run_id, tables_build, "rebuilt", None)
        connection.execute("USE memory")
        connection.execute("DETACH warehouse")
    fsync_file(temporary)
    os.replace(temporary, path)
    fsync_dir(path.parent)


def _update(
    connection: duckdb.DuckDBPyConnection,
    tables: Mapping[str, TableFile],
    state: TablesState,
    run_id: str,
) -> None:
    replaced = state.replaced_files
    connection.execute("BEGIN TRANSACTION")
    for table in TABLES:
        _replace_rows(connection, table, tables[table], replaced)
    history.record_source_files(connection, _input_files(tables), run_id)
    _record_load(connection, run_id, state.build_id, "updated", len(replaced))
    connection.execute("COMMIT")
    connection.execute("CHECKPOINT")  # the release copies the file: all of it must be in there


def _input_files(tables: Mapping[str, TableFile]) -> pl.DataFrame:
    return input_files(tables["reports"].read(INPUT_COLUMNS), tables["rejects"].read(INPUT_COLUMNS))


def _replace_rows(
    connection: duckdb.DuckDBPyConnection, table: str, file: TableFile, source_files: list[str]
) -> None:
    """Replace the rows of `source_files` in `table` with those in the table file."""
    connection.execute(
        f"DELETE FROM {table} WHERE source_file IN (SELECT unnest($files))",
        {"files": source_files},
    )
    connection.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($path) "
        "WHERE source_file IN (SELECT unnest($files))",
        {"path": str(file.path), "files": source_files},
    )


def _loaded_build(connection: duckdb.DuckDBPyConnection) -> str | None:
    """The tables build the warehouse holds, as its last load recorded."""
    if not ddl.has_table(connection, "warehouse_loads"):
        return None
    row = connection.execute(
        "SELECT tables_build FROM warehouse_loads ORDER BY loaded_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def _record_load(
    connection: duckdb.DuckDBPyConnection,
    run_id: str,
    tables_build: str | None,
    mode: str,
    files_replaced: int | None,
) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO warehouse_loads BY NAME "
        "SELECT ? AS run_id, ? AS tables_build, ? AS mode, ? AS files_replaced, ? AS loaded_at",
        [run_id, tables_build, mode, files_replaced, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )


def copy_tables(warehouse: Path, path: Path) -> None:
    """A copy of the warehouse at `path` with the published tables and views only (for a
    release): the file copied, then its history tables dropped."""
    shutil.copyfile(warehouse, path)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists():  # changes not yet checkpointed into the file
        shutil.copyfile(wal, path.with_name(path.name + ".wal"))
    with duckdb.connect(str(path)) as connection:
        for table in HISTORY_TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute("CHECKPOINT")


def cannot_open(path: Path, error: duckdb.Error) -> str:
    """What to do about a warehouse file that DuckDB cannot open."""
    return (
        f"The warehouse file {path} cannot be opened ({error}). If another program has it open "
        f"for writing, close that and build again. If the file is damaged, move it (and any "
        f"{path.name}.wal beside it) aside and build again: its tables are rebuilt from the "
        "stored table files, and its history tables (runs, loads, releases) start afresh."
    )


def _merge_left_over_log(path: Path) -> None:
    """Merge into the file at `path` the write-ahead log that a killed process left beside it
    (changes it committed but never checkpointed). Left there, DuckDB would replay it onto the
    new file that replaces this one, deleting and inserting rows by position in the wrong file."""
    log = path.with_name(f"{path.name}.wal")
    if log.exists() and not path.exists():  # the log of a file moved away
        log.unlink()
    elif log.exists():
        with duckdb.connect(str(path)) as connection:  # opening it replays the log
            connection.execute("CHECKPOINT")


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
