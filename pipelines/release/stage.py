"""Write a complete release into a staging folder (the *write* of write-audit-publish).

Everything but the warehouse copy is a pure function of the tables and the previous release, so
the same inputs give the same Parquet bytes and the same release id.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.files import fsync_dir, fsync_file, sha256_file
from pipelines.release.card import render_card
from pipelines.release.changelog import paper_changes, render_changelog
from pipelines.release.datapackage import datapackage
from pipelines.release.parquet import write_parquet
from pipelines.release.verify import CHECKSUMS, MANIFEST, checksums_text
from pipelines.tables.inputs import input_files
from pipelines.versions import CODE_VERSION, PARSER_VERSION, library_versions
from pipelines.warehouse import WAREHOUSE_FILE, build_warehouse
from schemas import SCHEMA_VERSION, TABLES

STAGING = ".staging"
LATEST = "latest"


@dataclass(frozen=True)
class StagedRelease:
    release_id: str
    path: Path
    previous_id: str | None


def stage_release(
    releases_dir: Path, staging_name: str, tables: Mapping[str, pl.DataFrame]
) -> StagedRelease:
    """Write every file of the release into `releases/.staging/<staging_name>/`."""
    staging = releases_dir / STAGING / staging_name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    files = [_write_table(staging, table, tables[table]) for table in TABLES]
    release_id = _release_id(tables["reports"], files)

    build_warehouse(staging / WAREHOUSE_FILE, tables)
    previous_id, previous_papers = _previous_release(releases_dir)
    changes = paper_changes(previous_papers, tables["papers"])
    documents = {
        "datapackage.json": _json(datapackage(release_id, files)),
        "README.md": render_card(release_id, files, tables),
        "CHANGELOG.md": render_changelog(release_id, previous_id, changes),
    }
    for name, text in documents.items():
        (staging / name).write_text(text, encoding="utf-8")
    for name in [WAREHOUSE_FILE, *documents]:
        files.append(_describe(staging / name))

    manifest = {
        "release": release_id,
        "schema_version": SCHEMA_VERSION,
        "code_version": CODE_VERSION,
        "parser_version": PARSER_VERSION,
        "libraries": library_versions(),
        "sources": input_files(tables)
        .select(
            file="source_file",
            sha256="source_sha256",
            report_date=pl.col("report_date").cast(pl.String),
        )
        .to_dicts(),
        "files": files,
    }
    (staging / MANIFEST).write_text(_json(manifest), encoding="utf-8")
    names = [entry["file"] for entry in files] + [MANIFEST]
    (staging / CHECKSUMS).write_text(checksums_text(staging, names), encoding="utf-8")
    for path in staging.iterdir():
        fsync_file(path)
    fsync_dir(staging)
    return StagedRelease(release_id, staging, previous_id)


def _write_table(staging: Path, table: str, frame: pl.DataFrame) -> dict:
    path = staging / f"{table}.parquet"
    write_parquet(table, frame, path)
    return {**_describe(path), "table": table, "rows": frame.height}


def _describe(path: Path) -> dict:
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": sha256_file(path)}


def _release_id(reports: pl.DataFrame, table_files: list[dict]) -> str:
    """Newest report date plus a hash of the table files: same data, same id."""
    newest = reports["report_date"].max() if reports.height else None
    content = hashlib.sha256("".join(f["sha256"] for f in table_files).encode()).hexdigest()
    return f"{newest or 'empty'}-{content[:12]}"


def _previous_release(releases_dir: Path) -> tuple[str | None, pl.DataFrame | None]:
    latest = releases_dir / LATEST
    if not (latest / "papers.parquet").is_file():
        return None, None
    return latest.resolve().name, pl.read_parquet(latest / "papers.parquet")


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
