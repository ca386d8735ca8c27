"""Warehouse: the validated tables loaded into one DuckDB file, with keys, comments and views,
plus the history tables (runs, source files, releases, check results) carried over."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.lock import build_lock
from pipelines.parquet import TableFile
from pipelines.warehouse import build_warehouse
from pipelines.warehouse.build import remove_stale_temporaries
from schemas import TABLES


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    ins={table: dg.AssetIn(dagster_type=TableFile) for table in TABLES},
)
def warehouse(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, **tables: TableFile
) -> dg.MaterializeResult:
    """`daily_papers.duckdb`: every table with primary keys and column comments, views, and the
    history tables. Built beside the old file and swapped in only when complete."""
    path = Path(duckdb.database)
    with build_lock(path.parent):
        stale = remove_stale_temporaries(path.parent)
        build_warehouse(path, tables, run_id=context.run.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "stale_files_removed": len(stale),
            **{f"rows/{table}": file.rows for table, file in tables.items()},
        }
    )
