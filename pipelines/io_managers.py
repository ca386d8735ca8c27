"""Storage between assets: per-report partitions as pickles, tables as their release Parquet.

Dagster's built-in file IO managers refuse an output that covers several partitions, which is
exactly what a single-run backfill produces. With `PartitionPickleIOManager` the asset stores
each partition as it makes it (`store`) and returns the `StoredPartitions`; downstream assets get
them as a mapping that reads each value from disk when asked for.

`TableParquetIOManager` writes each validated table once, as the deterministic Parquet file the
release publishes, so the release links that file instead of writing it again and the warehouse
loads it with DuckDB without holding it in Python memory. Dagster hands it a table only after the
table passed its type check (every row passed the Pandera model: see `pipelines.table_types`), so
it records the file it wrote (by SHA-256) as validated, and the checks downstream do not validate
those very bytes again.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import shutil
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import PrivateAttr

from pipelines.files import (
    fsync_file,
    remove_abandoned_temporaries,
    sha256_file,
    temporary_beside,
    write_atomic,
)
from pipelines.parquet import TableFile, write_parquet
from pipelines.tables.store import TableStore
from pipelines.versions import TABLES_VERSION
from schemas import TABLES


class StoredPartitions(Mapping[str, object]):
    """The stored values of some partitions, each read from disk when asked for, so that
    thousands of them need not be in memory at once."""

    def __init__(self, paths: Mapping[str, Path]):
        self._paths = paths

    def __getitem__(self, partition_key: str) -> object:
        path = self._stored(partition_key)
        try:
            return pickle.loads(path.read_bytes())
        except (EOFError, pickle.UnpicklingError) as error:  # cut short by a power failure
            raise dg.Failure(
                f"The stored rows of report {partition_key!r} are damaged ({error}); "
                "materialise `parsed_report` for it again (touch the file and run make run)."
            ) from error

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def select(self, partition_keys: Iterable[str]) -> StoredPartitions:
        """These partitions only (still read from disk when asked for; cheap to pickle)."""
        return StoredPartitions({key: self._paths[key] for key in partition_keys})

    def rows_stamp(self, partition_key: str) -> str:
        """Changes whenever the partition's rows are stored again: the size and modification
        time of their file (not of the report file, see `source_stamps`)."""
        stat = self._stored(partition_key).stat()
        return f"{stat.st_size}-{stat.st_mtime_ns}"

    def _stored(self, partition_key: str) -> Path:
        path = self._paths[partition_key]
        if not path.exists():
            raise dg.Failure(
                f"Report {partition_key!r} is registered but has not been parsed yet: "
                "materialise `parsed_report` for it first (make run does both)."
            )
        return path


class PartitionPickleIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def stored(self, asset_key: dg.AssetKey, partition_key: str) -> Path:
        """Where the value of a partition is (or would be) stored."""
        return Path(self.base_dir, *asset_key.path, _file_name(partition_key))

    def stale(
        self, asset_key: dg.AssetKey, partition_keys: Iterable[str], folder: Path
    ) -> list[str]:
        """The partitions (each made from the file of that name in `folder`) that must be made
        again, in the order given: never stored, or their file changed since. A stored
        partition carries the `source_stamp` its file had (see `store`): any other is a
        change."""
        keys = list(partition_keys)
        stamped = self.source_stamps(asset_key, keys)
        return [key for key in keys if stamped.get(key) != source_stamp(folder / key)]

    def source_stamps(
        self, asset_key: dg.AssetKey, partition_keys: Iterable[str]
    ) -> dict[str, int]:
        """The `source_stamp` of its report file that each of these partitions was stored with
        (see `store`), for those stored: one listing of the folder, not a look-up per partition
        (thousands, at every build)."""
        folder = Path(self.base_dir, *asset_key.path)
        if not folder.is_dir():
            return {}
        with os.scandir(folder) as entries:
            by_name = {entry.name: entry.stat().st_mtime_ns for entry in entries}
        return {
            key: by_name[name] for key in partition_keys if (name := _file_name(key)) in by_name
        }

    def remove_leftovers(self) -> list[Path]:
        """Delete the stored rows of other versions (`<storage>/parser-*` beside `base_dir`):
        code that changes them parses every report again, so they are never read again; and
        the half-written files of killed runs."""
        current = Path(self.base_dir)
        old = sorted(p for p in current.parent.glob("parser-*") if p.is_dir() and p != current)
        for path in old:
            shutil.rmtree(path)
        return old + (remove_abandoned_temporaries(current) if current.is_dir() else [])

    def store(self, asset_key: dg.AssetKey, partition_key: str, value: object, stamp: int) -> Path:
        """Store the value of one partition now (an asset that makes many can store each as it
        is made and return `StoredPartitions`, rather than hold them all until it returns),
        stamped with the `source_stamp` its source file had before it was read (kept as the
        stored file's modification time)."""
        path = self.stored(asset_key, partition_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not durable: a partition lost in a power cut is parsed again from its file.
        write_atomic(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), durable=False)
        os.utime(path, ns=(stamp, stamp))
        return path

    def handle_output(self, context: dg.OutputContext, obj: StoredPartitions) -> None:
        """Nothing left to do: the asset stored each partition with `store` as it made it."""

    def load_input(self, context: dg.InputContext) -> StoredPartitions:
        keys = context.asset_partition_keys
        return StoredPartitions({key: self.stored(context.asset_key, key) for key in keys})


class TableParquetIOManager(dg.ConfigurableIOManager):
    """One Parquet file per table asset; inputs annotated `TableFile` get the file itself, all
    others a polars DataFrame."""

    base_dir: str
    # The tables whose files are being written ahead: each one's frame and pending write.
    _ahead: dict[str, tuple[pl.DataFrame, Future]] = PrivateAttr(default_factory=dict)

    @property
    def store(self) -> TableStore:
        return TableStore(Path(self.base_dir))

    def _file(self, asset_key: dg.AssetKey) -> TableFile:
        return self.store.file(asset_key.path[-1])

    def write_ahead(self, table: str, frame: pl.DataFrame, pool: Executor) -> None:
        """Start writing `frame`, the output about to be yielded for `table`, into a temporary
        file on `pool`, so that the write goes on while Dagster type-checks the frame;
        `handle_output` puts the file in place only once the frame passed. The caller shuts the
        pool down (waiting for the writes) when the step ends, passed or not, and then calls
        `forget_writes_ahead`."""
        temporary = temporary_beside(self.store.file(table).path)
        temporary.parent.mkdir(parents=True, exist_ok=True)
        self._ahead[table] = (frame, pool.submit(write_parquet, table, frame, temporary))

    def forget_writes_ahead(self) -> None:
        """Drop the writes ahead that no output came for (a type check failed first)."""
        self._ahead.clear()

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        file = self._file(context.asset_key)
        file.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_beside(file.path)
        frame, writing = self._ahead.pop(file.table, (None, None))
        # Waits for the write ahead; a failed one is tried again here, to raise its error.
        if writing is None or writing.exception() is not None or frame is not obj:
            write_parquet(file.table, obj, temporary)
        fsync_file(temporary)  # the state saved after the tables must not outlive them
        os.replace(temporary, file.path)
        # Outputs typed with the table's Pandera model reach this point only if they passed it.
        passed = context.dagster_type.key == TABLES[file.table].__name__
        self.store.record_validated(
            TABLES_VERSION, file.table, sha256_file(file.path) if passed else None
        )
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(str(file.path)), "bytes": file.path.stat().st_size}
        )

    def load_input(self, context: dg.InputContext) -> TableFile | pl.DataFrame:
        file = self._file(context.asset_key)
        if not file.path.exists():
            raise dg.Failure(
                f"Table {file.table!r} has not been built yet: materialise it first "
                "(make run builds everything)."
            )
        if context.dagster_type.typing_type is TableFile:
            return file
        return file.read()


def _file_name(partition_key: str) -> str:
    """The stored file of a partition, named by a hash of its key: a key (a path in the seeds
    folder) can hold slashes, and written out in full may be longer than a file name can be."""
    return hashlib.sha256(partition_key.encode()).hexdigest()[:32] + ".pickle"


def source_stamp(path: Path) -> int:
    """What tells one version of a file from another: its status change time (ctime) while it
    can be read, the error number of why not while it cannot (or is gone). Unlike the
    modification time, no tool sets the ctime: every write, rename or chmod moves it on, so a
    file swapped for another with `mv`, or replaced by a copy that keeps an older modification
    time, is a change. An error number (nanoseconds after 1970 as a stamp: no real ctime) tells
    the reasons apart, so a file that cannot be read for another reason is read again, and its
    reject says why now."""
    try:
        status = os.stat(path)
    except OSError as error:
        return error.errno or 0
    return status.st_ctime_ns if os.access(path, os.R_OK) else errno.EACCES
