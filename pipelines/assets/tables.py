"""Tables: the candidate rows of all reports, put together under the rules that look across
reports and validated by Pandera; facet tables are kept for the published papers. A build redoes
only the reports that changed and keeps the stored rows of the others."""

import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.assets import OWNERS, ingest
from pipelines.facets.quality import MEASURES_OF_TABLE, evaluate, load_annotations, render
from pipelines.files import sha256_file
from pipelines.io_managers import (
    PartitionPickleIOManager,
    StoredPartitions,
    TableParquetIOManager,
)
from pipelines.lock import build_lock
from pipelines.metadata import markdown_table, table_metadata
from pipelines.parquet import TableFile
from pipelines.resources import ProjectPaths
from pipelines.sources import SeedsFolderError
from pipelines.table_types import table_type, vouch
from pipelines.tables.accounting import unbalanced
from pipelines.tables.build import ReportRows
from pipelines.tables.combine import whole_file_rejects
from pipelines.tables.parallel import validated_batches
from pipelines.tables.store import TablesState, TableStore
from pipelines.tables.update import ReportSummary, plan_update
from pipelines.tables.validate import PAPER_KEY
from pipelines.versions import TABLES_VERSION
from schemas import FACET_TABLES, TABLES

# Reports combined and validated at once: enough to keep polars busy, few enough to keep the
# memory of a ten-year build small.
BATCH_REPORTS = 250


def _describe(table: str) -> str:
    schema = TABLES[table].to_schema()
    key = ", ".join(f"`{name}`" for name in schema.unique)
    return (
        f"{schema.description} Primary key: {key}. Validated by the Pandera model "
        f"`{TABLES[table].__name__}`; every column is described in the column schema of each "
        "materialisation and in docs/data-dictionary.md."
    )


ACCOUNTED_FOR = dg.AssetCheckSpec(
    "every_input_accounted_for",
    asset="rejects",
    blocking=True,
    description="Nothing lost: for every input file, papers found = published + rejected, and "
    "every non-blank line belongs to a published paper, a reject, or the report header.",
)
CURRENT = dg.AssetCheckSpec(
    "built_from_current_files",
    asset="reports",
    description="The tables were built from the seeds folder as it is now: no report file was "
    "added, changed or removed since it was parsed. If this warns, materialise `parsed_report` "
    "for those files and publish again (`make run` and the sensor do both).",
)


