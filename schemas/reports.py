import datetime as dt

import pandera.polars as pa

from schemas import fields


class ReportsSchema(pa.DataFrameModel):
    """One row per daily report file that was published."""

    report_date: dt.date = fields.report_date()
    source_url: str = pa.Field(
        nullable=True,
        str_matches=r"^https?://\S+$",
        description="The report's `**Source URL**`, as written.",
    )
    paper_count: int = pa.Field(ge=0, description="Number of papers of this report published.")
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    source_bytes: int = pa.Field(ge=1, description="Size of the source file in bytes.")
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date"]
        description = "Daily reports: one row per report date."
