"""A seeds folder with junk in it: the run succeeds, good papers publish, every bad item is in
rejects with its reason, and the accounting check passes."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.jobs import PUBLISH_JOB
from pipelines.sources import read_source, report_files
from tests.conftest import SEEDS, Build, build_into

FIRST = (SEEDS / "000_18c40586699a2521.txt").read_text(encoding="utf-8")  # 2026-01-12, 22 papers
SECOND = (SEEDS / "001_202c590195c4dd5f.txt").read_text(encoding="utf-8")  # 2026-01-24, 27 papers


def redated(text: str, date: str) -> str:
    return text.replace("2026-01-12", date)


def papers_of(text: str) -> list[str]:
    head, *papers = text.split("\n## 📄 ")
    return [head, *("## 📄 " + paper for paper in papers)]


@pytest.fixture(scope="module")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    seeds = tmp_path_factory.mktemp("messy") / "seeds"
    seeds.mkdir()
    (seeds / "000.txt").write_text(FIRST, encoding="utf-8")
    (seeds / "001.txt").write_text(SECOND, encoding="utf-8")
    (seeds / "001-edited.md").write_text(
        SECOND.replace("Agentic Uncertainty", "Agentic Certainty"), encoding="utf-8"
    )
    (seeds / "copy-of-000.md").write_text(FIRST, encoding="utf-8")
    (seeds / "empty.md").write_bytes(b"")
    (seeds / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (seeds / "gb18030.md").write_bytes(redated(FIRST, "2026-01-15").encode("gb18030"))
    truncated = "\n".join(redated(FIRST, "2026-01-13").split("\n")[:88])  # cut inside paper 3
    (seeds / "truncated.md").write_text(truncated, encoding="utf-8")
    head, first, second, *_ = papers_of(redated(FIRST, "2026-01-14"))
    (seeds / "duplicated.md").write_text("\n".join([head, first, second, first]), encoding="utf-8")
    (seeds / "dangling.md").symlink_to(seeds / "moved-away.md")  # a broken link
    (seeds / os.fsdecode(b"caf\xe9.md")).write_text(redated(FIRST, "2026-01-16"))  # Latin-1 name
    return build_into(seeds, seeds.parent)


def test_run_succeeds_with_all_checks_passing(messy_build: Build) -> None:
    assert messy_build.result.success
    evaluations = messy_build.result.runs[PUBLISH_JOB].get_asset_check_evaluations()
    failed = {e.check_name for e in evaluations if not e.passed}
    assert failed == {"rejects_by_reason"}  # a warning that shows the rejects in the UI
    accounting = next(e for e in evaluations if e.check_name == "every_input_accounted_for")
    assert accounting.metadata["papers_found"].value == 22 + 27 + 27 + 22 + 3 + 3
    assert accounting.metadata["papers_published"].value == 22 + 2 + 2
    files = messy_build.result.reports  # every one redone: the first build
    assert accounting.description.startswith(f"Checked the {files} of {files} input files this")
    by_reason = next(e for e in evaluations if e.check_name == "rejects_by_reason")
    with duckdb.connect(str(messy_build.warehouse_file), read_only=True) as connection:
        counts = connection.execute(
            "SELECT reason_code, count(*) FROM rejects GROUP BY ALL ORDER BY 1"
        ).fetchall()
    summary = ", ".join(f"{code} {rows}" for code, rows in counts)
    rows = sum(n for _, n in counts)
    assert by_reason.description.startswith(f"{rows} rows rejected ({summary}): ")


def test_good_papers_are_published(messy_build: Build) -> None:
    with duckdb.connect(str(messy_build.warehouse_file), read_only=True) as connection:
        per_report = connection.execute(
            "SELECT report_date::VARCHAR, source_file, count(*) FROM papers GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert per_report == [
        ("2026-01-12", "000.txt", 22),
        ("2026-01-13", "truncated.md", 2),
        ("2026-01-14", "duplicated.md", 2),
    ]


def test_every_bad_item_is_rejected_with_its_reason(messy_build: Build) -> None:
    with duckdb.connect(str(messy_build.warehouse_file), read_only=True) as connection:
        rejects = connection.execute(
            "SELECT source_file, reason_code, level FROM rejects"
        ).fetchall()
    assert Counter(rejects) == Counter(
        [
            ("001.txt", "conflicting_report", "report"),
            ("001-edited.md", "conflicting_report", "report"),
            ("copy-of-000.md", "duplicate_file", "file"),
            ("empty.md", "empty_file", "file"),
            ("binary.txt", "not_utf8", "file"),
            ("gb18030.md", "not_utf8", "file"),
            ("truncated.md", "missing_sections", "paper"),
            ("duplicated.md", "duplicate_paper", "paper"),
            ("dangling.md", "unreadable_file", "file"),
            ("caf\\xe9.md", "unreadable_file", "file"),
        ]
    )


def test_rejects_are_in_the_release_too(messy_build: Build) -> None:
    import polars as pl

    rejects = pl.read_parquet(messy_build.latest / "rejects.parquet")
    assert rejects.height == 10
    assert rejects["raw_text"].str.len_chars().min() >= 0
    truncated = rejects.filter(pl.col("source_file") == "truncated.md").row(0, named=True)
    assert truncated["raw_text"].startswith("## 📄 CaricatureGS")
    assert "innovations" in truncated["message"] and "results" in truncated["message"]
    latin1 = rejects.filter(pl.col("source_file") == "caf\\xe9.md").row(0, named=True)
    assert latin1["message"].startswith("The file name is not valid UTF-8")


def test_every_input_file_is_accounted_for(messy_build: Build) -> None:
    names = {  # a name that is not UTF-8 is shown with \\x escapes
        os.fsencode(path.name).decode("utf-8", "backslashreplace")
        for path in Path(messy_build.settings.seeds_dir).iterdir()
    }
    with duckdb.connect(str(messy_build.warehouse_file), read_only=True) as connection:
        published = {
            row[0] for row in connection.execute("SELECT source_file FROM reports").fetchall()
        }
        rejected = {
            row[0] for row in connection.execute("SELECT source_file FROM rejects").fetchall()
        }
    assert names == published | rejected


def test_source_files_keep_the_date_of_every_readable_report(messy_build: Build) -> None:
    with duckdb.connect(str(messy_build.warehouse_file), read_only=True) as connection:
        dates = dict(
            connection.execute(
                "SELECT source_file, report_date::VARCHAR FROM source_files"
            ).fetchall()
        )
    assert dates["001.txt"] == dates["001-edited.md"] == "2026-01-24"  # rejected, but dated
    assert dates["copy-of-000.md"] == dates["000.txt"] == "2026-01-12"
    assert dates["empty.md"] is dates["binary.txt"] is None


def test_a_named_pipe_is_rejected_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    read: list = []
    # In a thread of its own: reading the pipe would block this one for ever.
    reader = threading.Thread(target=lambda: read.append(read_source(tmp_path, "pipe.md")))
    reader.daemon = True
    reader.start()
    reader.join(timeout=60)
    assert read, "read_source waited for a writer"
    (problem,) = read[0].parsed.problems
    assert problem.reason_code == "unreadable_file"
    assert problem.message.startswith("Not a regular file (a named pipe")


def test_links_to_folders_are_followed_and_each_folder_read_once(tmp_path: Path) -> None:
    seeds, archive = tmp_path / "seeds", tmp_path / "archive2025"
    (seeds / "real").mkdir(parents=True)
    archive.mkdir()
    (seeds / "a.md").write_text(FIRST, encoding="utf-8")
    (archive / "b.md").write_text(SECOND, encoding="utf-8")
    (seeds / "real" / "c.md").write_text(redated(FIRST, "2026-01-18"), encoding="utf-8")
    (seeds / "archive").symlink_to(archive)  # a folder elsewhere
    (seeds / "real" / "up").symlink_to(seeds)  # a loop
    (seeds / "again").symlink_to(seeds / "real")  # a second way to a folder
    (seeds / "early").mkdir()
    (seeds / "early" / "to_real").symlink_to(seeds / "real")  # reached before the folder itself
    assert report_files(seeds) == ["a.md", "archive/b.md", "real/c.md"]
    linked = read_source(seeds, "archive/b.md")
    assert linked.sha256 == hashlib.sha256(SECOND.encode()).hexdigest()
    assert len(linked.parsed.papers) == 27
