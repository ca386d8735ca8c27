"""The facet rows of a paper, from its section texts."""

from __future__ import annotations

from pipelines.facets.code_release import code_release
from pipelines.facets.domains import domain_category
from pipelines.facets.mentions import find_mentions, one_spelling, own_names
from pipelines.facets.results import numeric_results
from pipelines.facets.usage import usage_items
from pipelines.parsing import ParsedReport
from pipelines.provenance import span_provenance
from schemas import FACET_TABLES
from schemas.sections import SECTION_KEYS


class _Section:
    """A section body and where its characters are in the source file."""

    def __init__(self, row: dict, parsed: ParsedReport) -> None:
        self.key: str = row["section_key"]
        self.body: str = row["body"]
        self.row = row
        self.parsed = parsed
        self.first_line = row["line_end"] - self.body.count("\n")  # the body ends at line_end
        self._by_lines: dict[tuple[int, int], dict] = {}

    def provenance(self, start: int, end: int) -> dict:
        """Provenance of characters `start..end` of the body: the lines that hold them."""
        first = self.first_line + self.body.count("\n", 0, start)
        last = self.first_line + self.body.count("\n", 0, max(start, end - 1))
        # Most facets of a section lie on the same lines: hash each span once.
        if (first, last) not in self._by_lines:
            self._by_lines[first, last] = {
                "source_file": self.row["source_file"],
                "source_sha256": self.row["source_sha256"],
                **span_provenance(self.parsed, first, last),
            }
        return self._by_lines[first, last]


def paper_facet_rows(
    key: dict, sections: list[dict], title: str, parsed: ParsedReport
) -> dict[str, list[dict]]:
    """Rows of every facet table for one paper, from its section rows (all five sections)."""
    rows: dict[str, list[dict]] = {table: [] for table in FACET_TABLES}
    order = {section_key: index for index, section_key in enumerate(SECTION_KEYS)}
    by_key = {
        row["section_key"]: _Section(row, parsed)
        for row in sorted(sections, key=lambda row: order[row["section_key"]])
    }
    _add_paper(key, by_key, frozenset(own_names(title)), rows)
    return rows


def _add_paper(
    key: dict, sections: dict[str, _Section], own: frozenset[str], rows: dict[str, list[dict]]
) -> None:
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

    mentions_by_section = one_spelling(
        {k: find_mentions(section.body, k, own) for k, section in sections.items()}
    )
    for section_key, section in sections.items():
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
             "unit": result.unit, "change": result.change, "sentence": result.sentence,
             "char_start": result.start, "char_end": result.end,
             **results.provenance(result.start, result.end)}
        )  # fmt: skip


def _whole_paper(sections: dict[str, _Section]) -> dict:
    """Provenance of all five sections together (for a status that no phrase decided)."""
    first, last = sections["domain"], sections["results"]
    return {
        "source_file": first.row["source_file"],
        "source_sha256": first.row["source_sha256"],
        **span_provenance(first.parsed, first.row["line_start"], last.row["line_end"]),
    }
