"""Spread the work on reports over every core: reading and parsing files, and validating
batches of reports.

Each file is independent until the rules that look across reports, and each batch of reports
(closed under those rules, see `pipelines.tables.update`) is independent of the others, so the
work goes to worker processes; a little of it is done in this process, where starting workers
would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import TypeVar

import polars as pl

from pipelines.sources import read_source
from pipelines.tables.accounting import account
from pipelines.tables.build import ReportRows, report_rows
from pipelines.tables.combine import WholeFileReject, combine_reports
from pipelines.tables.validate import validate_tables

FILES_PER_WORKER_MINIMUM = 64

Item = TypeVar("Item")
Result = TypeVar("Result")


def read_report_rows(seeds_dir: Path, name: str) -> ReportRows:
    return report_rows(read_source(seeds_dir, name))


def rows_of_files(seeds_dir: Path, names: Sequence[str]) -> Iterator[tuple[str, ReportRows]]:
    """`(name, rows)` of every file, in the order given."""
    read = partial(read_report_rows, seeds_dir)
    workers = len(names) // FILES_PER_WORKER_MINIMUM
    yield from zip(names, _spread(read, names, workers, chunksize=16), strict=True)


def validate_batch(
    batch: tuple[int, Mapping[str, ReportRows]],
    rejected: Mapping[str, WholeFileReject],
    work: Path,
) -> pl.DataFrame:
    """Combine and validate one numbered batch of reports, writing each of its tables into
    `work` as `<table>-<number>.parquet`; returns how each file's papers and lines were
    accounted for."""
    number, stored = batch
    reports = [stored[key] for key in stored]
    sources = {report.source_file: report for report in reports}
    validated = validate_tables(combine_reports(reports, rejected=rejected), sources)
    for table, frame in validated.items():
        frame.write_parquet(work / f"{table}-{number:05d}.parquet", compression="lz4")
    return account(reports, validated["papers"], validated["rejects"])


def validated_batches(
    batches: Sequence[Mapping[str, ReportRows]],
    rejected: Mapping[str, WholeFileReject],
    work: Path,
) -> Iterator[pl.DataFrame]:
    """`validate_batch` of every batch, numbered from 0, results in batch order."""
    validate = partial(validate_batch, rejected=rejected, work=work)
    yield from _spread(validate, list(enumerate(batches)), len(batches), chunksize=1)


def _spread(
    function: Callable[[Item], Result], items: Iterable[Item], workers: int, chunksize: int
) -> Iterator[Result]:
    """`map(function, items)`, on up to `workers` worker processes (one per core at most);
    in this process when that comes to fewer than two."""
    workers = min(os.cpu_count() or 1, workers)
    if workers < 2:
        yield from map(function, items)
        return
    # "spawn": the workers start clean, without the parent's threads and open files.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        yield from pool.map(function, items, chunksize=chunksize)
