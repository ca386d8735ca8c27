"""`CHANGELOG.md`: which papers a release adds, changes and removes against the previous one.

A paper is identified by (report date, arXiv id); it changed when the hash of its source text
(`span_sha256`) differs, or its title when the previous release predates that column.
"""

from __future__ import annotations

import polars as pl

from pipelines.metadata import escape_markdown
from pipelines.tables.validate import PAPER_KEY

# The columns of `papers` the changelog compares (a previous release may lack `span_sha256`).
CHANGE_COLUMNS = [*PAPER_KEY, "title", "span_sha256"]


def paper_changes(previous: pl.DataFrame | None, current: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Papers `added`, `changed` and `removed`, each sorted by key."""
    previous = current.clear() if previous is None else previous
    content = "span_sha256" if "span_sha256" in previous.columns else "title"
    columns = list(dict.fromkeys([*PAPER_KEY, "title", content]))
    current, previous = current.select(columns), previous.select(columns)
    both = current.join(previous, on=PAPER_KEY, how="inner", suffix="_previous")
    return {
        "added": current.join(previous, on=PAPER_KEY, how="anti").sort(PAPER_KEY),
        "changed": both.filter(pl.col(content) != pl.col(f"{content}_previous"))
        .select(columns)
        .sort(PAPER_KEY),
        "removed": previous.join(current, on=PAPER_KEY, how="anti").sort(PAPER_KEY),
    }


def render_changelog(
    release_id: str, previous_id: str | None, changes: dict[str, pl.DataFrame]
) -> str:
    since = f"release `{previous_id}`" if previous_id else "nothing (first release)"
    lines = [
        f"# Changelog of release {release_id}",
        "",
        f"Compared with {since}:",
        "",
        "| change | papers |",
        "| --- | --- |",
        *(f"| {kind} | {frame.height} |" for kind, frame in changes.items()),
    ]
    for kind, frame in changes.items():
        if frame.is_empty():
            continue
        lines += ["", f"## {kind.capitalize()}", ""]
        lines += [
            f"- {row['report_date']} `{row['arxiv_id']}` {escape_markdown(row['title'])}"
            for row in frame.iter_rows(named=True)
        ]
    return "\n".join(lines) + "\n"
