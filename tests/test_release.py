"""The release: contents, verification, data package, dataset card, changelog, history, and the
write-audit-publish gate."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import datasets
import duckdb
import frictionless
import pandera.errors
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines import io_managers, run_history
from pipelines.assets import tables as tables_asset
from pipelines.checks import every_table_matches_its_schema
from pipelines.definitions import build_definitions
from pipelines.files import sha256_file
from pipelines.parquet import write_parquet
from pipelines.release import stage
from pipelines.release.audit import audit_foreign_keys, audit_tables_match_schemas
from pipelines.release.card import _size_category
from pipelines.release.changelog import paper_changes, render_changelog
from pipelines.release.charts import CHARTS
from pipelines.release.publish import remove_stale_staging
from pipelines.release.verify import LARGEST_LIST, checksums_text, verify_release
from pipelines.run_history import record_run
from pipelines.tables.store import TableStore
from pipelines.versions import CODE_VERSION, DATA_LIBRARIES, PARSER_VERSION, TABLES_VERSION
from pipelines.warehouse import WAREHOUSE_FILE, ddl
from pipelines.warehouse.history import append_rows, recorded
from schemas import HISTORY_TABLES, SCHEMA_VERSION, TABLES
from tests.conftest import SEEDS, Build, build_into, cli_env

DAILY_PAPERS = Path(sys.executable).with_name("daily-papers")
EXPECTED_FILES = {
    *(f"{table}.parquet" for table in TABLES),
    WAREHOUSE_FILE,
    "datapackage.json",
    "README.md",
    "CHANGELOG.md",
    "manifest.json",
    "SHA256SUMS",
    "charts",
}


def writable_copy(release: Path, destination: Path) -> Path:
    """A downloaded copy of a release (published files are read-only)."""
    shutil.copytree(release, destination)
    for path in destination.rglob("*"):
        if path.is_file():
            path.chmod(0o644)
    return destination


def one_seed(tmp_path: Path, name: str = "001_202c590195c4dd5f.txt") -> Path:
    seeds = tmp_path / "one_seed"
    seeds.mkdir(parents=True)
    shutil.copy(SEEDS / name, seeds / name)
    return seeds


def test_release_holds_every_file_read_only(seed_build: Build) -> None:
    folder = seed_build.latest.resolve()
    assert {path.name for path in folder.iterdir()} == EXPECTED_FILES
    assert {path.name for path in (folder / "charts").iterdir()} == {
        f"{name}.svg" for name in CHARTS
    }
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert all(path.stat().st_mode & 0o222 == 0 for path in files)


def test_manifest_names_sources_versions_and_files(seed_build: Build) -> None:
    manifest = json.loads((seed_build.latest / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert set(manifest["libraries"]) == set(DATA_LIBRARIES)
    assert manifest["parser_version"] == PARSER_VERSION
    # The package version and a hash of the code, which tells builds between two versions apart.
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", manifest["code_version"])
    reports = pl.read_parquet(seed_build.latest / "reports.parquet")
    assert [(s["file"], s["sha256"]) for s in manifest["sources"]] == sorted(
        zip(reports["source_file"], reports["source_sha256"], strict=True)
    )
    rows = {entry["table"]: entry["rows"] for entry in manifest["files"] if "table" in entry}
    assert list(rows) == list(TABLES)
    assert {t: rows[t] for t in ("reports", "papers", "sections", "innovations", "rejects")} == {
        "reports": 2,
        "papers": 49,
        "sections": 245,
        "innovations": 147,
        "rejects": 0,
    }
    assert rows["domains"] == rows["code_release"] == 49


def test_sha256sums_checks_out_with_coreutils(seed_build: Build) -> None:
    result = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=seed_build.latest,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    files = [path for path in seed_build.latest.resolve().rglob("*") if path.is_file()]
    assert result.stdout.count(": OK") == len(files) - 1  # all but SHA256SUMS itself


def run_verify(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DAILY_PAPERS), "verify", str(folder)], capture_output=True, text=True, check=False
    )


def test_verify_passes_an_intact_release(seed_build: Build) -> None:
    result = run_verify(seed_build.latest)
    assert result.returncode == 0, result.stdout
    assert verify_release(seed_build.latest) == []


@pytest.mark.parametrize("name", ["papers.parquet", "README.md", "manifest.json"])
def test_verify_fails_on_one_altered_byte(seed_build: Build, tmp_path: Path, name: str) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    data = bytearray((copy / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (copy / name).write_bytes(bytes(data))
    result = run_verify(copy)
    assert result.returncode == 1
    assert name in result.stdout


def test_verify_names_missing_and_extra_files(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    (copy / "sections.parquet").unlink()
    (copy / "notes.txt").write_text("not part of the release")
    result = run_verify(copy)
    assert result.returncode == 1
    assert "sections.parquet: missing" in result.stdout
    assert "notes.txt: not in the manifest" in result.stdout


def test_verify_wants_every_file_in_the_checksums_and_a_whole_manifest(
    seed_build: Build, tmp_path: Path
) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    sums = (copy / "SHA256SUMS").read_text().splitlines()
    kept = [line for line in sums if not line.endswith(("  papers.parquet", "  manifest.json"))]
    (copy / "SHA256SUMS").write_text("\n".join([*kept, f"{'0' * 64}  extra.bin"]) + "\n")
    assert verify_release(copy) == [
        "SHA256SUMS: lists 'extra.bin', which the manifest does not",
        "manifest.json: not in SHA256SUMS",
        "papers.parquet: not in SHA256SUMS",
    ]

    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"][0]["bytes"]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    (problem,) = verify_release(copy)
    assert problem == "manifest.json: not a valid manifest (KeyError: 'bytes')"
    manifest["files"][0] = {"file": "../outside", "bytes": 1, "sha256": "0" * 64}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    (problem,) = verify_release(copy)
    assert "'../outside' is not a file name inside the release" in problem


def test_verify_reports_damaged_checksums_and_manifest(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    with open(copy / "SHA256SUMS", "ab") as sums:
        sums.write(b"\xff\xfe\n")
    result = run_verify(copy)
    assert result.returncode == 1
    assert "SHA256SUMS: not valid UTF-8 (file altered)" in result.stdout
    (copy / "manifest.json").unlink()
    (copy / "manifest.json").mkdir()
    assert verify_release(copy) == ["manifest.json: not a regular file"]


def test_verify_reports_links_instead_of_following_them(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    outside = tmp_path / "outside"
    outside.mkdir()
    # The very bytes, kept outside the folder: a copy that passes only by following the links.
    (copy / "papers.parquet").rename(outside / "papers.parquet")
    (copy / "papers.parquet").symlink_to(outside / "papers.parquet")
    (copy / "charts").rename(outside / "charts")
    (outside / "charts" / "extra.html").write_text("<script></script>")
    (copy / "charts").symlink_to(outside / "charts", target_is_directory=True)
    problems = verify_release(copy)
    assert problems[:2] == [
        "charts: a link, not a file of the release",
        "papers.parquet: a link, not a file of the release",
    ]
    assert sorted(p for p in problems if p.endswith(": missing")) == [
        f"charts/{name}: missing" for name in sorted(p.name for p in outside.glob("*/*.svg"))
    ]
    assert all("papers.parquet" not in p and "extra.html" not in p for p in problems[2:])


def test_verify_refuses_a_manifest_that_lists_a_file_twice(
    seed_build: Build, tmp_path: Path
) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    manifest = json.loads((copy / "manifest.json").read_text())
    (papers,) = [entry for entry in manifest["files"] if entry["file"] == "papers.parquet"]
    manifest["files"].insert(0, {**papers, "bytes": 1, "sha256": "0" * 64, "rows": 999})
    (copy / "manifest.json").write_text(json.dumps(manifest))
    sums = (copy / "SHA256SUMS").read_text().splitlines()
    sums = [line for line in sums if not line.endswith("  manifest.json")]
    sums.append(f"{sha256_file(copy / 'manifest.json')}  manifest.json")
    (copy / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    assert verify_release(copy) == ["manifest.json: lists 'papers.parquet' more than once"]


def rewrite_lists(copy: Path, changed: str) -> None:
    """Give the changed file its size and hash in the manifest, and both in SHA256SUMS: the
    lists are consistent with the files again."""
    manifest = json.loads((copy / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["file"] == changed:
            entry.update(bytes=(copy / changed).stat().st_size, sha256=sha256_file(copy / changed))
    (copy / "manifest.json").write_text(json.dumps(manifest))
    hashes = {entry["file"]: entry["sha256"] for entry in manifest["files"]}
    hashes["manifest.json"] = sha256_file(copy / "manifest.json")
    (copy / "SHA256SUMS").write_text(checksums_text(hashes))


def test_verify_compares_the_row_counts_of_table_files(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    papers = pl.read_parquet(copy / "papers.parquet")
    papers.head(10).write_parquet(copy / "papers.parquet")
    (copy / "sections.parquet").write_bytes(b"not parquet")
    rewrite_lists(copy, "papers.parquet")
    rewrite_lists(copy, "sections.parquet")
    problems = verify_release(copy)
    assert problems[0] == f"papers.parquet: 10 rows, manifest says {papers.height}"
    assert problems[1].startswith("sections.parquet: not a readable Parquet file (")
    assert len(problems) == 2


def test_verify_reports_any_damage_to_a_table_file_without_crashing(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": list(range(100))}), buffer)
    good = buffer.getvalue()
    rng = random.Random(1)
    for attempt in range(300):  # bytes changed anywhere, the footer most
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            near_end = rng.random() < 0.3
            at = (
                rng.randrange(len(data) - 8, len(data) - 4)
                if near_end
                else rng.randrange(len(data))
            )
            data[at] = rng.randrange(256)
        folder = tmp_path / str(attempt)
        folder.mkdir()
        (folder / "papers.parquet").write_bytes(data)
        entry = {"file": "papers.parquet", "table": "papers", "rows": 100}
        (folder / "manifest.json").write_text(json.dumps({"files": [entry]}))
        rewrite_lists(folder, "papers.parquet")
        problems = verify_release(folder)  # never raises
        assert all(p.startswith("papers.parquet: ") for p in problems), problems


def test_verify_wants_a_number_of_rows(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"][0]["rows"] = "many"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    (problem,) = verify_release(copy)
    assert problem.startswith("manifest.json: not a valid manifest (TypeError: ")
    assert problem.endswith(": rows must be a number)")


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("nested", "manifest.json: not a valid manifest (RecursionError"),
        ("surrogate", "manifest.json: not a valid manifest (ValueError: '\\ud800x' is not a file"),
        ("fifo", "manifest.json: not a regular file"),
        ("huge_sums", "SHA256SUMS: 67108865 bytes, too large to be one"),
    ],
)
def test_verify_reports_hostile_lists_without_hanging_or_crashing(
    seed_build: Build, tmp_path: Path, damage: str, problem: str
) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    manifest = copy / "manifest.json"
    if damage == "nested":
        manifest.write_text("[" * 100_000 + "]" * 100_000)
    elif damage == "surrogate":
        manifest.write_text('{"files": [{"file": "\\ud800x", "bytes": 1, "sha256": "0"}]}')
    elif damage == "fifo":
        manifest.unlink()
        os.mkfifo(manifest)
    else:
        os.truncate(copy / "SHA256SUMS", LARGEST_LIST + 1)
    result = subprocess.run(
        [str(DAILY_PAPERS), "verify", str(copy)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert f"FAILED {problem}" in result.stdout
    assert "Traceback" not in result.stderr


def test_make_verify_uses_the_same_command(seed_build: Build, tmp_path: Path) -> None:
    copy = writable_copy(seed_build.latest, tmp_path / "download")
    (copy / "innovations.parquet").unlink()
    project = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(project), "verify", f"RELEASE={copy}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "innovations.parquet: missing" in result.stdout


def test_datapackage_is_a_valid_frictionless_package(seed_build: Build) -> None:
    descriptor = json.loads((seed_build.latest / "datapackage.json").read_text())
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    assert list(resources) == list(TABLES)
    for table, model in TABLES.items():
        schema = resources[table]["schema"]
        assert [field["name"] for field in schema["fields"]] == list(model.to_schema().columns)
        assert schema["primaryKey"] == list(model.to_schema().unique)
    parents = {
        table: [key["reference"]["resource"] for key in resource["schema"].get("foreignKeys", [])]
        for table, resource in resources.items()
    }
    assert parents == {
        "reports": [],
        "papers": ["reports"],
        **{table: ["papers"] for table in TABLES if table not in ("reports", "papers", "rejects")},
        "rejects": [],
    }
    for name, column in TABLES["papers"].to_schema().columns.items():
        field = next(f for f in resources["papers"]["schema"]["fields"] if f["name"] == name)
        assert field.get("constraints") == (None if column.nullable else {"required": True})
    fields = {field["name"]: field for field in resources["mentions"]["schema"]["fields"]}
    assert fields["kind"]["constraints"] == {
        "required": True,
        "enum": ["hardware", "benchmark", "model", "link", "domain_term"],
    }
    fields = {field["name"]: field for field in resources["results"]["schema"]["fields"]}
    assert fields["unit"]["constraints"] == {"enum": ["%", "x", "pp", "points"]}


def test_dataset_card_loads_every_table_with_datasets(
    seed_build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    folder = str(seed_build.latest.resolve())
    card = (seed_build.latest / "README.md").read_text()
    assert card.startswith("---\nlicense: other\n")
    assert "## Data dictionary" in card and "## Citation" in card
    assert "- config_name: papers\n  data_files: papers.parquet\n  default: true\n" in card
    assert card.count("default: true") == 1
    assert "Reports from 2026-01-12 to 2026-01-24." in card
    assert "  year         = {2026},\n" in card
    assert 'pd.read_parquet("sections.parquet", dtype_backend="pyarrow")' in card
    assert seed_build.result.release_id.startswith("2026-01-24-")  # named by the newest report
    manifest = json.loads((seed_build.latest / "manifest.json").read_text())
    for entry in manifest["files"]:
        if "table" not in entry:
            continue
        if entry["rows"] == 0:  # `datasets` has no empty splits; the card says so
            with pytest.raises(ValueError, match="no data"):
                datasets.load_dataset(folder, entry["table"], cache_dir=str(tmp_path))
            continue
        loaded = datasets.load_dataset(
            folder, entry["table"], split="train", cache_dir=str(tmp_path)
        )
        assert loaded.num_rows == entry["rows"]
        assert loaded.column_names == list(TABLES[entry["table"]].to_schema().columns)


@pytest.mark.parametrize(
    ("rows", "label"), [(999, "n<1K"), (1_000, "1K<n<10K"), (99_999, "10K<n<100K")]
)
def test_card_size_category(rows: int, label: str) -> None:
    assert _size_category(rows) == label


def test_a_single_orphan_row_fails_the_foreign_key_audit(seed_build: Build, tmp_path: Path) -> None:
    for table in TABLES:
        shutil.copy(seed_build.latest / f"{table}.parquet", tmp_path)
    assert audit_foreign_keys(tmp_path) == []
    sections = pl.read_parquet(tmp_path / "sections.parquet")
    orphan = sections.head(1).with_columns(arxiv_id=pl.lit("2601.99999"))
    pl.concat([sections, orphan]).write_parquet(tmp_path / "sections.parquet")
    assert audit_foreign_keys(tmp_path) == ["sections.parquet: 1 rows without a row in papers"]
    mentions = pl.read_parquet(tmp_path / "mentions.parquet")
    orphan = mentions.head(1).with_columns(report_date=pl.date(2020, 1, 1))
    pl.concat([mentions, orphan]).write_parquet(tmp_path / "mentions.parquet")
    assert audit_foreign_keys(tmp_path)[1] == "mentions.parquet: 1 rows without a row in papers"


def test_the_parquet_writer_sorts_rows_by_key(seed_build: Build, tmp_path: Path) -> None:
    papers = pl.read_parquet(seed_build.latest / "papers.parquet")
    write_parquet("papers", papers.reverse(), tmp_path / "papers.parquet")
    assert pl.read_parquet(tmp_path / "papers.parquet").equals(papers)
    assert not papers.reverse().equals(papers)


def test_release_duckdb_copy_is_readable_by_duckdb_1x_storage(seed_build: Build) -> None:
    path = seed_build.latest / WAREHOUSE_FILE
    with duckdb.connect(str(path), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM papers").fetchone() == (49,)
        version = connection.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = 'daily_papers'"
        ).fetchone()
    assert version == ("v1.2.0+",)  # the oldest storage format that DuckDB 1.2+ opens


def test_changelog_lists_added_and_removed_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")

    def papers_loaded(build: Build) -> int:  # as the README and the card say to load them
        release = os.path.realpath(build.latest)
        cache = str(tmp_path / "hf_cache")  # one cache for both releases, as a user's
        return datasets.load_dataset(release, "papers", split="train", cache_dir=cache).num_rows

    root = tmp_path / "build"
    first = build_into(one_seed(tmp_path, "000_18c40586699a2521.txt"), root)
    assert "nothing (first release)" in (first.latest / "CHANGELOG.md").read_text()
    assert papers_loaded(first) == 22
    second = build_into(one_seed(tmp_path / "x", "001_202c590195c4dd5f.txt"), root)
    assert papers_loaded(second) == 27  # not the 22 cached from the release `latest` was
    changelog = (second.latest / "CHANGELOG.md").read_text()
    assert f"release `{first.result.release_id}`" in changelog
    assert "| added | 27 |" in changelog and "| removed | 22 |" in changelog
    assert "2601.05960" in changelog  # the first paper of the removed report
    assert sorted(p.name for p in (root / "warehouse" / "releases").iterdir()) == sorted(
        [first.result.release_id, second.result.release_id, "latest"]
    )
    assert verify_release(root / "warehouse" / "releases" / first.result.release_id) == []


def test_history_tables_record_runs_checks_sources_and_releases(seed_build: Build) -> None:
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        runs = dict(connection.execute("SELECT job_name, status FROM runs").fetchall())
        checks = connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE passed) FROM check_results"
        ).fetchone()
        release = connection.execute("SELECT release_id, run_id FROM releases").fetchall()
        unknown_sources = connection.execute(
            "SELECT count(*) FROM papers ANTI JOIN source_files USING (source_file, source_sha256)"
        ).fetchone()[0]
        release_files = connection.execute("SELECT count(*) FROM release_files").fetchone()[0]
    assert runs == {"ingest_reports": "SUCCESS", "publish": "SUCCESS"}
    publish = seed_build.result.runs["publish"]
    assert checks == (len(publish.get_asset_check_evaluations()),) * 2
    assert release == [(seed_build.result.release_id, publish.run_id)]
    assert unknown_sources == 0
    # all but manifest.json and SHA256SUMS, the charts folder counted by its files
    assert release_files == len(EXPECTED_FILES) - 3 + len(CHARTS)


def test_a_run_the_history_missed_is_recorded_with_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = build_into(one_seed(tmp_path), tmp_path / "build")
    ingest, publish = (build.result.runs[job].run_id for job in ("ingest_reports", "publish"))
    with duckdb.connect(str(build.warehouse_file)) as connection:  # as if its sensor met a lock
        connection.execute("DELETE FROM runs WHERE run_id = ?", [ingest])
    # Recorded by newer code: the runs still carry the versions that ran them.
    monkeypatch.setattr(run_history, "CODE_VERSION", "99.0.0")
    monkeypatch.setattr(run_history, "PARSER_VERSION", "99")
    with dg.instance_for_test(temp_dir=str(build.settings.dagster_home)) as instance:
        record_run(instance, publish, build.warehouse_file)
    with duckdb.connect(str(build.warehouse_file), read_only=True) as connection:
        runs = connection.sql(
            "SELECT run_id, job_name, code_version, parser_version FROM runs ORDER BY started_at"
        ).fetchall()
    assert runs == [
        (ingest, "ingest_reports", CODE_VERSION, PARSER_VERSION),
        (publish, "publish", CODE_VERSION, PARSER_VERSION),
    ]


def test_reading_the_recorded_ids_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        assert recorded(connection, "runs", "run_id") == set()  # no history yet
        assert connection.sql("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
        append_rows(connection, {"releases": []}, replace_key={"releases": "release_id"})
        assert ddl.table_names(connection) == set(HISTORY_TABLES)  # created them
        connection.execute("INSERT INTO runs VALUES ('r1', 'j', 'SUCCESS', '1', '1', NULL, NULL)")
        assert recorded(connection, "runs", "run_id") == {"r1"}


def test_history_rows_that_do_not_fit_their_table_raise_and_write_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    release = {"release_id": "r", "run_id": "run", "schema_version": SCHEMA_VERSION,
               "previous_release": None, "published_at": dt.datetime(2026, 1, 1)}  # fmt: skip
    file = {"release_id": "r", "file": "papers.parquet", "table_name": "papers", "rows": 1,
            "bytes": 10, "sha256": "0" * 64}  # fmt: skip
    keys = {"releases": "release_id", "release_files": "release_id"}
    for rows, error in [
        ({"releases": [release], "release_files": [{**file, "sha256": "not a hash"}]}, "sha256"),
        ({"releases": [release], "release_files": [{**file, "bytes": -1}]}, "bytes"),
        ({"releases": [{**release, "publishd_at": None}]}, "publishd_at"),
        ({"releases": [{k: v for k, v in release.items() if k != "run_id"}]}, "columns"),
    ]:
        with duckdb.connect(str(path)) as connection:
            with pytest.raises((ValueError, pandera.errors.SchemaError), match=error):
                append_rows(connection, rows, replace_key=keys)
            assert ddl.table_names(connection) == set()
    with duckdb.connect(str(path)) as connection:
        # A write that fails in the database (here its second table) is rolled back whole,
        # and the connection can go on.
        wrong_key = {**keys, "release_files": "no_such_column"}
        with pytest.raises(duckdb.BinderException, match="no_such_column"):
            append_rows(connection, {"releases": [release], "release_files": [file]}, wrong_key)
        assert recorded(connection, "releases", "release_id") == set()
        append_rows(connection, {"releases": [release], "release_files": [file]}, keys)
        assert recorded(connection, "releases", "release_id") == {"r"}


def test_failed_audit_publishes_nothing_and_keeps_the_previous_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "build"
    first = build_into(one_seed(tmp_path), root)
    releases = root / "warehouse" / "releases"

    def careless_writer(table: str, frame: pl.DataFrame, path: Path) -> None:
        frame.write_parquet(path)  # polars' own types (large strings), unsorted: not the contract

    monkeypatch.setattr(io_managers, "write_parquet", careless_writer)
    second = build_into(SEEDS, root)
    assert not second.result.success
    publish = second.result.runs["publish"]
    failed = [e for e in publish.get_asset_check_evaluations() if not e.passed]
    assert [e.check_name for e in failed] == ["tables_match_schemas"]
    assert "column names or types differ" in str(failed[0].metadata["problems"].value)
    assert not publish.asset_materializations_for_node("release")
    assert os.readlink(releases / "latest") == first.result.release_id
    assert sorted(p.name for p in releases.iterdir()) == sorted(
        [".staging", first.result.release_id, "latest"]
    )
    assert verify_release(releases / "latest") == []

    monkeypatch.undo()
    third = build_into(SEEDS, root)  # fixed: the next run publishes and clears the staging area
    assert third.result.success
    assert os.readlink(releases / "latest") == third.result.release_id
    assert not (releases / ".staging").exists()


def test_tables_are_validated_once_and_bytes_changed_since_are_validated_again(
    tmp_path: Path,
) -> None:
    build = build_into(one_seed(tmp_path), tmp_path / "build")
    checks = [
        e
        for e in build.result.runs["publish"].get_asset_check_evaluations()
        if e.check_name == "matches_schema"
    ]
    assert {e.metadata["validated"].value for e in checks} == {"when written"}
    store = TableStore(build.settings.dagster_home / "storage" / "tables")
    assert store.validated(TABLES_VERSION) == {
        table: sha256_file(store.file(table).path) for table in TABLES
    }
    assert store.validated("some-other-code-version") == {}

    papers = store.file("papers")  # changed after writing: rank 0 breaks `rank > 0`
    tampered = papers.read().with_columns(rank=pl.int_range(pl.len()))
    write_parquet("papers", tampered, papers.path)
    job = dg.define_asset_job(
        "schema_checks", dg.AssetSelection.checks(every_table_matches_its_schema)
    )
    defs = dg.Definitions.merge(build_definitions(build.settings), dg.Definitions(jobs=[job]))
    with dg.instance_for_test() as instance:
        run = defs.resolve_job_def("schema_checks").execute_in_process(
            instance=instance, raise_on_error=False
        )
    results = {e.asset_key.path[-1]: e for e in run.get_asset_check_evaluations()}
    assert not results["papers"].passed
    assert results["papers"].metadata["validated"].value == "now, read back"
    assert results["papers"].metadata["failing_rows"].value == 1
    assert all(results[table].passed for table in TABLES if table != "papers")
    assert "papers" not in store.validated(TABLES_VERSION)

    release = writable_copy(build.latest, tmp_path / "copy")
    shutil.copyfile(papers.path, release / "papers.parquet")
    problems = audit_tables_match_schemas(release, store.validated(TABLES_VERSION))
    assert problems == ["papers.parquet: fails greater_than(0)"]
    # The audit does not validate again bytes that passed (here, wrongly said to have passed).
    said_to_pass = {"papers": sha256_file(papers.path)}
    assert audit_tables_match_schemas(release, said_to_pass) == []


def test_a_table_written_ahead_is_not_put_in_place_when_it_fails_its_type_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = one_seed(tmp_path)
    build = build_into(seeds, tmp_path / "build")
    store = TableStore(build.settings.dagster_home / "storage" / "tables")
    before = {table: store.file(table).path.read_bytes() for table in TABLES}
    validated = store.validated(TABLES_VERSION)

    written_ahead = tables_asset._written_ahead

    def broken_papers(frames, io_manager):  # a bug that makes rank 0, which breaks `rank > 0`
        broken = {**frames, "papers": frames["papers"].with_columns(rank=pl.lit(0))}
        return written_ahead(broken, io_manager)

    monkeypatch.setattr(tables_asset, "_written_ahead", broken_papers)
    (seeds / next(p.name for p in seeds.iterdir())).touch()  # something to rebuild
    failed = build_into(seeds, tmp_path / "build")
    assert not failed.result.success
    (step_failure,) = [
        e for e in failed.result.runs["publish"].all_events if e.event_type_value == "STEP_FAILURE"
    ]
    assert step_failure.step_key == "tables"
    assert "PapersSchema" in str(step_failure.event_specific_data.error.message)
    # The papers file written ahead stayed a temporary file; nothing published changed.
    assert [p.name for p in store.base_dir.glob(".papers.parquet.*.tmp")]
    assert {table: store.file(table).path.read_bytes() for table in TABLES} == before
    assert store.validated(TABLES_VERSION) == validated

    monkeypatch.undo()
    again = build_into(seeds, tmp_path / "build")
    assert again.result.success
    assert not list(store.base_dir.glob(".*.tmp"))
    assert {table: store.file(table).path.read_bytes() for table in TABLES} == before


def test_changelog_against_a_release_from_an_older_schema() -> None:
    current = pl.DataFrame(
        {
            "report_date": ["2026-01-12"] * 2,
            "arxiv_id": ["2601.00001", "2601.00002"],
            "title": ["Same", "Renamed"],
            "span_sha256": ["a" * 64, "b" * 64],
        }
    )
    older = current.drop("span_sha256").with_columns(title=pl.Series(["Same", "Old name"]))
    changes = paper_changes(older, current)
    assert changes["changed"]["arxiv_id"].to_list() == ["2601.00002"]
    assert changes["added"].is_empty() and changes["removed"].is_empty()


def test_changelog_lists_papers_whose_text_changed_with_their_titles_escaped() -> None:
    previous = pl.DataFrame(
        {
            "report_date": ["2026-01-12"] * 2,
            "arxiv_id": ["2601.00001", "2601.00002"],
            "title": ["Same title", "<b>*Bold*</b> [x](javascript:alert(1))"],
            "span_sha256": ["a" * 64, "b" * 64],
        }
    )
    current = previous.with_columns(span_sha256=pl.Series(["a" * 64, "c" * 64]))
    changes = paper_changes(previous, current)
    assert changes["changed"]["arxiv_id"].to_list() == ["2601.00002"]  # same title, new text
    changelog = render_changelog("new", "old", changes)
    assert "| changed | 1 |" in changelog
    line = next(line for line in changelog.splitlines() if "2601.00002" in line)
    assert "<b>" not in line and "*Bold*" not in line and "](" not in line


def test_two_command_line_builds_give_identical_parquet_and_id(
    seed_build: Build, tmp_path: Path
) -> None:
    env = cli_env(SEEDS, tmp_path / "warehouse", tmp_path / "home")
    result = subprocess.run(
        [str(DAILY_PAPERS), "build"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    latest = tmp_path / "warehouse" / "releases" / "latest"
    assert os.readlink(latest) == seed_build.result.release_id
    for table in TABLES:
        name = f"{table}.parquet"
        assert (latest / name).read_bytes() == (seed_build.latest / name).read_bytes(), name


def test_a_change_to_the_code_gives_the_same_tables_a_new_release_id(
    seed_build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = pl.read_parquet(seed_build.latest / "reports.parquet")
    manifest = json.loads((seed_build.latest / "manifest.json").read_text())
    table_files = [entry for entry in manifest["files"] if "table" in entry]
    assert stage._release_id(reports, table_files) == seed_build.result.release_id
    monkeypatch.setattr(stage, "CODE_VERSION", "0.1.0+other")
    other = stage._release_id(reports, table_files)
    assert other != seed_build.result.release_id
    assert other.startswith("2026-01-24-")  # still named after the newest report


def test_staging_of_a_run_still_in_progress_is_kept(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    for run_id in ("killed-run", "running-run"):
        (releases / ".staging" / run_id).mkdir(parents=True)
        (releases / ".staging" / run_id / "papers.parquet").write_bytes(b"")
    removed = remove_stale_staging(releases, in_progress=lambda run_id: run_id == "running-run")
    assert removed == ["killed-run"]
    assert [p.name for p in (releases / ".staging").iterdir()] == ["running-run"]
