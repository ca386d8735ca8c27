"""Column definitions shared by several tables, so each is written once."""

import datetime as dt

import pandera.polars as pa

ARXIV_ID_PATTERN = r"^\d{4}\.\d{4,5}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
# Hugging Face Daily Papers started in 2023. The upper bound is fixed, not "today", so the tables
# stay a pure function of the inputs: a build next year publishes exactly what one today does.
EARLIEST_REPORT_DATE = dt.date(2023, 1, 1)
LATEST_REPORT_DATE = dt.date(2099, 12, 31)


def report_date() -> dt.date:
    return pa.Field(
        ge=EARLIEST_REPORT_DATE,
        le=LATEST_REPORT_DATE,
        description="Date the report covers, from its `**Date**` line.",
    )


def arxiv_id() -> str:
    return pa.Field(
        str_matches=ARXIV_ID_PATTERN,
        description="arXiv identifier of the paper, without version suffix (e.g. `2601.05960`).",
    )


def source_file() -> str:
    return pa.Field(
        str_length={"min_value": 1},
        description="Path of the input report file, relative to the seeds folder.",
    )


def line_start() -> int:
    return pa.Field(ge=1, description="First line of the source text this row came from (1-based).")


def line_end() -> int:
    return pa.Field(
        ge=1, description="Last line of the source text this row came from (inclusive)."
    )


def source_sha256() -> str:
    return pa.Field(str_matches=SHA256_PATTERN, description="SHA-256 of the source file's bytes.")


def span_sha256() -> str:
    return pa.Field(
        str_matches=SHA256_PATTERN,
        description="SHA-256 of the source text of lines `line_start`..`line_end` (UTF-8, lines "
        "joined by LF, as read); for a file without readable lines, of `raw_text`.",
    )


def char_start() -> int:
    return pa.Field(ge=0, description="Start of the text in its section's `body` (0-based char).")


def char_end() -> int:
    return pa.Field(ge=0, description="End of the text in its section's `body` (exclusive).")
