"""Asset checks, next to nothing else: each guards one published table or output.

Checks marked blocking stop what is downstream in the same run: the warehouse and the release
wait for the table checks, and publishing waits for the audits of the staged release.
"""

import hashlib
import io
from collections.abc import Iterator

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from pipelines.metadata import markdown_table
from pipelines.release import StagedRelease, verify_release
from pipelines.release.audit import AUDITS, audit_tables_match_schemas
from pipelines.release.stage import LATEST
from pipelines.resources import ProjectPaths
from pipelines.tables.store import TableStore
from pipelines.tables.validate import PAPER_KEY, split_valid
from pipelines.versions import TABLES_VERSION
from schemas import TABLES, polars_schema
from schemas.sections import SECTION_KEYS


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(
            "matches_schema",
            asset=table,
            blocking=True,
            description=f"Every row of `{table}` passes its Pandera schema (types, values, keys).",
        )
        for table in TABLES
    ],
    required_resource_keys={"table_io_manager"},
)
def every_table_matches_its_schema(
    context: dg.AssetCheckExecutionContext,
) -> Iterator[dg.AssetCheckResult]:
    """All tables in one step, read back from their stored files one at a time: a step per table
    costs more in Dagster's bookkeeping than reading and validating a table does.

    A file with the very bytes written after the table's type check passed (recorded by the IO
    manager; every row had passed the Pandera model) is not validated twice; any other is
    validated now, and recorded if it passes, for the release audit."""
    store: TableStore = context.resources.table_io_manager.store
    validated = store.validated(TABLES_VERSION)
    for table in TABLES:
        data = store.file(table).path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        if validated.get(table) == sha256:
            yield _schema_result(table, "when written", _no_failures(table))
            continue
        _, failed = split_valid(table, pl.read_parquet(io.BytesIO(data)))
        store.record_validated(TABLES_VERSION, table, None if failed.height else sha256)
        yield _schema_result(table, "now, read back", failed)


def _schema_result(table: str, validated: str, failed: pl.DataFrame) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=table,
        check_name="matches_schema",
        passed=failed.is_empty(),
        metadata={
            "validated": validated,
            "failing_rows": failed.height,
            "failures": dg.MetadataValue.md(
                markdown_table(failed.select("failed_check", *TABLES[table].to_schema().unique))
            ),
        },
    )


def _no_failures(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table)).with_columns(
        failed_check=pl.lit(None, pl.String)
    )


@dg.asset_check(
    asset="papers",
    additional_ins={"sections": dg.AssetIn()},
    blocking=True,
    description="Every published paper has exactly the five sections, and every section a paper.",
)
def papers_have_all_sections(papers: pl.DataFrame, sections: pl.DataFrame) -> dg.AssetCheckResult:
    counts = sections.group_by(PAPER_KEY).agg(keys=pl.col("section_key").n_unique())
    incomplete = papers.join(counts, on=PAPER_KEY, how="left").filter(
        pl.col("keys").fill_null(0) != len(SECTION_KEYS)
    )
    orphans = sections.join(papers, on=PAPER_KEY, how="anti")
    return dg.AssetCheckResult(
        passed=incomplete.is_empty() and orphans.is_empty(),
        metadata={
            "incomplete_papers": incomplete.height,
            "orphan_sections": orphans.height,
            "incomplete": dg.MetadataValue.md(
                markdown_table(incomplete.select(*PAPER_KEY, "title"))
            ),
        },
    )


@dg.asset_check(
    asset="innovations",
    additional_ins={"papers": dg.AssetIn()},
    blocking=True,
    description="Every innovation belongs to a published paper; warns if a paper has none.",
)
def innovations_belong_to_papers(
    innovations: pl.DataFrame, papers: pl.DataFrame
) -> dg.AssetCheckResult:
    orphans = innovations.join(papers, on=PAPER_KEY, how="anti")
    without = papers.join(innovations, on=PAPER_KEY, how="anti")
    per_paper = innovations.group_by(PAPER_KEY).len().get_column("len")
    return dg.AssetCheckResult(
        passed=orphans.is_empty() and without.is_empty(),
        severity=dg.AssetCheckSeverity.ERROR if orphans.height else dg.AssetCheckSeverity.WARN,
        metadata={
            "orphan_innovations": orphans.height,
            "papers_without_innovations": without.height,
            "items_per_paper_min": int(per_paper.min() or 0),
            "items_per_paper_max": int(per_paper.max() or 0),
        },
    )


