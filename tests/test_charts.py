"""Release charts: one PNG per chart at a fixed size, byte-identical for the same data, literal
text for untrusted names, and their links in the dataset card."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from PIL import Image

from pipelines.parquet import TableFile, write_parquet
from pipelines.release.card import render_card
from pipelines.release.charts import CHARTS, chart_markdown, write_charts
from schemas import TABLES
from tests.conftest import Build

NAMES = [
    "papers_per_date.png",
    "papers_per_domain.png",
    "top_benchmarks.png",
    "hardware.png",
    "code_release.png",
]
CHART_TABLES = ["papers", "domains", "mentions", "code_release"]
# Mathtext would fail on this name (an even number of `$` within the truncated label,
# an unknown command); DejaVu Sans has no glyphs for its CJK; it is far longer than a label.
UNTRUSTED = r"中文 $x^2$ <script> $\bad{$ </script> " + "long " * 40


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


def png_bytes(paths: list[Path]) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


def assert_images(paths: list[Path]) -> None:
    assert [path.name for path in paths] == NAMES
    for path in paths:
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (800, 450))


def test_every_chart_is_written_at_a_fixed_size(seed_build: Build, tmp_path: Path) -> None:
    paths = write_charts(tmp_path, seed_tables(seed_build))
    assert all(path.parent == tmp_path / "charts" for path in paths)
    assert sorted(path.name for path in (tmp_path / "charts").iterdir()) == sorted(NAMES)
    assert_images(paths)


def test_same_data_gives_the_same_bytes_even_in_another_process(
    seed_build: Build, tmp_path: Path
) -> None:
    first = png_bytes(write_charts(tmp_path / "first", seed_tables(seed_build)))
    second = png_bytes(write_charts(tmp_path / "second", seed_tables(seed_build)))
    script = (
        "import sys; from pathlib import Path; from pipelines.parquet import TableFile; "
        "from pipelines.release.charts import write_charts; from schemas import TABLES; "
        "release = Path(sys.argv[1]); "
        "write_charts(Path(sys.argv[2]), "
        "{t: TableFile(t, release / f'{t}.parquet') for t in TABLES})"
    )
    # A local matplotlibrc that sets what no style can: it must not change a byte.
    config = tmp_path / "matplotlib"
    config.mkdir()
    (config / "matplotlibrc").write_text(
        "timezone: America/New_York\ndate.epoch: 0000-12-31T00:00:00\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(seed_build.latest), str(tmp_path / "third")],
        check=True,
        env={**os.environ, "MPLCONFIGDIR": str(config)},
    )
    third = {path.name: path.read_bytes() for path in (tmp_path / "third" / "charts").iterdir()}
    assert first == second == third


def test_different_data_changes_only_its_chart(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    papers = tables["papers"].read()
    one_date = papers.filter(pl.col("report_date") == papers["report_date"].min())
    fewer = replaced(tables, tmp_path / "fewer", {"papers": one_date})
    before = png_bytes(write_charts(tmp_path / "before", tables))
    after = png_bytes(write_charts(tmp_path / "after", fewer))
    assert {name for name in NAMES if before[name] != after[name]} == {"papers_per_date.png"}


def test_dates_years_apart_are_counted_per_month(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    papers = tables["papers"].read()
    later = papers.with_columns(
        pl.when(pl.col("report_date") == papers["report_date"].max())
        .then(pl.col("report_date").dt.offset_by("3y"))
        .otherwise(pl.col("report_date"))
    )
    paths = write_charts(
        tmp_path / "years", replaced(tables, tmp_path / "tables", {"papers": later})
    )
    assert_images(paths)
    daily = png_bytes(write_charts(tmp_path / "daily", tables))
    assert png_bytes(paths)["papers_per_date.png"] != daily["papers_per_date.png"]


def test_empty_tables_give_no_data_charts(seed_build: Build, tmp_path: Path) -> None:
    tables = seed_tables(seed_build)
    empty = {table: tables[table].read().clear() for table in CHART_TABLES}
    paths = write_charts(tmp_path / "empty", replaced(tables, tmp_path / "tables", empty))
    assert_images(paths)
    full = png_bytes(write_charts(tmp_path / "full", tables))
    assert all(full[name] != data for name, data in png_bytes(paths).items())


@pytest.mark.filterwarnings("error")
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
    plain = png_bytes(write_charts(tmp_path / "plain", tables))
    assert png_bytes(paths)["top_benchmarks.png"] != plain["top_benchmarks.png"]


def test_chart_markdown_embeds_each_png(seed_build: Build, tmp_path: Path) -> None:
    paths = write_charts(tmp_path, seed_tables(seed_build))
    images = chart_markdown(paths).split("\n\n")
    assert len(images) == len(NAMES)
    for path, image in zip(paths, images, strict=True):
        prefix = f"![{CHARTS[path.stem][0]}](data:image/png;base64,"
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
    assert "![Papers per report date](charts/papers_per_date.png)" in with_charts
    images = [f"![{CHARTS[path.stem][0]}](charts/{path.name})" for path in paths]
    assert [line for line in with_charts.splitlines() if line.startswith("![")] == images
    assert "## Charts" not in without and "charts/" not in without
    section = "## Charts\n\n" + "".join(f"{image}\n\n" for image in images)
    assert with_charts.replace(section, "") == without
