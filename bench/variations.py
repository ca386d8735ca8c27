"""Rewrite a real report with the formatting variations the parser must hold up to.

Every rewrite keeps the content: same papers, ids, titles, section texts. `vary` takes the
choices (drawn by hypothesis in the tests) and a `random.Random` for the per-line ones.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from pipelines.parsing import parse_report
from pipelines.parsing.grammar import SECTION_NAMES

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
CHINESE_NUMERALS = "一二三四五"  # sections 1 to 5
# English names a section heading may carry after the Chinese one.
GLOSSES = {
    "domain": ("Application Domain", "Research Area"),
    "contribution": ("TL;DR", "Core Contribution"),
    "usage": ("Usage Guide", "How to Use"),
    "innovations": ("Key Innovations", "Novelty"),
    "results": ("Experimental Results", "Performance"),
}
HEADING_STYLES = (
    "**{n}. {name}**",
    "{n}. **{name}**",
    "{n}. **{name}**：",
    "{n}. **{name}：**",
    "**{n}. {name}：**",
    "**{n}.** **{name}**",
    "# {n}. {name}",
    "## {n}. {name}",
    "### {n}. {name}",
    "###### {n}、{name}",
    "#### {fn}．{name}",
    "### **{n}. {name}**",
    "__{n}. {name}__",
    "**{fn}、{name}**:",
    "**{cn}、{name}**",
    "{cn}、**{name}**：",
    "{n}. **{name} ({gloss})**",
    "**{n}. {name}（{gloss}）**",
)
INLINE_STYLES = (
    "{n}. **{name}**：{text}",
    "**{n}. {name}**: {text}",
    "### {n}. {name}：{text}",
    "**{n}. {name}：** {text}",
    "{n}、**{name}**：{text}",
)
LINK_FORMS = (
    "https://huggingface.co/papers/{id}",
    "https://huggingface.co/papers/{id}/",
    "https://huggingface.co/papers/{id}?utm_source=digest",
    "https://hf.co/papers/{id}",
    "https://arxiv.org/abs/{id}",
    "https://arxiv.org/abs/{id}v2",
    "https://arxiv.org/pdf/{id}",
    "https://arxiv.org/pdf/{id}v1.pdf",
    "<https://huggingface.co/papers/{id}>",
    "[{id}](https://huggingface.co/papers/{id})",
    "[arXiv](https://arxiv.org/abs/{id}v3)",
)
META_LABELS = (
    "- **{label}**: ",
    "- **{label}**：",
    "- **{label}：** ",
    "* **{label}**: ",
    "- {label}：",
)
TRAILING = ("", " ", "   ", "\u3000", "\t", " \u3000 ")
_PLAIN_LINE = re.compile(r"^[^\s*#>|`\-+0-9\[<_!]")


@dataclass(frozen=True)
class Choices:
    line_ending: str = "\n"
    bom: bool = False
    tabs: bool = False
    trailing_spaces: bool = False
    separators: bool = False
    fences: bool = False
    inner_headings: bool = False
    headings: bool = False
    inline_text: bool = False
    links: bool = False
    meta_labels: bool = False
    paper_headings: bool = False


def vary(data: bytes, choices: Choices, rng: random.Random) -> bytes:
    lines = data.decode("utf-8").split("\n")
    parsed = parse_report(data)
    replace: dict[int, list[str]] = {}  # 0-based line index -> the lines that stand for it
    for paper in parsed.papers:
        _vary_paper(lines, paper, choices, rng, replace)
    out: list[str] = []
    for index, line in enumerate(lines):
        for text in replace.get(index, [line]):
            if choices.separators and re.fullmatch(r"=+", text):
                text = rng.choice("=-") * rng.randint(3, 90) if rng.random() < 0.9 else "="
            if choices.tabs:
                text = re.sub(r"^((?:    )+)", lambda m: "\t" * (len(m[1]) // 4), text)
            if choices.trailing_spaces and text:
                text += rng.choice(TRAILING)
            out.append(text)
    text = choices.line_ending.join(out)
    return ("\ufeff" if choices.bom else "").encode() + text.encode("utf-8")


def _vary_paper(lines, paper, choices, rng, replace) -> None:
    first_section = paper.sections[0].line_start - 1
    if choices.paper_headings:  # `## 📄 Title` as any heading level, indented up to 3 spaces
        heading = paper.line_start - 1
        title = re.sub(r"^ {0,3}#{1,6}\s*📄", "", lines[heading])
        prefix = " " * rng.randint(0, 3) + "#" * rng.randint(1, 6) + rng.choice(["", " ", "  "])
        replace[heading] = [prefix + "📄" + title]
    block = range(paper.line_start, first_section)
    if choices.links or choices.meta_labels:
        for index in block:
            match = re.match(r"^- \*\*(链接|阅读来源)\*\*: (.*)$", lines[index])
            if not match:
                continue
            label, value = match.groups()
            if label == "链接" and choices.links:
                value = rng.choice(LINK_FORMS).format(id=paper.arxiv_id)
            prefix = rng.choice(META_LABELS) if choices.meta_labels else "- **{label}**: "
            replace[index] = [prefix.format(label=label) + value]
    inner = next((i for i in block if lines[i].startswith("# ")), None)
    if choices.inner_headings and rng.random() < 0.5:
        if inner is not None:
            replace[inner] = []
        else:
            replace[first_section] = [f"# {paper.title} 研究报告", "", lines[first_section]]
    if choices.headings or choices.inline_text:
        for section in paper.sections:
            _vary_heading(lines, section, choices, rng, replace)
    already_fenced = any(lines[i].startswith("```") for i in block)
    if choices.fences and not already_fenced and rng.random() < 0.5:
        opening = replace.get(first_section, [lines[first_section]])
        replace[first_section] = [rng.choice(["```markdown", "```", "~~~"]), *opening]
        last = paper.line_end - 1
        closing = "~~~" if replace[first_section][0] == "~~~" else "```"
        replace[last] = [*replace.get(last, [lines[last]]), closing]


def _vary_heading(lines, section, choices, rng, replace) -> None:
    index = section.line_start - 1
    if index in replace:  # the fence or inner heading went in front of this heading
        return
    name = rng.choice(SECTION_NAMES[section.key])
    n = str(section.number)
    fields = {
        "n": n,
        "fn": n.translate(FULL_WIDTH),
        "cn": CHINESE_NUMERALS[section.number - 1],
        "name": name,
        "gloss": rng.choice(GLOSSES[section.key]),
    }
    body_index = index + 1
    body_line = lines[body_index] if body_index < len(lines) else ""
    if (
        choices.inline_text
        and section.line_end > section.line_start
        and _PLAIN_LINE.match(body_line)
        and not section.heading.endswith(("：", ":"))
        and rng.random() < 0.5
    ):
        replace[index] = [rng.choice(INLINE_STYLES).format(text=body_line, **fields)]
        replace[body_index] = []
    elif choices.headings:
        replace[index] = [rng.choice(HEADING_STYLES).format(**fields)]
