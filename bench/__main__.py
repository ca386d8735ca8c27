"""The scale benchmark: ten years of reports built from scratch, one new report added, queries.

    make bench                 # or: python -m bench [--reports 3650] [--growth 365 1825]

Everything is measured in one run on this machine, and the targets are ratios between
measurements of the same run, because absolute times vary from machine to machine:

- floor: read every report, split it into paper blocks with one regular expression, write the
  raw blocks to one Parquet file (`bench/floor.py`), the least any pipeline must do; the
  faster of two runs;
- full build: `daily-papers build` (what `make run` runs) over the whole corpus into an empty
  warehouse and Dagster home; target at most 6x the floor and 2 GB of memory;
- incremental: one new report added to the built warehouse and published, by the same command;
  target at most 2.5x a trivial one-asset `dagster asset materialize` (`bench/trivial.py`, on a
  Dagster home configured as the build's); each is the faster of two runs. The build runs its
  Dagster runs in process, the CLI's materialisation in a step process by default, so the same
  materialisation in process is measured and its ratio shown too;
- parser throughput, and typical queries on the built warehouse (target under 100 ms each);
- growth: floor and full build again at smaller corpus sizes; the cost of each added report
  (between two sizes) may not rise by more than the noise of this machine (25%).

The table is printed and written to `bench/RESULTS.md`. An interrupted run leaves nothing in the
way of the next: the builds it started are stopped, and the corpus holds only its own reports.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import random
import shutil
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.corpus import FIRST_DATE, generate, paper_blocks, write_report
from bench.measure import Measured, run
from pipelines.instance import write_instance_config
from pipelines.parsing import parse_report
from pipelines.versions import library_versions
from pipelines.warehouse import WAREHOUSE_FILE

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / ".work"
VENV_BIN = Path(sys.executable).parent
TARGETS = {
    "full_vs_floor": 6.0,
    "peak_gb": 2.0,
    "incremental_vs_trivial": 2.5,
    "query_ms": 100.0,  # each under this
    "growth": 1.25,  # cost of an added report, largest step against the first
    "minutes": 10.0,  # the whole benchmark at 3650 reports, under this
}
# `{day}`: a report date in the middle of the corpus.
QUERIES = {
    "papers of one day": "SELECT rank, arxiv_id, title FROM papers "
    "WHERE report_date = DATE '{day}' ORDER BY rank",
    "papers per month": "SELECT date_trunc('month', report_date) AS month, count(*) FROM papers "
    "GROUP BY month ORDER BY month",
    "top benchmarks": "SELECT normalized_name, count(DISTINCT arxiv_id) AS papers FROM mentions "
    "WHERE kind = 'benchmark' GROUP BY 1 ORDER BY papers DESC LIMIT 20",
    "GPUs needed": "SELECT normalized_name, max(count) AS devices FROM mentions "
    "WHERE kind = 'hardware' GROUP BY 1 ORDER BY devices DESC NULLS LAST LIMIT 20",
    "code released per year": "SELECT year(report_date) AS year, avg((status = 'released')::int) "
    "FROM code_release GROUP BY year ORDER BY year",
    "GSM8K results": "SELECT p.title, r.value, r.unit FROM results r JOIN papers p "
    "USING (report_date, arxiv_id) WHERE r.benchmark = 'GSM8K' ORDER BY r.value DESC LIMIT 20",
    "title search": "SELECT report_date, title FROM papers WHERE title ILIKE '%agent%' "
    "ORDER BY report_date DESC LIMIT 50",
}


@dataclass(frozen=True)
class Size:
    reports: int
    megabytes: float
    floor_runs: list[Measured]
    full: Measured

    @property
    def floor(self) -> Measured:
        return fastest(self.floor_runs)


def build_command() -> list[str]:
    return [str(VENV_BIN / "daily-papers"), "build"]


def build_env(corpus: Path, out: Path) -> dict[str, str]:
    return {
        "DAILY_PAPERS_SEEDS_DIR": str(corpus),
        "DAILY_PAPERS_WAREHOUSE_DIR": str(out / "warehouse"),
        "DAGSTER_HOME": str(out / "dagster_home"),
    }


def measure_size(reports: int) -> tuple[Size, Path, Path]:
    """Floor and full build over a corpus of `reports` reports; returns the build folder too."""
    corpus = generate(WORK / f"corpus-{reports}", reports)
    megabytes = sum(path.stat().st_size for path in corpus.rglob("*.md")) / 1e6
    out = WORK / f"build-{reports}"
    shutil.rmtree(out, ignore_errors=True)
    (out / "dagster_home").mkdir(parents=True)
    # The faster of two, as for the trivial and incremental runs: the floor is short, and one
    # slow moment of this shared machine would otherwise flatter the full build's ratio.
    floor_command = [sys.executable, "-m", "bench.floor", str(corpus), str(out / "floor.parquet")]
    floors = [run(floor_command) for _ in range(2)]
    print(f"  N={reports}: floor {each_run(floors)}", flush=True)
    full = run(build_command(), build_env(corpus, out), cwd=PROJECT)
    print(f"  N={reports}: full build {full.seconds:.1f} s, {full.peak_mb:.0f} MB", flush=True)
    return Size(reports, megabytes, floors, full), corpus, out


def measure_incremental(corpus: Path, out: Path, reports: int) -> list[Measured]:
    """Two builds that each add the next day's report to the built corpus (the second to the
    first's); the files are removed after (or by the next `generate`, if interrupted)."""
    rng = random.Random(reports)
    dates = [FIRST_DATE + dt.timedelta(days=day) for day in (reports, reports + 1)]
    # Ids above any the corpus gives in a month, so the new papers are new.
    ids = {f"{date:%y%m}": 50_001 for date in dates}
    added, runs = [], []
    try:
        for date in dates:
            added.append(write_report(corpus, date, paper_blocks(random.Random(0)), rng, ids))
            runs.append(run(build_command(), build_env(corpus, out), cwd=PROJECT))
    finally:
        for path in added:
            path.unlink()
    return runs


