"""Which reports a build must redo, given what the previous build was made from.

A report's rows depend on itself and, through the rules across reports, on the files that share
its SHA-256 or its report date. So the reports to redo are the new, changed and removed ones,
plus every report linked to them by a shared hash or date, repeated until nothing new joins.
The rows of all other reports are taken over from the previous build's tables unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSummary:
    """What a build remembers of each report it was made from."""

    source_file: str
    sha256: str
    report_date: dt.date | None
    stamp: str  # identifies the stored rows (their size and modification time)

    def to_json(self) -> dict:
        date = None if self.report_date is None else self.report_date.isoformat()
        return {**self.__dict__, "report_date": date}

    @classmethod
    def from_json(cls, value: dict) -> ReportSummary:
        date = value["report_date"] and dt.date.fromisoformat(value["report_date"])
        return cls(**{**value, "report_date": date})


@dataclass(frozen=True)
class Update:
    redo: list[str]  # partition keys of the reports to combine and validate again, sorted
    replaced_files: list[str]  # source files whose previous rows are dropped, sorted


def plan_update(
    previous: Mapping[str, ReportSummary] | None, current: Mapping[str, ReportSummary]
) -> Update:
    """The reports to redo (all of them without a previous build) and the rows to drop."""
    if previous is None:
        return Update(sorted(current), [])
    changed = {key for key, summary in current.items() if previous.get(key) != summary}
    removed = set(previous) - set(current)
    redo: set[str] = set()
    touched = [previous[key] for key in removed] + [current[key] for key in changed]
    touched += [previous[key] for key in changed if key in previous]
    while touched:
        dates = {summary.report_date for summary in touched} - {None}
        hashes = {summary.sha256 for summary in touched}
        joining = {
            key
            for key, summary in current.items()
            if key not in redo
            and (key in changed or summary.report_date in dates or summary.sha256 in hashes)
        }
        redo |= joining
        touched = [current[key] for key in joining] + [
            previous[key] for key in joining if key in previous
        ]
    replaced = {current[key].source_file for key in redo}
    replaced |= {previous[key].source_file for key in redo | removed if key in previous}
    return Update(sorted(redo), sorted(replaced))
