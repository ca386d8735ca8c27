"""Write a complete release into a staging folder (the *write* of write-audit-publish).

The table files are the deterministic Parquet files the tables were stored as (linked, not
written again); everything else but the warehouse copy (DuckDB's file layout is not
reproducible) and the manifest and checksums that list its hash is a pure function of them and
the previous release, so the same inputs give the same bytes and the same release id.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.files import fsync_dir, fsync_file, sha256_file
from pipelines.parquet import TableFile
from pipelines.release.card import render_card
from pipelines.release.changelog import CHANGE_COLUMNS, paper_changes, render_changelog
from pipelines.release.charts import CHARTS_DIR, write_charts
from pipelines.release.datapackage import datapackage
from pipelines.release.verify import CHECKSUMS, MANIFEST, checksums_text
from pipelines.tables.inputs import INPUT_COLUMNS, input_files
from pipelines.versions import CODE_VERSION, PARSER_VERSION, library_versions
from pipelines.warehouse import WAREHOUSE_FILE
from pipelines.warehouse.build import copy_tables
from schemas import SCHEMA_VERSION, TABLES

STAGING = ".staging"
LATEST = "latest"


@dataclass(frozen=True)
class StagedRelease:
    release_id: str
    path: Path
    previous_id: str | None
    charts: list[Path]  # SVG files, in the staging folder


def stage_release(
    releases_dir: Path, staging_name: str, tables: Mapping[str, TableFile], warehouse: Path
) -> StagedRelease:
    """Write every file of the release into `releases/.staging/<staging_name>/`; the DuckDB
    copy is made from the `warehouse` file, which holds the same tables."""
    staging = releases_dir / STAGING / staging_name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with ThreadPoolExecutor(1) as pool:
        # Drawing the charts keeps Python busy (0.3 s for ten years); meanwhile the rest mostly
        # waits on the disk and on DuckDB, which let go of Python's lock, so both go on at once.
        drawing = pool.submit(write_charts, staging, tables)
        files = [_link_table(staging, tables[table]) for table in TABLES]
        reports = tables["reports"].read()
        rejects = tables["rejects"].read([*INPUT_COLUMNS, "reason_code"])
        release_id = _release_id(reports, files)
        copy_tables(warehouse, staging / WAREHOUSE_FILE)
        copy = _describe(staging, staging / WAREHOUSE_FILE)  # hashed while the charts are drawn
        previous_id, previous_papers = _previous_release(releases_dir)
        changes = paper_changes(previous_papers, tables["papers"].read(CHANGE_COLUMNS))
        charts = drawing.result()
    documents = {
        "datapackage.json": _json(datapackage(release_id, files)),
        "README.md": render_card(release_id, files, reports, rejects, charts),
        "CHANGELOG.md": render_changelog(release_id, previous_id, changes),
    }
    for name, text in documents.items():
        (staging / name).write_text(text, encoding="utf-8")
    files.append(copy)
    files += [_describe(staging, path) for path in [*(staging / n for n in documents), *charts]]

    manifest = {
        "release": release_id,
        "schema_version": SCHEMA_VERSION,
        "code_version": CODE_VERSION,
        "parser_version": PARSER_VERSION,
        "libraries": library_versions(),
        "sources": input_files(reports, rejects)
        .select(
            file="source_file",
            sha256="source_sha256",
            report_date=pl.col("report_date").cast(pl.String),
        )
        .to_dicts(),
        "files": files,
    }
    (staging / MANIFEST).write_text(_json(manifest), encoding="utf-8")
    hashes = {entry["file"]: entry["sha256"] for entry in files}
    hashes[MANIFEST] = sha256_file(staging / MANIFEST)
    (staging / CHECKSUMS).write_text(checksums_text(hashes), encoding="utf-8")
    for path in staging.rglob("*"):
        if path.is_file():
            fsync_file(path)
    fsync_dir(staging / CHARTS_DIR)
    fsync_dir(staging)
    return StagedRelease(release_id, staging, previous_id, charts)


def _link_table(staging: Path, file: TableFile) -> dict:
    path = staging / f"{file.table}.parquet"
    try:
        os.link(file.path, path)
    except OSError:  # another file system, or no hard links there
        shutil.copyfile(file.path, path)
    return {**_describe(staging, path), "table": file.table, "rows": file.rows}


def _describe(staging: Path, path: Path) -> dict:
    """The manifest entry of a file of the release: its path in the release, size and hash."""
    name = path.relative_to(staging).as_posix()
    return {"file": name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _release_id(reports: pl.DataFrame, table_files: list[dict]) -> str:
    """Newest report date plus a hash of the table files and the code (which the manifest
    records, and which makes the other files): same data and code, same id."""
    newest = reports["report_date"].max() if reports.height else None
    hashes = [f"code-{CODE_VERSION}", *(f["sha256"] for f in table_files)]
    content = hashlib.sha256("".join(hashes).encode()).hexdigest()
    return f"{newest or 'empty'}-{content[:12]}"


def latest_release_id(releases_dir: Path) -> str | None:
    """The release `latest` points at, if there is one."""
    latest = releases_dir / LATEST
    return latest.resolve().name if (latest / "papers.parquet").is_file() else None


def _previous_release(releases_dir: Path) -> tuple[str | None, pl.DataFrame | None]:
    previous_id = latest_release_id(releases_dir)
    if previous_id is None:
        return None, None
    path = releases_dir / previous_id / "papers.parquet"
    present = pl.read_parquet_schema(path)  # older releases may predate a column
    columns = [column for column in CHANGE_COLUMNS if column in present]
    return previous_id, pl.read_parquet(path, columns=columns)


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
