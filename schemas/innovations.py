import datetime as dt

import pandera.polars as pa

from schemas import fields


class InnovationsSchema(pa.DataFrameModel):
    """The items of each paper's innovations section (主要创新点)."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    ordinal: int = pa.Field(gt=0, description="Position of the item in the list (1 = first).")
    name: str = pa.Field(
        str_contains=r"\S", description="The item's lead, usually the bold text before the colon."
    )
    description: str = pa.Field(description="The rest of the item as Markdown (may be empty).")
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id", "ordinal"]
        description = "Innovations: one row per listed innovation of a paper."
