"""The batched SQLite event log: one call stores a whole run's partition events, what it stores
is what Dagster's own SQLite storage stores, it keeps only a few databases open, and a process
watching a run (the UI) sees each event as it is stored."""

import logging
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events.log import EventLogEntry

from pipelines.event_log import OPEN_DATABASES, BatchedSqliteEventLogStorage
from pipelines.instance import HEADER, LEGACY_CONFIG, write_instance_config

KEYS = [f"report-{n:03}" for n in range(40)]
partitions = dg.StaticPartitionsDefinition(KEYS)


@dg.asset(partitions_def=partitions, backfill_policy=dg.BackfillPolicy.single_run())
def many(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"partitions": len(context.partition_keys)})


def materialise_all(instance: dg.DagsterInstance) -> dict[str, object]:
    result = dg.materialize(
        [many],
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": KEYS[0],
            "dagster/asset_partition_range_end": KEYS[-1],
        },
    )
    assert result.success
    counts = {
        kind: len(instance.get_records_for_run(result.run_id, of_type=kind, limit=1000).records)
        for kind in (
            dg.DagsterEventType.ASSET_MATERIALIZATION,
            dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
        )
    }
    latest = instance.get_latest_materialization_event(many.key)
    [record] = instance.get_asset_records([many.key])
    entry = record.asset_entry
    return {
        "materialized": sorted(instance.get_materialized_partitions(many.key)),
        "events": counts,
        "latest_partition": latest.dagster_event.partition,
        # The asset's row in the asset key table: its last materialisation and run.
        "asset_row": (
            entry.last_materialization.dagster_event.partition,
            entry.last_materialization.timestamp == latest.timestamp,
            entry.last_run_id == result.run_id,
        ),
    }


def test_batched_storage_stores_what_the_stock_storage_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "10000")
    batches: list[int] = []
    store_batch = BatchedSqliteEventLogStorage.store_event_batch

    def counting(self: BatchedSqliteEventLogStorage, events: list) -> None:
        batches.append(len(events))
        store_batch(self, events)

    monkeypatch.setattr(BatchedSqliteEventLogStorage, "store_event_batch", counting)
    write_instance_config(tmp_path / "batched")
    with dg.DagsterInstance.from_config(str(tmp_path / "batched")) as instance:
        assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
        # Twice: the second run updates the asset's row instead of inserting it.
        batched = [materialise_all(instance), materialise_all(instance)]
    (tmp_path / "stock").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "stock")) as instance:
        stock = [materialise_all(instance), materialise_all(instance)]

    assert batched == stock
    assert batched[0]["materialized"] == KEYS
    assert batched[1]["asset_row"][1:] == (True, True)  # the second run's latest
    assert batches == [len(KEYS)] * 4  # planned events, then materialisations, twice


@dg.asset
def single() -> int:
    return 1


def test_open_databases_are_bounded_and_closed_before_a_wipe(tmp_path: Path) -> None:
    write_instance_config(tmp_path)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, BatchedSqliteEventLogStorage)
        runs = [dg.materialize([single], instance=instance).run_id for _ in range(OPEN_DATABASES)]
        assert len(storage._engines) == OPEN_DATABASES  # the index and the newest runs
        assert runs[0] not in storage._engines
        with storage.index_connection() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        first = instance.get_records_for_run(runs[0]).records  # a closed database opens again
        assert first[-1].event_log_entry.dagster_event_type == dg.DagsterEventType.RUN_SUCCESS

        instance.wipe()
        assert not list(tmp_path.joinpath("history", "runs").glob(f"{runs[-1]}.db*"))
        again = dg.materialize([single], instance=instance)
        assert instance.get_records_for_run(again.run_id).records
        assert instance.get_latest_materialization_event(single.key).run_id == again.run_id


def test_instance_config_is_replaced_unless_the_user_made_it_their_own(tmp_path: Path) -> None:
    config = tmp_path / "dagster.yaml"
    config.write_text(LEGACY_CONFIG)
    write_instance_config(tmp_path)
    assert config.read_text().startswith(HEADER)
    assert "BatchedSqliteEventLogStorage" in config.read_text()

    own = "telemetry:\n  enabled: true\n"
    config.write_text(own)
    write_instance_config(tmp_path)
    assert config.read_text() == own


def test_a_watching_process_sees_every_event_of_a_run_as_it_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run's partition events, as `store_event_batch` gets them.
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "10000")
    write_instance_config(tmp_path / "made")
    with dg.DagsterInstance.from_config(str(tmp_path / "made")) as instance:
        materialise_all(instance)
        [run] = instance.get_run_records()
        batch = [
            record.event_log_entry._replace(run_id="run")
            for record in instance.get_records_for_run(
                run.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
        ]
    # The UI shows a run's events through `watch`, on a storage of its own (in another process),
    # as a run page opened before the run started does.
    writer = BatchedSqliteEventLogStorage(str(tmp_path / "home"))
    reader = BatchedSqliteEventLogStorage(str(tmp_path / "home"))
    seen: list[EventLogEntry] = []
    reader.watch("run", None, lambda entry, _cursor: seen.append(entry))

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 10
        while len(seen) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    try:
        for number in range(3):
            writer.store_event(
                EventLogEntry(
                    error_info=None,
                    level=logging.INFO,
                    user_message=f"event {number}",
                    run_id="run",
                    timestamp=time.time(),
                )
            )
            wait_for(number + 1)
        writer.store_event_batch(batch)
        wait_for(3 + len(batch))
        assert [entry.user_message for entry in seen[:3]] == ["event 0", "event 1", "event 2"]
        assert len(seen) == 3 + len(KEYS)
        assert all(entry.is_dagster_event for entry in seen[3:])
    finally:
        reader.dispose()
        writer.dispose()
