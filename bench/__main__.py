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
  target at most 2.5x a trivial one-asset `dagster asset materialize` (`bench/trivial.py`); each
  is the faster of two runs;
- parser throughput, and typical queries on the built warehouse (target under 100 ms each);
- growth: floor and full build again at smaller corpus sizes; the cost per report must not rise.

The table is printed and written to `bench/RESULTS.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from bench.corpus import FIRST_DATE, generate, paper_blocks, write_report
from bench.measure import Measured, run
from pipelines.parsing import parse_report

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
WORK = BENCH / ".work"
VENV_BIN = Path(sys.executable).parent
TARGETS = {"full_vs_floor": 6.0, "peak_gb": 2.0, "incremental_vs_trivial": 2.5, "query_ms": 100.0}
QUERIES = {
    "papers of one day": "SELECT rank, arxiv_id, title FROM papers "
    "WHERE report_date = DATE '2027-06-01' ORDER BY rank",
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
    """Two builds that each add the next day's report to the built corpus; the files are removed
    after."""
    rng = random.Random(reports)
    added, runs = [], []
    try:
        for day in (reports, reports + 1):
            date = FIRST_DATE + dt.timedelta(days=day)
            added.append(write_report(corpus, date, paper_blocks(random.Random(0)), rng, {}))
            runs.append(run(build_command(), build_env(corpus, out), cwd=PROJECT))
    finally:
        for path in added:
            path.unlink()
    return runs


def measure_trivial() -> list[Measured]:
    """Two `dagster asset materialize` runs of a one-asset project, each in a new process."""
    home = WORK / "trivial_home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    command = [str(VENV_BIN / "dagster"), "asset", "materialize", "-f", str(BENCH / "trivial.py")]
    return [run([*command, "--select", "trivial"], {"DAGSTER_HOME": str(home)}) for _ in range(2)]


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


def query_ms(warehouse: Path) -> dict[str, float]:
    """Median of five runs of each query (after one warm-up), in milliseconds."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    timings = {}
    for name, sql in QUERIES.items():
        connection.execute(sql).fetchall()
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            connection.execute(sql).fetchall()
            runs.append((time.perf_counter() - started) * 1000)
        timings[name] = statistics.median(runs)
    return timings


def machine() -> str:
    memory = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    packages = ", ".join(
        f"{name} {version(name)}" for name in ("dagster", "polars", "pandera", "duckdb", "pyarrow")
    )
    return (
        f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores, "
        f"{int(memory) / 1e6:.0f} GB RAM, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {packages}"
    )


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "NOT met"


def report(sizes: list[Size], incremental_runs: list[Measured], trivial_runs: list[Measured],
           parser: float, queries: dict[str, float]) -> str:  # fmt: skip
    largest = sizes[-1]
    full_ratio = largest.full.seconds / largest.floor.seconds
    incremental, trivial = fastest(incremental_runs), fastest(trivial_runs)
    incremental_ratio = incremental.seconds / trivial.seconds
    peak_gb = largest.full.peak_mb / 1000
    slowest = max(queries.values())
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
        f"| full build / floor | {full_ratio:.1f}x | ≤ {TARGETS['full_vs_floor']:.0f}x | "
        f"{verdict(full_ratio, TARGETS['full_vs_floor'])} |",
        f"| full build peak memory | {peak_gb:.2f} GB | ≤ {TARGETS['peak_gb']:.0f} GB | "
        f"{verdict(peak_gb, TARGETS['peak_gb'])} |",
        f"| trivial `dagster asset materialize`, faster of two ({each_run(trivial_runs)}) | "
        f"{trivial.seconds:.1f} s | | |",
        f"| incremental: one new report, faster of two ({each_run(incremental_runs)}) | "
        f"{incremental.seconds:.1f} s | | |",
        f"| incremental / trivial | {incremental_ratio:.1f}x | "
        f"≤ {TARGETS['incremental_vs_trivial']}x | "
        f"{verdict(incremental_ratio, TARGETS['incremental_vs_trivial'])} |",
        f"| parser throughput | {parser:.1f} MB/s | | |",
        f"| slowest typical query | {slowest:.1f} ms | < {TARGETS['query_ms']:.0f} ms | "
        f"{verdict(slowest, TARGETS['query_ms'])} |",
        "",
        "## Queries on the full warehouse (median of 5)",
        "",
        "| query | ms |",
        "| --- | --- |",
        *(f"| {name} | {ms:.1f} |" for name, ms in queries.items()),
        "",
        "## Growth",
        "",
        "| reports | MB | floor s | full build s | full / floor | ms per report | peak MB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *(
            f"| {size.reports} | {size.megabytes:.0f} | {size.floor.seconds:.1f} | "
            f"{size.full.seconds:.1f} | {size.full.seconds / size.floor.seconds:.1f}x | "
            f"{size.full.seconds / size.reports * 1000:.1f} | {size.full.peak_mb:.0f} |"
            for size in sizes
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
    started = time.perf_counter()
    sizes = []
    for reports in sorted(args.growth):
        sizes.append(measure_size(reports)[0])
    size, corpus, out = measure_size(args.reports)
    sizes.append(size)
    incremental = measure_incremental(corpus, out, args.reports)
    print(f"  incremental {each_run(incremental)}", flush=True)
    trivial = measure_trivial()
    print(f"  trivial materialise {each_run(trivial)}", flush=True)
    text = report(
        sizes, incremental, trivial, parser_mb_per_s(corpus), query_ms(out / "warehouse" /
        "daily_papers.duckdb")
    )  # fmt: skip
    print(text)
    args.out.write_text(text, encoding="utf-8")
    print(f"Benchmark took {time.perf_counter() - started:.0f} s; written to {args.out}")


if __name__ == "__main__":
    main()