@dg.asset_check(
    asset="reports",
    additional_ins={"papers": dg.AssetIn()},
    blocking=True,
    description="`paper_count` of each report equals its published papers.",
)
def report_paper_counts(reports: pl.DataFrame, papers: pl.DataFrame) -> dg.AssetCheckResult:
    actual = papers.group_by("report_date").len("actual")
    wrong = reports.join(actual, on="report_date", how="left").filter(
        pl.col("paper_count") != pl.col("actual").fill_null(0)
    )
    return dg.AssetCheckResult(passed=wrong.is_empty(), metadata={"wrong_counts": wrong.height})


@dg.asset_check(
    asset="rejects",
    description="Warns when anything was rejected; the counts by reason are in the metadata.",
)
def rejects_by_reason(rejects: pl.DataFrame) -> dg.AssetCheckResult:
    by_reason = (
        rejects.group_by("reason_code", "level")
        .agg(rows=pl.len(), files=pl.col("source_file").n_unique())
        .sort("reason_code", "level")
    )
    counts = by_reason.group_by("reason_code").agg(pl.col("rows").sum()).sort("reason_code")
    summary = ", ".join(f"{code} {rows}" for code, rows in counts.iter_rows())
    return dg.AssetCheckResult(
        passed=rejects.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{rejects.height} rows rejected ({summary}): the `rejects` table has each "
        "one's file, message and text."
        if rejects.height
        else "Nothing rejected.",
        metadata={
            "rejects": rejects.height,
            "by_reason": dg.MetadataValue.md(markdown_table(by_reason, 50)),
        },
    )


@dg.asset_check(
    asset="warehouse",
    description="Each warehouse table has as many rows as the validated table loaded into it "
    "(the `rows/<table>` metadata of the warehouse materialisation).",
)
def warehouse_row_counts(
    context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource
) -> dg.AssetCheckResult:
    event = context.instance.get_latest_materialization_event(dg.AssetKey("warehouse"))
    loaded = event.asset_materialization.metadata if event and event.asset_materialization else {}
    expected = {
        table: loaded[f"rows/{table}"].value if f"rows/{table}" in loaded else None
        for table in TABLES
    }
    with duckdb.get_connection() as connection:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES
        }
    mismatched = {table: n for table, n in counts.items() if n != expected[table]}
    return dg.AssetCheckResult(
        passed=not mismatched,
        metadata={
            **{f"rows/{table}": n for table, n in counts.items()},
            "mismatched": dg.MetadataValue.json(mismatched),
        },
    )


AUDIT_DESCRIPTIONS = {
    "files_match_manifest": "Every staged file is listed in `manifest.json` and `SHA256SUMS` "
    "with its exact size and SHA-256; nothing missing, nothing extra.",
    "tables_match_schemas": "Each staged Parquet file, read back, has the published column types "
    "and passes its Pandera schema (values and keys); a file with the very bytes that already "
    "passed (when written, or in `matches_schema`) is not validated twice.",
    "foreign_keys_resolve": "Staged papers have their report; sections and innovations "
    "their paper.",
    "files_read_back": "DuckDB reads every staged Parquet file and the staged DuckDB copy with the "
    "row counts the manifest states.",
}


def _audit_check(name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset="staged_release",
        name=name,
        blocking=True,
        description=f"Audit before publishing: {AUDIT_DESCRIPTIONS[name]}",
    )
    def check(staged_release: StagedRelease) -> dg.AssetCheckResult:
        return _audit_result(staged_release, AUDITS[name](staged_release.path))

    return check


@dg.asset_check(
    asset="staged_release",
    name="tables_match_schemas",
    blocking=True,
    description=f"Audit before publishing: {AUDIT_DESCRIPTIONS['tables_match_schemas']}",
    required_resource_keys={"table_io_manager"},
)
def staged_tables_match_schemas(
    context: dg.AssetCheckExecutionContext, staged_release: StagedRelease
) -> dg.AssetCheckResult:
    validated = context.resources.table_io_manager.store.validated(TABLES_VERSION)
    return _audit_result(staged_release, audit_tables_match_schemas(staged_release.path, validated))


def _audit_result(staged_release: StagedRelease, problems: list[str]) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "release_id": staged_release.release_id,
            "problems": dg.MetadataValue.json(problems),
        },
    )


@dg.asset_check(
    asset="release",
    description="The published `latest` release still matches its manifest and `SHA256SUMS`.",
)
def release_matches_manifest(paths: ProjectPaths) -> dg.AssetCheckResult:
    latest = paths.releases / LATEST
    problems = verify_release(latest)
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "release_id": latest.resolve().name,
            "problems": dg.MetadataValue.json(problems),
        },
    )


asset_checks = [
    every_table_matches_its_schema,
    papers_have_all_sections,
    innovations_belong_to_papers,
    report_paper_counts,
    rejects_by_reason,
    warehouse_row_counts,
    *(_audit_check(name) for name in AUDITS),
    staged_tables_match_schemas,
    release_matches_manifest,
]
