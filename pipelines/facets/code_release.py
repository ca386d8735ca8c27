"""Code release status of a paper: released, promised or not mentioned, with the deciding phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.facets.patterns import CLAUSE
from pipelines.facets.vocab import (
    CODE_DENIED,
    CODE_LINK,
    CODE_NOT_STATED,
    CODE_PROMISED,
    CODE_RELEASED,
)


@dataclass(frozen=True)
class CodeRelease:
    status: str
    phrase: str | None
    section_key: str | None
    start: int | None  # character span of the phrase in the section body
    end: int | None


def code_release(sections: list[tuple[str, str]]) -> CodeRelease:
    """Decide from the sections' `(key, body)`. Each clause says the code is out, will come, or
    nothing; a clause saying it is not stated (未提及…) or not out (没有开源…) says nothing.
    Released wins over promised (code out, data to follow), and the first deciding clause is
    kept as the phrase."""
    found: dict[str, CodeRelease] = {}
    for key, body in sections:
        if not _STATUS_WORDS.search(body.lower()):
            continue  # no clause of it can match (clauses are pieces of the body)
        for clause in CLAUSE.finditer(body):
            if not _STATUS_WORDS.search(clause[0].lower()):
                continue  # likewise for the clause: most clauses are skipped here
            status, at, phrase = _classify(clause[0])
            if status and status not in found:
                start = clause.start() + at
                text = clause[0].strip(" *-:：\t")
                found[status] = CodeRelease(status, text, key, start, start + len(phrase))
    return (
        found.get("released")
        or found.get("promised")
        or CodeRelease("not_mentioned", None, None, None, None)
    )


_PATTERNS = {
    status: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    for status, patterns in (("promised", CODE_PROMISED), ("released", CODE_RELEASED))
}

# Every pattern above contains one of these words (in lower case): a quick search for them skips
# most sections and clauses.
_STATUS_WORDS = re.compile(
    r"开源|公开|发布|项目主页|项目地址|提供|github|huggingface|hf\.co|coming|will be|available|open"
)


_DENIED = re.compile("|".join(f"(?:{p})" for p in CODE_DENIED), re.IGNORECASE)
_BUILDS_ON = re.compile(r"基于|依赖|借助|built (?:on|upon)|based on|relies on", re.IGNORECASE)
_LINK = re.compile(CODE_LINK, re.IGNORECASE)


def _classify(clause: str) -> tuple[str | None, int, str]:
    if any(negation in clause for negation in CODE_NOT_STATED) or _DENIED.search(clause):
        return None, 0, ""
    # A link in a clause about what the work builds on (基于 X, 依赖 X) is X's, not the work's.
    builds_on = _BUILDS_ON.search(clause) is not None
    for status, pattern in _PATTERNS.items():
        for match in pattern.finditer(clause):
            if not (builds_on and _LINK.fullmatch(match[0])):
                return status, match.start(), match[0]
    return None, 0, ""
