"""Read, parse and turn report files into rows on every core.

Each file is independent until the rules that look across reports, so the work is spread over
worker processes; a handful of files is done in this process, where starting workers would cost
more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from pipelines.sources import read_source
from pipelines.tables.build import ReportRows, report_rows

FILES_PER_WORKER_MINIMUM = 64


def read_report_rows(seeds_dir: Path, name: str) -> ReportRows:
    return report_rows(read_source(seeds_dir, name))


def rows_of_files(seeds_dir: Path, names: Sequence[str]) -> Iterator[tuple[str, ReportRows]]:
    """`(name, rows)` of every file, in the order given."""
    read = partial(read_report_rows, seeds_dir)
    workers = min(os.cpu_count() or 1, len(names) // FILES_PER_WORKER_MINIMUM)
    if workers < 2:
        yield from zip(names, map(read, names), strict=True)
        return
    # "spawn": the workers start clean, without the parent's threads and open files.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from zip(names, pool.map(read, names, chunksize=16), strict=True)
