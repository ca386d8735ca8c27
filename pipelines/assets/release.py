"""Release: write → audit → publish.

`staged_release` writes a complete release into a staging folder; blocking checks read it back
(see `pipelines.checks`); only if all pass does `release` rename it into
`releases/<release id>/` and switch `latest`. A failed audit leaves the published releases and
`latest` untouched, and the failing check in the UI says why.
"""

import datetime as dt
import json
from functools import partial
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection, connect

from pipelines.assets import OWNERS
from pipelines.lock import build_lock
from pipelines.parquet import TableFile
from pipelines.release import (
    StagedRelease,
    publish_staged,
    remove_stale_staging,
    stage_release,
)
from pipelines.release.charts import chart_markdown
from pipelines.release.verify import MANIFEST
from pipelines.resources import ProjectPaths
from pipelines.versions import CODE_VERSION
from pipelines.warehouse import WAREHOUSE_FILE
from pipelines.warehouse.history import append_rows, recorded
from schemas import SCHEMA_VERSION, TABLES


@dg.asset(
    group_name="release",
    kinds={"parquet", "duckdb"},
    owners=OWNERS,
    code_version=CODE_VERSION,
    ins={table: dg.AssetIn(dagster_type=TableFile) for table in TABLES},
    deps=["warehouse"],
)
def staged_release(
    context: dg.AssetExecutionContext, paths: ProjectPaths, **tables: TableFile
) -> dg.Output[StagedRelease]:
    """The next release, complete but unpublished, in `releases/.staging/<run id>/`: one
    Parquet file per table, a DuckDB copy, `datapackage.json`, dataset card, changelog,
    `manifest.json` and `SHA256SUMS`."""
    with build_lock(paths.warehouse):
        stale = remove_stale_staging(paths.releases, partial(_in_progress, context.instance))
        warehouse = paths.warehouse / WAREHOUSE_FILE
        staged = stage_release(paths.releases, context.run.run_id, tables, warehouse)
    manifest = json.loads((staged.path / MANIFEST).read_text(encoding="utf-8"))
    return dg.Output(
        staged,
        metadata={
            "release_id": staged.release_id,
            # Not `path`: Dagster's IO manager adds that, for the pickle it stores the output in.
            "staging_folder": dg.MetadataValue.path(str(staged.path)),
            "previous_release": _previous(staged),
            "stale_staging_removed": len(stale),
            "files": dg.MetadataValue.json(manifest["files"]),
            "charts": dg.MetadataValue.md(chart_markdown(staged.charts)),
        },
    )


@dg.asset(
    group_name="release", kinds={"parquet", "duckdb"}, owners=OWNERS, code_version=CODE_VERSION
)
def release(
    context: dg.AssetExecutionContext,
    paths: ProjectPaths,
    duckdb: DuckDBResource,
    staged_release: StagedRelease,
) -> dg.MaterializeResult:
    """The published release, in `releases/<release id>/`: published only after every blocking
    check on `staged_release` passed, and then `releases/latest` points at it. The id is
    content-derived, so an unchanged build publishes nothing new."""
    with build_lock(paths.warehouse):
        published = publish_staged(staged_release, paths.releases)
        with connect(duckdb.database) as connection:
            # Not only when newly published: a build killed between putting the folder in place
            # and recording it leaves the record to the next build that publishes the same one.
            if published.newly_published or published.release_id not in recorded(
                connection, "releases", "release_id"
            ):
                _record_release(connection, published.path, context.run.run_id, staged_release)
    return dg.MaterializeResult(
        metadata={
            "release_id": published.release_id,
            "path": dg.MetadataValue.path(str(published.path)),
            "newly_published": published.newly_published,
        }
    )


def _record_release(
    connection: DuckDBPyConnection, folder: Path, run_id: str, staged: StagedRelease
) -> None:
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    release_row = {
        "release_id": staged.release_id,
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "previous_release": staged.previous_id,
        "published_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
    }
    file_rows = [
        {
            "release_id": staged.release_id,
            "file": entry["file"],
            "table_name": entry.get("table"),
            "rows": entry.get("rows"),
            "bytes": entry["bytes"],
            "sha256": entry["sha256"],
        }
        for entry in manifest["files"]
    ]
    append_rows(
        connection,
        {"releases": [release_row], "release_files": file_rows},
        replace_key={"releases": "release_id", "release_files": "release_id"},
    )


def _previous(staged: StagedRelease) -> str:
    if staged.previous_id is None:
        return "none (first release)"
    if staged.previous_id == staged.release_id:
        return f"{staged.previous_id} (this very release: nothing changed)"
    return staged.previous_id


def _in_progress(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Whether `run_id` names a run of this Dagster home that has not finished."""
    run = instance.get_run_by_id(run_id)
    return run is not None and not run.is_finished
