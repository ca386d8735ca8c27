"""Huge files and very long lines parse to the right answer without hanging.

The parser's speed is measured in `bench/`; the timeout here only guards against a regex that
backtracks catastrophically (that would take hours, not the seconds these inputs need).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

HANG_GUARD_SECONDS = 300
SEED = (SEEDS / "000_18c40586699a2521.txt").read_text(encoding="utf-8")
HEADER, _, BODY = SEED.partition("\n## ")
BODY = "\n## " + BODY

PARSE_AND_SUMMARISE = """
import json, sys
from pipelines.parsing import parse_report
summaries = {}
for path in sys.argv[1:]:
    parsed = parse_report(open(path, "rb").read())
    summaries[path] = {
        "papers": len(parsed.papers),
        "sections": sum(len(paper.sections) for paper in parsed.papers),
        "problems": [
            [p.reason_code, p.line_start, p.line_end, len(p.raw_text)] for p in parsed.problems
        ],
    }
print(json.dumps(summaries))
"""

SHORT_LINES = "- a\n**1.**\n" * 500_000

CASES = {
    # ~35 MB: the 22 seed papers repeated 400 times
    "tens_of_megabytes": (HEADER + BODY * 400, 22 * 400),
    # 8 MB on one line of fragments that each look like the start of a heading
    "long_heading_like_line": (HEADER + "\n## 📄 T\n" + "**1. 应用领域" * 500_000, 1),
    "long_bold_colon_line": (HEADER + "\n## 📄 T\n" + "** **：" * 1_000_000, 1),
    "long_link_line": (HEADER + "\n## 📄 T\n- **链接**: " + "https://hf.co/papers/" * 300_000, 1),
    "long_list_item": (HEADER + "\n## 📄 T\n**4. 创新点**\n1. " + "**a**" * 1_000_000, 1),
    "million_short_lines": (HEADER + "\n" + SHORT_LINES + "## 📄 T\n", 1),
}


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Parse every case in one subprocess (importing the parser takes seconds)."""
    folder = tmp_path_factory.mktemp("huge")
    paths = []
    for case, (text, _) in CASES.items():
        paths.append(folder / f"{case}.md")
        paths[-1].write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", PARSE_AND_SUMMARISE, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=True,
    )
    return {Path(path).stem: summary for path, summary in json.loads(result.stdout).items()}


@pytest.mark.parametrize("case", CASES)
def test_huge_input_parses(case: str, summaries: dict[str, dict]) -> None:
    _, papers = CASES[case]
    summary = summaries[case]
    assert summary["papers"] == papers
    if case == "tens_of_megabytes":
        assert summary["sections"] == 5 * papers
        assert summary["problems"] == []
    if case == "million_short_lines":  # one run of unassigned header text, kept whole
        first_line = HEADER.count("\n") + 2
        last_line = first_line + SHORT_LINES.count("\n") - 1
        expected = [["unassigned_text", first_line, last_line, len(SHORT_LINES) - 1]]
        assert summary["problems"] == expected
