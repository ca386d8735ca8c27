"""Builds killed at the worst moments leave the previous release and warehouse intact, the next
build recovers, and a second concurrent build is refused without touching anything."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lock import LOCK_FILE, build_lock
from pipelines.release.publish import OutdatedReleaseError, publish_staged
from pipelines.release.stage import StagedRelease, stage_release
from pipelines.release.verify import verify_release
from pipelines.tables.store import TableStore
from pipelines.warehouse.build import build_warehouse
from schemas import TABLES
from tests.conftest import SEEDS, Build, build_into, cli_env

DAILY_PAPERS = str(Path(sys.executable).with_name("daily-papers"))

# Runs `daily-papers build` with one function replaced by one that kills the process (SIGKILL:
# no cleanup, no `finally`), optionally after letting the real function run a few times.
KILLING_BUILD = """
import os, signal, sys, importlib
module_name, function_name, calls_before_kill = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = importlib.import_module(module_name)
real = getattr(module, function_name)
calls = 0

def killing(*args, **kwargs):
    global calls
    calls += 1
    if calls > calls_before_kill:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)

setattr(module, function_name, killing)
from pipelines.cli import main
sys.exit(main(["build"]))
"""

# point -> (module, function, calls let through, papers in the warehouse afterwards). A kill
# after the warehouse step leaves the new, complete warehouse (49 papers); one during it, the old.
KILL_POINTS = {
    # tables loaded into the new warehouse file, views not yet created, file not yet swapped in
    "during_warehouse_load": ("pipelines.warehouse.build", "_view_statements", 0, 22),
    # after two of the table files are stored, before the warehouse step
    "during_table_writes": ("pipelines.io_managers", "write_parquet", 2, 22),
    # after two of the table files are linked into the staged release
    "during_release_staging": ("pipelines.release.stage", "_link_table", 2, 49),
    # release staged and audited, not yet renamed into place
    "between_staging_and_publish": ("pipelines.assets.release", "publish_staged", 0, 49),
}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A finished build of one report: the state a killed build must not damage."""
    seeds = tmp_path_factory.mktemp("one_seed")
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds)
    build = build_into(seeds, tmp_path_factory.mktemp("previous"))
    assert build.result.success
    return build


def built_from_one_seed(root: Path) -> Build:
    """A finished build of one seed report, its seeds folder `root/seeds`, into `root`."""
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds)
    build = build_into(seeds, root)
    assert build.result.success
    return build


def cli_build(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DAILY_PAPERS, "build"], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def cli_built_from_one_seed(root: Path) -> dict[str, str]:
    """`daily-papers build` of one seed report, from `root/seeds` into `root/warehouse`; returns
    the environment that configures it."""
    seeds = root / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds)
    env = cli_env(seeds, root / "warehouse", root / "cli_home")
    first = cli_build(env)
    assert first.returncode == 0, first.stderr[-3000:]
    return env


def snapshot(warehouse_dir: Path) -> dict[str, object]:
    releases = warehouse_dir / "releases"
    with duckdb.connect(str(warehouse_dir / "daily_papers.duckdb"), read_only=True) as connection:
        papers = connection.execute("SELECT count(*) FROM papers").fetchone()[0]
    return {
        "latest": os.readlink(releases / "latest"),
        "releases": sorted(p.name for p in releases.iterdir() if not p.name.startswith(".")),
        "papers_in_warehouse": papers,
    }


