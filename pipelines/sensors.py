"""Sensors: one partition per report file in the seeds folder; finished runs into the history."""

import hashlib
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import parsed_report, partition_changes, report_partitions
from pipelines.io_managers import PartitionPickleIOManager, source_stamp
from pipelines.jobs import INGEST_JOB
from pipelines.lock import BuildLockedError
from pipelines.resources import ProjectPaths
from pipelines.run_history import FINISHED, record_run
from pipelines.sources import SeedsFolderError


@dg.sensor(
    job_name=INGEST_JOB,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 30 seconds: adds a `parsed_report` partition for each new file in the "
    "seeds folder, drops those whose file is gone, and parses the new and changed files in one "
    "`ingest_reports` run. It does not publish: launch the `publish` job afterwards.",
)
def report_files_sensor(
    context: dg.SensorEvaluationContext,
    paths: ProjectPaths,
    report_io_manager: dg.ResourceParam[PartitionPickleIOManager],
) -> dg.SensorResult:
    """Registers a partition for each new report file (and drops those whose file is gone), and
    parses all new and changed files in one run."""
    try:
        new, gone, kept = partition_changes(context.instance, paths)
    except SeedsFolderError as error:  # missing (unmounted, say): its files are not gone
        return dg.SensorResult(skip_reason=str(error))
    requests = []
    if new:
        requests.append(report_partitions.build_add_request(new))
    if gone:
        requests.append(report_partitions.build_delete_request(gone))
    changed = report_io_manager.stale(parsed_report.key, kept, paths.seeds)
    # In the order the partitions are registered (new ones last), which the range follows.
    to_parse = [*changed, *new]
    runs = []
    # A run still parsing leaves files unparsed for now: wait for it rather than start another.
    if to_parse and not _ingest_in_progress(context.instance):
        runs.append(
            dg.RunRequest(
                run_key=_run_key(paths.seeds, to_parse),
                tags={
                    "dagster/asset_partition_range_start": to_parse[0],
                    "dagster/asset_partition_range_end": to_parse[-1],
                },
            )
        )
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=requests)


# Not MANAGED: Dagster's status for a run handled outside Dagster, which no build is.
_IN_PROGRESS = [
    status
    for status in dg.DagsterRunStatus
    if status not in FINISHED and status is not dg.DagsterRunStatus.MANAGED
]


def _ingest_in_progress(instance: dg.DagsterInstance) -> bool:
    filters = dg.RunsFilter(job_name=INGEST_JOB, statuses=_IN_PROGRESS)
    return bool(instance.get_run_records(filters, limit=1))


def _run_key(seeds: Path, names: list[str]) -> str:
    """Names the files and their versions: a file removed and added again (its partition dropped
    and registered again) gets a run of its own, rather than being taken for the earlier one."""
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}\0{source_stamp(seeds / name)}\0".encode())
    return f"{names[0]}..{names[-1]}:{len(names)}:{digest.hexdigest()[:16]}"


def _run_recorder(status: dg.DagsterRunStatus) -> dg.SensorDefinition:
    @dg.run_status_sensor(
        name=f"record_{status.value.lower()}_runs",
        run_status=status,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Appends each run that ends in {status.value} and its asset check results "
        "to the warehouse history tables (`runs`, `check_results`).",
    )
    def record(context: dg.RunStatusSensorContext, duckdb: DuckDBResource) -> None:
        try:
            record_run(context.instance, context.dagster_run.run_id, Path(duckdb.database))
        except BuildLockedError as error:  # recorded with the next run that is
            context.log.info(f"Run {context.dagster_run.run_id} not recorded yet: {error}")

    return record


run_history_sensors = [
    _run_recorder(dg.DagsterRunStatus.SUCCESS),
    _run_recorder(dg.DagsterRunStatus.FAILURE),
]
