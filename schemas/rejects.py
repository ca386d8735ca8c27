import datetime as dt

import pandera.polars as pa

from schemas import fields
from schemas.reasons import REASON_CODES

REJECT_LEVELS = ("file", "report", "paper", "section", "innovation", "line")


class RejectsSchema(pa.DataFrameModel):
    """Everything that could not be published, with the reason and the text it came from."""

    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    level: str = pa.Field(
        isin=REJECT_LEVELS,
        description="What was rejected: file, report, paper, section, innovation or line.",
    )
    line_start: int = pa.Field(
        ge=0, description="First line of the rejected text (0 when the file has no readable lines)."
    )
    line_end: int = pa.Field(ge=0, description="Last line of the rejected text (inclusive).")
    span_sha256: str = fields.span_sha256()
    reason_code: str = pa.Field(
        isin=tuple(REASON_CODES),
        description="Why it was rejected; see the reason codes in the docs.",
    )
    failed_check: str = pa.Field(
        nullable=True,
        description="For `schema_check_failed`: the table, column and check that failed.",
    )
    message: str = pa.Field(str_contains=r"\S", description="Human-readable explanation.")
    report_date: dt.date = pa.Field(
        nullable=True,
        description="Report date, when the file gives one (null if none could be read, if the "
        "file joins two reports, or if reading it failed: `parse_error`).",
    )
    arxiv_id: str = pa.Field(
        nullable=True,
        description="arXiv id of the rejected paper, or of the paper the rejected text is in, "
        "when it could be read.",
    )
    rank: int = pa.Field(
        nullable=True,
        description="Position in its report of the rejected paper, or of the paper the "
        "rejected text is in.",
    )
    raw_text: str = pa.Field(
        description="The rejected text as read (first 2,000 bytes for files that are not text)."
    )

    class Config:
        strict = True
        unique = ["source_file", "level", "line_start", "line_end", "reason_code"]
        description = "Rejects: inputs that were not published, with reason code and source text."
