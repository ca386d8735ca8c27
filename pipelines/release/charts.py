"""Charts of a release, rendered from its tables: SVG files in `charts/`, shown in the dataset card
and, inline, in the Dagster UI.

The SVG is written here as text, with no plotting library (importing and running one took about
2 s of every release): the same data gives the same bytes. Names from the data are untrusted:
they go in as XML-escaped text, on one line and truncated, and the viewer draws them with its own
fonts (CJK included). Each bar carries its name and value as a tooltip. A paper counts once per
report it is in, as in the `papers` table.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl

from pipelines.parquet import TableFile
from pipelines.tables.validate import PAPER_KEY
from schemas.facets import CODE_STATUSES

CHARTS_DIR = "charts"
WIDTH, HEIGHT = 800, 450  # pixels
FONT = "DejaVu Sans, Noto Sans CJK SC, Noto Sans, Arial, sans-serif"
COLOR = "#4c72b0"
GRID = "#dddddd"
TOP = 15  # bars at most in the charts of names (the titles say no number: there can be fewer)
VALUE_TICKS = 6  # at most, on the axis of counts
DATE_LABELS = 8  # at most, under the bars of papers per date
DAILY_SPAN = dt.timedelta(days=92)  # report dates further apart are counted per month
DAY_PAD = dt.timedelta(days=3)
YEARLY_LABELS_FROM = 24  # months shown, from which only years are labelled
MAX_BAR_THICKNESS = 30  # pixels: a few bars are not drawn as slabs
MARGIN = 10  # pixels kept clear at the right edge
# Widths of characters at the font size of labels (12 px), a little more than DejaVu Sans's as
# measured in Chromium, so that an estimate of a label's width is never short: wide (East Asian)
# characters and the widest others, capitals and a few wide symbols, everything else.
WIDE_PIXELS, CAPITAL_PIXELS, OTHER_PIXELS = 12.0, 9.5, 7.7
WIDEST = frozenset("MWmw@%…")
WIDER = frozenset("#&+<=>^~")
_MIDDLE = 'text-anchor="middle"'
_HEADING = 'text-anchor="middle" font-size="16"'


@dataclass(frozen=True)
class Area:
    """Where the bars go, in pixels from the top left corner."""

    left: float
    right: float
    top: float = 50
    bottom: float = 390


COLUMNS_AREA = Area(left=70, right=770)
BARS_AREA = Area(left=260, right=770)  # room on the left for the bars' names
NAME_PIXELS = BARS_AREA.left - 6 - MARGIN  # a name's width at most
# Characters XML 1.0 does not allow: a name holding one would make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Tables = Mapping[str, TableFile]


def _papers_per_date(tables: Tables) -> list[str]:
    dates = tables["papers"].read(["report_date"])["report_date"]
    if dates.is_empty():
        return _no_data()
    first, last = dates.min(), dates.max()
    monthly = last - first > DAILY_SPAN  # one bar a month: thousands of daily bars are a blur
    if monthly:
        dates = dates.dt.truncate("1mo")
        slots = pl.date_range(dates.min(), dates.max(), "1mo", eager=True).to_list()
    else:  # one bar a day, with days around (not a single bar across the whole chart)
        slots = pl.date_range(first - DAY_PAD, last + DAY_PAD, "1d", eager=True).to_list()
    counts = dict(dates.value_counts().iter_rows())
    values = [counts.get(slot, 0) for slot in slots]
    names = [slot.strftime("%Y-%m") if monthly else slot.isoformat() for slot in slots]
    ylabel = "Papers per month" if monthly else "Papers"
    return _columns(names, values, _date_labels(slots, names, monthly), ylabel, "Report date")


def _papers_per_domain(tables: Tables) -> list[str]:
    counts = _ranked(tables["domains"].read(["category"]), "category")
    return _bars(counts["category"].to_list(), counts["len"].to_list(), "Papers")


def _top_mentions(kind: str, tables: Tables) -> list[str]:
    papers = (
        pl.scan_parquet(tables["mentions"].path)  # read only the rows of this kind
        .filter(pl.col("kind") == kind)
        .select(*PAPER_KEY, "normalized_name")
        .unique()
        .collect()
    )
    counts = _ranked(papers, "normalized_name").head(TOP)
    return _bars(
        counts["normalized_name"].to_list(), counts["len"].to_list(), "Papers mentioning it"
    )


def _code_release(tables: Tables) -> list[str]:
    statuses = tables["code_release"].read(["status"])["status"]
    if statuses.is_empty():
        return _no_data()
    counts = [int((statuses == status).sum()) for status in CODE_STATUSES]
    shares = [f"{count} ({count / statuses.len():.0%})" for count in counts]
    labels = [status.replace("_", " ") for status in CODE_STATUSES]
    return _bars(labels, counts, "Papers", shares)


CHARTS: dict[str, tuple[str, Callable[[Tables], list[str]]]] = {
    "papers_per_date": ("Papers per report date", _papers_per_date),
    "papers_per_domain": ("Papers per domain", _papers_per_domain),
    "top_benchmarks": ("Benchmarks named by the most papers", partial(_top_mentions, "benchmark")),
    "hardware": ("Hardware named by the most papers", partial(_top_mentions, "hardware")),
    "code_release": ("Code release, share of papers", _code_release),
}


def write_charts(folder: Path, tables: Tables) -> list[Path]:
    """Render every chart into `folder/charts/<name>.svg`; the paths, in `CHARTS` order."""
    (folder / CHARTS_DIR).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (title, draw) in CHARTS.items():
        path = folder / CHARTS_DIR / f"{name}.svg"
        path.write_bytes(_document(title, draw(tables)).encode("utf-8"))
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
        images.append(f"![{chart_title(path)}](data:image/svg+xml;base64,{data})")
    return "\n\n".join(images)


def _document(title: str, body: list[str]) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" font-size="12">',
            f"<title>{_text(title)}</title>",
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
            _label_at(WIDTH / 2, 28, title, _HEADING),
            *body,
            "</svg>",
            "",
        ]
    )


def _ranked(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Rows per value of `column` (as `len`), most first, ties by value."""
    return frame.group_by(column).len().sort(["len", column], descending=[True, False])


