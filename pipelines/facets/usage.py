"""Usage facets: the labelled items of section 3 (`**输入**：…`) sorted into inputs, outputs,
workflow, hardware and code; other labels are kept as `other`."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from pipelines.facets.vocab import USAGE_LABELS

# A top-level list item whose text starts with a bold label: `*   **输入**：text`
_LABELLED = re.compile(
    r"^(?P<indent>[ \t]*)(?:[*+\-]|\d{1,2}[.)])[ \t]+"
    r"\*\*(?P<label>[^*\n]{1,40}?)[：:]?\*\*[：:]?[ \t]*(?P<text>.*)$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class UsageItem:
    ordinal: int
    facet: str
    label: str
    text: str
    start: int  # character span of the item (label line and its sub-items) in the section body
    end: int


def facet_of(label: str) -> str:
    for facet, keywords in USAGE_LABELS:
        if any(keyword in label for keyword in keywords):
            return facet
    return "other"


def usage_items(body: str) -> list[UsageItem]:
    """The labelled items at the shallowest indentation, each with the lines below it."""
    # A blank bold label (`**  **`) labels nothing: the line is text of the item above.
    matches = [match for match in _LABELLED.finditer(body) if match["label"].strip()]
    if not matches:
        return []
    top = min(len(m["indent"].expandtabs(4)) for m in matches)
    tops = [m for m in matches if len(m["indent"].expandtabs(4)) == top]
    items = []
    for ordinal, (match, following) in enumerate(
        zip(tops, [*tops[1:], None], strict=True), start=1
    ):
        end = following.start() if following else len(body)
        rest = textwrap.dedent(body[match.end() : end].strip("\n"))
        text = "\n".join(part for part in (match["text"].strip(), rest) if part.strip())
        label = match["label"].strip()
        items.append(UsageItem(ordinal, facet_of(label), label, text, match.start(), end))
    return items
