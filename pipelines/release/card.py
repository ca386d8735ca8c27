"""The release's `README.md`: a dataset card usable as-is on the Hugging Face Hub.

Front matter (licence, languages, one `configs:` entry per table) lets
`datasets.load_dataset(<release folder>, <table>)` find the Parquet files; the body documents
the tables (generated from the schemas), the release's statistics and charts, and how to load it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl

from pipelines.release.charts import CHARTS_DIR, chart_title
from schemas import SCHEMA_VERSION, TABLES
from schemas.dictionary import reason_code_section, table_sections

DEFAULT_TABLE = "papers"
CITATION = """@misc{daily_papers_dataset,
  title        = {daily-papers: structured Hugging Face Daily Papers reports},
  author       = {{daily-papers contributors}},
  year         = {YEAR},
  howpublished = {Release RELEASE_ID},
  note         = {Schema version SCHEMA_VERSION}
}"""


def _front_matter(files: list[dict], paper_rows: int) -> list[str]:
    lines = [
        "---",
        "license: other",
        "license_name: report-and-paper-authors",
        "license_link: README.md",  # the Licence section below
        "language:",
        "- zh",
        "- en",
        "pretty_name: Hugging Face Daily Papers reports, structured",
        f"size_categories:\n- {_size_category(paper_rows)}",
        "tags:",
        "- arxiv",
        "- papers",
        "- summaries",
        "configs:",
    ]
    for entry in files:
        if entry.get("table"):
            lines += [f"- config_name: {entry['table']}", f"  data_files: {entry['file']}"]
            if entry["table"] == DEFAULT_TABLE:
                lines.append("  default: true")
    return [*lines, "---", ""]


def _size_category(rows: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if rows < limit:
            return label
    return "100K<n<1M"


def _statistics(rows: Mapping[str, int], reports: pl.DataFrame, rejects: pl.DataFrame) -> list[str]:
    lines = ["| table | rows |", "| --- | --- |"]
    lines += [f"| `{table}` | {rows[table]} |" for table in TABLES]
    if reports.height:
        first, last = reports["report_date"].min(), reports["report_date"].max()
        lines += ["", f"Reports from {first} to {last}."]
    rejects = rejects.group_by("reason_code").len("rows").sort("reason_code")
    if rejects.height:
        lines += ["", "Rejected inputs by reason:", "", "| reason_code | rows |", "| --- | --- |"]
        lines += [f"| `{code}` | {count} |" for code, count in rejects.iter_rows()]
    return lines


def _year(reports: pl.DataFrame) -> str:
    """The year of the newest report (a release is named by its date, not by when it was built,
    so that the same reports give the same card)."""
    return str(reports["report_date"].max().year) if reports.height else "n.d."


def _charts(charts: Sequence[Path]) -> list[str]:
    """Relative links to the chart images, or nothing if there are none."""
    if not charts:
        return []
    lines = ["## Charts", ""]
    for path in charts:
        lines += [f"![{chart_title(path)}]({CHARTS_DIR}/{path.name})", ""]
    return lines


LOADING = """```python
import duckdb
duckdb.sql("SELECT report_date, arxiv_id, title FROM 'papers.parquet' ORDER BY report_date")

import polars as pl
papers = pl.read_parquet("papers.parquet")

import pandas as pd  # the pyarrow dtypes keep dates as dates and nullable integers as integers
sections = pd.read_parquet("sections.parquet", dtype_backend="pyarrow")

from datasets import load_dataset
papers = load_dataset("path/to/this/folder", "papers", split="train")
```

`datasets` caches a local folder by its name: give it this folder's own path, not a link to it
such as `latest`, or it goes on returning the rows of the release it first loaded there.
It cannot load a table without rows (it has no empty splits; a release without rejects
has an empty `rejects`): read its Parquet file instead.

`daily_papers.duckdb` holds the same tables with keys, comments and views
(`duckdb daily_papers.duckdb -readonly`; DuckDB 1.2 or later). Check a download with
`daily-papers verify <folder>` or `sha256sum -c SHA256SUMS`."""


def render_card(
    release_id: str,
    files: list[dict],
    reports: pl.DataFrame,
    rejects: pl.DataFrame,
    charts: Sequence[Path] = (),
) -> str:
    """The dataset card; `files` are the manifest entries (with row counts of the tables),
    `rejects` needs only its `reason_code` column, `charts` are the SVGs of `write_charts`."""
    rows = {entry["table"]: entry["rows"] for entry in files if "table" in entry}
    lines = [
        *_front_matter(files, rows["papers"]),
        f"# Hugging Face Daily Papers reports, structured (release {release_id})",
        "",
        "The daily *Hugging Face Daily Papers Report* digests (Chinese summaries of 20-30 papers "
        "a day) parsed into tables: one row per report, paper, summary section and listed "
        "innovation. Every input that could not be published is in `rejects`, with a reason "
        "code and its source text, so nothing is silently dropped. Every row names the source "
        "file, its SHA-256 and the line span it came from.",
        "",
        f"Schema version {SCHEMA_VERSION}. `manifest.json` lists every file with its size, "
        "SHA-256 and row count, the source reports and the library versions; `CHANGELOG.md` "
        "the papers added, changed and removed since the previous release.",
        "",
        "## Statistics",
        "",
        *_statistics(rows, reports, rejects),
        "",
        *_charts(charts),
        "## Loading",
        "",
        LOADING,
        "",
        "## Data dictionary",
        "",
        *table_sections(TABLES, heading="###"),
        *reason_code_section(heading="###"),
        "",
        "## Licence",
        "",
        "The summaries are the work of the report authors and describe papers whose rights stay "
        "with their authors (see each paper on arXiv). The tables are shared for research on "
        "that basis; the daily-papers code that builds them is MIT-licensed.",
        "",
        "## Citation",
        "",
        "```bibtex",
        CITATION.replace("RELEASE_ID", release_id)
        .replace("SCHEMA_VERSION", SCHEMA_VERSION)
        .replace("YEAR", _year(reports)),
        "```",
    ]
    return "\n".join(lines) + "\n"
