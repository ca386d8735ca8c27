"""Materialisation metadata shared by the assets: row counts, column schema, escaped preview."""

from __future__ import annotations

import html
import re

import dagster as dg
import polars as pl

from schemas import FACET_TABLES, TABLES

PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 60
# `$` opens math where GitHub (and markdown-it's dollarmath) renders it: `$x^2$`.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")
# GFM turns plain `http(s)://…`, `www.…` and `…@domain.tld` text into links. The Dagster UI
# (remark-gfm) does it twice: in the parser, on the source, where the link's text keeps any
# backslash escapes (`https://huggingface\.co`); and again on the *decoded* text of each text
# node, so no escape or character reference prevents it. Splitting the text node does: an empty
# HTML comment, which renders as nothing, goes between `:` and `/`, `www` and `.`, and before `@`
# (never first, where `<!--` would open an HTML block).
_AUTOLINK_BREAK = re.compile(r"(?<=:)(?=/)|(?<=www)(?=\.)|(?<=.)(?=@)", re.IGNORECASE)
_NOTHING = "<!-- -->"
# Invisible characters that change how text around them shows (bidi overrides such as U+202E,
# zero-width spaces and joiners): written out as `\u202e` instead.
_INVISIBLE = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
)


def escape_markdown(text: str) -> str:
    """Render untrusted text inertly in Markdown, one line, shown as written: HTML escaped,
    Markdown specials backslash-escaped, GFM autolinks broken up by empty HTML comments,
    invisible formatting characters written as escapes."""
    visible = _INVISIBLE.sub(lambda char: f"\\u{ord(char[0]):04x}", text)
    one_line = " ".join(visible.split())
    return _NOTHING.join(
        _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(piece, quote=False))
        for piece in _AUTOLINK_BREAK.split(one_line)
    )


def markdown_table(
    frame: pl.DataFrame, rows: int = PREVIEW_ROWS, cell_chars: int | None = PREVIEW_CELL_CHARS
) -> str:
    """The first `rows` rows as a Markdown table, each cell escaped and on one line, and cut to
    `cell_chars` characters unless that is None."""
    header = "| " + " | ".join(escape_markdown(name) for name in frame.columns) + " |"
    divider = "|" + " --- |" * frame.width
    lines = [header, divider]
    for row in frame.head(rows).iter_rows():
        cells = ["" if value is None else _cut(str(value), cell_chars) for value in row]
        lines.append("| " + " | ".join(escape_markdown(cell) for cell in cells) + " |")
    return "\n".join(lines)


def column_schema(table: str) -> dg.TableSchema:
    schema = TABLES[table].to_schema()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description,
                constraints=dg.TableColumnConstraints(
                    nullable=column.nullable, unique=list(schema.unique) == [name]
                ),
            )
            for name, column in schema.columns.items()
        ]
    )


# Where each column of a published table comes from in `parsed_report` (one record per file:
# its name, hash and parsed lines); columns not listed come from the parsed text itself.
_PARSED_REPORT_SOURCE = {
    "source_file": "source_file",
    "source_sha256": "sha256",
    "source_bytes": "size",
    "line_start": "lines",
    "line_end": "lines",
    "span_sha256": "lines",
}


def column_lineage(table: str) -> dg.TableColumnLineage:
    """Dagster column lineage of a published table: provenance columns back to `parsed_report`,
    facet columns to the section texts they were extracted from, other columns to the parsed
    text, and `reports.paper_count` to the papers it counts."""
    parsed = dg.AssetKey("parsed_report")
    text = (
        dg.TableColumnDep(dg.AssetKey("sections"), "body")
        if table in FACET_TABLES
        else dg.TableColumnDep(parsed, "text")
    )
    deps = {
        name: [dg.TableColumnDep(parsed, _PARSED_REPORT_SOURCE[name])]
        if name in _PARSED_REPORT_SOURCE
        else [text]
        for name in TABLES[table].to_schema().columns
    }
    if table == "reports":
        deps["paper_count"] = [dg.TableColumnDep(dg.AssetKey("papers"), "report_date")]
    return dg.TableColumnLineage(deps)


def table_metadata(table: str, frame: pl.DataFrame) -> dict[str, object]:
    return {
        "dagster/row_count": frame.height,
        "dagster/column_schema": column_schema(table),
        "dagster/column_lineage": column_lineage(table),
        "preview": dg.MetadataValue.md(markdown_table(frame)),
    }


def _cut(text: str, chars: int | None) -> str:
    return text if chars is None or len(text) <= chars else text[: chars - 1] + "…"
