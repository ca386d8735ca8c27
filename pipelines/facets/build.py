"""The facet tables of a set of papers, from their section texts."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pipelines.facets.code_release import code_release
from pipelines.facets.domains import domain_category
from pipelines.facets.mentions import find_mentions, own_names
from pipelines.facets.results import numeric_results
from pipelines.facets.usage import usage_items
from pipelines.parsing import ParsedReport
from pipelines.tables.build import span_provenance
from schemas import FACET_TABLES, polars_schema
from schemas.sections import SECTION_KEYS

PAPER_KEY = ["report_date", "arxiv_id"]


class _Section:
    """A section body and where its characters are in the source file."""

    def __init__(self, row: dict, parsed: ParsedReport) -> None:
        self.key: str = row["section_key"]
        self.body: str = row["body"]
        self.row = row
        self.parsed = parsed
        self.first_line = row["line_end"] - self.body.count("\n")  # the body ends at line_end

    def provenance(self, start: int, end: int) -> dict:
        first = self.first_line + self.body.count("\n", 0, start)
        last = self.first_line + self.body.count("\n", 0, max(start, end - 1))
        return {
            "source_file": self.row["source_file"],
            "source_sha256": self.row["source_sha256"],
            **span_provenance(self.parsed, first, last),
        }


def facet_tables(
    sections: pl.DataFrame, parsed: Mapping[str, ParsedReport]
) -> dict[str, pl.DataFrame]:
    """`domains`, `usage_facets`, `mentions`, `code_release` and `results` of every paper."""
    rows: dict[str, list[dict]] = {table: [] for table in FACET_TABLES}
    ordered = sections.sort(
        [*PAPER_KEY, pl.col("section_key").replace_strict(SECTION_KEYS, range(len(SECTION_KEYS)))]
    )
    for (report_date, arxiv_id), paper in ordered.group_by(PAPER_KEY, maintain_order=True):
        key = {"report_date": report_date, "arxiv_id": arxiv_id}
        by_key = {
            row["section_key"]: _Section(row, parsed[row["source_file"]])
            for row in paper.iter_rows(named=True)
        }
        _add_paper(key, by_key, rows)
    return {
        table: pl.DataFrame(rows[table], schema=polars_schema(table), orient="row")
        for table in FACET_TABLES
    }


def _add_paper(key: dict, sections: dict[str, _Section], rows: dict[str, list[dict]]) -> None:
    parsed = sections["domain"].parsed
    title = next((p.title for p in parsed.papers if p.arxiv_id == key["arxiv_id"]), "")
    own = frozenset(own_names(title))
    domain = sections["domain"]
    found = domain_category(domain.body)
    rows["domains"].append(
        {**key, "category": found.category, "matched": found.matched,
         **domain.provenance(0, len(domain.body))}
    )  # fmt: skip

    usage = sections["usage"]
    for item in usage_items(usage.body):
        rows["usage_facets"].append(
            {**key, "ordinal": item.ordinal, "facet": item.facet, "label": item.label,
             "text": item.text, "char_start": item.start, "char_end": item.end,
             **usage.provenance(item.start, item.end)}
        )  # fmt: skip

    mentions_by_section = {}
    for section_key, section in sections.items():
        mentions_by_section[section_key] = find_mentions(section.body, section_key, own)
        for mention in mentions_by_section[section_key]:
            rows["mentions"].append(
                {**key, "section_key": section_key, "kind": mention.kind,
                 "char_start": mention.start, "char_end": mention.end, "name": mention.name,
                 "normalized_name": mention.normalized_name, "count": mention.count,
                 "memory_gb": mention.memory_gb, **section.provenance(mention.start, mention.end)}
            )  # fmt: skip

    decided = code_release([(k, s.body) for k, s in sections.items()])
    where = (
        sections[decided.section_key].provenance(decided.start, decided.end)
        if decided.section_key
        else _whole_paper(sections)
    )
    rows["code_release"].append(
        {**key, "status": decided.status, "phrase": decided.phrase,
         "section_key": decided.section_key, "char_start": decided.start,
         "char_end": decided.end, **where}
    )  # fmt: skip

    results = sections["results"]
    for result in numeric_results(results.body, mentions_by_section["results"]):
        rows["results"].append(
            {**key, "ordinal": result.ordinal, "benchmark": result.benchmark,
             "metric": result.metric, "value_text": result.value_text, "value": result.value,
             "unit": result.unit, "sentence": result.sentence, "char_start": result.start,
             "char_end": result.end, **results.provenance(result.start, result.end)}
        )  # fmt: skip


def _whole_paper(sections: dict[str, _Section]) -> dict:
    """Provenance of all five sections together (for a status that no phrase decided)."""
    first, last = sections["domain"], sections["results"]
    return {
        "source_file": first.row["source_file"],
        "source_sha256": first.row["source_sha256"],
        **span_provenance(first.parsed, first.row["line_start"], last.row["line_end"]),
    }
