"""Ingest: one partition per report file; each is read, checksummed and parsed."""

import dagster as dg

from pipelines.parsing import PARSER_VERSION
from pipelines.resources import ProjectPaths
from pipelines.sources import SourceReport, read_source

report_partitions = dg.DynamicPartitionsDefinition(name="reports")


@dg.asset(
    partitions_def=report_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    io_manager_key="report_io_manager",
    group_name="ingest",
    kinds={"python"},
    code_version=PARSER_VERSION,
)
def parsed_report(
    context: dg.AssetExecutionContext, paths: ProjectPaths
) -> dict[str, SourceReport]:
    """One report file, read from the seeds folder, checksummed and parsed into papers, sections
    and innovations. Partitioned by file name; any number of partitions run as one run."""
    parsed = {}
    for count, partition_key in enumerate(context.partition_keys, start=1):
        parsed[partition_key] = read_source(paths.seeds, partition_key)
        if count % 500 == 0:
            context.log.info(f"Parsed {count} of {len(context.partition_keys)} reports")
    sources = parsed.values()
    context.add_output_metadata(
        {
            "reports": len(parsed),
            "papers_found": sum(len(source.parsed.papers) for source in sources),
            "problems_found": sum(len(source.parsed.problems) for source in sources),
            "bytes_read": sum(source.size for source in sources),
        }
    )
    return parsed
