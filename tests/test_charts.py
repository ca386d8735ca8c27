"""Release charts: one SVG per chart at a fixed size, well-formed XML, byte-identical for the
same data, bars that show the counts of the tables, untrusted names as literal text, and their
links in the dataset card."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import polars as pl

from pipelines.parquet import TableFile, write_parquet
from pipelines.release.card import render_card
from pipelines.release.charts import CHARTS, TOP, chart_markdown, write_charts
from schemas import TABLES
from tests.conftest import Build

NAMES = [
    "papers_per_date.svg",
    "papers_per_domain.svg",
    "top_benchmarks.svg",
    "hardware.svg",
    "code_release.svg",
]
CHART_TABLES = ["papers", "domains", "mentions", "code_release"]
SVG = "{http://www.w3.org/2000/svg}"
# Markup, an entity, a CDATA end, characters XML 1.0 does not allow, CJK, and far longer than a
# label.
UNTRUSTED = "中文 <script>alert(1)</script> &amp; ]]> \x01\ufffe " + "long " * 40


def seed_tables(build: Build) -> dict[str, TableFile]:
    return {table: TableFile(table, build.latest / f"{table}.parquet") for table in TABLES}


def replaced(
    tables: dict[str, TableFile], folder: Path, frames: dict[str, pl.DataFrame]
) -> dict[str, TableFile]:
    """`tables` with some tables replaced by the given frames, written as release Parquet."""
    folder.mkdir()
    for table, frame in frames.items():
        write_parquet(table, frame, folder / f"{table}.parquet")
    return {**tables, **{table: TableFile(table, folder / f"{table}.parquet") for table in frames}}


def svg_bytes(paths: list[Path]) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


def parsed(path: Path) -> ET.Element:
    """The chart read by a real XML parser: a well-formed SVG of 800 x 450 pixels."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("800", "450")
    assert root.findtext(f"{SVG}title") == CHARTS[path.stem][0]
    return root


def bars(path: Path) -> list[str]:
    """The tooltips of the chart's bars (`name: value`), top to bottom or left to right."""
    return [rect.findtext(f"{SVG}title") for rect in parsed(path).iter(f"{SVG}rect")][1:]


def bar_sizes(path: Path, size: str) -> list[tuple[int, float]]:
    """`(count in the tooltip, width or height)` of each bar."""
    rects = list(parsed(path).iter(f"{SVG}rect"))[1:]
    return [
        (int(rect.findtext(f"{SVG}title").rsplit(": ", 1)[1]), float(rect.get(size)))
        for rect in rects
    ]


def assert_proportional(sizes: list[tuple[int, float]]) -> None:
    """Each bar's size is its count times one scale (to the 0.1 px the file is written in)."""
    scale = max(size for _, size in sizes) / max(count for count, _ in sizes)
    for count, size in sizes:
        assert abs(size - count * scale) <= 0.1, (count, size, scale)


def texts(path: Path) -> list[str]:
    return [element.text for element in parsed(path).iter(f"{SVG}text")]


def assert_images(paths: list[Path]) -> None:
    assert [path.name for path in paths] == NAMES
    for path in paths:
        parsed(path)


def test_every_chart_is_written_at_a_fixed_size(seed_build: Build, tmp_path: Path) -> None:
    paths = write_charts(tmp_path, seed_tables(seed_build))
    assert all(path.parent == tmp_path / "charts" for path in paths)
    assert sorted(path.name for path in (tmp_path / "charts").iterdir()) == sorted(NAMES)
    assert_images(paths)


def test_same_data_gives_the_same_bytes_even_in_another_process(
    seed_build: Build, tmp_path: Path
) -> None:
    first = svg_bytes(write_charts(tmp_path / "first", seed_tables(seed_build)))
    second = svg_bytes(write_charts(tmp_path / "second", seed_tables(seed_build)))
    script = (
        "import sys; from pathlib import Path; from pipelines.parquet import TableFile; "
        "from pipelines.release.charts import write_charts; from schemas import TABLES; "
        "release = Path(sys.argv[1]); "
        "write_charts(Path(sys.argv[2]), "
        "{t: TableFile(t, release / f'{t}.parquet') for t in TABLES})"
    )
    # Another time zone and locale must not change a byte.
    subprocess.run(
        [sys.executable, "-c", script, str(seed_build.latest), str(tmp_path / "third")],
        check=True,
        env={**os.environ, "TZ": "America/New_York", "LC_ALL": "C", "LANG": "C"},
    )
    third = {path.name: path.read_bytes() for path in (tmp_path / "third" / "charts").iterdir()}
    assert first == second == third


def test_bars_show_the_counts_of_the_tables(seed_build: Build, tmp_path: Path) -> None:
    """Each bar against the same count worked out by DuckDB from the release files."""
    paths = {path.stem: path for path in write_charts(tmp_path, seed_tables(seed_build))}
    folder = seed_build.latest

    def counted(sql: str) -> list[str]:
        return [f"{name}: {count}" for name, count in duckdb.sql(sql).fetchall()]

    assert bars(paths["top_benchmarks"]) == counted(
        f"SELECT normalized_name, count(DISTINCT (report_date, arxiv_id)) AS n "
        f"FROM '{folder}/mentions.parquet' WHERE kind = 'benchmark' "
        f"GROUP BY ALL ORDER BY n DESC, normalized_name LIMIT {TOP}"
    )
    assert bars(paths["papers_per_domain"]) == counted(
        f"SELECT category, count(*) AS n FROM '{folder}/domains.parquet' "
        "GROUP BY ALL ORDER BY n DESC, category"
    )
    statuses = counted(
        f"SELECT replace(status, '_', ' '), count(*) FROM '{folder}/code_release.parquet' "
        "GROUP BY ALL"
    )
    assert sorted(bars(paths["code_release"])) == sorted(statuses)
    # Per day, from three days before the first report to three after the last.
    per_date = dict(
        duckdb.sql(
            f"SELECT report_date, count(*) FROM '{folder}/papers.parquet' GROUP BY ALL"
        ).fetchall()
    )
    days = pl.date_range(min(per_date), max(per_date), eager=True).to_list()
    shown = bars(paths["papers_per_date"])
    assert len(shown) == len(days) + 6
    assert shown[3:-3] == [f"{day}: {per_date.get(day, 0)}" for day in days]
    assert all(text.endswith(": 0") for text in shown[:3] + shown[-3:])
    # Drawn to scale.
    for name in ["top_benchmarks", "papers_per_domain", "code_release"]:
        assert_proportional(bar_sizes(paths[name], "width"))
    assert_proportional(bar_sizes(paths["papers_per_date"], "height"))


