"""The warehouse's history tables: which runs built what, from which files, with which checks.

They live only in the DuckDB warehouse (not in the Parquet releases) and accumulate across
builds: each new warehouse file carries them over from the previous one.
"""

import datetime as dt

import pandera.polars as pa

from schemas import fields


class RunsSchema(pa.DataFrameModel):
    """One row per Dagster run that built part of the datasets."""

    run_id: str = pa.Field(description="Dagster run id (open it in the UI under Runs).")
    job_name: str = pa.Field(description="Dagster job the run executed.")
    status: str = pa.Field(description="Final run status, e.g. `SUCCESS` or `FAILURE`.")
    code_version: str = pa.Field(
        description="daily-papers code that ran: the package version and a hash of its code "
        "(`pipelines/`, `schemas/`), e.g. `0.1.0+30226041ecd2`."
    )
    parser_version: str = pa.Field(description="Parser version (bumped when output can change).")
    started_at: dt.datetime = pa.Field(nullable=True, description="Run start time (UTC).")
    finished_at: dt.datetime = pa.Field(nullable=True, description="Run end time (UTC).")

    class Config:
        strict = True
        unique = ["run_id"]
        description = "Runs: the Dagster runs that built the datasets."


class SourceFilesSchema(pa.DataFrameModel):
    """Every input file version seen by a warehouse build."""

    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    report_date: dt.date = pa.Field(
        nullable=True,
        description="Report date, when one could be read from the file (also when it was "
        "rejected, e.g. as `conflicting_report` or `duplicate_file`).",
    )
    first_seen_run: str = pa.Field(
        description="Run id of the first `publish` run whose tables were built from this file."
    )
    last_seen_run: str = pa.Field(
        description="Run id of the latest `publish` run whose tables were built from this file."
    )

    class Config:
        strict = True
        unique = ["source_file", "source_sha256"]
        description = "Source files: each input file version and the runs that published from it."


class WarehouseLoadsSchema(pa.DataFrameModel):
    """One row per time the published tables were loaded into the warehouse."""

    run_id: str = pa.Field(description="Run that loaded the tables.")
    tables_build: str = pa.Field(
        nullable=True, description="Run that built the table files loaded (null if unknown)."
    )
    mode: str = pa.Field(
        isin=["rebuilt", "updated"],
        description="`rebuilt`: every table loaded into a new file; `updated`: only the rows of "
        "the changed source files replaced, in one transaction.",
    )
    files_replaced: int = pa.Field(
        nullable=True, ge=0, description="Source files whose rows were replaced (when updated)."
    )
    loaded_at: dt.datetime = pa.Field(description="When the load was committed (UTC).")

    class Config:
        strict = True
        unique = ["run_id"]
        description = "Warehouse loads: how each run brought the warehouse up to date."


class ReleasesSchema(pa.DataFrameModel):
    """One row per published release."""

    release_id: str = pa.Field(description="Release folder name: newest report date-content hash.")
    run_id: str = pa.Field(description="Run that published the release.")
    schema_version: str = pa.Field(description="Schema version of the release's tables.")
    previous_release: str = pa.Field(
        nullable=True, description="Release `latest` pointed to before this one."
    )
    published_at: dt.datetime = pa.Field(description="When the release was published (UTC).")

    class Config:
        strict = True
        unique = ["release_id"]
        description = "Releases: every published release and the run that made it."


class ReleaseFilesSchema(pa.DataFrameModel):
    """The files of each published release, as listed in its manifest."""

    release_id: str = pa.Field(description="Release the file belongs to.")
    file: str = pa.Field(description="File name inside the release folder.")
    table_name: str = pa.Field(nullable=True, description="Table the file holds, if a table.")
    rows: int = pa.Field(nullable=True, ge=0, description="Rows, for table files.")
    bytes: int = pa.Field(ge=0, description="File size in bytes.")
    sha256: str = pa.Field(str_matches=fields.SHA256_PATTERN, description="SHA-256 of the file.")

    class Config:
        strict = True
        unique = ["release_id", "file"]
        description = "Release files: each file of each release with its size and hash."


class CheckResultsSchema(pa.DataFrameModel):
    """Every asset check evaluation, appended run after run."""

    run_id: str = pa.Field(description="Run the check ran in.")
    asset_key: str = pa.Field(description="Asset the check guards.")
    check_name: str = pa.Field(description="Check name, as in the Dagster UI.")
    passed: bool = pa.Field(description="Whether the check passed.")
    severity: str = pa.Field(description="`ERROR` (blocks what follows when blocking) or `WARN`.")
    details: str = pa.Field(
        description="The check's metadata as a JSON object: counts as numbers; lists of failing "
        "items as the Markdown tables the UI shows, as strings (`details->>'by_reason'`)."
    )
    evaluated_at: dt.datetime = pa.Field(nullable=True, description="When it ran (UTC).")

    class Config:
        strict = True
        unique = ["run_id", "asset_key", "check_name"]
        description = "Check results: the quality history, one row per check per run."
