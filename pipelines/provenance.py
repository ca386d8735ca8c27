"""Row-level provenance: the lines a row came from and a hash of their text."""

from __future__ import annotations

import hashlib

from pipelines.parsing import ParsedReport


def span_provenance(
    parsed: ParsedReport, line_start: int, line_end: int, raw_text: str = ""
) -> dict:
    """Where a row came from: its line span and a hash of that span's text."""
    text = parsed.text(line_start, line_end) if line_start >= 1 else raw_text
    return {
        "line_start": line_start,
        "line_end": line_end,
        "span_sha256": hashlib.sha256(text.encode()).hexdigest(),
    }
