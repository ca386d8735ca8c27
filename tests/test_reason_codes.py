"""Golden tests: one small input per reason code, and the reject row it must produce."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from pipelines import sources as sources_module
from pipelines.sources import read_source
from pipelines.tables import build_tables, validate_tables
from schemas import REASON_CODES

HEADER = "# Hugging Face Daily Papers Report\n**Date**: {date}\n" + "=" * 30 + "\n"
SECTION_LINES = [
    f"### {n}. {name}\n* **要点**：内容{n}\n"
    for n, name in enumerate(
        ["应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果"], 1
    )
]
SECTIONS = "".join(SECTION_LINES)


def paper(title: str, arxiv_id: str, sections: str = SECTIONS) -> str:
    return f"## 📄 {title}\n- **链接**: https://huggingface.co/papers/{arxiv_id}\n{sections}"


GOOD = HEADER.format(date="2026-02-01") + paper("Good", "2602.00001")

# reason code -> (files, file whose reject is expected, level, line_start, line_end, message part)
GOLDEN = {
    "not_utf8": (
        {"gbk.md": "# 报告\n**Date**: 2026-02-02\n".encode("gbk")},
        "gbk.md",
        "file",
        0,
        0,
        "not valid UTF-8",
    ),
    "empty_file": ({"empty.md": b""}, "empty.md", "file", 0, 0, "empty"),
    "not_a_report": (
        {"notes.md": b"# Notes\n\nsome text\n"},
        "notes.md",
        "file",
        1,
        3,
        "not a daily papers report",
    ),
    "unreadable_file": ({}, "missing.md", "file", 0, 0, "Cannot read"),
    "parse_error": ({"boom.md": GOOD.encode()}, "boom.md", "file", 0, 0, "parser failed"),
    "duplicate_file": (
        {"a.md": GOOD.encode(), "b.md": GOOD.encode()},
        "b.md",
        "file",
        1,
        15,
        "Identical to a.md",
    ),
    "conflicting_report": (
        {"a.md": GOOD.encode(), "b.md": GOOD.replace("Good", "Better").encode()},
        "b.md",
        "report",
        1,
        15,
        "claimed by different files: a.md, b.md",
    ),
    "unassigned_text": (
        {
            "r.md": (
                HEADER.format(date="2026-02-01") + "stray line\n" + paper("P", "2602.00001")
            ).encode()
        },
        "r.md",
        "line",
        4,
        4,
        "Header text",
    ),
    "unknown_section": (
        {"r.md": (GOOD + "## 6. 局限性\n* 仍有不足\n").encode()},
        "r.md",
        "section",
        16,
        17,
        "局限性",
    ),
    "paper_without_id": (
        {"r.md": (HEADER.format(date="2026-02-01") + paper("P", "abc")).encode()},
        "r.md",
        "paper",
        4,
        15,
        "No arXiv id",
    ),
    "missing_sections": (
        {
            "r.md": (
                HEADER.format(date="2026-02-01")
                + paper("P", "2602.00001", "".join(SECTION_LINES[:3]))
            ).encode()
        },
        "r.md",
        "paper",
        4,
        11,
        "Sections not found",
    ),
    "duplicate_paper": (
        {"r.md": (GOOD + paper("Again", "2602.00001")).encode()},
        "r.md",
        "paper",
        16,
        27,
        "also appears earlier in this report, in the paper from line 4: that copy is the one",
    ),
    "mixed_blocks": (
        # The second paper's heading lacks its 📄: its link line lands in the first paper.
        {"r.md": (GOOD + paper("Second", "2602.00002").replace("## 📄 ", "## ")).encode()},
        "r.md",
        "paper",
        4,
        27,
        "Line 17, inside the paper's sections, is the link of another paper",
    ),
    "no_papers": (
        {"r.md": (HEADER.format(date="2026-02-01") + "## Good\n").encode()},
        "r.md",
        "file",
        1,
        4,
        "no paper",
    ),
    "joined_reports": (
        {"r.md": (GOOD + GOOD.replace("2602.00001", "2602.00002")).encode()},
        "r.md",
        "file",
        1,
        30,
        "Line 16 starts a second report",
    ),
    "schema_check_failed": (
        {"r.md": (HEADER.format(date="2019-01-01") + paper("Old", "1901.00001")).encode()},
        "r.md",
        "report",
        1,
        15,
        "report_date",
    ),
}


# The date and arXiv id each reject gives, as far as its file and paper give them: no date where
# none could be read (or two reports give two), an id for a paper's rejects and those inside it.
FEB_1 = dt.date(2026, 2, 1)
READ = {
    "conflicting_report": (FEB_1, None),
    "duplicate_file": (FEB_1, None),
    "duplicate_paper": (FEB_1, "2602.00001"),
    "missing_sections": (FEB_1, "2602.00001"),
    "mixed_blocks": (FEB_1, "2602.00001"),
    "no_papers": (FEB_1, None),
    "paper_without_id": (FEB_1, None),
    "schema_check_failed": (dt.date(2019, 1, 1), None),
    "unassigned_text": (FEB_1, None),
    "unknown_section": (FEB_1, "2602.00001"),
}


def test_every_reason_code_has_a_golden_test() -> None:
    assert set(GOLDEN) == set(REASON_CODES)


@pytest.mark.parametrize("reason", sorted(GOLDEN))
def test_reason_code(reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files, name, level, start, end, message = GOLDEN[reason]
    for file_name, data in files.items():
        (tmp_path / file_name).write_bytes(data)
    if reason == "parse_error":
        monkeypatch.setattr(sources_module, "parse_report", lambda data: 1 / 0)
    names = sorted({*files, name})
    sources = [read_source(tmp_path, file_name) for file_name in names]
    tables = validate_tables(build_tables(sources), {s.source_file: s.parsed for s in sources})
    rejects = tables["rejects"].filter(pl.col("source_file") == name)
    assert rejects.height == 1, rejects.to_dicts()
    row = rejects.row(0, named=True)
    assert row["reason_code"] == reason
    assert (row["level"], row["line_start"], row["line_end"]) == (level, start, end)
    assert message in row["message"] + (row["failed_check"] or "")
    assert row["message"].strip()
    assert (row["report_date"], row["arxiv_id"]) == READ.get(reason, (None, None))


def test_text_inside_a_paper_carries_its_id_and_text_after_it_does_not(tmp_path: Path) -> None:
    stray = paper("P", "2602.00001").replace("\n### 1.", "\nstray line\n### 1.", 1)
    footer = "---\n本报告由 AI 自动生成，仅供参考。\n"
    (tmp_path / "r.md").write_text(HEADER.format(date="2026-02-01") + stray + footer)
    sources = [read_source(tmp_path, "r.md")]
    tables = validate_tables(build_tables(sources), {s.source_file: s.parsed for s in sources})
    rejects = tables["rejects"].sort("line_start")
    assert rejects.select("raw_text", "arxiv_id", "rank").rows() == [
        ("stray line", "2602.00001", 1),  # in the paper, before its sections
        ("本报告由 AI 自动生成，仅供参考。", None, None),  # after it: not the paper's (a footer)
    ]
    assert tables["papers"]["arxiv_id"].to_list() == ["2602.00001"]
