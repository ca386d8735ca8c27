"""A paper's top-level domain from section 1, from a small controlled vocabulary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.facets.vocab import DOMAIN_RULES


@dataclass(frozen=True)
class Domain:
    category: str
    matched: str | None  # the keyword that decided it


def domain_category(body: str) -> Domain:
    """The first label of section 1 decides (`NLP - …`, `计算机视觉 - …`); if it names no
    category, the whole section is tried."""
    first_label = re.split(r" - |、|，|。|；", body.strip(), maxsplit=1)[0]
    for text in (first_label, body):
        lowered = text.lower()
        for category, keywords in DOMAIN_RULES:
            for keyword in keywords:
                if keyword.isascii() and keyword.isalnum():
                    hit = _ascii_word(lowered, keyword)
                else:
                    hit = keyword in lowered
                if hit:
                    return Domain(category, keyword)
    return Domain("Other", None)


def _ascii_word(text: str, word: str) -> bool:
    """`word` as a whole word (so `cv` does not match inside `cvpr`)."""
    start = text.find(word)
    while start >= 0:
        before = text[start - 1] if start else " "
        after = text[start + len(word)] if start + len(word) < len(text) else " "
        if not (before.isascii() and before.isalnum()) and not (
            after.isascii() and after.isalnum()
        ):
            return True
        start = text.find(word, start + 1)
    return False
