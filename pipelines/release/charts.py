"""Charts of a release, rendered from its tables: PNG files in `charts/`, shown in the dataset card.

Same data, same bytes (releases are content-addressed): the Agg renderer with matplotlib's own
default style and UTC dates (not a local `matplotlibrc`), its bundled DejaVu Sans, a fixed size and
dpi, and no software name in the PNG. Names from the data are untrusted: they are drawn as literal
text (no mathtext, no TeX), on one line and truncated. Glyphs missing from DejaVu Sans (e.g. CJK)
are drawn as boxes, without a warning for each. A paper counts once per report it is in, as in the
`papers` table.
"""

from __future__ import annotations

import base64
import datetime as dt
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pipelines.parquet import TableFile
from pipelines.tables.validate import PAPER_KEY
from schemas.facets import CODE_STATUSES

# matplotlib is imported where charts are drawn, not with this module: importing it takes about
# 0.4 s, which every command and the UI's code location would otherwise pay, and the release
# draws its charts in a thread while the main thread waits on the disk.
if TYPE_CHECKING:
    from matplotlib.axes import Axes

CHARTS_DIR = "charts"
FIGSIZE = (8.0, 4.5)  # inches; at DPI, 800 x 450 pixels
DPI = 100
TOP = 15
LABEL_CHARS = 32
COLOR = "#4c72b0"
STYLE = ["default", {"font.family": "DejaVu Sans", "text.usetex": False, "text.parse_math": False}]
# Settings a style may not change, so a local `matplotlibrc` would: set for each chart instead.
FIXED_SETTINGS = {"timezone": "UTC", "date.epoch": "1970-01-01T00:00:00"}
DAILY_SPAN = dt.timedelta(days=92)  # report dates further apart are counted per month
DAY_PAD = dt.timedelta(days=3)
# Fixed margins (fractions of the figure), not a layout engine, which draws each chart three
# times to fit it; bar charts leave room on the left for labels of LABEL_CHARS characters.
MARGINS = {"left": 0.1, "right": 0.97, "bottom": 0.13, "top": 0.9}
BAR_LABELS_LEFT = 0.3

Tables = Mapping[str, TableFile]


def _papers_per_date(ax: Axes, tables: Tables) -> None:
    dates = tables["papers"].read(["report_date"])["report_date"]
    if dates.is_empty():
        _no_data(ax)
        return
    first, last = dates.min(), dates.max()
    if last - first > DAILY_SPAN:  # one bar a month: thousands of daily bars are a blur
        counts = dates.dt.truncate("1mo").value_counts().sort("report_date")
        ax.bar(*counts.get_columns(), width=25, align="edge", color=COLOR)
        ax.set_ylabel("Papers per month")
    else:  # one bar a day, with days around (not hours around a single date)
        counts = dates.value_counts().sort("report_date")
        ax.bar(*counts.get_columns(), width=0.8, color=COLOR)
        ax.set_xlim(first - DAY_PAD, last + DAY_PAD)
        ax.set_ylabel("Papers")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Report date")


def _papers_per_domain(ax: Axes, tables: Tables) -> None:
    counts = _ranked(tables["domains"].read(["category"]), "category")
    _bars(ax, counts["category"].to_list(), counts["len"].to_list(), "Papers")


def _top_mentions(kind: str, ax: Axes, tables: Tables) -> None:
    mentions = tables["mentions"].read([*PAPER_KEY, "kind", "normalized_name"])
    papers = mentions.filter(pl.col("kind") == kind).unique([*PAPER_KEY, "normalized_name"])
    counts = _ranked(papers, "normalized_name").head(TOP)
    _bars(ax, counts["normalized_name"].to_list(), counts["len"].to_list(), "Papers mentioning it")


def _code_release(ax: Axes, tables: Tables) -> None:
    statuses = tables["code_release"].read(["status"])["status"]
    if statuses.is_empty():
        _no_data(ax)
        return
    counts = [int((statuses == status).sum()) for status in CODE_STATUSES]
    shares = [f"{count} ({count / statuses.len():.0%})" for count in counts]
    labels = [status.replace("_", " ") for status in CODE_STATUSES]
    _bars(ax, labels, counts, "Papers", shares)


CHARTS: dict[str, tuple[str, Callable[[Axes, Tables], None]]] = {
    "papers_per_date": ("Papers per report date", _papers_per_date),
    "papers_per_domain": ("Papers per domain", _papers_per_domain),
    "top_benchmarks": (f"Top {TOP} benchmarks", partial(_top_mentions, "benchmark")),
    "hardware": (f"Top {TOP} hardware mentioned", partial(_top_mentions, "hardware")),
    "code_release": ("Code release, share of papers", _code_release),
}


def write_charts(folder: Path, tables: Tables) -> list[Path]:
    """Render every chart into `folder/charts/<name>.png`; the paths, in `CHARTS` order."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    (folder / CHARTS_DIR).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (title, draw) in CHARTS.items():
        path = folder / CHARTS_DIR / f"{name}.png"
        with _style():
            figure = Figure(figsize=FIGSIZE, dpi=DPI)
            figure.subplots_adjust(**MARGINS)
            FigureCanvasAgg(figure)
            ax = figure.add_subplot()
            ax.set_title(title)
            draw(ax, tables)
            figure.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
        paths.append(path)
    return paths


def chart_title(path: Path) -> str:
    """The title of a chart written by `write_charts` (its alt text in Markdown)."""
    return CHARTS[path.stem][0]


def chart_markdown(paths: list[Path]) -> str:
    """The charts as Markdown images with `data:` URIs, which the Dagster UI shows inline (its
    Markdown sanitiser allows `data:` image sources); for `dg.MetadataValue.md`."""
    images = []
    for path in paths:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        images.append(f"![{chart_title(path)}](data:image/png;base64,{data})")
    return "\n\n".join(images)


@contextmanager
def _style() -> Iterator[None]:
    from matplotlib import rc_context, style

    with rc_context(FIXED_SETTINGS), style.context(STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        yield


def _ranked(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Rows per value of `column` (as `len`), most first, ties by value."""
    return frame.group_by(column).len().sort(["len", column], descending=[True, False])


def _bars(
    ax: Axes,
    labels: list[str],
    values: list[int],
    xlabel: str,
    bar_labels: list[str] | None = None,
) -> None:
    """Horizontal bars, the first at the top, each labelled (with its value by default)."""
    if not labels:
        _no_data(ax)
        return
    ax.figure.subplots_adjust(left=BAR_LABELS_LEFT)
    positions = list(range(len(labels)))
    bars = ax.barh(positions, values, color=COLOR)
    ax.set_yticks(positions, [_label(label) for label in labels])
    ax.invert_yaxis()
    ax.bar_label(bars, labels=bar_labels, padding=3)
    ax.margins(x=0.15)  # room for the bar labels
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)


def _label(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= LABEL_CHARS else one_line[: LABEL_CHARS - 1] + "…"


def _no_data(ax: Axes) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", va="center", fontsize=14)
