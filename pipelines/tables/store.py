"""Where the validated tables are kept between runs: one Parquet file per table (the file the
release publishes), plus `state.json`, which records what the files were built from so the next
build redoes only what changed, and `validated.json`, which records the files (by SHA-256) that
passed their Pandera model, so the same bytes are not validated again before publishing."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipelines.files import write_atomic
from pipelines.parquet import TableFile
from pipelines.tables.update import ReportSummary
from schemas import TABLES

STATE_FILE = "state.json"
VALIDATED_FILE = "validated.json"
WORK_DIR = ".work"


@dataclass(frozen=True)
class TablesState:
    """The build that wrote the current table files."""

    build_id: str  # the run id of that build
    previous_build_id: str | None
    version: str  # `pipelines.versions.TABLES_VERSION` of the code that built them
    reports: dict[str, ReportSummary]  # by partition key
    # Source files whose rows that build replaced; None when it built every table from scratch.
    replaced_files: list[str] | None

    def to_json(self) -> str:
        value = {
            **self.__dict__,
            "reports": {key: summary.to_json() for key, summary in sorted(self.reports.items())},
        }
        return json.dumps(value, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> TablesState:
        value = json.loads(text)
        reports = {key: ReportSummary.from_json(item) for key, item in value["reports"].items()}
        return cls(**{**value, "reports": reports})


@dataclass(frozen=True)
class TableStore:
    base_dir: Path

    def file(self, table: str) -> TableFile:
        return TableFile(table, self.base_dir / f"{table}.parquet")

    def state(self, version: str) -> TablesState | None:
        """The state of the stored tables, if they are complete and were made by code of this
        `version` (anything else means: build from scratch)."""
        path = self.base_dir / STATE_FILE
        if not path.is_file() or not all(self.file(table).path.is_file() for table in TABLES):
            return None
        try:
            state = TablesState.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError):  # damaged: rebuild rather than fail
            return None
        return state if state.version == version else None

    def save_state(self, state: TablesState) -> None:
        write_atomic(self.base_dir / STATE_FILE, state.to_json().encode("utf-8"))

    def forget_state(self) -> None:
        """Called before the table files change: until the new state is saved, they are not a
        base to build on."""
        (self.base_dir / STATE_FILE).unlink(missing_ok=True)

    def validated(self, version: str) -> dict[str, str]:
        """SHA-256 by table of the files that passed their Pandera model, as checked by code of
        this `version` (a different version validated against different models: none)."""
        path = self.base_dir / VALIDATED_FILE
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(value, dict) or value.get("version") != version:
            return {}
        return value.get("tables") if isinstance(value.get("tables"), dict) else {}

    def record_validated(self, version: str, table: str, sha256: str | None) -> None:
        """Record that the file of `table` with this SHA-256 passed its Pandera model (None:
        forget the table's record)."""
        tables = {**self.validated(version), table: sha256}
        value = {"version": version, "tables": {t: h for t, h in sorted(tables.items()) if h}}
        # Not durable: whatever a power cut leaves, a file whose hash is not recorded is just
        # validated again.
        write_atomic(
            self.base_dir / VALIDATED_FILE,
            (json.dumps(value, indent=1) + "\n").encode(),
            durable=False,
        )

    def work_dir(self, run_id: str) -> Path:
        """An empty folder for the pieces a build writes before putting each table together;
        those of killed runs, and their half-written table files, are removed first."""
        shutil.rmtree(self.base_dir / WORK_DIR, ignore_errors=True)
        for stale in self.base_dir.glob(".*.tmp"):
            stale.unlink()
        path = self.base_dir / WORK_DIR / run_id
        path.mkdir(parents=True)
        return path
