"""Pandera (polars) models of the published tables: the one source of column names, types,
descriptions, checks and keys. The warehouse DDL, `COMMENT ON` texts and docs are derived from them.
"""

from collections.abc import Iterable
from functools import cache

import polars as pl

from schemas.facets import (
    CodeReleaseSchema,
    DomainsSchema,
    MentionsSchema,
    ResultsSchema,
    UsageFacetsSchema,
)
from schemas.history import (
    CheckResultsSchema,
    ReleaseFilesSchema,
    ReleasesSchema,
    RunsSchema,
    SourceFilesSchema,
    WarehouseLoadsSchema,
)
from schemas.innovations import InnovationsSchema
from schemas.papers import PapersSchema
from schemas.reasons import REASON_CODES
from schemas.rejects import RejectsSchema
from schemas.reports import ReportsSchema
from schemas.sections import SectionsSchema

# Data-package rules: major for breaking column changes, minor for additions, patch for fixes.
SCHEMA_VERSION = "1.4.0"

# Published tables in dependency order (parents before children).
TABLES = {
    "reports": ReportsSchema,
    "papers": PapersSchema,
    "sections": SectionsSchema,
    "innovations": InnovationsSchema,
    "domains": DomainsSchema,
    "usage_facets": UsageFacetsSchema,
    "mentions": MentionsSchema,
    "code_release": CodeReleaseSchema,
    "results": ResultsSchema,
    "rejects": RejectsSchema,
}
# The tables extracted from the section texts (the `facets` group of the `tables` asset).
FACET_TABLES = ("domains", "usage_facets", "mentions", "code_release", "results")
# The tables built straight from the parsed reports (by the `tables` asset).
PARSED_TABLES = tuple(table for table in TABLES if table not in FACET_TABLES)
# Warehouse-only tables that accumulate across builds (lineage and quality history).
HISTORY_TABLES = {
    "runs": RunsSchema,
    "source_files": SourceFilesSchema,
    "warehouse_loads": WarehouseLoadsSchema,
    "releases": ReleasesSchema,
    "release_files": ReleaseFilesSchema,
    "check_results": CheckResultsSchema,
}


def model(table: str) -> type:
    """The Pandera model of a published or history table."""
    return TABLES.get(table) or HISTORY_TABLES[table]


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """Column names and polars types of a table, in table order."""
    return {name: column.dtype.type for name, column in model(table).to_schema().columns.items()}


@cache
def _column_names(table: str) -> frozenset[str]:
    return frozenset(polars_schema(table))


def check_row_columns(table: str, rows: Iterable[dict]) -> None:
    """Raise if a row (a dict) has other keys than the table's columns: Arrow and polars would
    fill a missing column with nulls and drop an unknown one without a word."""
    columns = _column_names(table)
    for row in rows:
        if row.keys() != columns:
            raise ValueError(
                f"A {table} row has other columns than the schema: missing "
                f"{sorted(columns - row.keys())}, not in the schema {sorted(row.keys() - columns)}"
            )


__all__ = [
    "FACET_TABLES",
    "HISTORY_TABLES",
    "PARSED_TABLES",
    "REASON_CODES",
    "SCHEMA_VERSION",
    "TABLES",
    "InnovationsSchema",
    "PapersSchema",
    "RejectsSchema",
    "ReportsSchema",
    "SectionsSchema",
    "check_row_columns",
    "model",
    "polars_schema",
]