def test_different_data_changes_only_its_chart(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    papers = tables["papers"].read()
    one_date = papers.filter(pl.col("report_date") == papers["report_date"].min())
    fewer = replaced(tables, tmp_path / "fewer", {"papers": one_date})
    before = svg_bytes(write_charts(tmp_path / "before", tables))
    after = svg_bytes(write_charts(tmp_path / "after", fewer))
    assert {name for name in NAMES if before[name] != after[name]} == {"papers_per_date.svg"}


def test_dates_years_apart_are_counted_per_month(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    papers = tables["papers"].read()
    last = papers["report_date"].max()
    later = papers.with_columns(
        pl.when(pl.col("report_date") == last)
        .then(pl.col("report_date").dt.offset_by("3y"))
        .otherwise(pl.col("report_date"))
    )
    paths = write_charts(
        tmp_path / "years", replaced(tables, tmp_path / "tables", {"papers": later})
    )
    assert_images(paths)
    chart = paths[0]
    per_month = later.group_by(pl.col("report_date").dt.strftime("%Y-%m")).len()
    counts = dict(per_month.iter_rows())
    shown = bars(chart)
    assert len(shown) == 37  # every month from the first report's to the last's, three years on
    assert [text for text in shown if not text.endswith(": 0")] == [
        f"{month}: {count}" for month, count in sorted(counts.items())
    ]
    assert "Papers per month" in texts(chart)
    first_year = papers["report_date"].min().year
    assert [str(first_year + years) for years in range(4)] == [
        text for text in texts(chart) if text.isdigit() and len(text) == 4
    ]


def test_empty_tables_give_no_data_charts(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    empty = {table: tables[table].read().clear() for table in CHART_TABLES}
    paths = write_charts(tmp_path / "empty", replaced(tables, tmp_path / "tables", empty))
    assert_images(paths)
    for path in paths:
        assert bars(path) == []
        assert texts(path) == [CHARTS[path.stem][0], "No data"]


def test_untrusted_names_are_drawn_as_literal_text(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    mentions = tables["mentions"].read()
    # The name in every paper that mentions a benchmark: the top benchmark.
    untrusted = (
        mentions.filter(pl.col("kind") == "benchmark")
        .unique(["report_date", "arxiv_id"], keep="first", maintain_order=True)
        .with_columns(normalized_name=pl.lit(UNTRUSTED), char_start=pl.lit(10**6, pl.Int64))
    )
    frames = {"mentions": mentions.vstack(untrusted)}
    paths = write_charts(tmp_path / "untrusted", replaced(tables, tmp_path / "tables", frames))
    assert_images(paths)
    chart = paths[NAMES.index("top_benchmarks.svg")]
    root = parsed(chart)
    assert not [element for element in root.iter() if "script" in element.tag]
    readable = UNTRUSTED.replace("\x01", "\ufffd").replace("\ufffe", "\ufffd")
    papers = untrusted.height
    assert bars(chart)[0] == f"{readable}: {papers}"  # the whole name in the tooltip
    names = [text.text for text in root.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    label = names[0]  # the bars' names, the only text aligned at its end
    # On one line, cut short with an ellipsis.
    assert label.endswith("…") and 10 < len(label) < 40
    assert " ".join(readable.split()).startswith(label[:-1])


def test_chart_markdown_embeds_each_svg(seed_build: Build, tmp_path: Path) -> None:
    paths = write_charts(tmp_path, seed_tables(seed_build))
    images = chart_markdown(paths).split("\n\n")
    assert len(images) == len(NAMES)
    for path, image in zip(paths, images, strict=True):
        prefix = f"![{CHARTS[path.stem][0]}](data:image/svg+xml;base64,"
        assert image.startswith(prefix) and image.endswith(")")
        assert base64.b64decode(image[len(prefix) : -1]) == path.read_bytes()


def test_card_links_the_charts_only_when_given(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    files = json.loads((seed_build.latest / "manifest.json").read_text())["files"]
    reports, rejects = tables["reports"].read(), tables["rejects"].read(["reason_code"])
    paths = write_charts(tmp_path, tables)
    with_charts = render_card("r1", files, reports, rejects, paths)
    without = render_card("r1", files, reports, rejects)
    assert "## Charts" in with_charts
    assert "![Papers per report date](charts/papers_per_date.svg)" in with_charts
    images = [f"![{CHARTS[path.stem][0]}](charts/{path.name})" for path in paths]
    assert [line for line in with_charts.splitlines() if line.startswith("![")] == images
    assert "## Charts" not in without and "charts/" not in without
    section = "## Charts\n\n" + "".join(f"{image}\n\n" for image in images)
    assert with_charts.replace(section, "") == without
