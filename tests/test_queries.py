"""The example queries in `queries/` run on a build of the seeds, and answer what they say."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.jobs import PUBLISH_JOB
from pipelines.settings import PROJECT_ROOT
from pipelines.sources import report_files
from tests.conftest import SEEDS, Build

QUERIES = sorted((PROJECT_ROOT / "queries").glob("*.sql"))
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
QUESTION = re.compile(r"-- (\S.*\?)\n")


def question(path: Path) -> str:
    match = QUESTION.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} does not start with a `-- <question>?` line"
    return match.group(1)


def run(build: Build, name: str) -> pl.DataFrame:
    sql = (PROJECT_ROOT / "queries" / name).read_text(encoding="utf-8")
    with duckdb.connect(str(build.warehouse_file), read_only=True) as connection:
        return pl.from_arrow(connection.sql(sql).to_arrow_table())


def release_table(build: Build, table: str) -> pl.DataFrame:
    return pl.read_parquet(build.latest / f"{table}.parquet")


def test_there_are_six_to_ten_queries() -> None:
    assert 6 <= len(QUERIES) <= 10


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.name)
def test_query_starts_with_its_question_and_is_ordered(path: Path) -> None:
    question(path)
    assert "ORDER BY" in path.read_text(encoding="utf-8"), f"{path.name}: rows in no fixed order"


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.name)
def test_query_is_listed_in_readme_with_its_question(path: Path) -> None:
    row = f"| [{path.name}](queries/{path.name}) | {question(path)} |"
    assert row in README, f"README's example query table lacks:\n{row}"


@pytest.mark.parametrize("path", QUERIES, ids=lambda path: path.name)
def test_query_answers_on_the_seeds(seed_build: Build, path: Path) -> None:
    rows = run(seed_build, path.name)
    assert rows.height >= 1, path.name


def test_latest_report_papers(seed_build: Build) -> None:
    papers = release_table(seed_build, "papers")
    latest = papers.filter(pl.col("report_date") == pl.col("report_date").max()).sort("rank")
    result = run(seed_build, "latest_report_papers.sql")
    assert result.height == latest.height
    assert result.select("rank", "arxiv_id", "title").equals(
        latest.select("rank", "arxiv_id", "title")
    )


def test_papers_per_month(seed_build: Build) -> None:
    reports = release_table(seed_build, "reports")
    papers = release_table(seed_build, "papers")
    result = run(seed_build, "papers_per_month.sql")
    expected = (
        papers.group_by(month=pl.col("report_date").dt.strftime("%Y-%m"))
        .agg(papers=pl.len(), reports=pl.col("report_date").n_unique())
        .sort("month")
    )
    assert (
        result.select("month", "reports", "papers").rows()
        == expected.select("month", "reports", "papers").rows()
    )
    assert result["reports"].sum() == reports.height


def test_top_benchmarks(seed_build: Build) -> None:
    mentions = release_table(seed_build, "mentions").filter(pl.col("kind") == "benchmark")
    expected = (
        mentions.group_by(benchmark="normalized_name")
        .agg(papers=pl.col("arxiv_id").n_unique(), mentions=pl.len())
        .sort(["papers", "mentions", "benchmark"], descending=[True, True, False])
        .head(20)
    )
    assert run(seed_build, "top_benchmarks.sql").rows() == expected.rows()


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("top_benchmarks.sql", "mentions"),
        ("hardware.sql", "mentions"),
        ("papers_per_domain.sql", "domains"),
    ],
)
def test_a_paper_listed_on_two_days_counts_once(seed_build: Build, name: str, table: str) -> None:
    """The seeds list no paper twice: list one again, a day later, and count again."""
    connection = duckdb.connect()
    for each in ("papers", "mentions", "domains"):
        connection.register(f"{each}_file", pl.read_parquet(seed_build.latest / f"{each}.parquet"))
        connection.execute(f"CREATE TABLE {each} AS SELECT * FROM {each}_file")
    sql = (PROJECT_ROOT / "queries" / name).read_text(encoding="utf-8")
    before = pl.from_arrow(connection.sql(sql).to_arrow_table())
    (paper,) = connection.execute(
        "SELECT arxiv_id FROM mentions WHERE kind IN ('benchmark', 'hardware') "
        "ORDER BY report_date, arxiv_id LIMIT 1"
    ).fetchone()
    connection.execute(
        f"INSERT INTO {table} SELECT * REPLACE (report_date + 1 AS report_date) FROM {table} "
        "WHERE arxiv_id = ?",
        [paper],
    )
    after = pl.from_arrow(connection.sql(sql).to_arrow_table())
    assert after["papers"].sum() == before["papers"].sum()


def test_code_releases(seed_build: Build) -> None:
    code = release_table(seed_build, "code_release")
    stated = code.filter(pl.col("status").is_in(["released", "promised"]))
    result = run(seed_build, "code_releases.sql")
    assert sorted(result["arxiv_id"]) == sorted(stated["arxiv_id"])
    assert result["status"].to_list() == sorted(result["status"], reverse=True)


def test_search_titles(seed_build: Build) -> None:
    papers = release_table(seed_build, "papers")
    expected = {
        row["arxiv_id"] for row in papers.iter_rows(named=True) if "agent" in row["title"].lower()
    }
    assert set(run(seed_build, "search_titles.sql")["arxiv_id"]) == expected


def test_rejects_per_file_counts_each_reason(seed_build: Build) -> None:
    """The seeds have no rejects: run the query on a copy of the tables with three added."""
    sql = (PROJECT_ROOT / "queries" / "rejects_per_file.sql").read_text(encoding="utf-8")
    files = report_files(SEEDS)
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{seed_build.warehouse_file}' AS built (READ_ONLY)")
        connection.execute("CREATE TABLE reports AS FROM built.reports")
        connection.execute("CREATE TABLE rejects AS FROM built.rejects")
        connection.executemany(
            "INSERT INTO rejects (source_file, level, line_start, line_end, reason_code) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (files[0], "line", 3, 3, "unassigned_text"),
                (files[0], "line", 9, 10, "unassigned_text"),
                ("broken.md", "file", 0, 0, "not_utf8"),
            ],
        )
        rows = connection.execute(sql).fetchall()
    expected = [
        ("broken.md", "not_utf8", "file", 1),
        (files[0], "unassigned_text", "line", 2),
        *((name, None, None, 0) for name in files[1:]),
    ]
    assert rows == sorted(expected, key=lambda row: row[0])


def test_release_history(seed_build: Build) -> None:
    result = run(seed_build, "release_history.sql")
    assert result.height == 1  # one fresh build: one release
    row = result.row(0, named=True)
    assert row["release_id"] == seed_build.result.release_id == seed_build.latest.resolve().name
    assert row["run_id"] == seed_build.result.runs[PUBLISH_JOB].run_id
    assert row["papers"] == release_table(seed_build, "papers").height


def test_source_file_history(seed_build: Build) -> None:
    result = run(seed_build, "source_file_history.sql")
    expected = [
        (name, hashlib.sha256((SEEDS / name).read_bytes()).hexdigest()[:12])
        for name in report_files(SEEDS)
    ]
    assert result.select("source_file", "sha256_prefix").rows() == expected
    runs = {run.run_id for run in seed_build.result.runs.values()}
    assert set(result["first_seen_run"]) <= runs
    assert result["first_seen_at"].null_count() == 0


def test_readme_lists_no_missing_query() -> None:
    linked = set(re.findall(r"\]\(queries/([\w-]+\.sql)\)", README))
    assert linked == {path.name for path in QUERIES}
