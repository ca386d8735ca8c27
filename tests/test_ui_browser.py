"""The Dagster UI in a real browser: build the seeds with `daily-papers build`, serve that Dagster
home with `dagster-webserver` on 127.0.0.1, and look at it in headless Chromium (Debian's
`chromium` package, driven by Playwright; no browser download). Screenshots go to
`tests/screenshots/`.

Marked `browser`: `make test` leaves it out, `make test-ui` runs it (and installs Chromium first).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pipelines.definitions import build_definitions
from pipelines.metadata import PREVIEW_CELL_CHARS
from pipelines.parquet import TableFile, write_parquet
from pipelines.release.charts import CHARTS, write_charts
from pipelines.settings import PROJECT_ROOT, Settings
from schemas import TABLES
from tests.conftest import SEEDS, cli_env

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BIN = Path(sys.executable).parent
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
TIMEOUT_MS = 60_000
SERVER_TIMEOUT_S = 180
MIN_SCREENSHOT_BYTES = 20_000  # a blank page is a few kB
# Benchmark names as wide as text gets: the widest Latin letters, capitals, CJK, wide symbols.
WIDE_NAMES = [
    "W" * 60,
    "MMMU MATHVISTA MMBENCH MME SEED-BENCH HLE",
    "中文多模态大模型评测基准测试集合数据集和更多内容",
    "@%" * 30,
    "m" * 60,
]


@dataclass(frozen=True)
class Server:
    url: str
    settings: Settings
    publish_run_id: str


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; a missing one fails the test (it is never downloaded)."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test-ui`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Build the seeds with the CLI, then serve that Dagster home on a free local port.
    (Takes `browser` first, so that a missing Chromium fails before the slow build.)"""
    root = tmp_path_factory.mktemp("ui")
    settings = Settings(SEEDS, root / "warehouse", root / "dagster_home")
    env = cli_env(settings.seeds_dir, settings.warehouse_dir, settings.dagster_home)
    build = subprocess.run(
        [BIN / "daily-papers", "build"], env=env, capture_output=True, text=True, timeout=600
    )
    assert build.returncode == 0, build.stderr[-3000:]
    publish_run = re.search(r"^run (\S+): publish succeeded$", build.stdout, re.MULTILINE)
    assert publish_run, build.stdout
    # Dagster's "Join the Dagster community" dialog would cover every page; mark it as seen.
    nux = settings.dagster_home / ".nux"
    nux.mkdir()
    (nux / "nux.yaml").write_text("seen: 1\n")

    port = str(free_port())
    url = f"http://127.0.0.1:{port}"
    workspace = PROJECT_ROOT / "workspace.yaml"
    command = [BIN / "dagster-webserver", "-w", workspace, "--read-only"]
    log = root / "webserver.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "-h", "127.0.0.1", "-p", port],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the code server it starts goes too
        )
    try:
        wait_until_serving(url, process, log)
        yield Server(url, settings, publish_run.group(1))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab, tall enough for the whole asset graph."""
    context = browser.new_context(viewport={"width": 1600, "height": 1600})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    """Poll `/server_info` until it answers; fail with the server's log if it never does."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + SERVER_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dagster-webserver exited ({process.returncode}):\n{log.read_text()}")
        try:
            with opener.open(f"{url}/server_info", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"dagster-webserver did not answer within {SERVER_TIMEOUT_S} s:\n{log.read_text()}")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > MIN_SCREENSHOT_BYTES, path


def preview_text(value: object) -> str:
    """A value as a Markdown preview shows it: truncated, on one line."""
    text = "" if value is None else str(value)
    if len(text) > PREVIEW_CELL_CHARS:
        text = text[: PREVIEW_CELL_CHARS - 1] + "…"
    return " ".join(text.split())


def test_asset_graph_lists_every_asset(page: Page, server: Server) -> None:
    defs = build_definitions(server.settings)
    assets = sorted(key.to_user_string() for key in defs.resolve_all_asset_keys())
    assert {"parsed_report", "papers", "sections", "warehouse", "staged_release"} <= set(assets)

    page.goto(f"{server.url}/asset-groups")
    page.locator("svg foreignObject.group").first.wait_for()  # the groups, collapsed
    page.keyboard.press("Alt+e")  # the graph's shortcut for "Expand all groups"
    # Asset nodes, not group boxes (the `warehouse` and `release` groups share asset names).
    nodes = page.locator("svg foreignObject:not(.group)")
    nodes.get_by_text(assets[0], exact=True).wait_for()
    # The graph opens zoomed to its width; zoom out (ctrl + wheel) so that all of it is drawn.
    page.mouse.move(1000, 800)
    page.keyboard.down("Control")
    page.mouse.wheel(0, 100)
    page.keyboard.up("Control")
    for asset in assets:
        nodes.get_by_text(asset, exact=True).wait_for()
    # Every node turns green once its health (materialised, checks passed) has loaded; the
    # check results of the tables (one multi-asset check) can take several seconds to arrive.
    green = nodes.locator("[style*='background-green']")
    try:
        expect(green).to_have_count(len(assets), timeout=60_000)
    finally:
        screenshot(page, "asset-graph.png")


