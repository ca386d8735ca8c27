"""Dagster resources: where reports are read from and releases written to.

The warehouse database is reached through `dagster_duckdb.DuckDBResource` (see definitions).
"""

from pathlib import Path

import dagster as dg

RELEASES = "releases"  # the folder of the releases, in the warehouse folder


class ProjectPaths(dg.ConfigurableResource):
    """The seeds folder the reports are read from and the folder outputs are written to."""

    seeds_dir: str
    warehouse_dir: str

    @property
    def seeds(self) -> Path:
        return Path(self.seeds_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_dir)

    @property
    def releases(self) -> Path:
        return self.warehouse / RELEASES
