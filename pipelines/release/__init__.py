"""Versioned Parquet releases: staged, then published whole, then pointed to by `latest`."""

from pipelines.release.parquet import write_parquet
from pipelines.release.publish import Release, publish_release

__all__ = ["Release", "publish_release", "write_parquet"]