def test_papers_asset_shows_its_materialisation_and_metadata(page: Page, server: Server) -> None:
    papers = pl.read_parquet(server.settings.warehouse_dir / "releases/latest/papers.parquet")
    assert papers.height > 0

    page.goto(f"{server.url}/assets/papers?view=events")
    page.get_by_text(f"Materialized in run {server.publish_run_id[:8]}").wait_for()
    metadata = page.locator("tr")
    row_count = metadata.filter(has=page.get_by_text("dagster/row_count", exact=True))
    assert row_count.locator("td").nth(1).inner_text() == str(papers.height)
    preview = metadata.filter(has=page.get_by_text("preview", exact=True))
    preview.get_by_text("[Show Markdown]").wait_for()
    screenshot(page, "papers-materialisation.png")

    # The preview is a Markdown table of the first rows, with every column of the table.
    preview.get_by_text("[Show Markdown]").click()
    table = page.get_by_role("dialog").locator("table")
    table.wait_for()
    assert table.locator("th").all_inner_texts() == papers.columns
    arxiv_id = papers.columns.index("arxiv_id") + 1
    shown_ids = table.locator(f"tbody tr td:nth-child({arxiv_id})").all_inner_texts()
    assert 0 < len(shown_ids) <= 5
    assert set(shown_ids) <= set(papers["arxiv_id"])
    # Each cell shows its value as written (no backslash of a Markdown escape), as text: a URL is
    # not made a link, nor anything else an element.
    by_paper = {(str(row["report_date"]), row["arxiv_id"]): row for row in papers.to_dicts()}
    rows = table.locator("tbody tr")
    for index in range(rows.count()):
        cells = dict(
            zip(papers.columns, rows.nth(index).locator("td").all_text_contents(), strict=True)
        )
        paper = by_paper[cells["report_date"], cells["arxiv_id"]]
        assert cells["paper_url"] == paper["paper_url"] and "\\" not in cells["paper_url"]
        assert cells["arxiv_url"] == paper["arxiv_url"]
        assert cells == {name: preview_text(value) for name, value in paper.items()}
    expect(table.get_by_role("link")).to_have_count(0)
    expect(table.locator("td *")).to_have_count(0)
    screenshot(page, "papers-preview.png")


def test_release_charts_show_as_pictures(page: Page, server: Server) -> None:
    """The SVG charts in the staged release's metadata get through the UI's Markdown sanitiser
    as `data:` images and are drawn at their size."""
    page.goto(f"{server.url}/assets/staged_release?view=events")
    page.get_by_text(f"Materialized in run {server.publish_run_id[:8]}").wait_for()
    charts = page.locator("tr").filter(has=page.get_by_text("charts", exact=True))
    charts.get_by_text("[Show Markdown]").click()
    images = page.get_by_role("dialog").locator("img")
    expect(images).to_have_count(len(CHARTS))
    for index in range(len(CHARTS)):
        image = images.nth(index)
        expect(image).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
        image.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete", arg=image.element_handle())
        assert image.evaluate("image => image.naturalWidth") == 800
    assert images.first.get_attribute("alt") == CHARTS["papers_per_date"][0]
    screenshot(page, "release-charts.png")


def test_chart_text_stays_inside_the_chart(page: Page, server: Server, tmp_path: Path) -> None:
    """Laid out by an estimate of text widths (no font is read to write the SVG): in a real
    browser, with its fonts, the widest names there are stay inside the drawing."""
    release = server.settings.warehouse_dir / "releases" / "latest"
    tables = {table: TableFile(table, release / f"{table}.parquet") for table in TABLES}
    mentions = tables["mentions"].read()
    row = pl.int_range(pl.len()) % len(WIDE_NAMES)
    widest = mentions.with_columns(
        normalized_name=pl.when(pl.col("kind") == "benchmark")
        .then(pl.lit(pl.Series(WIDE_NAMES)).get(row))
        .otherwise("normalized_name")
    )
    write_parquet("mentions", widest, tmp_path / "mentions.parquet")
    tables["mentions"] = TableFile("mentions", tmp_path / "mentions.parquet")
    for path in write_charts(tmp_path, tables):
        page.goto(path.as_uri())
        boxes = page.evaluate(
            "() => [...document.querySelectorAll('text')].map(text => {"
            " const box = text.getBoundingClientRect();"
            " return [text.textContent, box.left, box.top, box.right, box.bottom]; })"
        )
        assert len(boxes) > 2, path.name
        for text, left, top, right, bottom in boxes:
            assert left >= 0 and top >= 0 and right <= 800 and bottom <= 450, (path.name, text)
        if path.stem == "top_benchmarks":  # the wide names are drawn, cut short
            assert {text[:3] for text, *_ in boxes} >= {name[:3] for name in WIDE_NAMES}
