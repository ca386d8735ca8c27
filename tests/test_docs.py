"""The docs say what the code does: README queries run, the data dictionary is current."""

from __future__ import annotations

import copy
import io
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import cli
from pipelines.settings import PROJECT_ROOT
from schemas import HISTORY_TABLES, REASON_CODES, TABLES, fingerprint
from schemas.dictionary import render
from tests.conftest import Build

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
README_QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_its_queries() -> None:
    # Each ```sql block is run below; this count notices blocks the pattern stops finding.
    assert len(README_QUERIES) == 9, (
        f"README.md has {len(README_QUERIES)} ```sql blocks, not 9: if you added or removed one, "
        "change the count here"
    )


@pytest.mark.parametrize("query", README_QUERIES)
def test_readme_query_answers_on_the_seeds(
    seed_build: Build, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        rows = connection.execute(query).fetchall()
        str(connection.sql(query))  # printed, as the README's Python one-liner does
    assert rows, query
    # and as `daily-papers query` runs it
    assert cli.query(seed_build.settings, query, "csv", limit=0) == 0
    assert pl.read_csv(io.StringIO(capsys.readouterr().out)).height == len(rows)


def test_data_dictionary_is_generated_from_the_schemas() -> None:
    written = (PROJECT_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert written == render(), "docs/data-dictionary.md is stale: run `make docs`"


def test_the_schema_version_changes_with_the_columns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert fingerprint.problem() is None, fingerprint.problem()
    record = tmp_path / "fingerprint.json"
    shutil.copyfile(fingerprint.RECORD, record)
    monkeypatch.setattr(fingerprint, "RECORD", record)
    # A changed column under the same version is caught, and `make docs` refuses to record it.
    monkeypatch.setattr(fingerprint, "fingerprint", lambda: "changed")
    assert "SCHEMA_VERSION is still" in fingerprint.problem()
    written = record.read_bytes()
    assert fingerprint.main() == 1
    assert record.read_bytes() == written
    # Under a new version it is recorded.
    monkeypatch.setattr(fingerprint, "SCHEMA_VERSION", "9.0.0")
    assert "not recorded yet" in fingerprint.problem()
    assert fingerprint.main() == 0
    assert fingerprint.recorded() == {"schema_version": "9.0.0", "fingerprint": "changed"}


def test_the_fingerprint_sees_types_checks_and_keys_but_not_descriptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = fingerprint.fingerprint()
    schema = TABLES["results"].to_schema()
    other_key = copy.deepcopy(schema)
    other_key.unique = ["report_date", "arxiv_id"]
    changed = {
        "description": schema.update_column("change", description="other words"),
        "type": schema.update_column("value", dtype=pl.Int64),
        "nullability": schema.update_column("change", nullable=False),
        "checks": schema.update_column("change", checks=[]),
        "columns": schema.remove_columns(["change"]),
        "key": other_key,
    }
    for what, other in changed.items():
        monkeypatch.setattr(TABLES["results"], "to_schema", lambda other=other: other)
        assert (fingerprint.fingerprint() == before) == (what == "description"), what


def test_data_dictionary_covers_every_column_and_reason() -> None:
    text = render()
    for table, model in {**TABLES, **HISTORY_TABLES}.items():
        assert f"## `{table}`" in text
        for name, column in model.to_schema().columns.items():
            assert column.description, f"{table}.{name} has no description"
            assert f"| `{name}` |" in text
    for code in REASON_CODES:
        assert f"| `{code}` |" in text


def test_readme_names_every_table() -> None:
    for table in {**TABLES, **HISTORY_TABLES}:
        assert f"`{table}`" in README