IN_PROCESS = ["--config-json", '{"execution": {"config": {"in_process": {}}}}']


def measure_trivial(in_process: bool = False) -> list[Measured]:
    """Two `dagster asset materialize` runs of a one-asset project, each in a new process, on a
    Dagster home configured as the build's; by default its step runs in a process of its own,
    `in_process` in the command's."""
    home = WORK / "trivial_home"
    shutil.rmtree(home, ignore_errors=True)
    write_instance_config(home)
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-f", str(BENCH / "trivial.py")]
    command += ["--select", "trivial", *(IN_PROCESS if in_process else [])]
    return [run(command, {"DAGSTER_HOME": str(home)}) for _ in range(2)]


def fastest(runs: list[Measured]) -> Measured:
    return min(runs, key=lambda measured: measured.seconds)


def each_run(runs: list[Measured]) -> str:
    return ", ".join(f"{measured.seconds:.1f}" for measured in runs) + " s"


def parser_mb_per_s(corpus: Path, files: int = 300) -> float:
    paths = sorted(corpus.rglob("*.md"))[:files]
    data = [path.read_bytes() for path in paths]
    started = time.perf_counter()
    for item in data:
        parse_report(item)
    return sum(map(len, data)) / 1e6 / (time.perf_counter() - started)


def query_ms(warehouse: Path, reports: int) -> dict[str, float]:
    """Median of five runs of each query (after one warm-up, on an open connection), in
    milliseconds."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    timings = {}
    day = FIRST_DATE + dt.timedelta(days=reports // 2)
    for name, template in QUERIES.items():
        sql = template.format(day=day.isoformat())
        if not connection.execute(sql).fetchall():
            raise RuntimeError(f"query {name!r} found nothing: it would measure no work")
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(sql).fetchall()
            runs.append((time.perf_counter() - started) * 1000)
        timings[name] = statistics.median(runs)
    return timings


def machine() -> str:
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    packages = ", ".join(f"{name} {version}" for name, version in library_versions().items())
    return (
        f"{platform.machine()} ({cpu}), {len(os.sched_getaffinity(0))} cores, "
        f"{int(memory) / 1e6:.0f} GB RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {packages}"
    )


def verdict(shown: str, limit: float, strictly: bool = False) -> str:
    """Whether the value as shown (so that no row contradicts itself) meets its limit."""
    value = float(shown)
    return "met" if value < limit or (value == limit and not strictly) else "NOT met"


def marginal_ms(smaller: Size, larger: Size) -> float:
    """Build time per report added between two corpus sizes, in milliseconds."""
    added = larger.reports - smaller.reports
    return (larger.full.seconds - smaller.full.seconds) / added * 1000


def _growth_rows(steps: list[tuple[Size, Size]], marginals: list[float]) -> list[str]:
    """The growth verdict: the cost of an added report in the last step against the first."""
    if len(steps) < 2:
        return []
    measure = (
        f"| growth: ms per added report, {steps[-1][0].reports} to {steps[-1][1].reports} "
        f"against {steps[0][0].reports} to {steps[0][1].reports} |"
    )
    if marginals[0] <= 0:  # sizes so close that the noise is larger than the work
        return [f"{measure} not measurable | ≤ {TARGETS['growth']}x | not judged |"]
    growth, limit = f"{marginals[-1] / marginals[0]:.2f}", TARGETS["growth"]
    return [f"{measure} {growth}x | ≤ {limit}x | {verdict(growth, limit)} |"]


@dataclass(frozen=True)
class Trivial:
    cli: list[Measured]  # `dagster asset materialize` as it comes: the yardstick
    in_process: list[Measured]  # the same, its step in the command's process


def report(sizes: list[Size], incremental_runs: list[Measured], trivial: Trivial,
           parser: float, queries: dict[str, float], minutes: float) -> str:  # fmt: skip
    largest = sizes[-1]
    full_ratio = f"{largest.full.seconds / largest.floor.seconds:.1f}"
    incremental = fastest(incremental_runs)
    yardstick, in_process = fastest(trivial.cli), fastest(trivial.in_process)
    incremental_ratio = f"{incremental.seconds / yardstick.seconds:.1f}"
    peak_gb = f"{largest.full.peak_mb / 1000:.2f}"
    slowest = f"{max(queries.values()):.1f}"
    steps = list(itertools.pairwise(sizes))
    marginals = [marginal_ms(smaller, larger) for smaller, larger in steps]
    lines = [
        "# Benchmark results",
        "",
        "<!-- Written by `make bench` (python -m bench). Do not edit. -->",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        f"Corpus: {largest.reports} synthetic daily reports, {largest.megabytes:.0f} MB "
        "(`bench/corpus.py`: seed paper blocks with fresh dates, ids and formatting variations).",
        "",
        "| measure | value | target | |",
        "| --- | --- | --- | --- |",
        f"| floor (read, split, one Parquet), faster of two ({each_run(largest.floor_runs)}) | "
        f"{largest.floor.seconds:.1f} s | | |",
        f"| full build (`daily-papers build`) | {largest.full.seconds:.1f} s | | |",
        f"| full build / floor | {full_ratio}x | ≤ {TARGETS['full_vs_floor']:.0f}x | "
        f"{verdict(full_ratio, TARGETS['full_vs_floor'])} |",
        f"| full build peak memory | {peak_gb} GB | ≤ {TARGETS['peak_gb']:.0f} GB | "
        f"{verdict(peak_gb, TARGETS['peak_gb'])} |",
        f"| trivial `dagster asset materialize`, faster of two ({each_run(trivial.cli)}) | "
        f"{yardstick.seconds:.1f} s | | |",
        f"| incremental: one new report, faster of two ({each_run(incremental_runs)}) | "
        f"{incremental.seconds:.1f} s | | |",
        f"| incremental / trivial | {incremental_ratio}x | "
        f"≤ {TARGETS['incremental_vs_trivial']}x | "
        f"{verdict(incremental_ratio, TARGETS['incremental_vs_trivial'])} |",
        f"| the same trivial materialisation in process, faster of two "
        f"({each_run(trivial.in_process)}) | {in_process.seconds:.1f} s | | |",
        f"| incremental / trivial in process | "
        f"{incremental.seconds / in_process.seconds:.1f}x | | for comparison |",
        f"| parser throughput | {parser:.1f} MB/s | | |",
        f"| slowest typical query | {slowest} ms | < {TARGETS['query_ms']:.0f} ms | "
        f"{verdict(slowest, TARGETS['query_ms'], strictly=True)} |",
        *_growth_rows(steps, marginals),
        f"| whole benchmark | {minutes:.1f} min | < {TARGETS['minutes']:.0f} min | "
        f"{verdict(f'{minutes:.1f}', TARGETS['minutes'], strictly=True)} |",
        "",
        "## Queries on the full warehouse (median of 5)",
        "",
        "| query | ms |",
        "| --- | --- |",
        *(f"| {name} | {ms:.1f} |" for name, ms in queries.items()),
        "",
        "## Growth",
        "",
        "The cost of a report added between two sizes is the difference of their full builds "
        "over the difference of their reports; linear growth keeps it flat (the cost per report "
        "falls anyway, as the fixed cost is shared by more reports).",
        "",
        "| reports | MB | floor s | full build s | full / floor | ms per report | "
        "ms per added report | peak MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {size.reports} | {size.megabytes:.0f} | {size.floor.seconds:.1f} | "
            f"{size.full.seconds:.1f} | {size.full.seconds / size.floor.seconds:.1f}x | "
            f"{size.full.seconds / size.reports * 1000:.1f} | "
            f"{f'{marginals[index - 1]:.1f}' if index else ''} | {size.full.peak_mb:.0f} |"
            for index, size in enumerate(sizes)
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=3650)
    parser.add_argument("--growth", type=int, nargs="*", default=[365, 1825])
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    # A `kill` ends the benchmark as Ctrl-C does: the build it runs is stopped, the report it
    # added removed.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    started = time.perf_counter()
    sizes = []
    for reports in sorted(args.growth):
        sizes.append(measure_size(reports)[0])
    size, corpus, out = measure_size(args.reports)
    sizes.append(size)
    incremental = measure_incremental(corpus, out, args.reports)
    print(f"  incremental {each_run(incremental)}", flush=True)
    trivial = Trivial(measure_trivial(), measure_trivial(in_process=True))
    print(f"  trivial materialise {each_run(trivial.cli)}", flush=True)
    print(f"  trivial materialise in process {each_run(trivial.in_process)}", flush=True)
    parser_speed = parser_mb_per_s(corpus)
    queries = query_ms(out / "warehouse" / WAREHOUSE_FILE, args.reports)
    minutes = (time.perf_counter() - started) / 60
    text = report(sizes, incremental, trivial, parser_speed, queries, minutes)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"Written to {args.out}")


if __name__ == "__main__":
    main()
