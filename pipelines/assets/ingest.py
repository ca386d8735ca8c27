"""Ingest: one partition per report file; each is read, checksummed, parsed and turned into
candidate rows (facets included), on every core."""

import time

import dagster as dg

from pipelines.assets import OWNERS
from pipelines.resources import ProjectPaths
from pipelines.tables.build import ReportRows
from pipelines.tables.parallel import rows_of_files
from pipelines.versions import rows_version

PROGRESS_EVERY = 500

report_partitions = dg.DynamicPartitionsDefinition(name="reports")
# Stored rows are kept per version: a new parser, schema or rule parses every report again.
ROWS_VERSION = rows_version()


@dg.asset(
    partitions_def=report_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    io_manager_key="report_io_manager",
    group_name="ingest",
    kinds={"python"},
    code_version=ROWS_VERSION,
    owners=OWNERS,
)
def parsed_report(context: dg.AssetExecutionContext, paths: ProjectPaths) -> dict[str, ReportRows]:
    """One report file, read from the seeds folder, checksummed, parsed, and turned into the
    candidate rows of every table. Partitioned by file name; any number of partitions run as one
    run, spread over the machine's cores."""
    keys = context.partition_keys
    parsed: dict[str, ReportRows] = {}
    started = time.perf_counter()
    for count, (key, rows) in enumerate(rows_of_files(paths.seeds, keys), start=1):
        parsed[key] = rows
        if count % PROGRESS_EVERY == 0:
            rate = count / (time.perf_counter() - started)
            context.log.info(f"Parsed {count} of {len(keys)} reports ({rate:.0f} reports/s)")
    reports = parsed.values()
    context.add_output_metadata(
        {
            "reports": len(parsed),
            "papers_found": sum(report.papers_found for report in reports),
            "problems_found": sum(report.problems.height for report in reports),
            "bytes_read": sum(report.size for report in reports),
        }
    )
    return parsed
