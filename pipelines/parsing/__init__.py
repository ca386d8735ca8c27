"""Report parsing: plain Python, no Dagster, so it can be tested and benchmarked alone."""

from pipelines.parsing.model import Innovation, Paper, ParsedReport, Problem, Section
from pipelines.parsing.report import PARSER_VERSION, parse_report

__all__ = [
    "PARSER_VERSION",
    "Innovation",
    "Paper",
    "ParsedReport",
    "Problem",
    "Section",
    "parse_report",
]
