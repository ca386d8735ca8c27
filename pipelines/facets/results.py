"""Numeric results from section 5: each reported number with its sentence, its benchmark (paired
in order where the sentence says 分别 or "respectively", else the one named nearest before it in
the sentence, else the first after it), the metric named before it, and whether it is a change
(an improvement by so much) rather than a level."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.facets.mentions import Mention
from pipelines.facets.patterns import CLAUSE, Bounded
from pipelines.facets.vocab import METRICS
from schemas.facets import RESULT_CHANGES

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT = r"%|％|倍|×|x(?![A-Za-z])|个百分点|pp\b|分(?!钟|之|割|析|类|布|支|别|数)"
# A number not glued to a name (Qwen2.5-7B, GSM8K, AIME 2024 are names, not results).
_VALUE = Bounded(
    rf"(?P<sign>[-−])?(?P<low>{_NUMBER})\s?(?P<unit>{_UNIT})?"
    rf"(?:\s?(?P<to>至|到|~|～|-|–)\s?(?P<high>{_NUMBER})\s?(?P<unit2>{_UNIT})?)?(?![\w.])",
    # `85.2%/92.1%` is two values; `4.5/5.0` is a score out of a maximum, one value.
    not_after=r"[\w.\-@]|(?<![%％])/",
)
# Software whose version is written like a decimal: `CUDA 12.1`, `PyTorch 版本 2.1`.
_SOFTWARE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:CUDA|cuDNN|Python|PyTorch|TensorFlow|JAX|Ubuntu|vLLM|Transformers|Java|GCC)"
    r"\s?(?:版本|version)?\s?(?:\*\*)?\s?$",
    re.IGNORECASE,
)
_METRIC = re.compile("|".join(re.escape(m) for m in sorted(METRICS, key=len, reverse=True)))
INCREASE, DECREASE = RESULT_CHANGES
_UNITS = {
    "%": "%",
    "％": "%",
    "倍": "x",
    "×": "x",
    "x": "x",
    "个百分点": "pp",
    "pp": "pp",
    "分": "points",
}


# A number right after words of change is a change (`提升了约 6.1%`, `reduces latency by 30%`);
# only a few words may come between (`了`, `约`, `高达`; `by`, `of`), so that `提升至 85%`,
# `提升为 85%`, `improved to 85%`, `提高效率的同时保持 85%` state levels.
_INCREASE_ZH = "提升|提高|增加|增长|高出|超出|领先|改善|改进|加快|加速"
_DECREASE_ZH = "降低|减少|下降|缩短|减小|节省|压缩|缩减"
_CHANGE_BEFORE_ZH = re.compile(
    rf"(?:(?P<increase>{_INCREASE_ZH})|(?P<decrease>{_DECREASE_ZH}))"
    r"(?:量|幅度)?(?:了|约|近|高达|可达|多达|达|超过|大约|平均|整整|[:：]|\s|\*\*)*$"
)
# A margin over what `比` names (`比 X 多 3 分`, `比基线低 2.5%`; not 对比, 相比, 占比, 比较, 比例),
# with no other verb between. `超过基线 5%` stays a level: it reads like `超过阈值 0.5`.
_NOT_IN_THAN = rf"{_INCREASE_ZH}|{_DECREASE_ZH}|达到|取得|为|至|到|并|且|但|而|同时"
_MARGIN_ZH = re.compile(
    rf"(?<![对相占无])比(?![较例率])(?:(?!{_NOT_IN_THAN})[^\d，,。；;：:%（()]){{1,20}}?"
    r"(?:(?P<increase>高|多|好|强|大)|(?P<decrease>低|少|差|小))出?了?\s?(?:约|近|\*\*)?\s?$"
)
_FASTER = re.compile(r"快了?\s?(?:约|近)?\s?(?:\*\*)?\s?$")  # `快 13 倍` (not `快照`, `快速`)
_CHANGE_BEFORE_EN = re.compile(
    r"(?<![A-Za-z])(?:(?P<increase>improv(?:e|es|ed|ing|ements?)|gain(?:s|ed)?"
    r"|increas(?:e|es|ed|ing)|boost(?:s|ed)?|outperform(?:s|ed|ing)?)"
    r"|(?P<decrease>reduc(?:e|es|ed|ing|tions?)|decreas(?:e|es|ed|ing)|lower(?:s|ed|ing)?"
    r"|cut(?:s|ting)?|drop(?:s|ped)?))(?![A-Za-z])"
    r"(?:(?:\s+[\w.+-]+){0,3}?\s+(?:by|of))?"
    r"(?:\s+(?:about|approximately|nearly|around|up\s+to|over|more\s+than))?\s*(?:\*\*)?\s?$",
    re.IGNORECASE,
)
# ... or a margin over something (`surpasses the baseline by 3.2%`, `lags behind X by 2%`).
_MARGIN_EN = re.compile(
    r"(?<![A-Za-z])(?:(?P<increase>surpass(?:es|ed|ing)?|exceed(?:s|ed|ing)?|beat(?:s|ing)?"
    r"|lead(?:s|ing)?)|(?P<decrease>trail(?:s|ed|ing)?|lag(?:s|ged|ging)?(?:\s+behind)?"
    r"|underperform(?:s|ed|ing)?))(?![A-Za-z])"
    # a few words between, not `as measured by`
    r"(?:\s+(?!(?:as|measured|followed|given|denoted|reported|shown|indicated|judged)\b)"
    r"[\w.+-]+){0,4}?\s+by"
    r"(?:\s+(?:about|approximately|nearly|around|up\s+to|over|more\s+than))?\s*(?:\*\*)?\s?$",
    re.IGNORECASE,
)
# ... or right before them (`5% 的提升`, `11.3% 的绝对提升`, `a 30% reduction`).
_CHANGE_AFTER = re.compile(
    r"^(?:\*\*)?\s?(?:(?:的|of)\s?[^\d\s，,。；;：:（(]{0,6}?)?"
    rf"(?:(?P<increase>{_INCREASE_ZH}|增益|improvement|gain|increase|speedup)"
    rf"|(?P<decrease>{_DECREASE_ZH}|reduction|decrease|drop))(?![A-Za-z])"
    # `从 45.2% 提升到 60.1%`: 45.2% is where it started; `85% 的准确率提升了可靠性`: a verb
    r"(?!了|\s?(?:到|至|为|to\b))",
    re.IGNORECASE,
)
# Between the values of a list, which share the change before the first (`提升了 21%、46% 和 45%`).
_LISTED = re.compile(
    r"(?:\*\*)?\s?(?:[、,，]\s?(?:and\s|以及|和|与|及)?|以及|和|与|及|and\s)\s?(?:\*\*)?\s?"
)
_PLUS_BEFORE = re.compile(r"[+＋](?:\*\*)?\s?$")  # `+2.6`, `**+**2.6`


@dataclass(frozen=True)
class Result:
    ordinal: int
    benchmark: str | None
    metric: str | None
    value_text: str
    value: float | None
    unit: str | None
    change: str | None  # `increase` or `decrease`; None for a level
    sentence: str
    start: int  # character span of the value in the section body
    end: int


def numeric_results(body: str, mentions: list[Mention]) -> list[Result]:
    """Numbers with a unit or a decimal point, outside names (`Claude Sonnet 4.5`)."""
    benchmarks = [m for m in mentions if m.kind == "benchmark"]
    results = []
    for sentence in CLAUSE.finditer(body):
        in_sentence = [b for b in benchmarks if sentence.start() <= b.start < sentence.end()]
        found = []
        for match in _VALUE.finditer(sentence[0]):
            unit = match["unit"] or match["unit2"]
            if unit is None and "." not in match["low"]:
                continue  # a bare integer is a count or a year, not a result
            if any(m.start <= sentence.start() + match.start() < m.end for m in mentions):
                continue
            before = sentence[0][: match.start()]
            if unit is None and _SOFTWARE_BEFORE.search(before):
                continue  # `CUDA 12.1`: a version
            metrics = list(_METRIC.finditer(before))
            for value_text, value, at, to in _values(match, before):
                change = _change(sentence[0][:at], sentence[0][to:])
                if change is None and found and _LISTED.fullmatch(sentence[0], found[-1][-1], at):
                    change = found[-1][3]  # `提升了 21%、46% 和 45%`: the list's change
                found.append((value_text, value, unit, change, metrics, at, to))
        paired = _respective(sentence, [at for *_, at, _ in found], in_sentence)
        for value_text, value, unit, change, metrics, at, to in found:
            start, end = sentence.start() + at, sentence.start() + to
            # Respective values go with their benchmarks in order; any other to the nearest
            # benchmark named before it (`在 A 上达到 1%，在 B 上达到 2%`), else the first after
            # it (`达到 1% 的 A 准确率`).
            named_before = [b for b in in_sentence if b.start < start]
            benchmark = paired.get(at) or (
                named_before[-1] if named_before else next(iter(in_sentence), None)
            )
            results.append(
                Result(
                    ordinal=len(results) + 1,
                    benchmark=benchmark.normalized_name if benchmark else None,
                    metric=metrics[-1][0] if metrics else None,
                    value_text=value_text,
                    value=value,
                    unit=_UNITS.get(unit) if unit else None,
                    change=change,
                    sentence=sentence[0].strip(" *-\t"),
                    start=start,
                    end=end,
                )
            )
    return results


_RESPECTIVELY = re.compile(r"分别|respectively")
_PART_END = re.compile(r"，|,(?=\s)")


def _respective(
    sentence: re.Match[str], values: list[int], benchmarks: list[Mention]
) -> dict[int, Mention]:
    """The benchmark of each value (by its start in the sentence) in a part of the sentence that
    says 分别 or "respectively" and names as many benchmarks as values, at least two:
    `在 A 和 B 上分别达到 1% 和 2%`, `1% and 2% on A and B, respectively`."""
    text, offset = sentence[0], sentence.start()
    ends = [0, *(m.end() for m in _PART_END.finditer(text)), len(text) + 1]
    pairs: dict[int, Mention] = {}
    for word in _RESPECTIVELY.finditer(text):
        part = max(i for i, end in enumerate(ends) if end <= word.start())
        start, end = ends[part], ends[part + 1]
        named = [b for b in benchmarks if start <= b.start - offset < end]
        if part and not named:  # `在 A 和 B 上，分别达到 1% 和 2%`, `…, respectively`
            start = ends[part - 1]
            named = [b for b in benchmarks if start <= b.start - offset < end]
        here = [at for at in values if start <= at < end]
        if len(here) == len(named) >= 2:
            pairs.update(zip(here, named, strict=True))
    return pairs


def _change(before: str, after: str) -> str | None:
    """`increase` or `decrease` if the words around a value make it a change, else None."""
    if _PLUS_BEFORE.search(before) or _FASTER.search(before):
        return INCREASE
    words = (
        _CHANGE_BEFORE_ZH.search(before)
        or _CHANGE_BEFORE_EN.search(before)
        or ("by" in before.lower() and _MARGIN_EN.search(before))  # most sentences have no "by"
        or ("比" in before and _MARGIN_ZH.search(before))
        or _CHANGE_AFTER.match(after)
    )
    if words is None:
        return None
    return INCREASE if words["increase"] else DECREASE


_FROM = re.compile(r"从[\s*]*$")


def _values(match: re.Match[str], before: str) -> list[tuple[str, float | None, int, int]]:
    """`(text, value, start, end)` of the value or values of a match: one for a number or a range
    (`2.3倍至 10倍`, no single value), two for a change (`从 45.2% 到 60.1%`)."""
    if match["high"] and match["to"] in "到至" and _FROM.search(before):
        low_end = match.end("unit") if match["unit"] else match.end("low")
        return [
            (match.string[match.start() : low_end], _number(match["sign"], match["low"]),
             match.start(), low_end),
            (match.string[match.start("high") : match.end()].strip(),
             _number(None, match["high"]), match.start("high"), match.end()),
        ]  # fmt: skip
    value = None if match["high"] else _number(match["sign"], match["low"])
    text = match[0].rstrip()  # the space before a unit that did not come
    return [(text, value, match.start(), match.start() + len(text))]


def _number(sign: str | None, digits: str) -> float:
    """`-3.2` from a minus sign (ASCII or `−`) and `3.2`; `1,024` is 1024."""
    value = float(digits.replace(",", ""))
    return -value if sign else value
