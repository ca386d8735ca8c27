import datetime as dt

import pandera.polars as pa

from schemas import fields


class PapersSchema(pa.DataFrameModel):
    """One row per paper summarised in a report."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    rank: int = pa.Field(gt=0, description="Position of the paper in its report (1 = first).")
    title: str = pa.Field(
        str_contains=r"\S", description="English title from the `## 📄` heading, as written."
    )
    paper_url: str = pa.Field(
        str_matches=r"^https://huggingface\.co/papers/\d{4}\.\d{4,5}$",
        description="Canonical Hugging Face papers URL.",
    )
    arxiv_url: str = pa.Field(
        str_matches=r"^https://arxiv\.org/abs/\d{4}\.\d{4,5}$",
        description="Canonical arXiv abstract URL.",
    )
    link_raw: str = pa.Field(
        description="The `链接` (link) value exactly as written in the report."
    )
    reading_source: str = pa.Field(
        nullable=True,
        description="The `阅读来源` (reading source) value, e.g. `HTML` or `ArXiv Abs`.",
    )
    inner_heading: str = pa.Field(
        nullable=True,
        description="The summary's own heading (e.g. `<title> 研究报告`), if it has one.",
    )
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id"]
        description = "Papers: one row per paper per report."
