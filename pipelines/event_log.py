"""Dagster's SQLite event log, writing a batch of asset events in one transaction.

Dagster's own SQLite storage opens a database connection and commits once per event, about
25 ms. A run that parses ten years of reports records two events per report partition (planned,
then materialised), so the stock storage spends minutes on bookkeeping. Dagster already hands
those events over in batches (when `DAGSTER_EVENT_BATCH_SIZE` is set) but the SQLite storage
stores them one by one; this subclass stores each batch with one connection to the run's
database and one transaction on the asset index. The rows written are the same.

`pipelines.cli` writes the `dagster.yaml` that selects it.
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster._core.events import ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlalchemy_compat import db_result
from dagster._serdes import ConfigurableClassData

# Dagster buffers up to this many events of one batch before calling `store_event_batch`.
EVENT_BATCH_SIZE = 10_000


class BatchedSqliteEventLogStorage(SqliteEventLogStorage):
    """SQLite event log storage with a one-transaction `store_event_batch`."""

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: dict[str, str]
    ) -> BatchedSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        asset_events = [
            event
            for event in events
            if event.is_dagster_event
            and event.dagster_event_type in ASSET_EVENTS
            and event.dagster_event.asset_key
        ]
        if len({event.run_id for event in events}) != 1 or len(asset_events) != len(events):
            # Asset check events and mixed runs are rare here: store those the stock way.
            for event in events:
                self.store_event(event)
            return
        statements = [self.prepare_insert_event(event) for event in events]
        with self.run_connection(events[0].run_id) as connection:
            for statement in statements:
                connection.execute(statement)
        # Mirrored in the cross-run index, as `SqliteEventLogStorage.store_event` does.
        with self.index_transaction() as connection:
            event_ids = []
            for statement in statements:
                with db_result(connection, statement) as result:
                    event_ids.append(result.inserted_primary_key[0])
            self._store_asset_event_tags(connection, events, event_ids)
            for event, event_id in zip(events, event_ids, strict=True):
                self._store_asset_event(connection, event, event_id)
