"""The parser against the two real reports and against each heading spelling they use."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.parsing import parse_report
from pipelines.parsing.grammar import section_heading
from pipelines.parsing.model import ParsedReport
from tests.conftest import SEEDS, expected_papers

SEED_FILES = sorted(SEEDS.iterdir())
A_PAPER = "## 📄 A paper\n"  # a header alone is no report (`no_papers`)
SECTION_ORDER = ["domain", "contribution", "usage", "innovations", "results"]


@pytest.mark.parametrize(
    ("name", "report_date", "papers"),
    [
        ("000_18c40586699a2521.txt", dt.date(2026, 1, 12), 22),
        ("001_202c590195c4dd5f.txt", dt.date(2026, 1, 24), 27),
    ],
)
def test_seed_header_and_paper_count(name: str, report_date: dt.date, papers: int) -> None:
    parsed = parse_report((SEEDS / name).read_bytes())
    assert parsed.report_date == report_date
    assert parsed.source_url == f"https://huggingface.co/papers/date/{report_date}"
    assert len(parsed.papers) == papers
    assert parsed.problems == ()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.name)
def test_seed_titles_ids_and_order_match_the_report(path) -> None:
    parsed = parse_report(path.read_bytes())
    found = [(paper.rank, paper.title, paper.arxiv_id) for paper in parsed.papers]
    assert found == [(p.rank, p.title, p.arxiv_id) for p in expected_papers(path)]


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda path: path.name)
def test_every_seed_paper_has_five_sections_and_three_innovations(path) -> None:
    for paper in parse_report(path.read_bytes()).papers:
        assert [section.key for section in paper.sections] == SECTION_ORDER, paper.title
        assert [section.number for section in paper.sections] == [1, 2, 3, 4, 5]
        assert all(section.body.strip() for section in paper.sections), paper.title
        assert [item.ordinal for item in paper.innovations] == [1, 2, 3], paper.title
        assert all(item.name and item.description for item in paper.innovations), paper.title


def test_section_boundaries_of_the_first_paper() -> None:
    paper = parse_report(SEED_FILES[0].read_bytes()).papers[0]
    spans = {section.key: (section.line_start, section.line_end) for section in paper.sections}
    assert spans == {
        "domain": (12, 13),
        "contribution": (15, 16),
        "usage": (18, 24),
        "innovations": (26, 29),
        "results": (31, 34),
    }
    assert (paper.line_start, paper.line_end) == (7, 34)
    assert paper.sections[0].heading == "**1. 应用领域**"
    assert paper.sections[0].body.startswith("NLP - 大语言模型智能体 (LLM Agents)")
    assert paper.link_raw == "https://huggingface.co/papers/2601.05960"
    assert paper.reading_source == "HTML"
    assert paper.inner_heading is None
    first = paper.innovations[0]
    assert first.name == "推理成本摊销（Amortization of Reasoning）"
    assert first.description.startswith("通过将昂贵的“生成-批评-修改”循环")
    assert (first.line_start, first.line_end) == (27, 27)


def test_body_wrapped_in_markdown_fence() -> None:
    """Paper 7 of 2026-01-24 wraps its whole body in ```markdown … ```."""
    paper = parse_report(SEED_FILES[1].read_bytes()).papers[6]
    assert paper.title == "Towards Automated Kernel Generation in the Era of LLMs"
    assert (
        paper.inner_heading
        == "论文阅读报告：Towards Automated Kernel Generation in the Era of LLMs"
    )
    assert paper.sections[0].heading == "## 1. 应用领域"
    assert paper.sections[-1].line_end == 255  # the closing fence (line 256) is not body text
    assert "```" not in paper.sections[-1].body


def test_text_on_the_heading_line_is_body() -> None:
    text = "# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n\n## 📄 T\n- **链接**: https://huggingface.co/papers/2602.00001\n"
    text += "".join(
        f"{n}. **{name}**：正文{n}\n"
        for n, name in enumerate(
            ["应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果"], 1
        )
    )
    paper = parse_report(text.encode()).papers[0]
    assert [section.body for section in paper.sections] == [f"正文{n}" for n in range(1, 6)]
    assert paper.sections[0].heading == "1. **应用领域**："


def test_a_body_loses_the_indentation_its_lines_share() -> None:
    text = "# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n\n## 📄 T\n- **链接**: https://huggingface.co/papers/2602.00001\n"
    bodies = [
        ["   量子计算（Quantum Computing）。"],
        ["   第一行", "", "      缩进更深的一行", "   *   **输入**：列表"],
        [" 一个空格的缩进"],
        ["   *   **输入**：A", "       *   子项"],
        ["不缩进", "   缩进"],
    ]
    for number, (name, lines) in enumerate(
        zip(
            ["应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果"],
            bodies,
            strict=True,
        ),
        1,
    ):
        text += f"{number}. **{name}**\n" + "\n".join(lines) + "\n\n"
    paper = parse_report(text.encode()).papers[0]
    assert [section.body for section in paper.sections] == [
        "量子计算（Quantum Computing）。",
        "第一行\n\n   缩进更深的一行\n*   **输入**：列表",
        "一个空格的缩进",
        "*   **输入**：A\n    *   子项",
        "不缩进\n   缩进",  # nothing shared
    ]
    assert paper.innovations[0].name == "输入"
    # with text on the heading line, the lines below it lose what they share
    inline = text.replace("5. **实验效果**\n不缩进", "5. **实验效果**：不缩进")
    assert parse_report(inline.encode()).papers[0].sections[-1].body == "不缩进\n缩进"


@pytest.mark.parametrize(
    ("line", "key", "inline"),
    [
        ("**1. 应用领域**", "domain", ""),
        ("1. **应用领域**：", "domain", ""),
        ("1. **应用领域**", "domain", ""),
        ("### 1. 应用领域", "domain", ""),
        ("## 1. 应用领域", "domain", ""),
        ("**2. 一句话核心贡献**", "contribution", ""),
        ("2. **一句话核心贡献**：提出了", "contribution", "提出了"),
        ("### 3. 使用指南", "usage", ""),
        ("4. **主要创新点**：", "innovations", ""),
        ("### 5. 实验效果", "results", ""),
        ("**5. 实验效果：**", "results", ""),
        ("#### ５．实验结果", "results", ""),
        ("3、使用指南: 见下", "usage", "见下"),
        ("1. **应用领域**：**NLP**，大模型", "domain", "**NLP**，大模型"),
        ("**1. 应用领域：** **NLP**", "domain", "**NLP**"),
        ("##　1．　应用领域", "domain", ""),
        ("**一、应用领域**", "domain", ""),
        ("### 三、使用指南：见下", "usage", "见下"),
        ("五、**实验效果**", "results", ""),
        # An English name after the Chinese one is part of the heading; other brackets are text.
        ("### 1. 应用领域 (Application Domain)", "domain", ""),
        ("**1. 应用领域 (Application Domain)**: 计算机视觉", "domain", "计算机视觉"),
        ("2. **一句话核心贡献**（TL;DR）：提出了", "contribution", "提出了"),
        ("### 5. 实验效果 (Experimental Results)", "results", ""),
        ("1. **应用领域**（Computer Vision）：检测", "domain", "（Computer Vision）：检测"),
        ("1. **应用领域**（计算机视觉）", "domain", "（计算机视觉）"),
    ],
)
def test_heading_spellings(line: str, key: str, inline: str) -> None:
    heading = section_heading(line)
    assert heading is not None
    assert (heading.key, heading.inline_text) == (key, inline)


@pytest.mark.parametrize(
    "line",
    [
        "1.  **推理成本摊销（Amortization of Reasoning）**：通过将",
        "*   **输入**：用户的任务指令",
        "1. 应用领域广泛，涵盖",  # the name runs on into a sentence
        "6. 应用领域",  # only 1-5 number a section
        "六、应用领域",
        "一、应用领域广泛，涵盖",
        "应用领域",
    ],
)
def test_lines_that_are_not_section_headings(line: str) -> None:
    assert section_heading(line) is None


def test_repeated_section_name_inside_a_body_stays_body_text() -> None:
    names = ["应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果"]
    lines = [
        "# Hugging Face Daily Papers Report",
        "**Date**: 2026-02-01",
        "## 📄 T",
        "- **链接**: https://huggingface.co/papers/2602.00001",
    ]
    for number, name in enumerate(names, start=1):
        lines += [f"### {number}. {name}", f"正文{number}"]
    lines += ["1. **应用领域**：这一行是结果里的列表项"]
    paper = parse_report("\n".join(lines).encode()).papers[0]
    assert len(paper.sections) == 5
    assert paper.sections[-1].body == "正文5\n1. **应用领域**：这一行是结果里的列表项"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe\x00binary", "not_utf8"),
        (b"", "empty_file"),
        (b"  \n\n", "empty_file"),
        (b"# Some other document\n\n## \xf0\x9f\x93\x84 A paper\n", "not_a_report"),
    ],
)
def test_unusable_files_are_reported_not_raised(data: bytes, reason: str) -> None:
    parsed = parse_report(data)
    assert parsed.papers == ()
    assert [problem.reason_code for problem in parsed.problems] == [reason]


@pytest.mark.parametrize(
    ("link", "arxiv_id"),
    [
        ("https://huggingface.co/papers/2601.05960", "2601.05960"),
        ("https://arxiv.org/abs/2601.05960v2", "2601.05960"),
        ("<https://hf.co/papers/2601.05960>", "2601.05960"),
        ("[paper](https://arxiv.org/pdf/2601.05960)", "2601.05960"),
        ("https://example.com/2601.05960", None),
        ("https://huggingface.co/papers/2601.123456", None),  # no id is six digits long
    ],
)
def test_link_forms(link: str, arxiv_id: str | None) -> None:
    text = (
        f"# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n## 📄 T\n- **链接**: {link}\n"
    )
    assert parse_report(text.encode()).papers[0].arxiv_id == arxiv_id


def test_report_without_papers_is_rejected_whole() -> None:
    parsed = parse_report(b"# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n## P\n")
    assert (parsed.report_date, parsed.papers) == (None, ())
    (problem,) = parsed.problems
    assert (problem.reason_code, problem.level, problem.line_start, problem.line_end) == (
        "no_papers",
        "file",
        1,
        3,
    )


def test_paper_without_sections_has_no_sections() -> None:
    text = "# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n## 📄 T\n- **链接**: x\n"
    paper = parse_report(text.encode()).papers[0]
    assert (paper.sections, paper.innovations, paper.arxiv_id) == ((), (), None)


def test_a_run_of_unassigned_lines_is_one_problem() -> None:
    text = (
        "# Hugging Face Daily Papers Report\n**Date**: 2026-01-12\nstray one\n\nstray two\n"
        "---\nstray three\n## 📄 A paper\n- **链接**: https://huggingface.co/papers/2601.00001\n"
        "note a\nnote b\n"
    )
    parsed = parse_report(text.encode())
    spans = [(p.rank, p.line_start, p.line_end, p.raw_text) for p in parsed.problems]
    assert spans == [
        (None, 3, 5, "stray one\nstray two"),
        (None, 7, 7, "stray three"),
        (1, 10, 11, "note a\nnote b"),
    ]


@pytest.mark.parametrize(
    ("later", "kept_as_text"),
    [
        ("**Date**: (updated)", True),
        ("**Date**: 2026-02-03", True),
        ("**Date**: 2026-02-01", False),
    ],
)
def test_the_first_valid_date_is_the_reports(later: str, kept_as_text: bool) -> None:
    text = f"# Hugging Face Daily Papers Report\n**Date**: 2026-02-01\n{later}\n" + A_PAPER
    parsed = parse_report(text.encode())
    assert parsed.report_date == dt.date(2026, 2, 1)
    shown = [(p.reason_code, p.line_start, p.raw_text) for p in parsed.problems]
    assert shown == ([("unassigned_text", 3, later)] if kept_as_text else [])


FIRST_SEED = (SEEDS / "000_18c40586699a2521.txt").read_text(encoding="utf-8").split("\n")
TWO_PAPERS = FIRST_SEED[:68]  # the header and the first two papers (the second's heading: 39)


def two_papers(change) -> bytes:
    return ("\n".join(change(list(TWO_PAPERS))) + "\n").encode()


@pytest.mark.parametrize(
    "heading",
    ["#### 📄 {title}", " ## 📄 {title}", "   ### 📄 {title}", "\ufeff## 📄 {title}"],
)
def test_paper_heading_forms(heading: str) -> None:
    def change(lines: list[str]) -> list[str]:
        lines[38] = heading.format(title=lines[38].removeprefix("## 📄 "))
        return lines

    parsed = parse_report(two_papers(change))
    assert [paper.arxiv_id for paper in parsed.papers] == ["2601.05960", "2601.06021"]
    assert parsed.papers[1].title.startswith("Chaining the Evidence")
    assert all(paper.another_block_at is None for paper in parsed.papers)


def second_heading_without_emoji(lines: list[str]) -> list[str]:
    lines[38] = lines[38].replace("📄 ", "")
    return lines


def only_problem(parsed: ParsedReport) -> tuple[str, int, int]:
    (problem,) = parsed.problems
    return problem.reason_code, problem.line_start, problem.line_end


def test_an_unrecognised_heading_after_a_separator_is_not_part_of_the_paper_before() -> None:
    parsed = parse_report(two_papers(second_heading_without_emoji))
    (first,) = parsed.papers
    assert first.line_end == 34 and first.another_block_at is None
    assert "2601.06021" not in first.sections[-1].body
    assert only_problem(parsed) == ("unassigned_text", 39, 67)


def test_an_unrecognised_heading_without_a_separator_mixes_two_papers() -> None:
    def change(lines: list[str]) -> list[str]:
        lines = second_heading_without_emoji(lines)
        return lines[:35] + lines[38:]  # no separator between the papers

    data = two_papers(change)
    (first,) = parse_report(data).papers
    assert first.another_block_at == 38
    assert "2601.06021" in data.decode().split("\n")[37]  # the second paper's link line


def test_a_footer_after_the_last_paper_is_unassigned_text() -> None:
    footer = ["", "---", "*本报告由 AI 自动生成*", "**统计**: 今日共 2 篇论文"]
    parsed = parse_report(two_papers(lambda lines: lines + footer))
    assert parsed.papers[-1].sections[-1].line_end == 67
    assert only_problem(parsed) == ("unassigned_text", 71, 72)


def test_two_reports_in_one_file_are_rejected_whole() -> None:
    parsed = parse_report(two_papers(lambda lines: lines + lines[:5]))
    assert parsed.papers == ()
    (problem,) = parsed.problems
    assert (problem.reason_code, problem.level) == ("joined_reports", "file")
    assert "Line 69" in problem.message


def test_bold_numbered_innovations_and_sub_headings_stay_in_their_section() -> None:
    def change(lines: list[str]) -> list[str]:
        start = next(i for i, line in enumerate(lines) if "主要创新点" in line)
        items = [i for i in range(start + 1, start + 10) if lines[i].startswith("* **")]
        for number, index in enumerate(items, start=1):
            name, description = lines[index].removeprefix("* **").split("**", 1)
            lines[index] = f"**{number}. {name}**{description}"
        usage = next(i for i, line in enumerate(lines) if "使用指南" in line)
        lines.insert(usage + 1, "#### 3.1 输入")
        return lines

    parsed = parse_report(two_papers(change))
    first = parsed.papers[0]
    assert parsed.problems == ()
    assert [section.key for section in first.sections] == SECTION_ORDER
    assert len(first.innovations) == 3
    assert first.innovations[0].name and first.innovations[0].description
    assert "#### 3.1 输入" in first.sections[2].body


@pytest.mark.parametrize(
    ("value", "url"),
    [
        (
            "https://huggingface.co/papers/date/2026-01-12",
            "https://huggingface.co/papers/date/2026-01-12",
        ),
        (
            "<https://huggingface.co/papers/date/2026-01-12>",
            "https://huggingface.co/papers/date/2026-01-12",
        ),
        (
            "[hf](https://huggingface.co/papers/date/2026-01-12)",
            "https://huggingface.co/papers/date/2026-01-12",
        ),
        ("", None),
        ("see the website", None),
    ],
)
def test_source_url_forms(value: str, url: str | None) -> None:
    header = "# Hugging Face Daily Papers Report\n**Date**: 2026-01-12\n"
    text = f"{header}**Source URL**: {value}\n{A_PAPER}"
    parsed = parse_report(text.encode())
    assert parsed.source_url == url
    assert [p.line_start for p in parsed.problems] == ([] if url else [3])


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-12",
        "２０２６-０１-１２",
        "2026－01－12",
        "2026-01-12 (Monday)",
        "2026-01-12(Mon)",
        "2026-01-12（周一）",
        "**2026-01-12**",
    ],
)
def test_date_forms(value: str) -> None:
    text = f"# Hugging Face Daily Papers Report\n**Date**: {value}\n" + A_PAPER
    assert parse_report(text.encode()).report_date == dt.date(2026, 1, 12)


@pytest.mark.parametrize("value", ["2026-01-12x", "12/01/2026", "2026-13-01"])
def test_dates_that_are_not_dates(value: str) -> None:
    text = f"# Hugging Face Daily Papers Report\n**Date**: {value}\n" + A_PAPER
    assert parse_report(text.encode()).report_date is None


def test_a_bold_line_numbered_like_its_own_section_stays_in_it() -> None:
    def change(lines: list[str]) -> list[str]:
        third = next(i for i, line in enumerate(lines) if line.startswith("3.  **反馈提炼机制"))
        lines.insert(third + 1, "**4. 第四点**")  # numbered like section 4: inside it
        return lines

    parsed = parse_report(two_papers(change))
    assert parsed.problems == ()
    first = parsed.papers[0]
    assert [section.key for section in first.sections] == SECTION_ORDER
    assert first.sections[3].body.endswith("**4. 第四点**")


def test_a_second_link_line_keeps_the_first_id_and_is_reported() -> None:
    def change(lines: list[str]) -> list[str]:
        lines.insert(9, "- **链接**: https://huggingface.co/papers/2601.99999")
        return lines

    parsed = parse_report(two_papers(change))
    assert parsed.papers[0].arxiv_id == "2601.05960"
    assert [(p.reason_code, p.line_start) for p in parsed.problems] == [("unassigned_text", 10)]


def test_a_paper_that_repeats_its_own_link_in_a_section_is_one_paper() -> None:
    def change(lines: list[str]) -> list[str]:
        results = next(i for i, line in enumerate(lines) if "实验效果" in line)
        lines.insert(results + 1, "*   **链接**: https://huggingface.co/papers/2601.05960")
        return lines

    parsed = parse_report(two_papers(change))
    assert parsed.problems == ()
    assert [paper.arxiv_id for paper in parsed.papers] == ["2601.05960", "2601.06021"]
    assert parsed.papers[0].another_block_at is None  # not `mixed_blocks`


def test_a_title_ending_in_a_hash_keeps_it() -> None:
    def change(lines: list[str]) -> list[str]:
        lines[6] = "## 📄 Learning C#"
        return lines

    assert parse_report(two_papers(change)).papers[0].title == "Learning C#"


def test_a_body_in_a_md_fence_ends_at_the_fence() -> None:
    def change(lines: list[str]) -> list[str]:
        lines.insert(10, "```md")
        lines.insert(36, "```")
        return lines

    parsed = parse_report(two_papers(change))
    assert parsed.problems == ()
    assert "```" not in parsed.papers[0].sections[-1].body