def _bars(
    names: list[str], values: list[int], xlabel: str, bar_labels: list[str] | None = None
) -> list[str]:
    """Horizontal bars, the first at the top, each named on its left and labelled on its right
    (with its value by default)."""
    if not names:
        return _no_data()
    area = BARS_AREA
    labels = bar_labels or [str(value) for value in values]
    # The count at the axis's end: the largest, or more if a bar's label would not fit after it.
    room = WIDTH - MARGIN - 4 - area.left
    limit = max(
        [1.0, *values]
        + [
            value * (area.right - area.left) / (room - _pixels(label))
            for value, label in zip(values, labels, strict=True)
        ]
    )
    scale = (area.right - area.left) / limit
    band = (area.bottom - area.top) / len(names)
    thickness = min(0.8 * band, MAX_BAR_THICKNESS)
    body = _value_grid(limit, area, vertical=True)
    for index, (name, value, label) in enumerate(zip(names, values, labels, strict=True)):
        middle = area.top + (index + 0.5) * band
        body += [
            _rect(area.left, middle - thickness / 2, value * scale, thickness, f"{name}: {value}"),
            _label_at(area.left - 6, middle + 4, _truncated(name), 'text-anchor="end"'),
            _label_at(area.left + value * scale + 4, middle + 4, label),
        ]
    body.append(_label_at((area.left + area.right) / 2, area.bottom + 40, xlabel, _MIDDLE))
    return body


def _columns(
    names: list[str], values: list[int], labels: dict[int, str], ylabel: str, xlabel: str
) -> list[str]:
    """Vertical bars from left to right, named in their tooltips; those numbered in `labels`
    are labelled underneath."""
    area = COLUMNS_AREA
    limit = max(max(values) * 1.05, 1)
    scale = (area.bottom - area.top) / limit
    band = (area.right - area.left) / len(values)
    body = _value_grid(limit, area, vertical=False)
    for index, (name, value) in enumerate(zip(names, values, strict=True)):
        middle = area.left + (index + 0.5) * band
        height = value * scale
        body.append(
            _rect(middle - 0.4 * band, area.bottom - height, 0.8 * band, height, f"{name}: {value}")
        )
        if index in labels:
            body.append(_label_at(middle, area.bottom + 16, labels[index], _MIDDLE))
    middle = (area.top + area.bottom) / 2
    body += [
        _label_at(0, 0, ylabel, f'transform="translate(18 {_px(middle)}) rotate(-90)" {_MIDDLE}'),
        _label_at((area.left + area.right) / 2, area.bottom + 40, xlabel, _MIDDLE),
    ]
    return body


