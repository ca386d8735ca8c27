"""Jobs: parse reports (any set of partitions, one run), then publish everything downstream."""

import dagster as dg

from pipelines.assets.ingest import parsed_report
from pipelines.versions import CODE_VERSION, PARSER_VERSION

INGEST_JOB = "ingest_reports"
PUBLISH_JOB = "publish"
# On every run of the two jobs: which code ran it, for the run history.
CODE_VERSION_TAG = "daily_papers/code_version"
PARSER_VERSION_TAG = "daily_papers/parser_version"
VERSION_TAGS = {CODE_VERSION_TAG: CODE_VERSION, PARSER_VERSION_TAG: PARSER_VERSION}

ingest_reports = dg.define_asset_job(
    INGEST_JOB,
    selection=dg.AssetSelection.assets(parsed_report),
    description="Read and parse report files (one partition each; many partitions in one run).",
    tags=VERSION_TAGS,
)
publish = dg.define_asset_job(
    PUBLISH_JOB,
    selection=dg.AssetSelection.assets(parsed_report).downstream(include_self=False),
    description="Build the validated tables, the DuckDB warehouse and the Parquet release.",
    tags=VERSION_TAGS,
)
