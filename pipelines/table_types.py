"""Dagster types of the published tables: dagster-pandera's type of each Pandera model (its name,
description and column schema, as the UI shows them), with a type check that does not validate
again rows that passed the model already: each row is validated once.

The `tables` asset puts each table together from the rows of the reports it redid, first, which
passed the model in this build's batches (`pipelines.tables.validate`), and the rows kept from the
stored table file, which passed it when that file was written (its SHA-256 is recorded in
`validated.json`). The asset says so with `vouch` before yielding the table; its type check then
checks the columns and their types, and what no batch could see: that the new rows of different
batches, and the new and the kept rows, never share a primary key. That is all a model can ask
of a whole table beyond its rows as long as its only table-wide rule is its primary key; a model
with any other (a dataframe check, a column that must be unique) has every frame validated whole,
as has every frame not vouched for, as dagster-pandera does.
"""

from __future__ import annotations

import weakref

import dagster as dg
import polars as pl
from dagster_pandera import pandera_schema_to_dagster_type

# Frames vouched for by `vouch`, by id: a weak reference to the frame (so that a frame whose type
# check never came, in a step that failed, is neither kept alive nor mistaken for a later frame
# given the same id) and how many of its first rows are new.
_vouched: dict[int, tuple[weakref.ref[pl.DataFrame], int]] = {}


def vouch(frame: pl.DataFrame, new_rows: int) -> None:
    """Say that every row of `frame` passed the table's model: its first `new_rows` in batches
    of this build (each batch unique in its primary key), the others as part of a table whose
    primary key was unique. Its next type check relies on that."""
    _vouched[id(frame)] = (weakref.ref(frame), new_rows)
    weakref.finalize(frame, _vouched.pop, id(frame), None)


def table_type(model: type) -> dg.DagsterType:
    """The Dagster type of a table validated by the Pandera `model`."""
    stock = pandera_schema_to_dagster_type(model)
    schema = model.to_schema()
    columns = {name: column.dtype.type for name, column in schema.columns.items()}
    key = list(schema.unique)
    # Rules over the whole table that batches validated one by one could not have checked.
    only_key_rule = not schema.checks and not any(c.unique for c in schema.columns.values())

    def type_check(context: dg.TypeCheckContext, value: object) -> dg.TypeCheck:
        vouched, new_rows = _vouched.pop(id(value), (None, 0))
        if vouched is None or vouched() is not value or not only_key_rule:
            return stock.type_check(context, value)
        frame: pl.DataFrame = value
        if list(frame.schema.items()) != list(columns.items()):
            return dg.TypeCheck(
                success=False,
                description=f"Columns {dict(frame.schema)} are not the model's {columns}.",
            )
        new, kept = frame.head(new_rows).select(key), frame.slice(new_rows).select(key)
        # Only a kept row that shares the key's first column with a new row can repeat its key;
        # finding those first is much faster than joining every kept row.
        near = kept.filter(pl.col(key[0]).is_in(new[key[0]].unique().implode()))
        numbered = new.with_row_index("row")
        in_kept = numbered.join(near, on=key, how="semi")["row"].to_list()
        repeating = (new.is_duplicated() | numbered["row"].is_in(in_kept)).sum()
        if repeating:
            return dg.TypeCheck(
                success=False,
                description=f"{repeating} new rows repeat the primary key "
                f"({', '.join(key)}) of another row.",
            )
        return dg.TypeCheck(
            success=True,
            metadata={"rows_validated": new_rows, "rows_validated_before": frame.height - new_rows},
        )

    return dg.DagsterType(
        type_check_fn=type_check,
        name=stock.unique_name,
        description=stock.description,
        metadata=stock.metadata,
        typing_type=stock.typing_type,
    )
