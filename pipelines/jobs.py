"""Jobs: parse reports (any set of partitions, one run), then publish everything downstream."""

import dagster as dg

from pipelines.assets.ingest import parsed_report

INGEST_JOB = "ingest_reports"
PUBLISH_JOB = "publish"

ingest_reports = dg.define_asset_job(
    INGEST_JOB,
    selection=dg.AssetSelection.assets(parsed_report),
    description="Read and parse report files (one partition each; many partitions in one run).",
)
publish = dg.define_asset_job(
    PUBLISH_JOB,
    selection=dg.AssetSelection.assets(parsed_report).downstream(include_self=False),
    description="Build the validated tables, the DuckDB warehouse and the Parquet release.",
)
