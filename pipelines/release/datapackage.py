"""`datapackage.json` (Frictionless Data Package v1) generated from the Pandera schemas."""

from __future__ import annotations

import polars as pl

from pipelines.tables.validate import PAPER_KEY
from schemas import FACET_TABLES, SCHEMA_VERSION, TABLES

_FIELD_TYPES = {pl.String: "string", pl.Int64: "integer", pl.Float64: "number", pl.Date: "date"}
# Child table -> (its columns, the parent table, the parent's columns) for foreign keys.
FOREIGN_KEYS = {
    "papers": (["report_date"], "reports", ["report_date"]),
    **{
        table: (PAPER_KEY, "papers", PAPER_KEY)
        for table in ("sections", "innovations", *FACET_TABLES)
    },
}


def table_schema(table: str) -> dict:
    """Frictionless Table Schema of a published table."""
    schema = TABLES[table].to_schema()
    fields = []
    for name, column in schema.columns.items():
        field = {
            "name": name,
            "type": _FIELD_TYPES[column.dtype.type.base_type()],
            "description": column.description or "",
        }
        constraints = {"required": True} if not column.nullable else {}
        for check in column.checks:
            if check.name == "isin":  # the schema's allowed values
                constraints["enum"] = list(check.statistics["allowed_values"])
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    descriptor = {"fields": fields, "primaryKey": list(schema.unique)}
    if table in FOREIGN_KEYS:
        columns, parent, parent_columns = FOREIGN_KEYS[table]
        descriptor["foreignKeys"] = [
            {"fields": columns, "reference": {"resource": parent, "fields": parent_columns}}
        ]
    return descriptor


def datapackage(release_id: str, files: list[dict]) -> dict:
    """The package descriptor: one resource per Parquet table file of the release."""
    resources = [
        {
            "name": entry["table"],
            "path": entry["file"],
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "description": TABLES[entry["table"]].to_schema().description or "",
            "bytes": entry["bytes"],
            "hash": f"sha256:{entry['sha256']}",
            "schema": table_schema(entry["table"]),
        }
        for entry in files
        if entry.get("table")
    ]
    return {
        "profile": "data-package",
        "name": "daily-papers",
        "title": "Hugging Face Daily Papers reports, structured",
        "version": SCHEMA_VERSION,
        "id": release_id,
        "description": "Papers, section summaries and innovations parsed from the daily "
        "'Hugging Face Daily Papers Report' digests, with everything that could not be "
        "published in `rejects`.",
        "licenses": [DATA_LICENSE],
        "resources": resources,
    }


DATA_LICENSE = {
    "name": "other",
    "title": "Summaries belong to the report authors; paper metadata to the papers' authors. "
    "See the dataset card.",
}
