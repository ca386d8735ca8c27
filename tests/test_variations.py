"""Property tests: any mix of formatting variations publishes the same tables as the seeds, and
hostile input never crashes the pipeline nor loses anything."""

from __future__ import annotations

import hashlib
import random

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.variations import Choices, vary
from pipelines.parsing import parse_report
from pipelines.sources import SourceReport
from pipelines.tables import combine_reports, report_rows, validate_tables
from pipelines.tables.accounting import account, unbalanced
from tests.conftest import SEEDS

SEED_DATA = {path.name: path.read_bytes() for path in sorted(SEEDS.iterdir())}
PROJECTIONS = {
    "papers": [
        "report_date",
        "rank",
        "arxiv_id",
        "title",
        "paper_url",
        "arxiv_url",
        "reading_source",
    ],
    "sections": ["report_date", "arxiv_id", "section_key", "section_number", "body"],
    "innovations": ["report_date", "arxiv_id", "ordinal", "name", "description"],
}


def publish(files: dict[str, bytes]) -> dict[str, pl.DataFrame]:
    reports = [
        report_rows(
            SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parse_report(data))
        )
        for name, data in files.items()
    ]
    tables = validate_tables(combine_reports(reports), {r.source_file: r for r in reports})
    accounts = account(reports, tables["papers"], tables["rejects"])
    assert unbalanced(accounts).is_empty(), unbalanced(accounts).to_dicts()
    return tables


def projected(tables: dict[str, pl.DataFrame]) -> dict[str, list[tuple]]:
    return {
        table: tables[table].select(columns).sort(columns).rows()
        for table, columns in PROJECTIONS.items()
    }


ORIGINAL = projected(publish(SEED_DATA))

choices = st.builds(
    Choices,
    line_ending=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    tabs=st.booleans(),
    trailing_spaces=st.booleans(),
    separators=st.booleans(),
    fences=st.booleans(),
    inner_headings=st.booleans(),
    headings=st.booleans(),
    inline_text=st.booleans(),
    links=st.booleans(),
    meta_labels=st.booleans(),
    paper_headings=st.booleans(),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choices=choices,
    seed=st.integers(0, 2**32 - 1),
    suffix=st.sampled_from([".md", ".markdown", ".txt"]),
)
def test_variations_publish_the_same_tables(choices: Choices, seed: int, suffix: str) -> None:
    rng = random.Random(seed)
    varied = {
        name.rsplit(".", 1)[0] + suffix: vary(data, choices, rng)
        for name, data in SEED_DATA.items()
    }
    tables = publish(varied)
    assert tables["rejects"].select("reason_code", "message").rows() == []
    assert projected(tables) == ORIGINAL


def test_every_variation_at_once_really_changes_the_bytes() -> None:
    everything = Choices("\r\n", True, True, True, True, True, True, True, True, True, True, True)
    for name, data in SEED_DATA.items():
        varied = vary(data, everything, random.Random(7))
        assert varied != data
        assert varied.count(b"\r\n") >= data.count(b"\n") - 1
        assert projected(publish({name: varied})) == projected(publish({name: data}))


FRAGMENTS = [
    "# Hugging Face Daily Papers Report",
    "**Date**: 2026-02-03",
    "**Date**: 2026-13-45",
    "**Source URL**: https://huggingface.co/papers/date/2026-02-03",
    "=" * 40,
    "---",
    "",
    "## 📄 <script>alert('x')</script> Title",
    "## 📄 ",
    "- **链接**: https://huggingface.co/papers/2602.01234",
    "- **链接**: https://arxiv.org/abs/2602.0",
    "- **链接**: javascript:alert(1)",
    "- **阅读来源**: HTML",
    "**1. 应用领域**",
    "2. **一句话核心贡献**：<img src=x onerror=alert(1)>",
    "### 3. 使用指南",
    "4. **主要创新点**：",
    "### 5. 实验效果",
    "## 6. 局限性",
    "**7. 总结**",
    "1. **名字**：描述",
    "*   **输入**：文本",
    "```markdown",
    "```",
    "# 研究报告",
    "    缩进的续行",
    "| a | b |",
    "\u3000",
    "\t",
    "**" * 50,
    "#" * 300,
    " " * 500 + "x",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=60).map(
            "\n".join
        ),
        min_size=1,
        max_size=4,
    ),
    st.binary(max_size=200),
)
def test_hostile_input_never_crashes_and_loses_nothing(texts: list[str], junk: bytes) -> None:
    files = {
        f"r{i}.md": text.encode("utf-8", errors="surrogatepass") for i, text in enumerate(texts)
    }
    files["junk.bin.txt"] = junk
    tables = publish(files)  # asserts the accounting balances
    for title in tables["papers"]["title"]:
        assert isinstance(title, str)
