"""Warehouse: the validated tables loaded into one DuckDB file, with keys, comments and views."""

from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.warehouse import build_warehouse
from schemas import TABLES


@dg.asset(group_name="warehouse", kinds={"duckdb"}, ins={table: dg.AssetIn() for table in TABLES})
def warehouse(
    duckdb: DuckDBResource,
    **tables: pl.DataFrame,
) -> dg.MaterializeResult:
    """`daily_papers.duckdb`: every table with primary keys and column comments, plus views.
    Built beside the old file and swapped in only when complete."""
    path = Path(duckdb.database)
    build_warehouse(path, tables)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            **{f"rows/{table}": frame.height for table, frame in tables.items()},
        }
    )
