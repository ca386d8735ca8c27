"""The line grammar of a report: headings, meta lines, separators, fences, list items, links.

Every pattern is anchored and built from simple, bounded pieces, so matching a line is linear in its
length (no nested quantifiers that could backtrack catastrophically).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.sections import SECTION_KEYS

# The names (and near synonyms) that introduce each section, in report order.
SECTION_NAMES: dict[str, tuple[str, ...]] = dict(
    zip(
        SECTION_KEYS,
        (
            ("应用领域", "研究领域", "应用场景"),
            ("一句话核心贡献", "核心贡献", "主要贡献", "一句话总结"),
            ("使用指南", "使用方法", "使用说明"),
            ("主要创新点", "核心创新点", "创新点", "主要创新"),
            ("实验效果", "实验结果", "实验表现"),
        ),
        strict=True,
    )
)
_KEY_BY_NAME = {name: key for key, names in SECTION_NAMES.items() for name in names}
# Longest names first, so "一句话核心贡献" wins over "核心贡献".
_NAME_ALTERNATIVES = "|".join(sorted(map(re.escape, _KEY_BY_NAME), key=len, reverse=True))

_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_BOLD = r"(?:\*\*|__)?"

_SECTION_HEADING = re.compile(
    r"^ {0,3}(?:#{1,6}[ \t]*)?"
    + _BOLD
    + r"\s*(?P<number>[1-5１-５])\s*[.．、]?\s*"
    + _BOLD
    + r"\s*(?P<name>"
    + _NAME_ALTERNATIVES
    + r")(?=$|[\s*_:：(（])\s*"
    + _BOLD
    + r"\s*(?P<colon>[:：])?\s*"
    + _BOLD
    + r"\s*(?P<rest>.*)$"
)
_PAPER_HEADING = re.compile(r"^#{1,3}\s*📄\s*(?P<title>.*?)\s*#*\s*$")
_REPORT_TITLE = re.compile(r"^#\s*Hugging Face Daily Papers Report\s*$", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(?P<text>.*?)\s*#*\s*$")
_META = re.compile(
    r"^\s*(?:[-*+]\s+)?"
    + _BOLD
    + r"\s*(?P<label>链接|阅读来源|Date|Source URL)\s*"
    + _BOLD
    + r"\s*[:：]\s*"
    + _BOLD
    + r"\s*(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
_META_FIELDS = {
    "链接": "link",
    "阅读来源": "reading_source",
    "date": "date",
    "source url": "source_url",
}
_SEPARATOR = re.compile(r"^\s*(?:={3,}|-{3,}|\*{3,}|_{3,})\s*$")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)\s*(?:markdown|md)?\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^(?P<indent> *)(?:[-*+•]|\d{1,3}[.)、．])\s+(?P<text>.*)$")
_BOLD_LEAD = re.compile(r"^(?:\*\*|__)(?P<name>[^*_]+?)(?:\*\*|__)\s*[:：]?\s*(?P<rest>.*)$")
_COLON_LEAD = re.compile(r"^(?P<name>[^:：]{1,80})[:：]\s*(?P<rest>.*)$")
_ARXIV_ID = re.compile(
    r"(?:huggingface\.co|hf\.co)/papers/(?P<hf>\d{4}\.\d{4,5})(?:v\d+)?(?![\d.])"
    r"|arxiv\.org/(?:abs|pdf)/(?P<arxiv>\d{4}\.\d{4,5})(?:v\d+)?(?![\d.])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SectionHeading:
    number: int
    key: str
    heading: str
    inline_text: str


def section_heading(line: str) -> SectionHeading | None:
    """The section heading on this line, if the line is one."""
    match = _SECTION_HEADING.match(line)
    if match is None:
        return None
    rest = match["rest"].strip()
    heading = line[: match.start("rest")].strip()
    return SectionHeading(
        number=int(match["number"].translate(_FULL_WIDTH_DIGITS)),
        key=_KEY_BY_NAME[match["name"]],
        heading=heading,
        inline_text=rest,
    )


def paper_title(line: str) -> str | None:
    """The paper title if this line opens a paper block (`## 📄 <title>`)."""
    match = _PAPER_HEADING.match(line)
    return match["title"] if match else None


def is_report_title(line: str) -> bool:
    return _REPORT_TITLE.match(line) is not None


def markdown_heading(line: str) -> str | None:
    """The text of a Markdown ATX heading line, if the line is one."""
    match = _MARKDOWN_HEADING.match(line)
    return match["text"] if match else None


def meta_field(line: str) -> tuple[str, str] | None:
    """`(field, value)` for a labelled meta line such as `- **链接**: <url>`."""
    match = _META.match(line)
    if match is None:
        return None
    return _META_FIELDS[match["label"].lower()], match["value"]


def is_separator(line: str) -> bool:
    return _SEPARATOR.match(line) is not None


def is_fence(line: str) -> bool:
    """A bare code fence or one that declares Markdown: the wrapper some bodies come in."""
    return _FENCE.match(line) is not None


def list_item(line: str) -> tuple[int, str] | None:
    """`(indent, text)` for a bulleted or numbered list item."""
    match = _LIST_ITEM.match(line)
    return (len(match["indent"]), match["text"]) if match else None


def split_lead(text: str) -> tuple[str, str]:
    """Split `**name**：description` (or `name：description`) into name and description."""
    match = _BOLD_LEAD.match(text) or _COLON_LEAD.match(text)
    if match is None:
        return text.strip(), ""
    return match["name"].strip().rstrip(":：").strip(), match["rest"].strip()


def arxiv_id(link: str) -> str | None:
    """The arXiv id a paper link points at, without version suffix."""
    match = _ARXIV_ID.search(link)
    if match is None:
        return None
    return match["hf"] or match["arxiv"]
