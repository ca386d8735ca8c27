"""Release: the validated tables as a versioned folder of Parquet files with a manifest."""

import dagster as dg
import polars as pl

from pipelines.release import publish_release
from pipelines.resources import ProjectPaths
from schemas import TABLES


@dg.asset(
    group_name="release",
    kinds={"parquet"},
    ins={table: dg.AssetIn() for table in TABLES},
    deps=["warehouse"],
)
def release(
    paths: ProjectPaths,
    **tables: pl.DataFrame,
) -> dg.MaterializeResult:
    """`releases/<release id>/`: one Parquet file per table and `manifest.json`, staged and then
    renamed into place; `releases/latest` points at it. The id is content-derived, so an
    unchanged build publishes nothing new."""
    published = publish_release(paths.releases, tables)
    return dg.MaterializeResult(
        metadata={
            "release_id": published.release_id,
            "path": dg.MetadataValue.path(str(published.path)),
            "newly_published": published.newly_published,
            "files": dg.MetadataValue.json(published.manifest["files"]),
        }
    )
