"""Build everything as two real Dagster runs: parse the new and changed reports (one run), then
publish.

Each finished run, with its asset check results, is recorded in the warehouse history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.assets.ingest import (
    PartitionChanges,
    parsed_report,
    partition_changes,
    report_partitions,
)
from pipelines.io_managers import PartitionPickleIOManager
from pipelines.jobs import INGEST_JOB, PUBLISH_JOB
from pipelines.resources import ProjectPaths
from pipelines.run_history import record_run

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
# How a step stopped by Ctrl-C fails: Dagster's own error for a signal, or the interrupt itself.
INTERRUPTIONS = ("DagsterExecutionInterruptedError", "KeyboardInterrupt")


@dataclass(frozen=True)
class BuildResult:
    reports: int
    new: int
    gone: int
    parsed: int
    runs: dict[str, dg.ExecuteInProcessResult]

    @property
    def success(self) -> bool:
        return all(result.success for result in self.runs.values())

    @property
    def interrupted(self) -> bool:
        """Whether a run failed because the build was interrupted (Ctrl-C), not by an error."""
        return any(
            event.is_step_failure and event.step_failure_data.error.cls_name in INTERRUPTIONS
            for result in self.runs.values()
            for event in result.all_events
        )

    @property
    def release_id(self) -> str | None:
        publish = self.runs.get(PUBLISH_JOB)
        events = publish.asset_materializations_for_node("release") if publish else []
        return events[-1].metadata["release_id"].value if events else None


def sync_partitions(instance: dg.DagsterInstance, paths: ProjectPaths) -> PartitionChanges:
    """One partition per report file: add the new files, drop the vanished ones."""
    changes = partition_changes(instance, paths)
    instance.add_dynamic_partitions(report_partitions.name, changes.new)
    for name in changes.gone:
        instance.delete_dynamic_partition(report_partitions.name, name)
    return changes


def stale_partitions(defs: dg.Definitions, keys: list[str]) -> list[str]:
    """The reports to parse: never parsed, or changed since."""
    paths: ProjectPaths = defs.resources["paths"]
    storage: PartitionPickleIOManager = defs.resources["report_io_manager"]
    return storage.stale(parsed_report.key, keys, paths.seeds)


def build_all(defs: dg.Definitions, instance: dg.DagsterInstance) -> BuildResult:
    """Parse the new and changed reports in one run, then build tables, warehouse and release
    from the rows of all reports. Stored rows of other code versions, and files half-written
    by killed runs, are removed first."""
    defs.resources["report_io_manager"].remove_leftovers()
    changes = sync_partitions(instance, defs.resources["paths"])
    keys = [*changes.kept, *changes.new]  # in partition order: new partitions are added last
    stale = stale_partitions(defs, keys)
    new, gone = len(changes.new), len(changes.gone)
    warehouse = Path(defs.resources["duckdb"].database)
    runs: dict[str, dg.ExecuteInProcessResult] = {}
    if stale:
        # One run over the range from the first to the last stale partition, in partition order;
        # `parsed_report` keeps the stored rows of the unchanged reports in between.
        runs[INGEST_JOB] = defs.resolve_job_def(INGEST_JOB).execute_in_process(
            run_config=QUIET_LOGS,
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": stale[0],
                "dagster/asset_partition_range_end": stale[-1],
            },
            raise_on_error=False,
        )
        record_run(instance, runs[INGEST_JOB].run_id, warehouse)
        if not runs[INGEST_JOB].success:
            return BuildResult(len(keys), new, gone, len(stale), runs)
    runs[PUBLISH_JOB] = defs.resolve_job_def(PUBLISH_JOB).execute_in_process(
        run_config=QUIET_LOGS, instance=instance, raise_on_error=False
    )
    record_run(instance, runs[PUBLISH_JOB].run_id, warehouse)
    return BuildResult(len(keys), new, gone, len(stale), runs)
