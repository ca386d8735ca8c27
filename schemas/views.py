"""What the warehouse views (`pipelines/warehouse/views.sql`) show: the one source of their
`COMMENT ON` texts and of their part of the data dictionary. A column taken over from a table
keeps that table's description."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.innovations import InnovationsSchema
from schemas.papers import PapersSchema
from schemas.rejects import RejectsSchema
from schemas.reports import ReportsSchema


def _from(model: type, column: str) -> str:
    return model.to_schema().columns[column].description or ""


@dataclass(frozen=True)
class View:
    description: str
    columns: dict[str, str]  # in the view's column order


_PAPER = {
    "report_date": _from(PapersSchema, "report_date"),
    "rank": _from(PapersSchema, "rank"),
    "arxiv_id": _from(PapersSchema, "arxiv_id"),
    "title": _from(PapersSchema, "title"),
}

VIEWS = {
    "paper_summaries": View(
        "One row per paper per report: its title and link and the text of its five sections "
        "side by side, ordered by report date and rank.",
        {
            **_PAPER,
            "paper_url": _from(PapersSchema, "paper_url"),
            "domain": "Body of section 1 (application domain).",
            "contribution": "Body of section 2 (one-sentence contribution).",
            "usage": "Body of section 3 (usage guide).",
            "innovations": "Body of section 4 (main innovations).",
            "results": "Body of section 5 (experimental results).",
            "innovation_count": "Number of items in the paper's innovations list.",
        },
    ),
    "paper_innovations": View(
        "One row per listed innovation, with its paper's rank and title, in report order.",
        {
            **_PAPER,
            "ordinal": _from(InnovationsSchema, "ordinal"),
            "name": _from(InnovationsSchema, "name"),
            "description": _from(InnovationsSchema, "description"),
        },
    ),
    "report_overview": View(
        "One row per published report: its papers and the rejects of its file.",
        {
            "report_date": _from(ReportsSchema, "report_date"),
            "paper_count": _from(ReportsSchema, "paper_count"),
            "reject_count": "Rows in `rejects` from the report's file.",
            "source_file": _from(ReportsSchema, "source_file"),
            "source_url": _from(ReportsSchema, "source_url"),
        },
    ),
    "rejects_by_reason": View(
        "Rejects counted by reason code and level, most frequent first.",
        {
            "reason_code": _from(RejectsSchema, "reason_code"),
            "level": _from(RejectsSchema, "level"),
            "rejects": "Rows in `rejects` with this reason and level.",
            "files": "Input files with at least one of them.",
        },
    ),
}
