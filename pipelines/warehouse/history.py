"""The warehouse's history tables: carried from one warehouse file to the next, appended to.

Writers: the warehouse build (source files, and each load in `warehouse_loads`), the release
asset (releases and their files), and `record_run` after every run (the run and each of its
asset check results).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse import ddl
from schemas import HISTORY_TABLES, check_row_columns, polars_schema


def create_history_tables(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the history tables the database lacks, with their descriptions (a table already
    there keeps the descriptions it was made with)."""
    existing = ddl.table_names(connection)
    for table in HISTORY_TABLES:
        if table in existing:
            continue  # commenting every column again would be a write each time
        connection.execute(ddl.create_table(table))
        for statement in ddl.comments(table):
            connection.execute(statement)


def carry_over(connection: duckdb.DuckDBPyConnection, previous: Path) -> None:
    """Copy the history rows of the previous warehouse file into the current database."""
    if not previous.exists():
        return
    connection.execute(f"ATTACH {ddl.literal(str(previous))} AS previous (READ_ONLY)")
    try:
        existing = {
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'previous'"
            ).fetchall()
        }
        for table in HISTORY_TABLES:
            if table in existing:
                connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM previous.{table}")
    finally:
        connection.execute("DETACH previous")


def record_source_files(
    connection: duckdb.DuckDBPyConnection, inputs: pl.DataFrame, run_id: str
) -> None:
    """Mark every input file version as seen by `run_id` (first seen, if new)."""
    connection.register("seen", inputs.select("source_file", "source_sha256", "report_date"))
    connection.execute(
        "UPDATE source_files SET last_seen_run = ? FROM seen "
        "WHERE source_files.source_file = seen.source_file "
        "AND source_files.source_sha256 = seen.source_sha256",
        [run_id],
    )
    connection.execute(
        "INSERT INTO source_files BY NAME "
        "SELECT source_file, source_sha256, report_date, "
        "$run AS first_seen_run, $run AS last_seen_run FROM seen "
        "ANTI JOIN source_files USING (source_file, source_sha256)",
        {"run": run_id},
    )
    connection.unregister("seen")


def recorded(connection: duckdb.DuckDBPyConnection, table: str, key: str) -> set[str]:
    """The `key` values (run or release ids) that history `table` holds (none if the
    warehouse has no such table yet)."""
    if not ddl.has_table(connection, table):
        return set()
    return {value for (value,) in connection.execute(f"SELECT {key} FROM {table}").fetchall()}


def append_rows(
    connection: duckdb.DuckDBPyConnection,
    rows: dict[str, list[dict]],
    replace_key: dict[str, str],
) -> None:
    """Insert history rows into the warehouse in one transaction, creating the history tables
    it lacks.

    For each table, rows whose `replace_key` column value is being written are deleted first, so
    recording the same run or release again replaces its rows instead of failing. Rows that do
    not fit the table's model (a missing or misspelt column, a value its checks refuse) raise
    before anything is written.
    """
    frames = {
        table: _validated(table, table_rows) for table, table_rows in rows.items() if table_rows
    }
    create_history_tables(connection)
    connection.execute("BEGIN TRANSACTION")
    try:
        for table, frame in frames.items():
            connection.register("incoming", frame.to_arrow())
            key = replace_key[table]
            connection.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT DISTINCT {key} FROM incoming)"
            )
            connection.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
            connection.unregister("incoming")
    except BaseException:
        connection.execute("ROLLBACK")  # the caller's connection goes on without it
        raise
    connection.execute("COMMIT")


def _validated(table: str, rows: list[dict]) -> pl.DataFrame:
    check_row_columns(table, rows)
    frame = pl.DataFrame(rows, schema=polars_schema(table), orient="row")
    return HISTORY_TABLES[table].validate(frame)
