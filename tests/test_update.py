"""Builds that redo only what changed: which reports are redone, and that the result is the same,
byte for byte, as building everything from scratch."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines import versions
from pipelines.assets import tables as tables_asset
from pipelines.definitions import build_definitions
from pipelines.io_managers import PartitionPickleIOManager, StoredPartitions, source_stamp
from pipelines.jobs import INGEST_JOB, PUBLISH_JOB
from pipelines.settings import PROJECT_ROOT
from pipelines.tables import parallel
from pipelines.tables.store import TablesState, TableStore
from pipelines.tables.update import ReportSummary, plan_update
from pipelines.versions import ROWS_VERSION
from pipelines.warehouse.build import worth_updating
from schemas import TABLES
from tests.conftest import SEEDS, Build, build_into

FIRST = (SEEDS / "000_18c40586699a2521.txt").read_text(encoding="utf-8")  # 2026-01-12


def summary(name: str, sha: str, day: int | None, stamp: str = "1") -> ReportSummary:
    date = None if day is None else dt.date(2026, 1, day)
    return ReportSummary(f"{name}.md", sha, date, stamp)


BEFORE = {
    "a": summary("a", "h1", 1),
    "b": summary("b", "h2", 2),
    "c": summary("c", "h3", 3),
    "d": summary("d", "h4", 4),
    "junk": summary("junk", "h5", None),
}


def test_without_a_previous_build_everything_is_redone() -> None:
    update = plan_update(None, BEFORE)
    assert update.redo == sorted(BEFORE)
    assert update.replaced_files == []


def test_nothing_changed_nothing_redone() -> None:
    update = plan_update(BEFORE, dict(BEFORE))
    assert (update.redo, update.replaced_files) == ([], [])


def test_a_new_report_alone_is_redone() -> None:
    update = plan_update(BEFORE, {**BEFORE, "e": summary("e", "h6", 5)})
    assert (update.redo, update.replaced_files) == (["e"], ["e.md"])


def test_reports_sharing_a_hash_or_a_date_are_redone_together() -> None:
    current = {
        **BEFORE,
        "e": summary("e", "h2", 9),  # a copy of b: b joins by hash
        "d": summary("d", "h1", 4, stamp="2"),  # changed into a copy of a: a joins by hash
    }
    update = plan_update(BEFORE, current)
    assert update.redo == ["a", "b", "d", "e"]
    assert update.replaced_files == ["a.md", "b.md", "d.md", "e.md"]


def test_links_are_followed_until_nothing_new_joins() -> None:
    before = {**BEFORE, "y": summary("y", "hy", 7), "z": summary("z", "hy", 8)}
    # x claims y's date; y's copy z joins through y, and c through nothing.
    current = {**before, "x": summary("x", "hx", 7)}
    assert plan_update(before, current).redo == ["x", "y", "z"]


def test_a_removed_report_drops_its_rows_and_redoes_its_partners() -> None:
    before = {**BEFORE, "copy": summary("copy", "h1", 1)}
    current = {key: value for key, value in before.items() if key != "a"}
    update = plan_update(before, current)
    assert update.redo == ["copy"]
    assert update.replaced_files == ["a.md", "copy.md"]


def redone(build: Build) -> int:
    publish = build.result.runs[PUBLISH_JOB]
    [event] = [
        event
        for event in publish.asset_materializations_for_node("tables")
        if event.asset_key.path == ["reports"]
    ]
    return event.metadata["reports_redone"].value


def last_load(build: Build) -> tuple[str, int | None]:
    with duckdb.connect(str(build.warehouse_file), read_only=True) as connection:
        sql = "SELECT mode, files_replaced FROM warehouse_loads ORDER BY loaded_at DESC LIMIT 1"
        return connection.execute(sql).fetchone()


def type_check_metadata(build: Build, table: str) -> dict:
    [output] = [
        event
        for event in build.result.runs[PUBLISH_JOB].all_events
        if event.event_type_value == "STEP_OUTPUT"
        and event.event_specific_data.step_output_handle.output_name == table
    ]
    return output.event_specific_data.type_check_data.metadata


def assert_same_as_from_scratch(seeds: Path, build: Build, scratch: Path) -> None:
    fresh = build_into(seeds, scratch)
    assert fresh.result.success
    assert build.result.release_id == fresh.result.release_id
    for table in TABLES:
        name = f"{table}.parquet"
        assert (build.latest / name).read_bytes() == (fresh.latest / name).read_bytes(), table
    query = "SELECT count(*), sum(hash(source_file, span_sha256)) FROM {}"
    with (
        duckdb.connect(str(build.warehouse_file), read_only=True) as updated,
        duckdb.connect(str(fresh.warehouse_file), read_only=True) as rebuilt,
    ):
        for table in TABLES:
            sql = query.format(table)
            assert updated.sql(sql).fetchall() == rebuilt.sql(sql).fetchall(), table


def test_updating_gives_what_building_from_scratch_gives(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    out = tmp_path / "out"
    first = build_into(seeds, out)
    assert first.result.success
    assert redone(first) == 2
    assert last_load(first) == ("rebuilt", None)

    (seeds / "new.md").write_text(FIRST.replace("2026-01-12", "2026-01-15"), encoding="utf-8")
    added = build_into(seeds, out)
    assert added.result.success
    assert redone(added) == 1
    assert last_load(added) == ("updated", 1)
    # The new report's rows were validated in this build, the others' in the build before.
    checked = type_check_metadata(added, "papers")
    papers = pl.read_parquet(added.latest / "papers.parquet")
    new_papers = papers.filter(pl.col("source_file") == "new.md").height
    assert new_papers > 0
    assert checked["rows_validated"].value == new_papers
    assert checked["rows_validated_before"].value == papers.height - new_papers
    assert_same_as_from_scratch(seeds, added, tmp_path / "scratch-added")

    # A copy of the first seed (rejected whole) and the second seed removed: the copy and its
    # original are redone, the second seed's rows dropped, the new report left alone.
    shutil.copy(seeds / "000_18c40586699a2521.txt", seeds / "zz-copy.md")
    (seeds / "001_202c590195c4dd5f.txt").unlink()
    changed = build_into(seeds, out)
    assert changed.result.success
    assert redone(changed) == 2
    assert last_load(changed) == ("updated", 3)
    assert_same_as_from_scratch(seeds, changed, tmp_path / "scratch-changed")


def test_batches_validated_on_every_core_give_what_one_batch_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    # A copy of the first seed: the rule across files must hold across batches too.
    shutil.copy(seeds / "000_18c40586699a2521.txt", seeds / "zz-copy.md")
    monkeypatch.setattr(tables_asset, "BATCH_REPORTS", 1)  # one report per batch
    batch_sizes = []

    def validated_batches(batches, *args):
        batch_sizes.extend(len(batch) for batch in batches)
        return parallel.validated_batches(batches, *args)  # on 2 worker processes (2 cores)

    monkeypatch.setattr(tables_asset, "validated_batches", validated_batches)
    batched = build_into(seeds, tmp_path / "batched")
    assert batched.result.success
    assert batch_sizes == [1, 1, 1]
    monkeypatch.undo()
    assert_same_as_from_scratch(seeds, batched, tmp_path / "one-batch")


def test_unchanged_reports_between_changed_ones_are_not_parsed_again(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    out = tmp_path / "out"
    assert build_into(seeds, out).result.success
    first, middle = sorted(path.name for path in seeds.iterdir())
    rows = out / "dagster_home" / "storage" / ROWS_VERSION
    stored_middle = PartitionPickleIOManager(base_dir=str(rows)).stored(
        dg.AssetKey("parsed_report"), middle
    )
    kept_stamp = stored_middle.stat().st_mtime_ns

    # The first report changes and a new one sorts last: one run over the range of all three.
    later = stored_middle.stat().st_mtime + 10
    os.utime(seeds / first, (later, later))
    (seeds / "zz-new.md").write_text(FIRST.replace("2026-01-12", "2026-01-15"), encoding="utf-8")
    build = build_into(seeds, out)
    assert build.result.success
    assert build.result.parsed == 2
    [materialization, *_] = build.result.runs[INGEST_JOB].asset_materializations_for_node(
        "parsed_report"
    )
    assert materialization.metadata["run/reports"].value == 3
    assert materialization.metadata["run/reports_parsed"].value == 2
    assert stored_middle.stat().st_mtime_ns == kept_stamp  # kept, not parsed and stored again
    assert_same_as_from_scratch(seeds, build, tmp_path / "scratch")


def test_the_warehouse_is_rebuilt_when_most_files_changed() -> None:
    def state(reports: int, replaced: int | None) -> TablesState:
        summaries = {f"r{n}": summary(f"r{n}", f"h{n}", None) for n in range(reports)}
        files = None if replaced is None else [f"r{n}.md" for n in range(replaced)]
        return TablesState("build", "earlier", "v", summaries, files)

    assert worth_updating(state(3650, 1))
    assert worth_updating(state(3650, 730))  # a fifth
    assert not worth_updating(state(3650, 731))
    assert not worth_updating(state(3650, 3650))  # e.g. every file touched
    assert worth_updating(state(3, 3))  # a few dozen files are always updated
    assert worth_updating(state(60, 50))
    assert not worth_updating(state(60, 51))
    assert not worth_updating(state(3650, None))  # tables built from scratch


def test_stored_tables_of_other_code_are_not_reused(tmp_path: Path) -> None:
    store = TableStore(tmp_path)
    for table in TABLES:
        store.file(table).path.touch()
    store.save_state(TablesState("build", "earlier", "v1", {}, None))
    assert store.state("v1") is not None
    assert store.state("v2") is None  # made by other code: build from scratch


def test_stored_rows_missing_or_damaged_fail_with_what_to_do(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.pickle"
    damaged.write_bytes(b"\x80\x05cut short")
    stored = StoredPartitions({"gone.md": tmp_path / "gone.pickle", "damaged.md": damaged})
    with pytest.raises(dg.Failure, match="has not been parsed yet"):
        stored.rows_stamp("gone.md")
    with pytest.raises(dg.Failure, match="has not been parsed yet"):
        stored["gone.md"]
    with pytest.raises(dg.Failure, match="are damaged"):
        stored["damaged.md"]


def test_publishing_rows_older_than_their_files_warns_which_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "a.md")
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds / "b.md")
    first = build_into(seeds, tmp_path)
    assert first.result.success
    (seeds / "a.md").write_text(FIRST.replace("Agentic", "Agent"), encoding="utf-8")
    os.utime(seeds / "a.md", (1_577_836_800, 1_577_836_800))
    (seeds / "b.md").unlink()
    (seeds / "c.md").write_text(FIRST.replace("2026-01-12", "2026-01-13"), encoding="utf-8")

    # The publish job alone, as launched by hand in the UI: it publishes, with a warning.
    with dg.instance_for_test(temp_dir=str(first.settings.dagster_home)) as instance:
        publish = (
            build_definitions(first.settings)
            .resolve_job_def(PUBLISH_JOB)
            .execute_in_process(instance=instance, raise_on_error=False)
        )
    assert publish.success
    (check,) = [
        e
        for e in publish.get_asset_check_evaluations()
        if e.check_name == "built_from_current_files"
    ]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    counts = ("not_parsed_yet", "changed_since_parsed", "gone")
    assert [check.metadata[name].value for name in counts] == [1, 1, 1]
    listed = check.metadata["files"].value.replace("\\.", ".")  # escaped for Markdown
    assert "| c.md | not parsed yet |" in listed and "| a.md | changed since parsed |" in listed
    assert "| b.md | gone |" in listed

    again = build_into(seeds, tmp_path)
    assert again.result.success
    (check,) = [
        e
        for e in again.result.runs[PUBLISH_JOB].get_asset_check_evaluations()
        if e.check_name == "built_from_current_files"
    ]
    assert check.passed


def test_rows_of_a_report_with_a_long_name_in_a_subfolder_are_stored(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    name = "每日论文报告" * 13 + ".md"  # 237 bytes: a file name can be 255, but not spelled out
    (seeds / "子目录").mkdir(parents=True)
    (seeds / "子目录" / name).write_text(FIRST, encoding="utf-8")
    key = f"子目录/{name}"
    storage = PartitionPickleIOManager(base_dir=str(tmp_path / "rows"))
    asset = dg.AssetKey("parsed_report")
    assert storage.stale(asset, [key], seeds) == [key]
    storage.store(asset, key, {"rows": 1}, source_stamp(seeds / key))
    assert storage.stale(asset, [key], seeds) == []
    assert StoredPartitions({key: storage.stored(asset, key)})[key] == {"rows": 1}
    os.utime(storage.stored(asset, key), ns=(1, 1))  # as if stored from another version
    assert storage.stale(asset, [key], seeds) == [key]


def test_files_swapped_with_their_modification_times_are_parsed_again(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "a.md")
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds / "b.md")
    for name in ("a.md", "b.md"):
        os.utime(seeds / name, (1_700_000_000, 1_700_000_000))
    out = tmp_path / "out"
    assert build_into(seeds, out).result.success

    (seeds / "a.md").rename(seeds / "swap.md")  # mv keeps each file's modification time
    (seeds / "b.md").rename(seeds / "a.md")
    (seeds / "swap.md").rename(seeds / "b.md")
    build = build_into(seeds, out)
    assert build.result.success and build.result.parsed == 2
    assert_same_as_from_scratch(seeds, build, tmp_path / "scratch")


def test_a_file_unreadable_for_another_reason_is_read_again(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "a.md")
    (seeds / "broken.md").symlink_to(tmp_path / "nowhere.md")
    out = tmp_path / "out"
    assert build_into(seeds, out).result.success

    (seeds / "broken.md").unlink()
    (seeds / "broken.md").symlink_to("broken.md")  # a loop now: unreadable for another reason
    build = build_into(seeds, out)
    assert build.result.success and build.result.parsed == 1
    rejects = pl.read_parquet(build.settings.warehouse_dir / "releases/latest/rejects.parquet")
    (message,) = rejects.filter(pl.col("source_file") == "broken.md")["message"]
    assert "symbolic links" in message
    assert_same_as_from_scratch(seeds, build, tmp_path / "scratch")


def test_the_code_that_makes_rows_and_tables_is_all_in_their_versions() -> None:
    # A module the rows or tables depend on but their versions do not hash would let rows or
    # tables of old code be reused after it changed: what the code making them imports must be
    # hashed, or be named here with why it cannot change them.
    code = (
        "import sys, pipelines.tables.build, pipelines.tables.parallel, pipelines.assets.tables; "
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items() "
        "if n.split('.')[0] in ('pipelines', 'schemas')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    hashed = [p.resolve() for p in (*versions.ROWS_CODE, *versions.TABLES_CODE)]
    not_hashed = sorted(
        name
        for name in (Path(file).resolve().relative_to(PROJECT_ROOT).as_posix() for file in loaded)
        if name in versions.NOT_ROWS_CODE
        or not any(path == PROJECT_ROOT / name or path in (PROJECT_ROOT / name).parents
                   for path in hashed)
    )  # fmt: skip
    assert not_hashed == [
        "pipelines/__init__.py",  # package files that only import
        "pipelines/assets/__init__.py",
        "pipelines/assets/ingest.py",  # partitions; the rows are stored under ROWS_VERSION
        "pipelines/files.py",  # writing files atomically
        "pipelines/io_managers.py",  # where files go (written by parquet.py)
        "pipelines/lock.py",
        "pipelines/metadata.py",  # what the UI shows
        "pipelines/resources.py",
        "pipelines/settings.py",
        "pipelines/tables/__init__.py",
        "pipelines/tables/store.py",  # keeps the files and state.json; update.py decides
        "pipelines/versions.py",  # the versions themselves
        "schemas/history.py",  # the history tables' schemas
    ]
