"""Publish a release: write every file into a staging folder, then rename it into place.

The release id is the newest report date plus a hash of the table files, so the same inputs give
the same id; publishing an id that already exists changes nothing. `latest` is a symlink switched
atomically after the release folder is complete. A published folder is never written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.files import fsync_dir, fsync_file, sha256_file, write_atomic
from pipelines.release.parquet import write_parquet
from schemas import SCHEMA_VERSION, TABLES

MANIFEST = "manifest.json"
LATEST = "latest"


@dataclass(frozen=True)
class Release:
    release_id: str
    path: Path
    manifest: dict
    newly_published: bool


def publish_release(releases_dir: Path, tables: Mapping[str, pl.DataFrame]) -> Release:
    releases_dir.mkdir(parents=True, exist_ok=True)
    staging = releases_dir / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    files = []
    for table in TABLES:
        path = staging / f"{table}.parquet"
        write_parquet(table, tables[table], path)
        fsync_file(path)
        files.append(
            {
                "file": path.name,
                "table": table,
                "rows": tables[table].height,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    release_id = _release_id(tables["reports"], files)
    manifest = {"release": release_id, "schema_version": SCHEMA_VERSION, "files": files}
    write_atomic(staging / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    fsync_dir(staging)

    final = releases_dir / release_id
    newly_published = not final.exists()
    if newly_published:
        os.rename(staging, final)  # fails rather than overwrite a published release
        fsync_dir(releases_dir)
    else:
        shutil.rmtree(staging)
    _point_latest(releases_dir, release_id)
    return Release(release_id, final, manifest, newly_published)


def _release_id(reports: pl.DataFrame, files: list[dict]) -> str:
    newest = reports["report_date"].max() if reports.height else None
    content = hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest()[:12]
    return f"{newest or 'empty'}-{content}"


def _point_latest(releases_dir: Path, release_id: str) -> None:
    link = releases_dir / LATEST
    if link.is_symlink() and os.readlink(link) == release_id:
        return
    temporary = releases_dir / f".{LATEST}.{os.getpid()}.tmp"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release_id, target_is_directory=True)
    os.replace(temporary, link)
    fsync_dir(releases_dir)
