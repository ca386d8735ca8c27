"""Deterministic Parquet: one writer, one settings set, rows sorted by the table key.

Same rows and library versions give byte-identical files: nothing time-dependent goes into data or
metadata, and strings are written as plain `string` (not polars' `large_string`/`string_view`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from schemas import TABLES

_ARROW_TYPES = {
    pl.String: pa.string(),
    pl.Int64: pa.int64(),
    pl.Float64: pa.float64(),
    pl.Date: pa.date32(),
}
ROW_GROUP_SIZE = 100_000


@dataclass(frozen=True)
class TableFile:
    """A validated table, stored as its release Parquet file."""

    table: str
    path: Path

    def read(self, columns: list[str] | None = None) -> pl.DataFrame:
        return pl.read_parquet(self.path, columns=columns)

    @property
    def rows(self) -> int:
        return pq.ParquetFile(self.path).metadata.num_rows


def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of a published table, with column and table descriptions as metadata."""
    schema = TABLES[table].to_schema()
    fields = [
        pa.field(
            name,
            _ARROW_TYPES[column.dtype.type.base_type()],
            nullable=column.nullable,
            metadata={"description": column.description or ""},
        )
        for name, column in schema.columns.items()
    ]
    return pa.schema(fields, metadata={"description": schema.description or ""})


def write_parquet(table: str, frame: pl.DataFrame, path: Path) -> None:
    key = list(TABLES[table].to_schema().unique)
    arrow = frame.sort(key, maintain_order=True).to_arrow().cast(arrow_schema(table))
    with pq.ParquetWriter(
        path,
        arrow.schema,
        compression="zstd",
        compression_level=3,
        write_statistics=True,
        write_page_index=True,
        sorting_columns=[pq.SortingColumn(arrow.schema.get_field_index(name)) for name in key],
        store_schema=True,
    ) as writer:
        # An empty table gets no row group at all: readers such as `datasets` take the first
        # row group's size as their batch size and fail on 0.
        if arrow.num_rows:
            writer.write_table(arrow, row_group_size=ROW_GROUP_SIZE)
