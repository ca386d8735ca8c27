"""Facets: typed facts extracted from the section texts, each with the span it came from."""

import dagster as dg
import polars as pl
from dagster_pandera import pandera_schema_to_dagster_type

from pipelines.facets import facet_tables
from pipelines.facets.quality import evaluate, load_annotations, render
from pipelines.metadata import table_metadata
from pipelines.sources import SourceReport
from schemas import FACET_TABLES, SCHEMA_VERSION, TABLES


@dg.multi_asset(
    outs={
        table: dg.AssetOut(
            dagster_type=pandera_schema_to_dagster_type(TABLES[table]),
            description=TABLES[table].to_schema().description,
            group_name="facets",
            kinds={"polars"},
            code_version=SCHEMA_VERSION,
        )
        for table in FACET_TABLES
    },
    ins={"sections": dg.AssetIn(), "parsed_report": dg.AssetIn()},
)
def facets(
    context: dg.AssetExecutionContext,
    sections: pl.DataFrame,
    parsed_report: dict[str, SourceReport],
):
    """Domain, usage items, mentions (hardware, benchmarks, models, links), code release status
    and numeric results of every published paper."""
    parsed = {source.source_file: source.parsed for source in parsed_report.values()}
    frames = facet_tables(sections, parsed)
    quality = _measured_quality(frames)
    for table, frame in frames.items():
        context.log.info(f"{table}: {frame.height} rows")
        metadata = table_metadata(table, frame)
        if table in ("mentions", "code_release") and quality:
            metadata["quality_vs_annotation"] = dg.MetadataValue.md(quality)
        yield dg.Output(frame, output_name=table, metadata=metadata)


def _measured_quality(frames: dict[str, pl.DataFrame]) -> str | None:
    """Precision and recall against the hand-checked annotation, for the annotated papers
    present in this build (the seeds); None when there are none."""
    gold = load_annotations()
    papers = len(set(gold) & set(frames["code_release"]["arxiv_id"]))
    if not papers:
        return None
    scores = evaluate(frames["mentions"], frames["code_release"], frames["domains"], gold)
    return render(scores, papers)
