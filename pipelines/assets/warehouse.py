"""Warehouse: the validated tables loaded into one DuckDB file, with keys, comments and views,
plus the history tables (runs, source files, warehouse loads, releases, check results) carried
over."""

from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.assets import OWNERS
from pipelines.lock import build_lock
from pipelines.parquet import TableFile
from pipelines.versions import TABLES_VERSION, code_version
from pipelines.warehouse import load_warehouse
from pipelines.warehouse.build import cannot_open, remove_stale_temporaries
from schemas import TABLES


@dg.asset(
    group_name="warehouse",
    kinds={"duckdb"},
    owners=OWNERS,
    code_version=code_version("warehouse"),
    ins={table: dg.AssetIn(dagster_type=TableFile) for table in TABLES},
    required_resource_keys={"duckdb", "table_io_manager"},
)
def warehouse(context: dg.AssetExecutionContext, **tables: TableFile) -> dg.MaterializeResult:
    """`daily_papers.duckdb`: every table with primary keys and column comments, views, and the
    history tables. Updated in one transaction when only some reports changed (their rows are
    replaced); otherwise built beside the old file and swapped in only when complete."""
    resource: DuckDBResource = context.resources.duckdb
    path = Path(resource.database)
    with build_lock(path.parent):  # the state and the table files, as one build left them
        state = context.resources.table_io_manager.store.state(TABLES_VERSION)
        stale = remove_stale_temporaries(path.parent)
        try:
            mode = load_warehouse(path, tables, state, run_id=context.run.run_id)
        except duckdb.IOException as error:
            raise dg.Failure(cannot_open(path, error)) from error
    metadata = {
        "path": dg.MetadataValue.path(str(path)),
        "load": mode,
        "stale_files_removed": len(stale),
        **{f"rows/{table}": file.rows for table, file in tables.items()},
    }
    if mode == "updated":
        metadata["files_replaced"] = len(state.replaced_files)
    return dg.MaterializeResult(metadata=metadata)