def build_killed_in(module: str, function: str, calls: int, env: dict[str, str]) -> None:
    """Run `daily-papers build`, killed at the call of `module.function` after `calls`."""
    killed = subprocess.run(
        [sys.executable, "-c", KILLING_BUILD, module, function, str(calls)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]


def copy_of(build: Build, root: Path) -> Path:
    shutil.copytree(build.settings.warehouse_dir, root / "warehouse", symlinks=True)
    return root / "warehouse"


@pytest.mark.parametrize("point", KILL_POINTS)
def test_killed_build_leaves_previous_state_and_next_build_recovers(
    previous_build: Build, tmp_path: Path, point: str
) -> None:
    warehouse_dir = copy_of(previous_build, tmp_path)
    before = snapshot(warehouse_dir)
    env = cli_env(SEEDS, warehouse_dir, tmp_path / "cli_home")
    build_killed_in(*KILL_POINTS[point][:3], env=env)

    assert snapshot(warehouse_dir) == {**before, "papers_in_warehouse": KILL_POINTS[point][3]}
    assert verify_release(warehouse_dir / "releases" / "latest") == []

    recovered = build_into(SEEDS, tmp_path)  # same warehouse folder, a fresh Dagster home
    assert recovered.result.success
    after = snapshot(warehouse_dir)
    assert after["latest"] == recovered.result.release_id != before["latest"]
    assert after["papers_in_warehouse"] == 49
    assert verify_release(warehouse_dir / "releases" / "latest") == []
    leftovers = [p.name for p in warehouse_dir.rglob(".*") if p.name != ".build.lock"]
    assert leftovers == []  # no half-written database, no staging folder


def recorded_releases(warehouse_dir: Path) -> list[str]:
    with duckdb.connect(str(warehouse_dir / "daily_papers.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT release_id FROM releases ORDER BY release_id")
        return [release_id for (release_id,) in rows.fetchall()]


def test_a_release_put_in_place_by_a_killed_build_is_recorded_by_the_next(
    previous_build: Build, tmp_path: Path
) -> None:
    warehouse_dir = copy_of(previous_build, tmp_path)
    env = cli_env(SEEDS, warehouse_dir, tmp_path / "cli_home")
    # Killed after the release folder was renamed into place, before `latest` moved to it.
    build_killed_in("pipelines.release.publish", "point_latest", 0, env=env)
    assert recorded_releases(warehouse_dir) == [previous_build.result.release_id]

    recovered = build_into(SEEDS, tmp_path)
    assert recovered.result.success
    new = recovered.result.release_id
    assert new != previous_build.result.release_id
    assert recorded_releases(warehouse_dir) == sorted([previous_build.result.release_id, new])


def test_a_build_removes_the_temporary_files_of_ended_processes_only(tmp_path: Path) -> None:
    first = built_from_one_seed(tmp_path)
    seeds = first.settings.seeds_dir
    ended = subprocess.Popen(["true"])
    ended.wait()
    rows = next((first.settings.dagster_home / "storage").rglob("*.pickle")).parent
    planted = {
        "rows of an ended process": rows / f".000.txt.pickle.{ended.pid}.tmp",
        "latest link of an ended process": first.latest.with_name(f".latest.{ended.pid}.tmp"),
        "rows of a running process": rows / f".001.txt.pickle.{os.getpid()}.tmp",
    }
    for path in planted.values():
        path.write_bytes(b"half-written")

    again = build_into(seeds, tmp_path)
    assert again.result.success
    assert {what: path.exists() for what, path in planted.items()} == {
        "rows of an ended process": False,
        "latest link of an ended process": False,
        "rows of a running process": True,
    }


def _locked_elsewhere(warehouse_dir: Path) -> bool:
    """Whether the build lock is taken (a second open file cannot lock it)."""
    with open(warehouse_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_the_build_lock_is_released_when_its_last_holder_lets_go(tmp_path: Path) -> None:
    outer, inner = build_lock(tmp_path), build_lock(tmp_path)
    outer.__enter__()
    inner.__enter__()
    # The outer block ends first, as that of a generator asset that Dagster stopped consuming
    # does when the generator is garbage-collected during a later run.
    outer.__exit__(None, None, None)
    assert _locked_elsewhere(tmp_path)
    inner.__exit__(None, None, None)
    assert not _locked_elsewhere(tmp_path)
    with build_lock(tmp_path):
        assert _locked_elsewhere(tmp_path)


def test_threads_of_one_process_share_the_build_lock(tmp_path: Path) -> None:
    def take_and_leave(_: int) -> None:
        for _ in range(200):
            with build_lock(tmp_path):
                pass

    with ThreadPoolExecutor(8) as threads:
        list(threads.map(take_and_leave, range(8)))  # raises BuildLockedError if they raced
    assert not _locked_elsewhere(tmp_path)


def test_second_concurrent_build_fails_fast_and_changes_nothing(
    previous_build: Build, tmp_path: Path
) -> None:
    warehouse_dir = copy_of(previous_build, tmp_path)
    before = snapshot(warehouse_dir)
    env = cli_env(SEEDS, warehouse_dir, tmp_path / "cli_home")
    with build_lock(warehouse_dir):  # a build in progress, as far as the OS lock can tell
        second = cli_build(env)
    assert second.returncode == 3
    assert "Another build is running" in second.stderr
    assert f"process {os.getpid()}" in second.stderr
    assert snapshot(warehouse_dir) == before
    assert not (tmp_path / "cli_home" / "storage").exists()  # not even a run was started


def test_a_build_into_another_warehouse_sharing_the_dagster_home_waits_its_turn(
    tmp_path: Path,
) -> None:
    shared_home = tmp_path / "shared_home"
    env = cli_env(SEEDS, tmp_path / "other_warehouse", shared_home)
    shared_home.mkdir()
    with build_lock(shared_home):  # a build into another warehouse folder, in progress
        second = cli_build(env)
    assert second.returncode == 3
    assert f"Another build is running on {shared_home}" in second.stderr
    assert not (shared_home / "storage").exists()  # not even a run was started


def test_killed_warehouse_update_is_rolled_back_and_the_next_build_rebuilds(
    tmp_path: Path,
) -> None:
    env = cli_built_from_one_seed(tmp_path)
    seeds, warehouse_dir = tmp_path / "seeds", tmp_path / "warehouse"
    before = snapshot(warehouse_dir)

    # A second report: the warehouse is updated in place, and killed after two tables.
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds)
    build_killed_in("pipelines.warehouse.build", "_replace_rows", 2, env=env)
    assert snapshot(warehouse_dir) == before  # the transaction never committed
    with duckdb.connect(str(warehouse_dir / "daily_papers.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM reports").fetchone()[0] == 1

    again = cli_build(env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert snapshot(warehouse_dir)["papers_in_warehouse"] == 49
    with duckdb.connect(str(warehouse_dir / "daily_papers.duckdb"), read_only=True) as connection:
        loads = connection.execute("SELECT mode FROM warehouse_loads ORDER BY loaded_at").fetchall()
    # The killed update never happened, so the tables moved on without it: a rebuild.
    assert [mode for (mode,) in loads] == ["rebuilt", "rebuilt"]
    assert verify_release(warehouse_dir / "releases" / "latest") == []


# Changes committed to the warehouse, then the process killed before DuckDB checkpointed them:
# they are left in the write-ahead log beside the file.
COMMITTED_THEN_KILLED = """
import os, sys, duckdb
connection = duckdb.connect(sys.argv[1])
connection.execute("PRAGMA disable_checkpoint_on_shutdown")
connection.execute("SET checkpoint_threshold = '1GB'")
connection.execute("DELETE FROM papers WHERE rank <= 3")
os._exit(9)
"""


def test_a_rebuild_merges_a_left_over_write_ahead_log_into_the_old_file_not_the_new(
    tmp_path: Path,
) -> None:
    build = built_from_one_seed(tmp_path)
    path = build.warehouse_file
    killed = subprocess.run([sys.executable, "-c", COMMITTED_THEN_KILLED, str(path)], check=False)
    assert killed.returncode == 9
    assert path.with_name(path.name + ".wal").exists()

    store = TableStore(build.settings.dagster_home / "storage" / "tables")
    build_warehouse(path, {table: store.file(table) for table in TABLES}, "rebuild", None)
    assert not path.with_name(path.name + ".wal").exists()
    with duckdb.connect(str(path)) as connection:  # replays a log beside the file, if any
        papers = connection.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert papers == pl.read_parquet(store.file("papers").path).height == 22


def test_a_release_staged_before_another_build_published_is_not_published(
    tmp_path: Path,
) -> None:
    first = built_from_one_seed(tmp_path)
    seeds = first.settings.seeds_dir
    # A run stages a release, and loses the lock to a whole build before it publishes.
    releases = first.settings.warehouse_dir / "releases"
    store = TableStore(first.settings.dagster_home / "storage" / "tables")
    tables = {table: store.file(table) for table in TABLES}
    overtaken = stage_release(releases, "overtaken-run", tables, first.warehouse_file)
    assert overtaken.previous_id == first.result.release_id
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds)
    second = build_into(seeds, tmp_path)
    assert second.result.success

    with pytest.raises(OutdatedReleaseError, match="would move `latest` back"):
        publish_staged(overtaken, releases)
    assert os.readlink(releases / "latest") == second.result.release_id


def test_publishing_a_staged_release_that_a_later_build_removed_says_so(tmp_path: Path) -> None:
    releases = tmp_path / "releases"
    releases.mkdir()
    gone = StagedRelease("2026-01-12-0123456789ab", releases / ".staging" / "run", None, [])
    with pytest.raises(OutdatedReleaseError, match="is gone"):
        publish_staged(gone, releases)


def test_a_damaged_warehouse_file_fails_the_build_saying_what_to_do(tmp_path: Path) -> None:
    env = cli_built_from_one_seed(tmp_path)
    seeds, warehouse_dir = tmp_path / "seeds", tmp_path / "warehouse"
    warehouse = warehouse_dir / "daily_papers.duckdb"
    os.truncate(warehouse, warehouse.stat().st_size // 2)

    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds)
    damaged = cli_build(env)
    assert damaged.returncode == 1
    assert f"error: The warehouse file {warehouse} cannot be opened" in damaged.stderr
    assert "move it (and any daily_papers.duckdb.wal beside it) aside" in damaged.stderr

    warehouse.rename(tmp_path / "aside.duckdb")
    again = cli_build(env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert snapshot(warehouse_dir)["papers_in_warehouse"] == 49


# A publish run as the UI launches it: its own process, no command-line build holding the lock.
PUBLISH_RUN = """
import dagster as dg
from pipelines.definitions import build_definitions
from pipelines.settings import Settings

with dg.instance_for_test() as instance:
    run = build_definitions(Settings.from_env()).resolve_job_def("publish").execute_in_process(
        instance=instance, raise_on_error=False
    )
failure = next(e for e in run.all_events if e.event_type_value == "STEP_FAILURE")
print(failure.step_key, failure.event_specific_data.error.to_string())
"""


def test_publish_run_waits_its_turn_for_the_table_files(
    previous_build: Build, tmp_path: Path
) -> None:
    tables = previous_build.settings.dagster_home / "storage" / "tables"
    before = {path.name: path.read_bytes() for path in tables.iterdir() if path.is_file()}
    env = cli_env(
        SEEDS, previous_build.settings.warehouse_dir, previous_build.settings.dagster_home
    )
    with build_lock(previous_build.settings.warehouse_dir):  # another build in progress
        run = subprocess.run(
            [sys.executable, "-c", PUBLISH_RUN], env=env, capture_output=True, text=True
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("tables ")
    assert "Another build is running" in run.stdout
    assert {path.name: path.read_bytes() for path in tables.iterdir() if path.is_file()} == before
