"""A fingerprint of the tables' columns, recorded with the schema version it belongs to, so that
a change to the columns cannot go out under the old `SCHEMA_VERSION`.

The fingerprint covers what a reader relies on: tables, column names and order, types,
nullability, checks and keys; not the descriptions. `make docs` records it in
`schemas/fingerprint.json`, and refuses while the columns changed but the version did not;
`tests/test_docs.py` fails until the recorded pair is the current one.

    python -m schemas.fingerprint    (records the current version and fingerprint)
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from schemas import HISTORY_TABLES, SCHEMA_VERSION, TABLES

RECORD = Path(__file__).with_name("fingerprint.json")


def fingerprint() -> str:
    """A short hash of the columns of every published and history table."""
    tables = {}
    for table, model in {**TABLES, **HISTORY_TABLES}.items():
        schema = model.to_schema()
        tables[table] = {
            "columns": [
                [name, str(column.dtype), column.nullable, column.unique, _checks(column.checks)]
                for name, column in schema.columns.items()
            ],
            "key": list(schema.unique or []),
            "checks": _checks(schema.checks),
        }
    text = json.dumps(tables, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _checks(checks: list) -> list:
    return [[check.name, check.statistics] for check in checks]


def recorded() -> dict[str, str]:
    """The recorded `{"schema_version": …, "fingerprint": …}` (empty if there is none)."""
    try:
        return json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def current() -> dict[str, str]:
    return {"schema_version": SCHEMA_VERSION, "fingerprint": fingerprint()}


def problem() -> str | None:
    """What is wrong with the record, if anything, and what to do about it."""
    record, now = recorded(), current()
    if record == now:
        return None
    if record.get("schema_version") == SCHEMA_VERSION:
        return (
            f"The columns changed but SCHEMA_VERSION is still {SCHEMA_VERSION}: raise it in "
            "schemas/__init__.py (major for a breaking change, minor for added columns, patch "
            "for fixes), then run `make docs`."
        )
    return f"Schema version {SCHEMA_VERSION} is not recorded yet: run `make docs`."


def main() -> int:
    record, now = recorded(), current()
    if record.get("schema_version") == SCHEMA_VERSION and record != now:
        print(f"error: {problem()}", file=sys.stderr)
        return 1
    RECORD.write_text(json.dumps(now, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
