"""The Dagster instance the project runs on: `$DAGSTER_HOME/dagster.yaml`.

SQLite storage in the Dagster home, laid out as Dagster's default, except that the event log
writes batches of asset events in one transaction (`pipelines.event_log`). Telemetry is off.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.event_log import EVENT_BATCH_SIZE

HEADER = "# Written by daily-papers (pipelines/instance.py); remove this line to keep your edits.\n"
# What the project wrote before the batched event log; replaced like the project's own file.
LEGACY_CONFIG = "telemetry:\n  enabled: false\n"


def instance_config(dagster_home: Path) -> str:
    home = dagster_home.resolve()

    def folder(*parts: str) -> str:
        return json.dumps(str(home.joinpath(*parts)))  # a JSON string is a quoted YAML string

    return f"""{HEADER}telemetry:
  enabled: false
run_storage:
  module: dagster._core.storage.runs
  class: SqliteRunStorage
  config:
    base_dir: {folder("history")}
event_log_storage:
  module: pipelines.event_log
  class: BatchedSqliteEventLogStorage
  config:
    base_dir: {folder("history", "runs")}
schedule_storage:
  module: dagster._core.storage.schedules
  class: SqliteScheduleStorage
  config:
    base_dir: {folder("schedules")}
"""


def write_instance_config(dagster_home: Path) -> None:
    """Create the Dagster home and its `dagster.yaml` (unless the user has made it their own),
    and turn on Dagster's event batching for this process and the processes it starts."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    current = config.read_text() if config.exists() else None
    if current is None or current == LEGACY_CONFIG or current.startswith(HEADER):
        wanted = instance_config(dagster_home)
        if current != wanted:
            config.write_text(wanted)
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))
