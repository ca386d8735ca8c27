"""Tables: all parsed reports turned into the published tables, validated by Pandera."""

import dagster as dg
from dagster_pandera import pandera_schema_to_dagster_type

from pipelines.metadata import table_metadata
from pipelines.sources import SourceReport
from pipelines.tables import build_tables, validate_tables
from schemas import PARSED_TABLES, SCHEMA_VERSION, TABLES


@dg.multi_asset(
    outs={
        table: dg.AssetOut(
            dagster_type=pandera_schema_to_dagster_type(model),
            description=model.to_schema().description,
            group_name="tables",
            kinds={"polars"},
            code_version=SCHEMA_VERSION,
        )
        for table, model in TABLES.items()
        if table in PARSED_TABLES
    },
    ins={"parsed_report": dg.AssetIn()},
)
def tables(context: dg.AssetExecutionContext, parsed_report: dict[str, SourceReport]):
    """Apply the publishing rules and the schemas; what fails goes to `rejects` with a reason."""
    sources = [parsed_report[key] for key in sorted(parsed_report)]
    validated = validate_tables(
        build_tables(sources), {source.source_file: source.parsed for source in sources}
    )
    for table, frame in validated.items():
        context.log.info(f"{table}: {frame.height} rows")
        yield dg.Output(frame, output_name=table, metadata=table_metadata(table, frame))
