"""The line grammar of a report: headings, meta lines, separators, fences, list items, links.

The line patterns are anchored at the start of the line, and every pattern (the link and gloss
searches too) is built from simple, bounded pieces, so matching a line is linear in its length (no
nested quantifiers that could backtrack catastrophically).
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
# Section numbers may also be written as Chinese numerals (`**一、应用领域**`).
_SECTION_NUMBERS = str.maketrans("１２３４５一二三四五", "1234512345")
# Possessive quantifiers (`*+`, `++`) never give back what they matched, so no pattern here can
# backtrack: each line is matched in time linear in its length.
_BOLD = r"(?:\*\*|__)?+"
_SPACE = r"\s*+"

# Between the parts of a heading: any run of spaces and bold markers (`**1.** **应用领域**：`).
_DECORATION = r"(?:\*\*|__|\s)*+"

_SECTION_HEADING = re.compile(
    r"^ {0,3}(?:#{1,6}"
    + _SPACE
    + ")?+"
    + _DECORATION
    + r"(?P<number>[1-5１-５一二三四五])"
    + _SPACE
    + r"[.．、]?+"
    + _DECORATION
    + r"(?P<name>"
    + _NAME_ALTERNATIVES
    + r")(?=$|[\s*_:：(（])"
    + _DECORATION
    # An English name in brackets after the Chinese one, `应用领域 (Application Domain)`; only
    # one that names a section (`_GLOSS_WORDS`) is part of the heading, not of the text.
    + r"(?P<gloss>[(（][ A-Za-z;/&'\-]{1,40}[)）])?+"
    + _DECORATION
    + r"(?P<colon>[:：])?+"
    + _DECORATION
    + r"(?P<rest>.*)$"
)
# Words of the English names a section is glossed with (`一句话核心贡献 (TL;DR)`).
_GLOSS_WORDS = re.compile(
    r"\b(?:domain|area|field|contribution|summary|tl;dr|usage|use|guide|innovation|novelty|result"
    r"|experiment|performance|evaluation)",
    re.IGNORECASE,
)
# Numbered headings with a name that is not one of the five: a Markdown heading, or a line that
# is bold from the number to the end (`**6. 局限性**`). `6. **局限性**` stays a list item.
_NUMBERED_ATX_HEADING = re.compile(
    r"^ {0,3}#{1,6}"
    + _SPACE
    + _BOLD
    + _SPACE
    + r"(?P<number>[0-9０-９]{1,2})"
    + _SPACE
    + r"[.．、](?P<sub>[0-9０-９])?+"
)
_NUMBERED_BOLD_HEADING = re.compile(
    r"^(?:\*\*|__)"
    + _SPACE
    + r"(?P<number>[0-9０-９]{1,2})"
    + _SPACE
    + r"[.．、](?P<sub>[0-9０-９])?+[^*_]*+(?:\*\*|__)"
    + _SPACE
    + r"[:：]?+$"
)
# A bold numbered line as a list item: `**1. 推理成本摊销**` or `**1. 推理成本摊销**：…`.
_BOLD_NUMBERED_ITEM = re.compile(
    r"^(?P<indent> *+)(?:\*\*|__)"
    + _SPACE
    + r"[0-9０-９]{1,3}"
    + _SPACE
    + r"[.)、．]"
    + _SPACE
    + r"(?P<name>[^*_]++)(?:\*\*|__)"
    + _SPACE
    + r"(?P<rest>.*)$"
)
_PAPER_HEADING = re.compile(r"^ {0,3}#{1,6}" + _SPACE + r"📄(?P<title>.*)$")
_URL = re.compile(r"^https?://\S++$")
_ANGLE_URL = re.compile(r"^<(?P<url>[^<>\s]++)>$")
_LINKED_URL = re.compile(r"^\[[^\]]*+\]\((?P<url>[^()\s]++)\)$")
_DATE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})(?:$|[\s(（])")
_REPORT_TITLE = re.compile(r"^#" + _SPACE + r"Hugging Face Daily Papers Report$", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}\s++(?P<text>.*)$")
_META = re.compile(
    r"^\s*+(?:[-*+]\s++)?+"
    + _BOLD
    + _SPACE
    + r"(?P<label>链接|阅读来源|Date|Source URL)"
    + _SPACE
    + _BOLD
    + _SPACE
    + r"[:：]"
    + _SPACE
    + _BOLD
    + _SPACE
    + r"(?P<value>.*)$",
    re.IGNORECASE,
)
_META_FIELDS = {
    "链接": "link",
    "阅读来源": "reading_source",
    "date": "date",
    "source url": "source_url",
}
_SEPARATOR = re.compile(r"^\s*+(?:=++|-{3,}+|\*{3,}+|_{3,}+)\s*+$")
_FENCE = re.compile(
    r"^ {0,3}(?:```|~~~)" + _SPACE + r"(?:markdown|md)?+" + _SPACE + "$", re.IGNORECASE
)
_LIST_ITEM = re.compile(r"^(?P<indent> *+)(?:[-*+•]|\d{1,3}[.)、．])\s++(?P<text>.*)$")
_BOLD_LEADS = (
    re.compile(r"^\*\*(?P<name>[^*]++)\*\*" + _SPACE + r"[:：]?+" + _SPACE + r"(?P<rest>.*)$"),
    re.compile(r"^__(?P<name>[^_]++)__" + _SPACE + r"[:：]?+" + _SPACE + r"(?P<rest>.*)$"),
)
_COLON_LEAD = re.compile(r"^(?P<name>[^:：]{1,80}+)[:：]" + _SPACE + r"(?P<rest>.*)$")
_ARXIV_ID = re.compile(
    r"(?:huggingface\.co|hf\.co)/papers/(?P<hf>\d{4}\.\d{4,5})(?:v\d++)?+(?!\d)"
    r"|arxiv\.org/(?:abs|pdf)/(?P<arxiv>\d{4}\.\d{4,5})(?:v\d++)?+(?!\d)",
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
    gloss = match["gloss"]
    # `应用领域（Computer Vision）`: brackets that do not name a section are the section's text.
    split = match.start("rest") if gloss is None or is_gloss(gloss) else match.start("gloss")
    # The bold after a colon closes `**应用领域：**`; with the bold already closed
    # (`**应用领域**：**NLP**…`) it opens the text instead, so it goes back to the text.
    for marker in ("**", "__"):
        heading_part = line[:split].rstrip()
        if heading_part.endswith(marker) and heading_part.count(marker) % 2:
            split = len(heading_part) - len(marker)
    rest = line[split:].strip()
    heading = line[:split].strip()
    return SectionHeading(
        number=int(match["number"].translate(_SECTION_NUMBERS)),
        key=_KEY_BY_NAME[match["name"]],
        heading=heading,
        inline_text=rest,
    )


def is_gloss(text: str) -> bool:
    """Whether bracketed English text after a section name names a section (translates it)."""
    return _GLOSS_WORDS.search(text) is not None


def paper_title(line: str) -> str | None:
    """The paper title if this line opens a paper block (`## 📄 <title>`)."""
    match = _PAPER_HEADING.match(line)
    return _without_closing_hashes(match["title"]) if match else None


def is_report_title(line: str) -> bool:
    return _REPORT_TITLE.match(line) is not None


def markdown_heading(line: str) -> str | None:
    """The text of a Markdown ATX heading line, if the line is one."""
    match = _MARKDOWN_HEADING.match(line)
    return _without_closing_hashes(match["text"]) if match else None


def unknown_section_number(line: str) -> int | None:
    """The number of a numbered heading whose name is not one of the five sections, e.g. 6 for
    `## 6. 局限性`; None for any other line, and for a numbered sub-heading (`### 3.1 输入`)."""
    numbered = _NUMBERED_ATX_HEADING.match(line) or _NUMBERED_BOLD_HEADING.match(line)
    if numbered is None or numbered["sub"] or section_heading(line) is not None:
        return None
    return int(numbered["number"].translate(_FULL_WIDTH_DIGITS))


def meta_field(line: str) -> tuple[str, str] | None:
    """`(field, value)` for a labelled meta line such as `- **链接**: <url>`."""
    match = _META.match(line)
    if match is None:
        return None
    return _META_FIELDS[match["label"].lower()], match["value"].strip()


def is_separator(line: str) -> bool:
    return _SEPARATOR.match(line) is not None


def is_fence(line: str) -> bool:
    """A bare code fence or one that declares Markdown: the wrapper some bodies come in."""
    return _FENCE.match(line) is not None


def list_item(line: str) -> tuple[int, str] | None:
    """`(indent, text)` for a bulleted or numbered list item; a bold numbered line
    (`**1. 名称**：…`) is one too, its text `**名称**：…`."""
    match = _LIST_ITEM.match(line)
    if match:
        return len(match["indent"]), match["text"]
    bold = _BOLD_NUMBERED_ITEM.match(line)
    if bold:
        return len(bold["indent"]), f"**{bold['name'].strip()}**{bold['rest']}"
    return None


def url_value(value: str) -> str | None:
    """The URL a meta value gives, written plain, as `<url>` or as `[text](url)`."""
    value = value.strip()
    for form in (_ANGLE_URL, _LINKED_URL):
        if match := form.match(value):
            value = match["url"]
    return value if _URL.match(value) else None


def date_value(value: str) -> str | None:
    """The `YYYY-MM-DD` a date meta value starts with (full-width digits read as digits; a
    weekday or note after it, as in `2026-01-12 (Monday)`, is allowed)."""
    value = value.translate(_FULL_WIDTH_DIGITS).replace("－", "-").strip("*_ `")
    match = _DATE.match(value)
    return match["date"] if match else None


def split_lead(text: str) -> tuple[str, str]:
    """Split `**name**：description` (or `name：description`) into name and description."""
    match = next((found for lead in _BOLD_LEADS if (found := lead.match(text))), None)
    match = match or _COLON_LEAD.match(text)
    if match is None:
        return text.strip(), ""
    return match["name"].strip().rstrip(":：").strip(), match["rest"].strip()


def arxiv_id(link: str) -> str | None:
    """The arXiv id a paper link points at, without version suffix."""
    match = _ARXIV_ID.search(link)
    if match is None:
        return None
    return match["hf"] or match["arxiv"]


def _without_closing_hashes(text: str) -> str:
    """Heading text without the optional closing `#` run (`## Title ##` -> `Title`; `C#` stays)."""
    text = text.strip()
    opened = text.rstrip("#")
    if opened != text and (not opened or opened[-1].isspace()):
        return opened.rstrip()
    return text
