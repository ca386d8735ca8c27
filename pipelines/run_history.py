"""Record a finished Dagster run, and every asset check result of it, in the warehouse history.

Called by the command-line build after each run and by a run-status sensor for runs launched in
the UI; recording a run twice replaces its rows. Each call also records the recent finished runs
that the history lacks: one whose sensor met another build's lock (the sensor does not try
again), or a cancelled one (no sensor records those).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.jobs import CODE_VERSION_TAG, PARSER_VERSION_TAG
from pipelines.lock import build_lock
from pipelines.versions import CODE_VERSION, PARSER_VERSION
from pipelines.warehouse.history import append_rows, recorded

RECENT_RUNS = 50  # how far back each call looks for finished runs the history lacks
FINISHED = [
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
]


def record_run(instance: dg.DagsterInstance, run_id: str, warehouse_path: Path) -> int:
    """Append the run and its check results, and those of the recent finished runs that the
    history lacks; returns the number of check results of the run."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        raise ValueError(f"No Dagster run {run_id} in {instance.root_directory}.")
    with build_lock(warehouse_path.parent), duckdb.connect(str(warehouse_path)) as connection:
        recorded_runs = recorded(connection, "runs", "run_id")
        recent = instance.get_run_records(dg.RunsFilter(statuses=FINISHED), limit=RECENT_RUNS)
        skipped = recorded_runs | {run_id}
        # Oldest first, as they ran.
        missing = [other for other in reversed(recent) if other.dagster_run.run_id not in skipped]
        rows = [_run_rows(instance, other) for other in [*missing, record]]
        append_rows(
            connection,
            {
                "runs": [run_row for run_row, _ in rows],
                "check_results": [check for _, checks in rows for check in checks],
            },
            replace_key={"runs": "run_id", "check_results": "run_id"},
        )
    return len(rows[-1][1])


def _run_rows(instance: dg.DagsterInstance, record: dg.RunRecord) -> tuple[dict, list[dict]]:
    """The `runs` row of a run and its `check_results` rows."""
    run = record.dagster_run
    run_id = run.run_id
    run_row = {
        "run_id": run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        # Runs of the two jobs carry the versions that ran them; any other run (materialised
        # from the asset graph) is taken to be of the code recording it.
        "code_version": run.tags.get(CODE_VERSION_TAG, CODE_VERSION),
        "parser_version": run.tags.get(PARSER_VERSION_TAG, PARSER_VERSION),
        "started_at": _utc(record.start_time),
        "finished_at": _utc(record.end_time),
    }
    check_rows = [
        _check_row(run_id, entry.dagster_event.event_specific_data, entry.timestamp)
        for entry in (
            event.event_log_entry
            for event in instance.get_records_for_run(
                run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ).records
        )
    ]
    return run_row, check_rows


def _check_row(run_id: str, evaluation: dg.AssetCheckEvaluation, timestamp: float) -> dict:
    return {
        "run_id": run_id,
        "asset_key": evaluation.asset_key.to_user_string(),
        "check_name": evaluation.check_name,
        "passed": evaluation.passed,
        "severity": evaluation.severity.value,
        "details": json.dumps(
            {key: _plain(value) for key, value in evaluation.metadata.items()},
            ensure_ascii=False,
            sort_keys=True,
        ),
        "evaluated_at": _utc(timestamp),
    }


def _plain(value: dg.MetadataValue) -> object:
    """A metadata value as JSON-friendly data (text for the kinds JSON cannot hold)."""
    raw = value.value
    return raw if isinstance(raw, str | int | float | bool | list | dict | None) else str(raw)


def _utc(timestamp: float | None) -> dt.datetime | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)
