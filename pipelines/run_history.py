"""Record a finished Dagster run, and every asset check result of it, in the warehouse history.

Called by the command-line build after each run and by a run-status sensor for runs launched in
the UI; recording a run twice replaces its rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg

from pipelines.lock import build_lock
from pipelines.versions import CODE_VERSION, PARSER_VERSION
from pipelines.warehouse.history import append_rows


def record_run(instance: dg.DagsterInstance, run_id: str, warehouse_path: Path) -> int:
    """Append the run and its check results; returns the number of check results."""
    record = instance.get_run_record_by_id(run_id)
    if record is None:
        raise ValueError(f"No Dagster run {run_id} in {instance.root_directory}.")
    run = record.dagster_run
    run_row = {
        "run_id": run_id,
        "job_name": run.job_name,
        "status": run.status.value,
        "code_version": CODE_VERSION,
        "parser_version": PARSER_VERSION,
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
    with build_lock(warehouse_path.parent):
        append_rows(
            warehouse_path,
            {"runs": [run_row], "check_results": check_rows},
            replace_key={"runs": "run_id", "check_results": "run_id"},
        )
    return len(check_rows)


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
