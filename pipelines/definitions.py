"""The Dagster code location: assembles assets, checks, jobs, sensors and resources."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets import ingest, release, tables, warehouse
from pipelines.checks import asset_checks
from pipelines.io_managers import PartitionPickleIOManager, TableParquetIOManager
from pipelines.jobs import ingest_reports, publish
from pipelines.resources import ProjectPaths
from pipelines.sensors import report_files_sensor, run_history_sensors
from pipelines.settings import Settings
from pipelines.versions import ROWS_VERSION
from pipelines.warehouse import WAREHOUSE_FILE


def build_definitions(settings: Settings) -> dg.Definitions:
    storage = str(settings.dagster_home / "storage")
    return dg.Definitions(
        assets=dg.load_assets_from_modules([ingest, tables, warehouse, release]),
        asset_checks=asset_checks,
        jobs=[ingest_reports, publish],
        sensors=[report_files_sensor, *run_history_sensors],
        resources={
            "paths": ProjectPaths(
                seeds_dir=str(settings.seeds_dir), warehouse_dir=str(settings.warehouse_dir)
            ),
            "duckdb": DuckDBResource(database=str(settings.warehouse_dir / WAREHOUSE_FILE)),
            "report_io_manager": PartitionPickleIOManager(base_dir=f"{storage}/{ROWS_VERSION}"),
            "table_io_manager": TableParquetIOManager(base_dir=f"{storage}/tables"),
            "io_manager": dg.FilesystemIOManager(base_dir=storage),
        },
        executor=dg.in_process_executor,
    )


defs = build_definitions(Settings.from_env())
