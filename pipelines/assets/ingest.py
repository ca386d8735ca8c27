"""Ingest: one partition per report file; each is read, checksummed, parsed and turned into
candidate rows (facets included), on every core."""

import time
from typing import NamedTuple

import dagster as dg

from pipelines.assets import OWNERS
from pipelines.io_managers import PartitionPickleIOManager, StoredPartitions, source_stamp
from pipelines.resources import ProjectPaths
from pipelines.sources import report_files
from pipelines.tables.parallel import rows_of_files
from pipelines.versions import ROWS_VERSION

PROGRESS_EVERY = 500

report_partitions = dg.DynamicPartitionsDefinition(name="reports")


class PartitionChanges(NamedTuple):
    new: list[str]  # report files without a partition, in file order
    gone: list[str]  # partitions whose file is gone
    kept: list[str]  # partitions whose file is still there, in partition order


def partition_changes(instance: dg.DagsterInstance, paths: ProjectPaths) -> PartitionChanges:
    """How the report partitions must change to match the files in the seeds folder."""
    present = report_files(paths.seeds)
    registered = instance.get_dynamic_partitions(report_partitions.name)
    known = set(registered)
    on_disk = set(present)
    return PartitionChanges(
        new=[name for name in present if name not in known],
        gone=[name for name in registered if name not in on_disk],
        kept=[name for name in registered if name in on_disk],
    )


@dg.asset(
    partitions_def=report_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    io_manager_key="report_io_manager",
    required_resource_keys={"paths", "report_io_manager"},
    group_name="ingest",
    kinds={"python"},
    code_version=ROWS_VERSION,
    owners=OWNERS,
)
def parsed_report(context: dg.AssetExecutionContext) -> StoredPartitions:
    """One report file, read from the seeds folder, checksummed, parsed, and turned into the
    candidate rows of every table. Partitioned by file name; any number of partitions run as one
    run, spread over the machine's cores, each stored as soon as it is parsed. A report whose
    rows are stored and whose file has not changed since (its `source_stamp` is the one it had
    when it was read) is not parsed again."""
    paths: ProjectPaths = context.resources.paths
    storage: PartitionPickleIOManager = context.resources.report_io_manager
    keys = context.partition_keys
    stale = storage.stale(context.asset_key, keys, paths.seeds)
    # Taken before the files are read: a file changed while it is parsed stays stale.
    stamps = {key: source_stamp(paths.seeds / key) for key in stale}
    stored = {key: storage.stored(context.asset_key, key) for key in keys}
    papers_found = problems_found = bytes_read = 0
    started = time.perf_counter()
    for count, (key, rows) in enumerate(rows_of_files(paths.seeds, stale), start=1):
        stored[key] = storage.store(context.asset_key, key, rows, stamps[key])
        papers_found += rows.papers_found
        problems_found += rows.problems.height
        bytes_read += rows.size
        if count % PROGRESS_EVERY == 0:
            rate = count / (time.perf_counter() - started)
            context.log.info(f"Parsed {count} of {len(stale)} reports ({rate:.0f} reports/s)")
    # One run makes many partitions, and each partition's materialisation gets this metadata:
    # totals of the run, named so.
    context.add_output_metadata(
        {
            "run/reports": len(stored),
            "run/reports_parsed": len(stale),
            "run/papers_found": papers_found,
            "run/problems_found": problems_found,
            "run/bytes_read": bytes_read,
        }
    )
    return StoredPartitions(stored)