@dg.multi_asset(
    outs={
        table: dg.AssetOut(
            dagster_type=table_type(model),
            description=_describe(table),
            group_name="facets" if table in FACET_TABLES else "tables",
            kinds={"polars", "parquet"},
            code_version=TABLES_VERSION,
            io_manager_key="table_io_manager",
            owners=OWNERS,
        )
        for table, model in TABLES.items()
    },
    ins={"parsed_report": dg.AssetIn()},
    check_specs=[ACCOUNTED_FOR, CURRENT],
    required_resource_keys={"table_io_manager", "report_io_manager", "paths"},
)
def tables(
    context: dg.AssetExecutionContext, parsed_report: StoredPartitions
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Apply the publishing rules and the schemas; what fails goes to `rejects` with a reason.
    The facet tables (domain, usage items, mentions, code release, numeric results) follow the
    published papers.

    Only the reports that changed since the last build (and those sharing a date or a file hash
    with them) are combined and validated again, a batch at a time; the rows of all others are
    taken over from the stored tables."""
    paths: ProjectPaths = context.resources.paths
    # The table files are shared by every run on this Dagster home: one build at a time writes
    # them (held while the outputs are written, as they are yielded).
    with build_lock(paths.warehouse):
        yield from _build_tables(context, parsed_report)


def _build_tables(
    context: dg.AssetExecutionContext, parsed_report: StoredPartitions
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    store: TableStore = context.resources.table_io_manager.store
    previous = store.state(TABLES_VERSION)
    summaries = _summaries(parsed_report, previous)
    update = plan_update(previous.reports if previous else None, summaries)
    context.log.info(
        f"Combining and validating {len(update.redo)} of {len(summaries)} reports"
        + ("" if previous else " (no earlier tables to build on)")
    )
    work = store.work_dir(context.run.run_id)
    accounts = _redo_reports(context, parsed_report, summaries, update.redo, work)
    yield _accounted_for(accounts, len(summaries))
    yield _built_from_current_files(context)

    passed_before = _passed_before(store) if previous else set()
    store.forget_state()
    kept = pl.col("source_file").is_in(update.replaced_files).not_()
    merged = {
        table: pl.concat(
            [pl.scan_parquet(work / f"{table}-*.parquet")]
            + ([pl.scan_parquet(store.file(table).path).filter(kept)] if previous else []),
            how="vertical",
        )
        for table in TABLES
    }
    quality = _measured_quality(merged)
    io_manager: TableParquetIOManager = context.resources.table_io_manager
    try:
        for table, frame in _written_ahead(merged, io_manager):
            extra = {"reports_redone": len(update.redo)} if table == "reports" else {}
            if table in quality:
                extra["quality_vs_annotation"] = dg.MetadataValue.md(quality[table])
            # Its new rows passed the model in this build's batches; those kept from the stored
            # file passed it when the file was written, if that file is the one recorded.
            if not previous or table in passed_before:
                vouch(frame, _rows(work, table))
            yield _output(context, table, frame, extra)
    finally:
        io_manager.forget_writes_ahead()  # those of tables never yielded, if a check failed
    shutil.rmtree(work)
    store.save_state(
        TablesState(
            build_id=context.run.run_id,
            previous_build_id=previous.build_id if previous else None,
            version=TABLES_VERSION,
            reports=summaries,
            replaced_files=update.replaced_files if previous else None,
        )
    )


def _passed_before(store: TableStore) -> set[str]:
    """The tables whose stored file is the one that passed the table's model when written."""
    validated = store.validated(TABLES_VERSION)
    return {t for t in TABLES if validated.get(t) == sha256_file(store.file(t).path)}


def _rows(work: Path, table: str) -> int:
    """Rows of `table` that this build combined and validated (in the pieces in `work`), as
    their Parquet footers say."""
    return sum(TableFile(table, piece).rows for piece in work.glob(f"{table}-*.parquet"))


def _written_ahead(
    frames: dict[str, pl.LazyFrame], io_manager: TableParquetIOManager
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each frame collected and its file written ahead, the next table's in threads while the
    caller hands this one to Dagster (which type-checks it and waits for its file): the writes
    of two tables and the type check overlap, all mostly outside the GIL. At most two frames
    are held at once."""
    names = list(frames)

    def collect_and_write(name: str) -> pl.DataFrame:
        frame = frames[name].collect()
        io_manager.write_ahead(name, frame, writing)
        return frame

    with ThreadPoolExecutor(2) as writing, ThreadPoolExecutor(1) as collecting:
        upcoming = collecting.submit(collect_and_write, names[0])
        for number, name in enumerate(names):
            frame = upcoming.result()
            if number + 1 < len(names):
                upcoming = collecting.submit(collect_and_write, names[number + 1])
            yield name, frame


def _summaries(stored: StoredPartitions, previous: TablesState | None) -> dict[str, ReportSummary]:
    """What identifies each report's rows; read from the stored rows only for the reports
    stored again since the previous build."""
    summaries = {}
    for key in sorted(stored):
        stamp = stored.rows_stamp(key)
        known = previous.reports.get(key) if previous else None
        if known is not None and known.stamp == stamp:
            summaries[key] = known
            continue
        rows: ReportRows = stored[key]
        summaries[key] = ReportSummary(rows.source_file, rows.sha256, rows.report_date, stamp)
    return summaries


def _redo_reports(
    context: dg.AssetExecutionContext,
    stored: StoredPartitions,
    summaries: dict[str, ReportSummary],
    redo: list[str],
    work: Path,
) -> pl.DataFrame:
    """Combine and validate the `redo` reports a batch at a time (batches on every core),
    writing each batch's tables into `work`; returns how each file's papers and lines were
    accounted for."""
    rejected = whole_file_rejects(summaries[key] for key in redo)
    # At least one batch, if empty: every table gets a piece, so each keeps its columns.
    batches = [
        stored.select(redo[start : start + BATCH_REPORTS])
        for start in range(0, max(len(redo), 1), BATCH_REPORTS)
    ]
    accounts = []
    started = time.perf_counter()
    for accounted in validated_batches(batches, rejected, work):
        accounts.append(accounted)
        if len(batches) > 1:
            done = sum(len(batch) for batch in batches[: len(accounts)])
            rate = done / (time.perf_counter() - started)
            context.log.info(f"Validated {done} of {len(redo)} reports ({rate:.0f} reports/s)")
    return pl.concat(accounts)


def _output(
    context: dg.AssetExecutionContext,
    table: str,
    frame: pl.DataFrame,
    extra: dict[str, object],
) -> dg.Output:
    context.log.info(f"{table}: {frame.height} rows")
    return dg.Output(frame, output_name=table, metadata={**table_metadata(table, frame), **extra})


def _accounted_for(accounts: pl.DataFrame, reports: int) -> dg.AssetCheckResult:
    failing = unbalanced(accounts)
    return dg.AssetCheckResult(
        asset_key="rejects",
        check_name=ACCOUNTED_FOR.name,
        passed=failing.is_empty(),
        description=f"{failing.height} of the {accounts.height} files checked (of {reports}) "
        "do not add up: see `unbalanced_files`."
        if failing.height
        else f"Checked the {accounts.height} of {reports} input files this build redid (the "
        "others are unchanged since they were checked): in each, papers found = published + "
        "rejected, and every line is accounted for.",
        metadata={
            "files": reports,
            # The files redone in this build; the others' rows are unchanged since theirs.
            "files_checked": accounts.height,
            "papers_found": int(accounts["papers_found"].sum()),
            "papers_published": int(accounts["papers_published"].sum()),
            "papers_rejected": int(accounts["papers_rejected"].sum()),
            "unbalanced_files": dg.MetadataValue.md(markdown_table(failing, 50)),
        },
    )


def _built_from_current_files(context: dg.AssetExecutionContext) -> dg.AssetCheckResult:
    """Whether the rows of every report file as it is now, and only those, went into the tables
    (a publish launched by hand right after a file changed would publish its old rows)."""
    paths: ProjectPaths = context.resources.paths
    storage: PartitionPickleIOManager = context.resources.report_io_manager
    warning = {
        "asset_key": "reports",
        "check_name": CURRENT.name,
        "severity": dg.AssetCheckSeverity.WARN,
    }
    try:
        new, gone, kept = ingest.partition_changes(context.instance, paths)
    except SeedsFolderError as error:
        return dg.AssetCheckResult(**warning, passed=False, metadata={"problem": str(error)})
    changed = storage.stale(ingest.parsed_report.key, kept, paths.seeds)
    files = {"not parsed yet": new, "changed since parsed": changed, "gone": gone}
    listed = pl.DataFrame(
        [(name, what) for what, names in files.items() for name in names],
        schema={"file": pl.String, "status": pl.String},
        orient="row",
    )
    return dg.AssetCheckResult(
        **warning,
        passed=listed.is_empty(),
        metadata={
            **{what.replace(" ", "_"): len(names) for what, names in files.items()},
            "files": dg.MetadataValue.md(markdown_table(listed, 50)),
        },
    )


def _measured_quality(tables: dict[str, pl.LazyFrame]) -> dict[str, str]:
    """Each scored facet table's scores against the hand-checked annotation, as Markdown, for
    the annotated papers present in this build (the seeds); none when there are none."""
    gold = load_annotations()
    annotated = pl.col("arxiv_id").is_in(list(gold))
    papers = tables["papers"].filter(annotated).select(PAPER_KEY).collect()
    if papers.is_empty():
        return {}
    frames = {
        table: tables[table]
        .filter(annotated)
        .join(papers.lazy(), on=PAPER_KEY, how="semi")
        .collect()
        for table in MEASURES_OF_TABLE
    }
    scores = evaluate(frames["mentions"], frames["code_release"], frames["domains"], gold)
    return {
        table: render([s for s in scores if s.measure in measures], papers["arxiv_id"].n_unique())
        for table, measures in MEASURES_OF_TABLE.items()
    }
