"""Audit a staged release by reading its files back (the *audit* of write-audit-publish).

Each audit returns a list of problems, one line each; empty means passed. The Dagster checks on
the staged release run them one by one, and publishing waits for all of them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb
import pandera.errors
import polars as pl
import pyarrow.parquet as pq

from pipelines.parquet import arrow_schema
from pipelines.release.datapackage import FOREIGN_KEYS
from pipelines.release.verify import MANIFEST, verify_release
from pipelines.warehouse import WAREHOUSE_FILE
from schemas import TABLES


def audit_tables_match_schemas(folder: Path, validated: Mapping[str, str]) -> list[str]:
    """Each table file has exactly the published Arrow schema and passes its Pandera model.

    `validated` is the SHA-256 by table of files that already passed their model (the tables'
    own schema check records them); a file with those very bytes is not validated again."""
    problems = []
    for table, model in TABLES.items():
        path = folder / f"{table}.parquet"
        if pq.read_schema(path).remove_metadata() != arrow_schema(table).remove_metadata():
            problems.append(f"{path.name}: column names or types differ from the schema")
            continue
        data = path.read_bytes()
        if validated.get(table) == hashlib.sha256(data).hexdigest():
            continue
        try:
            model.validate(pl.read_parquet(io.BytesIO(data)), lazy=True)
        except pandera.errors.SchemaErrors as errors:
            failed = sorted(set(errors.failure_cases["check"].cast(pl.String).to_list()))
            problems.append(f"{path.name}: fails {', '.join(failed)}")
    return problems


def audit_foreign_keys(folder: Path) -> list[str]:
    """Every child row has its parent row (papers → reports, the other tables but rejects →
    papers)."""
    problems = []
    for child, (columns, parent, parent_columns) in FOREIGN_KEYS.items():
        orphans = pl.read_parquet(folder / f"{child}.parquet", columns=columns).join(
            pl.read_parquet(folder / f"{parent}.parquet", columns=parent_columns),
            left_on=columns,
            right_on=parent_columns,
            how="anti",
        )
        if orphans.height:
            problems.append(f"{child}.parquet: {orphans.height} rows without a row in {parent}")
    return problems


def audit_read_back(folder: Path) -> list[str]:
    """DuckDB reads every table file, and the release's DuckDB file, with the manifest's rows."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    problems = []
    with duckdb.connect(str(folder / WAREHOUSE_FILE), read_only=True) as connection:
        for entry in manifest["files"]:
            if not entry.get("table"):
                continue
            path = str(folder / entry["file"])
            from_file = connection.execute("SELECT count(*) FROM read_parquet(?)", [path])
            from_file = from_file.fetchone()[0]
            in_database = connection.execute(f"SELECT count(*) FROM {entry['table']}").fetchone()[0]
            if from_file != entry["rows"] or in_database != entry["rows"]:
                problems.append(
                    f"{entry['file']}: manifest says {entry['rows']} rows, the Parquet file has "
                    f"{from_file}, {WAREHOUSE_FILE} has {in_database}"
                )
    return problems


# The audits that need nothing but the staged folder.
AUDITS: dict[str, Callable[[Path], list[str]]] = {
    "files_match_manifest": verify_release,
    "foreign_keys_resolve": audit_foreign_keys,
    "files_read_back": audit_read_back,
}
