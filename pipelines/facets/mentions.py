"""Find mentions in a section's text: hardware, benchmarks, models, links and domain terms.

Each mention keeps the text as written, a normalised name and its character span in the
section body. The patterns run in linear time: every repeated group starts with a separator
that its body cannot contain, so there is one way to match (no catastrophic backtracking).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from pipelines.facets.patterns import (
    CLAUSE,
    CLAUSE_ENDS,
    NOT_AFTER_WORD,
    NOT_BEFORE_WORD,
    Bounded,
)
from pipelines.facets.vocab import (
    BENCHMARKS,
    HARDWARE_MODELS,
    METRICS,
    MODEL_ALIASES,
    MODEL_FAMILIES,
)


@dataclass(frozen=True)
class Mention:
    kind: str
    name: str  # as written
    normalized_name: str
    start: int  # character span in the section body
    end: int
    count: int | None = None
    memory_gb: float | None = None


_NOT_IN_KEY = re.compile(r"[^0-9a-z+\u00b2\u03c0\u03c4]+")


def name_key(name: str) -> str:
    """Spelling-insensitive key: lower case, letters, digits and `+` only (`HumanEval+` is
    another benchmark than `HumanEval`)."""
    return _NOT_IN_KEY.sub("", name.lower())


# --- hardware ---------------------------------------------------------------------------------
_COUNT = (
    r"(?:(?P<count>\d{1,4})\s?(?:[×xX*]|张|块|台|卡|个|颗)\s?"
    r"|(?P<single>单张|单块|单卡|单个|一张|一块)\s?)?"
)
_HARDWARE = re.compile(
    _COUNT
    + r"(?:NVIDIA\s?|英伟达\s?|Nvidia\s?|Google\s|华为\s?|AMD\s|Intel\s)?(?:GeForce\s|Tesla\s)?"
    # A hyphen may join the form factor or the memory to the model (`A100-SXM4-80GB`); a
    # bracket right after the memory closes it (`A100 (80GB)`), and `GPU` may come between
    # (`A100 GPU (40GB)`).
    + rf"{NOT_AFTER_WORD}(?P<model>{HARDWARE_MODELS})"
    + r"(?:-(?:SXM[2-6]?|PCIe)(?![A-Za-z0-9_]))?(?![A-Za-z0-9_]|-(?!\d{1,3}\s?G))"
    + r"(?:(?:\s?GPUs?)?(?:\s?(?P<open>[（(])?\s?|-)(?P<mem>\d{1,3})\s?(?:GB|GiB|G)(?![A-Za-z])"
    + r"(?(open)(?:\s?[）)])?))?"
    + r"(?:\s?(?:[×xX*]\s?(?P<count_after>\d{1,4})))?"
)


# "TPU (v4/v5p/v6e)": one mention per version
_TPU_LIST = re.compile(r"TPU\s?[（(]\s?(v\d[a-z]?(?:\s?/\s?v\d[a-z]?)+)\s?[）)]")
_TPU_VERSION = re.compile(r"v\d[a-z]?")
_SPACES = re.compile(r"\s+")
_SERIES = re.compile(r"^(RTX|GTX|TPU|Ascend)\s?")


# Every hardware mention names a model: a quick search for one skips most texts.
_ANY_HARDWARE_MODEL = re.compile(HARDWARE_MODELS)


def _hardware(text: str) -> list[Mention]:
    found = []
    for match in _TPU_LIST.finditer(text):
        for version in _TPU_VERSION.finditer(match[1]):
            start = match.start(1) + version.start()
            end = start + len(version[0])
            name = f"TPU {version[0]}"
            found.append(Mention("hardware", name, name, start, end))
    if not _ANY_HARDWARE_MODEL.search(text):
        return found
    for match in _HARDWARE.finditer(text):
        model = _SPACES.sub(" ", match["model"]).replace("昇腾", "Ascend ").replace("  ", " ")
        model = _SERIES.sub(r"\1 ", model)
        count = int(match["count"] or match["count_after"] or 0) or None  # "0 张": no count
        found.append(
            Mention(
                "hardware",
                match[0].strip(),
                model.strip(),
                match.start(),
                match.end(),
                count=1 if match["single"] else count,
                memory_gb=float(match["mem"]) if match["mem"] else None,
            )
        )
    return found


# --- links ------------------------------------------------------------------------------------
_URL = re.compile(
    r"(?:https?://|(?<![\w./])(?:github\.com|huggingface\.co)/)[^\s<>()（）\[\]{}\"'`，。；、]+"
)
_HF_REPO = re.compile(r"(?:huggingface\.co/|hf\.co/)(?:(?:datasets|spaces)/)?([\w.-]+/[\w.-]+)")


# A repo id written after "Hugging Face": `发布在 Hugging Face (org/name)`
_HF_NAMED_REPO = re.compile(r"Hugging\s?Face[^\w\n]{0,12}([A-Za-z0-9][\w.-]*/[\w.-]*\w)")


def _links(text: str) -> list[Mention]:
    found = [
        Mention("link", m[1], m[1], m.start(1), m.end(1)) for m in _HF_NAMED_REPO.finditer(text)
    ]
    if "://" not in text and "github.com/" not in text and "huggingface.co/" not in text:
        return found  # every URL has one of these
    for match in _URL.finditer(text):
        url = match[0].rstrip(".,;:!?*_")
        repo = hf_repo(url)
        normalized = repo if repo and "/papers/" not in url else url.removesuffix("/")
        found.append(Mention("link", url, normalized, match.start(), match.start() + len(url)))
    # "Hugging Face：github.com/org/repo" is found by both patterns: keep the whole URL.
    return _drop_overlaps(found)


def hf_repo(url: str) -> str | None:
    """The `org/name` of a Hugging Face model, dataset or space that `url` points to."""
    repo = _HF_REPO.search(url)
    return repo[1] if repo else None


# --- benchmarks -------------------------------------------------------------------------------
_ALIASES = {
    name_key(alias): canonical
    for canonical, aliases in BENCHMARKS.items()
    for alias in (canonical, *aliases)
}


def canonical_benchmark(name: str) -> str:
    """The vocabulary's name of a known benchmark written any way (`gsm8k`, `GSM-8K`); any other
    name as it is."""
    return _ALIASES.get(name_key(name), name)


_KNOWN_BENCHMARK = Bounded(
    r"("
    + "|".join(
        sorted(
            (re.escape(a) for c, al in BENCHMARKS.items() for a in (c, *al)), key=len, reverse=True
        )
    )
    + r")(?![A-Za-z0-9_+-])"
)
# A Latin name (which may contain digits, dashes, dots, &) ...
_NAME = (
    r"[A-Za-z][A-Za-z0-9_&.+\-²]*"
    r"(?:\s(?:[A-Z][A-Za-z0-9_&.+\-]*|\d[A-Za-z0-9_.]*|Verified|Lite|Pro|Hard|Bench))*"
)
# ... that is shaped like a benchmark (ends in Bench/Eval/QA/…), or that the text calls one.
_SHAPED = Bounded(
    r"([A-Za-z][\w&.\-]*(?:Bench|bench|BENCH|Eval|EVAL|QA|Arena|Gym|World|Suite)(?:[\w.\-]*)"
    rf"(?:\s(?:Verified|Lite|Pro|Hard|Mini|v?\d[\w.]*))?){NOT_BEFORE_WORD}"
)
_CALLED = re.compile(
    rf"{NOT_AFTER_WORD}({_NAME})\s?(?:\*\*)?\s?(?:[（(][^）)\n]{{0,40}}[）)])?\s?"
    rf"(?:数据集|基准测试集|基准测试|基准|测评集|评测集|测试集|benchmark|Benchmark|dataset)(?![A-Za-z])"
)
# Every _SHAPED and _SPACED match has one of these words: a quick search skips most texts.
_SHAPE_WORD = re.compile(r"Bench|bench|BENCH|Eval|EVAL|QA|Arena|Gym|World|Suite")
# Every _CALLED match ends in one of these words: a quick search for them skips most texts.
_CALLED_WORD = re.compile(r"数据集|基准|测评集|评测集|测试集|benchmark|Benchmark|dataset")
# "Rubric Feedback Bench", "DeepResearch Bench": capitalised words before Bench/Benchmark
_SPACED = Bounded(rf"((?:[A-Z][\w&.\-]*\s){{1,3}}(?:Bench|Benchmark|Arena|Suite)){NOT_BEFORE_WORD}")
# "基准（A, B, C）", "数据集**：A, B", "基准测试（如 A, B）": the list after the word
_LIST_AFTER = re.compile(
    r"(?:数据集|基准测试|基准|benchmarks?|评测集|测试集)(?:\*\*)?\s?[（(：:]\s?(?:\*\*)?\s?(?:如|包括|例如)?\s?"
    r"([A-Za-z0-9][^）)\n。；]{0,160})"
)
# Names in parentheses, in a sentence about datasets: "医疗（EgoSurgery）、工业（Drive&Act）"
_PARENTHESISED_ID = re.compile(
    r"[（(]\s?([A-Za-z][\w&.\-]*(?:\s?[,，、]\s?[A-Za-z][\w&.\-]*)*)\s?[）)]"
)
_LIST_ITEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_&.+\-²]*(?:\s[A-Z0-9][A-Za-z0-9_&.+\-]*)*")
# "在 A、B 和 C 四个基准上": the list after 在, when what follows it names benchmarks
_LISTED_ON = re.compile(
    r"在[^\x00-\x7f，。；：\n]{0,6}?\s?((?:\*\*)?[A-Za-z][^，。；\n上中]{0,120}?)\s?"
    r"(?P<tail>[^\x00-\x7f，。；\n]{0,12}?)(?P<end>上|中)"
)
_BENCHMARK_TAIL = re.compile(r"(?:基准|数据集|测试集|评测|测试|任务|榜单|环境|集)$")
_PLAIN_WORDS = re.compile(r"[A-Z]?[a-z]+(?:\s[A-Z]?[a-z]+)*")
_RESOLUTION = re.compile(r"\s\d+[x×]\d+$")
_METRIC_CONTEXT = re.compile(r"指标|评分|得分|分数")
_DATASET_CONTEXT = re.compile(r"基准|数据集|benchmark|Benchmark|评测|测试集")
_NOT_BENCHMARK_TAIL = re.compile(r"指标|模型|硬件|设备|平台|语言")
_ID_LIKE = re.compile(r"[a-z][A-Z]|\d|&|[A-Z]-[A-Z]")
_YEAR_AFTER = re.compile(r"/(\d{4})(?!\d)")
_ENDS_IN_YEAR = re.compile(r"(.*\D)\d{4}$")


def _benchmarks(text: str, taken: list[tuple[int, int]]) -> list[Mention]:
    """Benchmarks: known suites, benchmark-shaped names, and names the text calls a dataset or
    benchmark, lists of them, or evaluates "on" (在 … 上); never inside a model, hardware or link
    mention, and not in a clause about metrics only."""
    spans: dict[int, Mention] = {}
    for found, at, shape_only in _benchmark_candidates(text):
        name = _RESOLUTION.sub("", found.strip(" *_`"))
        start = at + (found.find(name) if name else 0)
        if start in spans and len(name) <= len(spans[start].name):
            continue  # the fullest name wins: a name found again, or a shorter one, adds nothing
        if not name or any(a <= start < b for a, b in taken) or _is_not_a_name(name):
            continue
        if shape_only and _metric_clause(text, start):
            continue
        normalized = canonical_benchmark(name)
        spans[start] = Mention("benchmark", name, normalized, start, start + len(name))
    return _with_split_years(text, _drop_overlaps(sorted(spans.values(), key=lambda m: m.start)))


# A name as found, where it starts, and whether only its shape or place says it is a benchmark
# (then it is not one in a clause about metrics only).
Candidate = tuple[str, int, bool]


def _benchmark_candidates(text: str) -> Iterator[Candidate]:
    """What each rule takes for a benchmark name, rule after rule (of two names found at one
    place, the first of the fullest is kept)."""
    for match in _KNOWN_BENCHMARK.finditer(text):
        yield match[1], match.start(1), False
    if _SHAPE_WORD.search(text):
        for pattern in (_SHAPED, _SPACED):
            for match in pattern.finditer(text):
                yield match[1], match.start(1), True
    if _CALLED_WORD.search(text):
        for match in _CALLED.finditer(text):
            yield match[1], match.start(1), False
    for match in _LIST_AFTER.finditer(text):
        yield from _list_items(match[1], match.start(1))
    yield from _parenthesised_ids(text)
    yield from _listed_on(text)


def _list_items(listed: str, offset: int) -> Iterator[Candidate]:
    """The names of a list (`A, B 和 C`) that starts at `offset`."""
    for item in _LIST_ITEM.finditer(listed):
        if _PLAIN_WORDS.fullmatch(item[0]) and name_key(item[0]) not in _ALIASES:
            continue  # "Mathematics", "Region Captioning": words, not names
        yield item[0], offset + item.start(), True


def _parenthesised_ids(text: str) -> Iterator[Candidate]:
    """Names in parentheses in a sentence about datasets: `医疗（EgoSurgery）`."""
    if not _DATASET_CONTEXT.search(text):
        return
    for clause in CLAUSE.finditer(text):
        if not _DATASET_CONTEXT.search(clause[0]):
            continue
        for match in _PARENTHESISED_ID.finditer(clause[0]):
            for item in _LIST_ITEM.finditer(match[1]):
                if _looks_like_an_id(item[0]):
                    yield item[0], clause.start() + match.start(1) + item.start(), True


def _listed_on(text: str) -> Iterator[Candidate]:
    """The names listed after 在 when what follows names benchmarks: `在 A、B 和 C 四个基准上`."""
    for match in _LISTED_ON.finditer(text):
        tail = match["tail"] or ""
        if not _BENCHMARK_TAIL.search(tail) and (len(tail) > 2 or match["end"] == "中"):
            continue
        if _NOT_BENCHMARK_TAIL.search(tail):
            continue
        yield from _list_items(match[1], match.start(1))


def _metric_clause(text: str, at: int) -> bool:
    clause = _clause_at(text, at)
    return bool(_METRIC_CONTEXT.search(clause)) and not _DATASET_CONTEXT.search(clause)


def _clause_at(text: str, at: int) -> str:
    """The clause (a `CLAUSE` match) that holds position `at`; empty if none does."""
    if at >= len(text) or text[at] in CLAUSE_ENDS:
        return ""
    start = max(text.rfind(end, 0, at) for end in CLAUSE_ENDS) + 1
    stops = [stop for end in CLAUSE_ENDS if (stop := text.find(end, at)) >= 0]
    return text[start : min(stops, default=len(text))]


def _looks_like_an_id(name: str) -> bool:
    """EgoSurgery, Drive&Act, UCF-Crime, SUN360, CIRR: not a plain English word."""
    return " " not in name and bool(_ID_LIKE.search(name))


def _with_split_years(text: str, mentions: list[Mention]) -> list[Mention]:
    """`AIME 2024/2025` names two benchmarks."""
    extra = []
    for mention in mentions:
        year = _YEAR_AFTER.match(text, mention.end)
        base = _ENDS_IN_YEAR.match(mention.name)
        if year and base:
            name = base[1] + year[1]
            extra.append(
                Mention(
                    "benchmark",
                    name,
                    canonical_benchmark(name),
                    mention.end + 1,
                    mention.end + 5,
                )
            )
    # A year can be part of a name found already (`AIME 2024/2025-II`): one mention per place.
    return _drop_overlaps([*mentions, *extra])


# Words that the benchmark rules would otherwise take for names.
_NOT_NAMES = {
    "sota", "baseline", "zero-shot", "few-shot", "sft", "rl", "llm", "llms", "mllm", "ai", "api",
    "gpu", "cpu", "the", "and", "on", "in", "of", "with", "top", "pass", "acc", "f1", "bleu",
    "rouge", "rouge-l", "auc", "miou", "psnr", "ssim", "lpips", "fid", "fvd", "clip", "em",
    "agent", "agents", "qa", "vqa", "hard", "cot", "moe", "json", "html", "python",
}  # fmt: skip
_NOT_BENCHMARK_PREFIX = re.compile(r"^(?:Intel|AMD|NVIDIA|Apple|Google|IBM)\b|^i[3579]-\d")
_NUMBER = re.compile(r"[\d.,]+[A-Za-z%]?")


def _is_not_a_name(name: str) -> bool:
    return (
        name.lower() in _NOT_NAMES
        or len(name) < 2
        or bool(_NUMBER.fullmatch(name))  # 6.9B, 88.6: sizes and scores
        or bool(_NOT_BENCHMARK_PREFIX.match(name))
    )


# --- models -----------------------------------------------------------------------------------
_MODEL_SUFFIX = (
    r"(?:[-.\s]?(?:\d[A-Za-z0-9_.]*|[vV]\d[A-Za-z0-9_.]*))?"  # Qwen2.5, GPT-4o, DINOv2, FLUX.1
    r"(?:\s[A-Z]\d[A-Za-z0-9.]*)?"  # Kimi K2
    r"(?:-[A-Za-z0-9][A-Za-z0-9_.]*)*"  # -7B-Instruct
    r"(?:\s(?:Sonnet|Opus|Haiku|Pro|Flash|Ultra|Max|Plus|Turbo|Instruct|Thinking|Coder|Chat|Base"
    r"|mini)(?:\s\d[\w.]*)?)*"  # Claude Sonnet 4.5, Gemini 3 Pro
    r"(?:\s\d[\w.]*)?"
)
_MODEL = Bounded(
    r"("
    + "|".join(sorted((re.escape(f) for f in MODEL_FAMILIES), key=len, reverse=True))
    + r")("
    + _MODEL_SUFFIX
    + rf"){NOT_BEFORE_WORD}"
)


# Named systems the text compares with or lists as examples:
# "优于 MaGGIe 等", "基线模型（如 Mem0, HippoRAG）"
_NAMED = r"(?:\*\*)?[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9](?:\*\*)?"
_NAME_LIST = rf"{_NAMED}(?:\s?(?:、|,|，|和|与|及|以及)\s?{_NAMED})*"
_COMPARED = re.compile(
    r"(?:优于|超越了?|超过了?|击败了?|相比|相较于?|较|对比|媲美|比肩)[^\x00-\x7f，。；（(\n]{0,10}?\s?"
    rf"({_NAME_LIST})"
)
_EXAMPLES = re.compile(
    r"(?:模型|方法|基线|系统|基座|Tokenizer|编码器)[^\x00-\x7f，。；\n]{0,4}[（(]\s?(?:如|例如|包括)\s?"
    rf"({_NAME_LIST})"
)
_CALLED_A_BENCHMARK = re.compile(r"\s?(?:\*\*)?\s?(?:Benchmark|benchmark|基准|数据集|评测集)")
# Training algorithms, techniques and task words that these contexts also name.
_NOT_MODELS = {
    "grpo", "dpo", "ppo", "sft", "rl", "rlhf", "rlvr", "lora", "react", "cot", "rag", "moe",
    "sota", "zero-shot", "few-shot", "baseline", "baselines", "prompt-based", "rl-based",
    "transformer", "diffusion", "agent", "agents", "llm", "llms", "mllm", "vlm", "api",
    "ai", "ar", "nar", "vae", "lstm", "cnn", "rnn", "gan", "mlp", "mit", "apache",
}  # fmt: skip
_PLAIN_HYPHENATED = re.compile(r"[A-Z]?[a-z]+(?:[\s-][A-Z]?[a-z]+)*")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*[A-Za-z0-9]")
_SIZES_AFTER = re.compile(r"(?:/\d+(?:\.\d+)?[BM])+")  # "Qwen2.5-14B/32B"
_SIZED_NAME = re.compile(r"(.*-)\d+(?:\.\d+)?[BM]$")
_SIZE = re.compile(r"\d+(?:\.\d+)?[BM]")


def _compared_models(text: str) -> list[Mention]:
    found = []
    for match in [*_COMPARED.finditer(text), *_EXAMPLES.finditer(text)]:
        for item in _LATIN_NAME.finditer(match[1]):
            name = item[0]
            if (
                name.lower() in _NOT_MODELS
                or name in METRICS
                or name_key(name) in _ALIASES
                or _PLAIN_HYPHENATED.fullmatch(name)
            ):
                continue
            start = match.start(1) + item.start()
            found.append(Mention("model", name, name, start, start + len(name)))
    return found


def _models(text: str) -> list[Mention]:
    found = _compared_models(text)
    for match in _MODEL.finditer(text):
        name = match[0].rstrip(".-")
        if _metric_clause(text, match.start()) and text[match.start() - 1 : match.start()] in "（(":
            continue  # "保真度（CLIP-I）": a metric named after a model
        if _CALLED_A_BENCHMARK.match(text, match.start() + len(name)):
            continue  # "Seed-TTS Benchmark" is a benchmark
        family = MODEL_ALIASES.get(match[1].lower(), match[1])
        normalized = family + name[len(match[1]) :]
        found.append(Mention("model", name, normalized, match.start(), match.start() + len(name)))
        sizes = _SIZES_AFTER.match(text, match.start() + len(name))
        base = _SIZED_NAME.match(name)
        if sizes and base:  # "Qwen2.5-14B/32B" names two models
            at = match.start() + len(name)
            for size in _SIZE.finditer(sizes[0]):
                other = base[1] + size[0]
                other_normalized = normalized[: len(normalized) - len(name)] + other
                found.append(
                    Mention("model", other, other_normalized, at + size.start(), at + size.end())
                )
    return found


# --- domain terms -----------------------------------------------------------------------------
_PARENTHESISED = re.compile(r"[（(]([A-Za-z][^（）()\n]{0,80})[）)]")


def domain_terms(text: str) -> list[Mention]:
    return [
        Mention("domain_term", m[1].strip(), m[1].strip(), m.start(1), m.end(1))
        for m in _PARENTHESISED.finditer(text)
    ]


def _drop_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def own_names(title: str) -> set[str]:
    """Keys of the names a paper's title gives (its own models are not mentions of others):
    words with a digit or hyphen, and a name of a few words with a version before a colon
    (`Kimi K2: …`, `SAM 3: …`)."""
    names = {
        name_key(m[0]) for m in re.finditer(r"[A-Za-z][A-Za-z0-9.\-]*[0-9\-][A-Za-z0-9.\-]*", title)
    }
    named = _NAME_BEFORE_COLON.match(title)
    if named and any(character.isdigit() for character in named[1]):
        names.add(name_key(named[1]))
    return names


_NAME_BEFORE_COLON = re.compile(r"\s*([A-Za-z][\w.\-]*(?:\s[\w.\-]+){1,3})\s?[:：]")


def find_mentions(text: str, section_key: str, own: frozenset[str] = frozenset()) -> list[Mention]:
    """Every mention in one section body, ordered by position; models named like the paper's
    own (`own`, from `own_names`) are left out."""
    models = [
        m
        for m in _drop_overlaps(_models(text))
        if not any(name_key(m.name).startswith(o) for o in own)
    ]
    links = _links(text)
    hardware = _hardware(text)
    link_spans = [(m.start, m.end) for m in links]
    found = [*hardware, *links, *models]
    if section_key == "domain":
        found += domain_terms(text)  # section 1 names fields, not benchmarks
    else:
        found += _benchmarks(text, [(m.start, m.end) for m in found])
    outside_links = [
        m for m in found if m.kind == "link" or not any(a <= m.start < b for a, b in link_spans)
    ]
    return sorted(outside_links, key=lambda m: (m.start, m.kind))


# Names free text spells in several ways; hardware and links have a normal form already.
ONE_SPELLING_KINDS = ("benchmark", "model")


def one_spelling(mentions: dict[str, list[Mention]]) -> dict[str, list[Mention]]:
    """One paper's mentions (by section, sections in order) with each benchmark and model
    normalised to the spelling the paper uses first: `MirrorBench`, then `mirrorbench`, name
    one benchmark, counted once."""
    first: dict[tuple[str, str], str] = {}

    def spelled(mention: Mention) -> Mention:
        if mention.kind not in ONE_SPELLING_KINDS:
            return mention  # a third of all mentions: no key worked out for nothing
        key = name_key(mention.normalized_name)
        if not key:
            return mention
        name = first.setdefault((mention.kind, key), mention.normalized_name)
        return replace(mention, normalized_name=name)

    return {section: [spelled(m) for m in found] for section, found in mentions.items()}