def _value_grid(limit: float, area: Area, vertical: bool) -> list[str]:
    """Grid lines and labels at round counts up to `limit`, across the bars, and the axis
    the bars stand on."""
    lines = []
    for tick in _ticks(limit):
        if vertical:  # counts along the x axis
            x = area.left + tick / limit * (area.right - area.left)
            lines.append(_line(x, area.top, x, area.bottom, GRID))
            lines.append(_label_at(x, area.bottom + 16, str(tick), _MIDDLE))
        else:
            y = area.bottom - tick / limit * (area.bottom - area.top)
            lines.append(_line(area.left, y, area.right, y, GRID))
            lines.append(_label_at(area.left - 6, y + 4, str(tick), 'text-anchor="end"'))
    if vertical:
        lines.append(_line(area.left, area.top, area.left, area.bottom, "black"))
    else:
        lines.append(_line(area.left, area.bottom, area.right, area.bottom, "black"))
    return lines


def _ticks(limit: float) -> list[int]:
    """Round counts from 0 to `limit`, at most VALUE_TICKS + 1, a step of 1, 2 or 5 times a
    power of ten apart."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if limit / step <= VALUE_TICKS:
                return list(range(0, math.floor(limit) + 1, step))
        magnitude *= 10


def _date_labels(slots: list[dt.date], names: list[str], monthly: bool) -> dict[int, str]:
    """Labels of some of the bars (by number), evenly spaced: the year of every January (or of
    every few) when many months are shown, else the bar's name (month or day)."""
    if monthly and len(slots) >= YEARLY_LABELS_FROM:
        januaries = [index for index, slot in enumerate(slots) if slot.month == 1]
        step = math.ceil(len(januaries) / DATE_LABELS)
        return {index: str(slots[index].year) for index in januaries[::step]}
    step = math.ceil(len(slots) / DATE_LABELS)
    return {index: names[index] for index in range(0, len(slots), step)}


def _no_data() -> list[str]:
    return [_label_at(WIDTH / 2, HEIGHT / 2, "No data", _HEADING)]


def _label_at(x: float, y: float, text: str, attributes: str = "") -> str:
    space = " " if attributes else ""
    return f'<text x="{_px(x)}" y="{_px(y)}"{space}{attributes}>{_text(text)}</text>'


def _rect(x: float, y: float, width: float, height: float, tooltip: str) -> str:
    return (
        f'<rect x="{_px(x)}" y="{_px(y)}" width="{_px(width)}" height="{_px(height)}" '
        f'fill="{COLOR}"><title>{_text(tooltip)}</title></rect>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, color: str) -> str:
    return f'<line x1="{_px(x1)}" y1="{_px(y1)}" x2="{_px(x2)}" y2="{_px(y2)}" stroke="{color}"/>'


def _px(value: float) -> str:
    return f"{value:.1f}"


def _text(text: str) -> str:
    """Untrusted text as the content of an SVG element: characters XML does not allow replaced,
    markup escaped."""
    return escape(_NOT_XML.sub("\ufffd", text))


def _truncated(text: str) -> str:
    """`text` on one line, cut with an ellipsis to at most NAME_PIXELS wide."""
    one_line = " ".join(text.split())
    if _pixels(one_line) <= NAME_PIXELS:
        return one_line
    kept, used = [], _pixels("…")
    for char in one_line:
        used += _pixels(char)
        if used > NAME_PIXELS:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _pixels(text: str) -> float:
    """An estimate of the width of `text` as a label, never short (see WIDE_PIXELS)."""
    return sum(map(_char_pixels, text))


def _char_pixels(char: str) -> float:
    if char in WIDEST or unicodedata.east_asian_width(char) in "WF":
        return WIDE_PIXELS
    if char.isupper() or char in WIDER:
        return CAPITAL_PIXELS
    return OTHER_PIXELS
