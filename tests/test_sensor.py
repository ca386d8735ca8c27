"""The sensor keeps one partition per report file and parses new files in one run."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from pipelines.resources import ProjectPaths
from pipelines.sensors import report_files_sensor
from tests.conftest import SEEDS


def evaluate(instance: dg.DagsterInstance, seeds: Path) -> dg.SensorResult:
    paths = ProjectPaths(seeds_dir=str(seeds), warehouse_dir=str(seeds.parent / "out"))
    context = dg.build_sensor_context(instance=instance, resources={"paths": paths})
    return report_files_sensor(context)


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

        assert evaluate(instance, seeds).dynamic_partitions_requests == []
        assert evaluate(instance, seeds).run_requests == []

        (seeds / "000_18c40586699a2521.txt").unlink()
        shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "2026-01-12.md")
        changed = evaluate(instance, seeds)
        added, deleted = changed.dynamic_partitions_requests
        assert added.partition_keys == ["2026-01-12.md"]
        assert deleted.partition_keys == ["000_18c40586699a2521.txt"]
        assert [r.tags["dagster/asset_partition_range_start"] for r in changed.run_requests] == [
            "2026-01-12.md"
        ]
