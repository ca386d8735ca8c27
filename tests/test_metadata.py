"""Untrusted report text stays text when rendered as Markdown in the Dagster UI."""

from __future__ import annotations

import polars as pl

from pipelines.metadata import escape_markdown, markdown_table


def test_html_and_markdown_are_neutralised() -> None:
    hostile = '<script>alert("x")</script> **bold** [link](javascript:alert(1)) | pipe\nline'
    escaped = escape_markdown(hostile)
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;script&gt;" in escaped
    assert "**" not in escaped and "](" not in escaped
    assert "\\|" in escaped
    assert "\n" not in escaped


def test_preview_table_has_one_line_per_row_and_truncates() -> None:
    frame = pl.DataFrame({"title": ["a|b", "x" * 500, None]})
    table = markdown_table(frame).splitlines()
    assert len(table) == 2 + 3
    assert table[2] == "| a\\|b |"
    assert len(table[3]) < 100
    assert table[4] == "|  |"
