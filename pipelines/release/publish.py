"""Publish an audited staged release: rename it into place, then switch `latest` (atomically).

A published folder is never written again: its files are made read-only, and publishing an id
that already exists only discards the staged copy (same id, same Parquet bytes).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.files import fsync_dir, temporary_beside
from pipelines.release.stage import LATEST, STAGING, StagedRelease, latest_release_id

READ_ONLY = 0o444


@dataclass(frozen=True)
class Release:
    release_id: str
    path: Path
    newly_published: bool


class OutdatedReleaseError(RuntimeError):
    """Another build published a release after this one was staged."""


def publish_staged(staged: StagedRelease, releases_dir: Path) -> Release:
    """Put the staged release in place and point `latest` at it; call only under the build
    lock. Refuses a release staged against another `latest` than the current one: it would
    move `latest` back (a run whose lock was taken by a whole build between its steps)."""
    current = latest_release_id(releases_dir)
    if current not in (staged.previous_id, staged.release_id):
        raise OutdatedReleaseError(
            f"Release {staged.release_id} was staged after {staged.previous_id or 'no release'}, "
            f"but another build has published {current} since; publishing it would move "
            "`latest` back. Nothing was changed: build again to publish the newest data."
        )
    final = releases_dir / staged.release_id
    newly_published = not final.exists()
    if newly_published and not staged.path.is_dir():
        raise OutdatedReleaseError(
            f"The staged release {staged.release_id} is gone (a later build removes the staging "
            "folders of runs that are not in progress); build again to publish."
        )
    if newly_published:
        for path in staged.path.rglob("*"):
            if path.is_file():
                path.chmod(READ_ONLY)
        os.rename(staged.path, final)  # fails rather than overwrite a published release
        fsync_dir(releases_dir)
    else:
        shutil.rmtree(staged.path, ignore_errors=True)  # gone if a later build removed it
    with contextlib.suppress(OSError):  # another staged release may still be waiting there
        staged.path.parent.rmdir()
    point_latest(releases_dir, staged.release_id)
    return Release(staged.release_id, final, newly_published)


def point_latest(releases_dir: Path, release_id: str) -> None:
    """Switch `latest` to `release_id` with one rename: readers see the old or the new target."""
    link = releases_dir / LATEST
    if link.is_symlink() and os.readlink(link) == release_id:
        return
    temporary = temporary_beside(link)
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(release_id, target_is_directory=True)
    os.replace(temporary, link)
    fsync_dir(releases_dir)


def remove_stale_staging(releases_dir: Path, in_progress: Callable[[str], bool]) -> list[str]:
    """Delete staging folders (named by run id) left by runs that failed or were killed, but not
    those of runs still in progress (`in_progress(run_id)`), which may not have published yet,
    and the temporary `latest` links of killed runs; call only under the build lock."""
    for link in releases_dir.glob(f".{LATEST}.*.tmp"):
        link.unlink()
    staging_root = releases_dir / STAGING
    names = sorted(path.name for path in staging_root.iterdir()) if staging_root.is_dir() else []
    stale = [name for name in names if not in_progress(name)]
    for name in stale:
        shutil.rmtree(staging_root / name)
    return stale
