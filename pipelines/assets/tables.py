"""Tables: the candidate rows of all reports, put together under the rules that look across
reports and validated by Pandera; facet tables are kept for the published papers."""

import dagster as dg
import polars as pl
from dagster_pandera import pandera_schema_to_dagster_type

from pipelines.facets.quality import evaluate, load_annotations, render
from pipelines.metadata import markdown_table, table_metadata
from pipelines.tables import combine_reports, validate_tables
from pipelines.tables.accounting import account, unbalanced
from pipelines.tables.build import ReportRows
from pipelines.tables.validate import of_published_papers
from schemas import FACET_TABLES, PARSED_TABLES, SCHEMA_VERSION, TABLES

SCORED_FACETS = ("domains", "mentions", "code_release")  # what the annotation scores
QUALITY_SHOWN_ON = ("mentions", "code_release")

ACCOUNTED_FOR = dg.AssetCheckSpec(
    "every_input_accounted_for",
    asset="rejects",
    blocking=True,
    description="Nothing lost: for every input file, papers found = published + rejected, and "
    "every non-blank line belongs to a published paper, a reject, or the report header.",
)


@dg.multi_asset(
    outs={
        table: dg.AssetOut(
            dagster_type=pandera_schema_to_dagster_type(model),
            description=model.to_schema().description,
            group_name="facets" if table in FACET_TABLES else "tables",
            kinds={"polars", "parquet"},
            code_version=SCHEMA_VERSION,
            io_manager_key="table_io_manager",
        )
        for table, model in TABLES.items()
    },
    ins={"parsed_report": dg.AssetIn()},
    check_specs=[ACCOUNTED_FOR],
)
def tables(context: dg.AssetExecutionContext, parsed_report: dict[str, ReportRows]):
    """Apply the publishing rules and the schemas; what fails goes to `rejects` with a reason.
    The facet tables (domain, usage items, mentions, code release, numeric results) follow the
    published papers."""
    reports = [parsed_report[key] for key in sorted(parsed_report)]
    sources = {report.source_file: report for report in reports}
    # One table at a time where possible: each is written out and let go before the next.
    validated = validate_tables(combine_reports(reports, PARSED_TABLES), sources)
    yield _accounted_for(reports, validated)
    for table, frame in validated.items():
        yield _output(context, table, frame)
    papers = validated["papers"].select("source_file", "report_date", "arxiv_id")
    del validated
    quality = _measured_quality(reports, papers)
    for table in FACET_TABLES:
        frame = of_published_papers(combine_reports(reports, [table])[table], papers)
        yield _output(context, table, frame, quality if table in QUALITY_SHOWN_ON else None)


def _output(
    context: dg.AssetExecutionContext, table: str, frame: pl.DataFrame, quality: str | None = None
) -> dg.Output:
    context.log.info(f"{table}: {frame.height} rows")
    metadata = table_metadata(table, frame)
    if quality:
        metadata["quality_vs_annotation"] = dg.MetadataValue.md(quality)
    return dg.Output(frame, output_name=table, metadata=metadata)


def _accounted_for(reports: list[ReportRows], tables: dict[str, pl.DataFrame]):
    accounts = account(reports, tables["papers"], tables["rejects"])
    failing = unbalanced(accounts)
    return dg.AssetCheckResult(
        asset_key="rejects",
        check_name=ACCOUNTED_FOR.name,
        passed=failing.is_empty(),
        metadata={
            "files": accounts.height,
            "papers_found": int(accounts["papers_found"].sum()),
            "papers_published": int(accounts["papers_published"].sum()),
            "papers_rejected": int(accounts["papers_rejected"].sum()),
            "unbalanced_files": dg.MetadataValue.md(markdown_table(failing, 50)),
        },
    )


def _measured_quality(reports: list[ReportRows], papers: pl.DataFrame) -> str | None:
    """Precision and recall against the hand-checked annotation, for the annotated papers
    present in this build (the seeds); None when there are none."""
    gold = load_annotations()
    annotated = papers.filter(pl.col("arxiv_id").is_in(list(gold)))
    if annotated.is_empty():
        return None
    files = set(annotated["source_file"])
    facets = combine_reports([r for r in reports if r.source_file in files], SCORED_FACETS)
    frames = {table: of_published_papers(frame, annotated) for table, frame in facets.items()}
    scores = evaluate(frames["mentions"], frames["code_release"], frames["domains"], gold)
    return render(scores, annotated["arxiv_id"].n_unique())
