import datetime as dt

import pandera.polars as pa

from schemas import fields

SECTION_KEYS = ("domain", "contribution", "usage", "innovations", "results")


class SectionsSchema(pa.DataFrameModel):
    """The five numbered sections of each paper summary."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    section_key: str = pa.Field(
        isin=SECTION_KEYS,
        description="Canonical section: domain, contribution, usage, innovations or results.",
    )
    section_number: int = pa.Field(
        ge=1, le=5, description="Section number as written in the heading (1-5)."
    )
    heading: str = pa.Field(
        str_contains=r"\S", description="The heading line as written, e.g. `1. **应用领域**：`."
    )
    body: str = pa.Field(
        str_contains=r"\S",
        description="Section text as Markdown: text on the heading line, then the lines below it "
        "without the indentation they all share (the wrapping code fence removed).",
    )
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id", "section_key"]
        description = "Sections: one row per paper and section (domain … results)."
