"""Sensors: one partition per report file, new files parsed in one run; finished runs recorded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipelines.assets.ingest import report_partitions
from pipelines.io_managers import PartitionPickleIOManager
from pipelines.jobs import INGEST_JOB
from pipelines.resources import ProjectPaths
from pipelines.sensors import report_files_sensor, run_history_sensors
from pipelines.versions import ROWS_VERSION
from tests.conftest import SEEDS, build_into


def evaluate(
    instance: dg.DagsterInstance, seeds: Path, dagster_home: Path | None = None
) -> dg.SensorResult:
    """One tick of the sensor; the rows parsed so far are those stored in `dagster_home`."""
    paths = ProjectPaths(seeds_dir=str(seeds), warehouse_dir=str(seeds.parent / "out"))
    storage = (dagster_home or seeds.parent / "home") / "storage" / ROWS_VERSION
    resources = {
        "paths": paths,
        "report_io_manager": PartitionPickleIOManager(base_dir=str(storage)),
    }
    return report_files_sensor(dg.build_sensor_context(instance=instance, resources=resources))


def apply(instance: dg.DagsterInstance, result: dg.SensorResult) -> None:
    for request in result.dynamic_partitions_requests:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)


def test_sensor_registers_new_files_and_drops_vanished_ones(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in sorted(SEEDS.iterdir()):
        shutil.copy(path, seeds / path.name)
    (seeds / "notes.json").write_text("{}")  # not a report file
    with dg.instance_for_test() as instance:
        first = evaluate(instance, seeds)
        (add,) = first.dynamic_partitions_requests
        assert add.partition_keys == ["000_18c40586699a2521.txt", "001_202c590195c4dd5f.txt"]
        (run,) = first.run_requests
        assert run.tags["dagster/asset_partition_range_start"] == "000_18c40586699a2521.txt"
        assert run.tags["dagster/asset_partition_range_end"] == "001_202c590195c4dd5f.txt"
        apply(instance, first)

        # Registered but not parsed yet: the next tick asks for the same run, which Dagster
        # launches once (same run key).
        again = evaluate(instance, seeds)
        assert again.dynamic_partitions_requests == []
        assert [r.run_key for r in again.run_requests] == [run.run_key]

        (seeds / "000_18c40586699a2521.txt").unlink()
        shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "2026-01-12.md")
        changed = evaluate(instance, seeds)
        added, deleted = changed.dynamic_partitions_requests
        assert added.partition_keys == ["2026-01-12.md"]
        assert deleted.partition_keys == ["000_18c40586699a2521.txt"]
        # the new file, and the one registered before that no run has parsed yet
        (run,) = changed.run_requests
        assert run.tags["dagster/asset_partition_range_start"] == "001_202c590195c4dd5f.txt"
        assert run.tags["dagster/asset_partition_range_end"] == "2026-01-12.md"
        apply(instance, changed)

        # A file removed, then added again (another version): a run of its own.
        (seeds / "2026-01-12.md").unlink()
        apply(instance, evaluate(instance, seeds))
        shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "2026-01-12.md")
        os.utime(seeds / "2026-01-12.md", (1_577_836_800, 1_577_836_800))
        (again,) = evaluate(instance, seeds).run_requests
        assert again.run_key != run.run_key

        # An unmounted seeds folder: nothing is taken for gone.
        shutil.move(seeds, tmp_path / "elsewhere")
        missing = evaluate(instance, seeds)
        assert missing.dynamic_partitions_requests == [] and missing.run_requests == []
        assert "No such file or directory" in missing.skip_reason.skip_message


def test_sensor_parses_changed_files_and_waits_for_a_run_in_progress(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    build = build_into(seeds, tmp_path / "out")
    home = build.settings.dagster_home
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        assert evaluate(instance, seeds, home).run_requests == []  # everything parsed
        changed = seeds / "001_202c590195c4dd5f.txt"
        changed.write_bytes(changed.read_bytes().replace(b"Agentic", b"Agentive"))
        os.utime(changed, (1_577_836_800, 1_577_836_800))  # older than its stored rows, even
        (run,) = evaluate(instance, seeds, home).run_requests
        assert run.tags["dagster/asset_partition_range_start"] == changed.name
        assert run.tags["dagster/asset_partition_range_end"] == changed.name

        # With a new file whose name sorts first: the range runs in registration order, from
        # the changed file to the new one (registered last), and holds both.
        shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "000-first.md")
        result = evaluate(instance, seeds, home)
        apply(instance, result)
        (run,) = result.run_requests
        registered = instance.get_dynamic_partitions(report_partitions.name)
        start = registered.index(run.tags["dagster/asset_partition_range_start"])
        end = registered.index(run.tags["dagster/asset_partition_range_end"])
        assert {changed.name, "000-first.md"} <= set(registered[start : end + 1])

        instance.add_run(
            dg.DagsterRun(job_name=INGEST_JOB, run_id="a" * 32, status=dg.DagsterRunStatus.STARTED)
        )
        assert evaluate(instance, seeds, home).run_requests == []


def test_run_history_sensor_records_a_run_launched_elsewhere(tmp_path: Path) -> None:
    """A run made outside `make run` (as in the UI) reaches `runs` and `check_results`."""
    build = build_into(SEEDS, tmp_path)
    warehouse = build.warehouse_file
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("DELETE FROM runs")
        connection.execute("DELETE FROM check_results")
    publish = build.result.runs["publish"]
    with dg.instance_for_test(temp_dir=str(build.settings.dagster_home)) as instance:
        run = instance.get_run_by_id(publish.run_id)
        success_event = next(
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS
            ).records
        )
        context = dg.build_run_status_sensor_context(
            sensor_name="record_success_runs",
            dagster_event=success_event,
            dagster_instance=instance,
            dagster_run=run,
            resources={"duckdb": DuckDBResource(database=str(warehouse))},
        )
        sensor = next(s for s in run_history_sensors if s.name == "record_success_runs")
        sensor(context)
    ingest = build.result.runs["ingest_reports"]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        # The ingest run, also missing from the history, is recorded with it.
        assert set(connection.execute("SELECT run_id, status FROM runs").fetchall()) == {
            (ingest.run_id, "SUCCESS"),
            (publish.run_id, "SUCCESS"),
        }
        recorded = connection.execute("SELECT count(*) FROM check_results").fetchone()[0]
    assert recorded == len(publish.get_asset_check_evaluations()) + len(
        ingest.get_asset_check_evaluations()
    )
