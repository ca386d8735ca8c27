"""Storage for the per-report partitions: one pickle file per partition.

Dagster's built-in file IO managers refuse an output that covers several partitions, which is
exactly what a single-run backfill produces; this one takes a `{partition_key: value}` mapping.
"""

import pickle
from pathlib import Path
from urllib.parse import quote

import dagster as dg

from pipelines.files import write_atomic


class PartitionPickleIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _path(self, asset_key: dg.AssetKey, partition_key: str) -> Path:
        return Path(self.base_dir, *asset_key.path, quote(partition_key, safe="") + ".pickle")

    def stored_mtime(self, asset_key: dg.AssetKey, partition_key: str) -> float | None:
        """When the value of a partition was stored, or None if it never was."""
        path = self._path(asset_key, partition_key)
        return path.stat().st_mtime if path.exists() else None

    def handle_output(self, context: dg.OutputContext, obj: dict[str, object]) -> None:
        for partition_key, value in obj.items():
            path = self._path(context.asset_key, partition_key)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Not durable: a partition lost in a power cut is parsed again from its file.
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(path, data, durable=False)

    def load_input(self, context: dg.InputContext) -> dict[str, object]:
        loaded = {}
        for partition_key in context.asset_partition_keys:
            path = self._path(context.asset_key, partition_key)
            if not path.exists():
                raise dg.Failure(
                    f"Report {partition_key!r} is registered but has not been parsed yet: "
                    "materialise `parsed_report` for it first (make run does both)."
                )
            try:
                loaded[partition_key] = pickle.loads(path.read_bytes())
            except (EOFError, pickle.UnpicklingError) as error:  # cut short by a power failure
                raise dg.Failure(
                    f"The stored rows of report {partition_key!r} are damaged ({error}); "
                    "materialise `parsed_report` for it again (touch the file and run make run)."
                ) from error
        return loaded
