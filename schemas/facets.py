"""Facets extracted from the section texts: domain, usage items, mentions, code release, results.

Every row points back to the text it came from with the usual file provenance (lines and
hashes); mentions, usage items, results and a decided code release also keep the character span
in their section's `body`, and a domain the keyword that decided it.
"""

import datetime as dt

import pandera.polars as pa

from schemas import fields
from schemas.sections import SECTION_KEYS

DOMAIN_CATEGORIES = (
    "NLP", "Computer Vision", "Multimodal", "Robotics/Embodied", "Speech/Audio",
    "Reinforcement Learning", "Systems/HPC", "Quantum", "Scientific Computing", "Education",
    "Other",
)  # fmt: skip
USAGE_FACETS = ("inputs", "outputs", "workflow", "hardware", "code", "other")
MENTION_KINDS = ("hardware", "benchmark", "model", "link", "domain_term")
CODE_STATUSES = ("released", "promised", "not_mentioned")
RESULT_UNITS = ("%", "x", "pp", "points")
RESULT_CHANGES = ("increase", "decrease")


class DomainsSchema(pa.DataFrameModel):
    """One row per paper: its top-level domain category."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    category: str = pa.Field(
        isin=DOMAIN_CATEGORIES,
        description="Top-level category: " + ", ".join(DOMAIN_CATEGORIES) + ".",
    )
    matched: str = pa.Field(
        nullable=True, description="The keyword of section 1 that decided the category."
    )
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id"]
        description = "Domains: one row per paper, its category from a controlled vocabulary."


class UsageFacetsSchema(pa.DataFrameModel):
    """The labelled items of each paper's usage section (`**输入**：…`)."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    ordinal: int = pa.Field(gt=0, description="Position of the item in the usage section.")
    facet: str = pa.Field(
        isin=USAGE_FACETS, description="What the item states: " + ", ".join(USAGE_FACETS) + "."
    )
    label: str = pa.Field(str_contains=r"\S", description="The item's bold label, as written.")
    text: str = pa.Field(
        description="The item's text after its label, with its sub-items, as Markdown (their "
        "indentation removed, so not a substring of `body`)."
    )
    char_start: int = pa.Field(
        ge=0,
        description="Start of the whole item (list marker, label, text and sub-items) in "
        "its section's `body` (0-based char).",
    )
    char_end: int = pa.Field(ge=0, description="End of the whole item in `body` (exclusive).")
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id", "ordinal"]
        description = (
            "Usage facets: inputs, outputs, workflow, hardware and code items of section 3."
        )


class MentionsSchema(pa.DataFrameModel):
    """Named things in the section texts: hardware, benchmarks, models, links, domain terms."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    section_key: str = pa.Field(isin=SECTION_KEYS, description="Section the mention is in.")
    kind: str = pa.Field(isin=MENTION_KINDS, description="One of " + ", ".join(MENTION_KINDS) + ".")
    char_start: int = fields.char_start()
    char_end: int = fields.char_end()
    name: str = pa.Field(
        str_contains=r"\S",
        description="The mention as written; one of a shortened list (`Qwen2.5-14B/32B`, "
        "`AIME 2024/2025`, `TPU (v4/v5p)`) written out in full, its span on the part that "
        "names it.",
    )
    normalized_name: str = pa.Field(
        str_contains=r"\S",
        description="Normalised name (aliases resolved, e.g. `MATH500` → `MATH-500`; hardware "
        "without vendor or memory, e.g. `RTX 3090`; Hugging Face links as repo ids). A "
        "benchmark or model one paper writes in several ways (`MirrorBench`, `mirrorbench`) "
        "has the spelling the paper uses first.",
    )
    count: int = pa.Field(nullable=True, ge=1, description="Hardware: number of devices stated.")
    memory_gb: float = pa.Field(
        nullable=True, ge=0, description="Hardware: memory per device in GB."
    )
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id", "section_key", "kind", "char_start"]
        description = "Mentions: hardware, benchmarks, models, links and domain terms, with spans."


class CodeReleaseSchema(pa.DataFrameModel):
    """Whether each paper's code (or weights, data) is released, promised or not mentioned."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    status: str = pa.Field(isin=CODE_STATUSES, description="released, promised or not_mentioned.")
    phrase: str = pa.Field(nullable=True, description="The clause that decided the status.")
    section_key: str = pa.Field(nullable=True, isin=SECTION_KEYS, description="Its section.")
    char_start: int = pa.Field(nullable=True, ge=0, description="Start of the deciding words.")
    char_end: int = pa.Field(nullable=True, ge=0, description="End of the deciding words.")
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id"]
        description = "Code release: one row per paper, with the phrase that decided it."


class ResultsSchema(pa.DataFrameModel):
    """Numbers reported in section 5 (实验效果)."""

    report_date: dt.date = fields.report_date()
    arxiv_id: str = fields.arxiv_id()
    ordinal: int = pa.Field(gt=0, description="Position of the number in the results section.")
    benchmark: str = pa.Field(
        nullable=True,
        description="Benchmark named in the same sentence: paired in order where the sentence "
        "says 分别 or respectively, else the nearest before the number, else the first after it.",
    )
    metric: str = pa.Field(nullable=True, description="Metric named before the number, if any.")
    value_text: str = pa.Field(
        str_contains=r"\d",
        description="The value as written, e.g. `89.1%`, `13倍`, `2.3倍至 10倍`.",
    )
    value: float = pa.Field(nullable=True, description="The value as a number (null for ranges).")
    unit: str = pa.Field(
        nullable=True,
        isin=RESULT_UNITS,
        description="`%`, `x` (times), `pp`, `points`.",
    )
    change: str = pa.Field(
        nullable=True,
        isin=RESULT_CHANGES,
        description="`increase` or `decrease` when the number is a change, by the words right "
        "around it (`提升了约 6.1%`, `高出 6.1%`, `快 13 倍`, `reduces latency by 30%`, "
        "`5% 的提升`, `+2.6`, a margin: `比基线高 5%`, `surpasses X by 3%`, and the rest of a "
        "list after them); null when it states a level "
        "(`达到 85%`, `提升至 85%`, `超过 90%`, `from 70% to 75%`). `value` keeps the sign as "
        "written. Compare levels with levels: `WHERE change IS NULL`.",
    )
    sentence: str = pa.Field(description="The sentence the number came from.")
    char_start: int = fields.char_start()
    char_end: int = fields.char_end()
    source_file: str = fields.source_file()
    source_sha256: str = fields.source_sha256()
    line_start: int = fields.line_start()
    line_end: int = fields.line_end()
    span_sha256: str = fields.span_sha256()

    class Config:
        strict = True
        unique = ["report_date", "arxiv_id", "ordinal"]
        description = "Results: numbers reported in section 5 with benchmark, metric and sentence."
