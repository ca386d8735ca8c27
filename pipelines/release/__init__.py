"""Versioned Parquet releases: written to a staging folder, audited, then published whole and
pointed to by `latest`."""

from pipelines.release.publish import Release, publish_staged, remove_stale_staging
from pipelines.release.stage import StagedRelease, stage_release
from pipelines.release.verify import verify_release

__all__ = [
    "Release",
    "StagedRelease",
    "publish_staged",
    "remove_stale_staging",
    "stage_release",
    "verify_release",
]
