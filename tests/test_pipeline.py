"""The whole asset graph materialised in-process into a temporary folder, then read back."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import polars as pl
import pytest

from pipelines.assets import release as release_asset
from pipelines.checks import innovations_belong_to_papers
from pipelines.definitions import defs
from pipelines.files import sha256_file
from pipelines.jobs import PUBLISH_JOB
from pipelines.parquet import TableFile
from pipelines.release import StagedRelease
from pipelines.tables.validate import PAPER_KEY
from pipelines.warehouse.build import WAREHOUSE_FILE, build_warehouse
from schemas import HISTORY_TABLES, SCHEMA_VERSION, TABLES
from schemas.views import VIEWS
from tests.conftest import SEEDS, Build, build_into, expected_papers


@pytest.fixture(scope="module")
def warehouse(seed_build: Build):
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        yield connection


def test_every_asset_and_check_ran_and_passed(seed_build: Build) -> None:
    publish = seed_build.result.runs[PUBLISH_JOB]
    materialized = {
        event.asset_key.to_user_string() for event in publish.get_asset_materialization_events()
    }
    assert materialized == {*TABLES, "warehouse", "staged_release", "release"}
    evaluations = publish.get_asset_check_evaluations()
    assert {(e.asset_key, e.check_name) for e in evaluations} == {
        (key.asset_key, key.name) for key in defs.resolve_asset_graph().asset_check_keys
    }
    # rejects_by_reason passes when nothing was rejected, as with the seeds
    assert all(evaluation.passed for evaluation in evaluations), [
        evaluation.check_name for evaluation in evaluations if not evaluation.passed
    ]


def test_staged_release_names_its_staging_folder_and_the_release_before(
    seed_build: Build,
) -> None:
    publish = seed_build.result.runs[PUBLISH_JOB]
    [staged] = publish.asset_materializations_for_node("staged_release")
    releases = seed_build.settings.warehouse_dir / "releases"
    assert staged.metadata["staging_folder"].value == str(releases / ".staging" / publish.run_id)
    assert staged.metadata["previous_release"].value == "none (first release)"
    same = StagedRelease("2026-01-24-a", Path("s"), "2026-01-24-a", [])
    assert release_asset._previous(same) == "2026-01-24-a (this very release: nothing changed)"
    assert release_asset._previous(replace(same, previous_id="2026-01-12-b")) == "2026-01-12-b"


def test_runs_are_recorded_in_the_dagster_home(seed_build: Build) -> None:
    run_ids = {result.run_id for result in seed_build.result.runs.values()}
    assert len(run_ids) == 2
    assert (seed_build.settings.dagster_home / "storage").is_dir()


def test_table_metadata_has_counts_schema_and_preview(seed_build: Build) -> None:
    publish = seed_build.result.runs[PUBLISH_JOB]
    papers = next(
        event.materialization
        for event in publish.get_asset_materialization_events()
        if event.asset_key == dg.AssetKey("papers")
    )
    assert papers.metadata["dagster/row_count"].value == 49
    columns = papers.metadata["dagster/column_schema"].value.columns
    assert [column.name for column in columns] == list(TABLES["papers"].to_schema().columns)
    assert all(column.description for column in columns)
    assert "Distilling Feedback into Memory" in papers.metadata["preview"].value
    lineage = papers.metadata["dagster/column_lineage"].value.deps_by_column
    assert set(lineage) == set(TABLES["papers"].to_schema().columns)
    assert lineage["source_sha256"] == [dg.TableColumnDep(dg.AssetKey("parsed_report"), "sha256")]


def test_warehouse_counts(warehouse) -> None:
    assert warehouse.execute("SELECT count(*) FROM papers").fetchone() == (49,)
    assert warehouse.execute("SELECT count(*) FROM reports").fetchone() == (2,)
    per_paper = warehouse.execute(
        """SELECT count(DISTINCT s.section_key), count(DISTINCT i.ordinal)
           FROM papers p JOIN sections s USING (report_date, arxiv_id)
           JOIN innovations i USING (report_date, arxiv_id) GROUP BY p.report_date, p.arxiv_id"""
    ).fetchall()
    assert len(per_paper) == 49
    assert set(per_paper) == {(5, 3)}


def test_warehouse_titles_and_ids_match_the_reports(warehouse) -> None:
    for path in sorted(SEEDS.iterdir()):
        rows = warehouse.execute(
            "SELECT rank, title, arxiv_id FROM papers WHERE source_file = ? ORDER BY rank",
            [path.name],
        ).fetchall()
        assert rows == [(p.rank, p.title, p.arxiv_id) for p in expected_papers(path)]


def test_every_row_carries_its_source_and_line_span(warehouse) -> None:
    for table in TABLES:
        bad = warehouse.execute(
            f"SELECT count(*) FROM {table} WHERE source_file IS NULL OR line_start > line_end"
        ).fetchone()
        assert bad == (0,), table
    # a section's span lies inside its paper's span
    outside = warehouse.execute(
        """SELECT count(*) FROM sections s JOIN papers p USING (report_date, arxiv_id)
           WHERE s.line_start < p.line_start OR s.line_end > p.line_end"""
    ).fetchone()
    assert outside == (0,)


def test_character_spans_point_at_the_text(warehouse) -> None:
    # DuckDB counts characters from 1; the spans are Python's (from 0, end excluded).
    at = "substring(s.body, {table}.char_start + 1, {table}.char_end - {table}.char_start)"
    mentions = warehouse.execute(
        f"""SELECT count(*), count(*) FILTER (NOT ends_with(m.name, {at.format(table="m")}))
            FROM mentions m JOIN sections s USING (report_date, arxiv_id, section_key)"""
    ).fetchone()
    results = warehouse.execute(
        f"""SELECT count(*), count(*) FILTER ({at.format(table="r")} <> r.value_text)
            FROM results r JOIN sections s
            ON s.report_date = r.report_date AND s.arxiv_id = r.arxiv_id
            AND s.section_key = 'results'"""
    ).fetchone()
    usage = warehouse.execute(
        f"""SELECT count(*), count(*) FILTER (NOT (
                regexp_matches({at.format(table="u")}, '^[ \t]*([*+-]|[0-9]+[.)])')
                AND contains({at.format(table="u")}, '**' || u.label)))
            FROM usage_facets u JOIN sections s
            ON s.report_date = u.report_date AND s.arxiv_id = u.arxiv_id
            AND s.section_key = 'usage'"""
    ).fetchone()
    # every mention ends in its span (`Qwen2.5-32B` of `Qwen2.5-14B/32B` spans `32B`)
    assert mentions[0] > 400 and mentions[1] == 0
    assert results[0] > 100 and results[1] == 0
    # a usage item's span is the whole list item: its marker, its label, its text
    assert usage[0] > 100 and usage[1] == 0


def test_primary_keys_and_comments_are_declared(warehouse) -> None:
    keys = dict(
        warehouse.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    )
    every_table = {**TABLES, **HISTORY_TABLES}
    assert keys == {table: list(model.to_schema().unique) for table, model in every_table.items()}
    missing = warehouse.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE table_name IN ? AND (comment IS NULL OR comment = '')",
        [list(every_table)],
    ).fetchall()
    assert missing == []
    views = dict(
        warehouse.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    )
    assert views == {name: view.description for name, view in VIEWS.items()}
    for name, view in VIEWS.items():
        columns = warehouse.execute(
            "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ? "
            "ORDER BY column_index",
            [name],
        ).fetchall()
        assert columns == list(view.columns.items()), name
    with pytest.raises(duckdb.Error):
        warehouse.execute("INSERT INTO papers SELECT * FROM papers LIMIT 1")  # read-only anyway


def test_a_warehouse_folder_with_a_quote_in_its_name(seed_build: Build, tmp_path) -> None:
    tables = {table: TableFile(table, seed_build.latest / f"{table}.parquet") for table in TABLES}
    path = tmp_path / "o'brien's data" / "daily_papers.duckdb"
    build_warehouse(path, tables, "first-run", None)
    build_warehouse(path, tables, "second-run", None)  # carries the history of the first over
    with duckdb.connect(str(path), read_only=True) as connection:
        loads = connection.sql("SELECT run_id FROM warehouse_loads ORDER BY loaded_at").fetchall()
        papers = connection.sql("SELECT count(*) FROM papers").fetchall()
    assert loads == [("first-run",), ("second-run",)]
    assert papers == [(tables["papers"].rows,)]


def test_primary_key_rejects_duplicates(seed_build: Build, tmp_path) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(seed_build.warehouse_file.read_bytes())
    with duckdb.connect(str(copy)) as connection, pytest.raises(duckdb.ConstraintException):
        connection.execute("INSERT INTO papers SELECT * FROM papers LIMIT 1")


def test_paper_summaries_view(warehouse) -> None:
    row = warehouse.execute(
        "SELECT title, domain, results, innovation_count FROM paper_summaries "
        "WHERE arxiv_id = '2601.05960'"
    ).fetchone()
    assert row[0] == "Distilling Feedback into Memory-as-a-Tool"
    assert row[1].startswith("NLP - 大语言模型智能体")
    assert "Rubric Feedback Bench" in row[2]
    assert row[3] == 3


def test_release_layout_and_manifest(seed_build: Build) -> None:
    latest = seed_build.latest
    assert latest.is_symlink()
    assert os.readlink(latest) == seed_build.result.release_id
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["release"] == seed_build.result.release_id
    assert manifest["schema_version"] == SCHEMA_VERSION
    tables = [entry["table"] for entry in manifest["files"] if "table" in entry]
    assert tables == list(TABLES)
    for entry in manifest["files"]:
        path = latest / entry["file"]
        assert sha256_file(path) == entry["sha256"]
        assert path.stat().st_size == entry["bytes"]
    assert not (latest.parent / ".staging").exists()


def test_release_loads_in_every_reader_with_warehouse_counts(
    seed_build: Build, warehouse, monkeypatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    for table in TABLES:
        path = seed_build.latest / f"{table}.parquet"
        expected = warehouse.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert (
            duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
            == expected
        )
        assert pl.read_parquet(path).height == expected
        assert len(pd.read_parquet(path)) == expected
        if expected:  # `datasets` cannot build a split from a file with no rows
            loaded = datasets.load_dataset(
                "parquet",
                data_files=str(path),
                split="train",
                cache_dir=str(seed_build.settings.warehouse_dir.parent / "hf_cache"),
            )
            assert loaded.num_rows == expected
    strings = pl.read_parquet_schema(seed_build.latest / "papers.parquet")
    assert strings["title"] == pl.String


def test_rebuild_gives_identical_parquet_and_publishes_nothing_new(
    seed_build: Build, tmp_path
) -> None:
    again = build_into(SEEDS, tmp_path)
    assert again.result.success
    assert again.result.release_id == seed_build.result.release_id
    for table in TABLES:
        first = (seed_build.latest / f"{table}.parquet").read_bytes()
        assert (again.latest / f"{table}.parquet").read_bytes() == first, table
    # and every other file but the DuckDB copy and the two lists of its hash (README)
    unreproducible = {WAREHOUSE_FILE, "manifest.json", "SHA256SUMS"}
    files = sorted(
        path.relative_to(seed_build.latest)
        for path in seed_build.latest.rglob("*")
        if path.is_file() and path.name not in unreproducible
    )
    assert len(files) > len(TABLES) + 4
    for name in files:
        assert (again.latest / name).read_bytes() == (seed_build.latest / name).read_bytes(), name


def test_unchanged_inputs_keep_the_same_release(seed_build: Build, tmp_path) -> None:
    import shutil

    root = tmp_path / "twice"
    first = build_into(SEEDS, root)
    published = sorted(p.name for p in (root / "warehouse" / "releases").iterdir())
    shutil.rmtree(root / "dagster_home")  # a fresh Dagster home too: the id depends on content only
    second = build_into(SEEDS, root)
    assert second.result.release_id == first.result.release_id
    assert sorted(p.name for p in (root / "warehouse" / "releases").iterdir()) == published


def test_innovations_check_warns_on_a_paper_without_any_and_fails_on_an_orphan(
    seed_build: Build,
) -> None:
    papers = pl.read_parquet(seed_build.latest / "papers.parquet")
    innovations = pl.read_parquet(seed_build.latest / "innovations.parquet")
    first = papers.head(1).select(PAPER_KEY)
    none_for_first = innovations.join(first, on=PAPER_KEY, how="anti")
    warned = innovations_belong_to_papers(innovations=none_for_first, papers=papers)
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    assert warned.metadata["papers_without_innovations"].value == 1
    failed = innovations_belong_to_papers(innovations=innovations, papers=papers.slice(1))
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["orphan_innovations"].value > 0
