"""DuckDB DDL derived from the Pandera schemas: types, NOT NULL, primary keys and comments (of
the views too)."""

from __future__ import annotations

import duckdb
import polars as pl

from schemas import model
from schemas.views import VIEWS

_DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Date: "DATE",
    pl.Boolean: "BOOLEAN",
    pl.Datetime: "TIMESTAMP",
}


def create_table(table: str, primary_key: bool = True) -> str:
    """`CREATE TABLE`; without its primary key if `primary_key` is False (see `add_primary_key`)."""
    schema = model(table).to_schema()
    columns = [
        f"{name} {_DUCKDB_TYPES[column.dtype.type.base_type()]}"
        + ("" if column.nullable else " NOT NULL")
        for name, column in schema.columns.items()
    ]
    if primary_key:
        columns.append(_primary_key(table))
    return f"CREATE TABLE {table} (\n    " + ",\n    ".join(columns) + "\n)"


def add_primary_key(table: str) -> str:
    """`ALTER TABLE … ADD PRIMARY KEY`: building the key's index once, over loaded rows, is
    faster than keeping it up to date row by row while they are inserted."""
    return f"ALTER TABLE {table} ADD {_primary_key(table)}"


def _primary_key(table: str) -> str:
    return f"PRIMARY KEY ({', '.join(model(table).to_schema().unique)})"


def comments(table: str) -> list[str]:
    """`COMMENT ON` statements for the table and each column, from the schema descriptions."""
    schema = model(table).to_schema()
    statements = [f"COMMENT ON TABLE {table} IS {literal(schema.description or '')}"]
    statements += [
        f"COMMENT ON COLUMN {table}.{name} IS {literal(column.description or '')}"
        for name, column in schema.columns.items()
    ]
    return statements


def view_comments() -> list[str]:
    """`COMMENT ON` statements for each view and its columns (`schemas/views.py`)."""
    statements = []
    for name, view in VIEWS.items():
        statements.append(f"COMMENT ON VIEW {name} IS {literal(view.description)}")
        statements += [
            f"COMMENT ON COLUMN {name}.{column} IS {literal(text)}"
            for column, text in view.columns.items()
        ]
    return statements


def literal(text: str) -> str:
    """A SQL string literal, for statements that take no bound parameters (COMMENT ON, ATTACH)."""
    return "'" + text.replace("'", "''") + "'"


def table_names(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the connection's current database (in its main schema)."""
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    return {name for (name,) in rows}


def has_table(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the connection's current database holds `table` (in its main schema)."""
    return table in table_names(connection)
