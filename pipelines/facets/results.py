"""Numeric results from section 5: each reported number with its sentence, and the benchmark and
metric the sentence names before it (when it names them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.facets.mentions import Mention
from pipelines.facets.patterns import CLAUSE, Bounded
from pipelines.facets.vocab import METRICS

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT = r"%|％|倍|×|x(?![A-Za-z])|个百分点|pp\b|分(?!钟|之|割|析|类|布|支|别|数)"
# A number not glued to a name (Qwen2.5-7B, GSM8K, AIME 2024 are names, not results).
_VALUE = Bounded(
    rf"(?P<sign>[-−])?(?P<low>{_NUMBER})\s?(?P<unit>{_UNIT})?"
    rf"(?:\s?(?P<to>至|到|~|～|-|–)\s?(?P<high>{_NUMBER})\s?(?P<unit2>{_UNIT})?)?(?![\w.])",
    not_after=r"[\w.\-@/]",
)
_METRIC = re.compile("|".join(re.escape(m) for m in sorted(METRICS, key=len, reverse=True)))
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


@dataclass(frozen=True)
class Result:
    ordinal: int
    benchmark: str | None
    metric: str | None
    value_text: str
    value: float | None
    unit: str | None
    sentence: str
    start: int  # character span of the value in the section body
    end: int


def numeric_results(body: str, mentions: list[Mention]) -> list[Result]:
    """Numbers with a unit or a decimal point, outside names (`Claude Sonnet 4.5`)."""
    benchmarks = [m for m in mentions if m.kind == "benchmark"]
    results = []
    for sentence in CLAUSE.finditer(body):
        for match in _VALUE.finditer(sentence[0]):
            unit = match["unit"] or match["unit2"]
            if unit is None and "." not in match["low"]:
                continue  # a bare integer is a count or a year, not a result
            if any(m.start <= sentence.start() + match.start() < m.end for m in mentions):
                continue
            before = sentence[0][: match.start()]
            metrics = list(_METRIC.finditer(before))
            in_sentence = [b for b in benchmarks if sentence.start() <= b.start < sentence.end()]
            for value_text, value, at, to in _values(match, before):
                start, end = sentence.start() + at, sentence.start() + to
                # The nearest benchmark named before the number (`在 A 上达到 1%，在 B 上达到
                # 2%`), else the first after it (`达到 1% 的 A 准确率`).
                named_before = [b for b in in_sentence if b.start < start]
                benchmark = named_before[-1] if named_before else next(iter(in_sentence), None)
                results.append(
                    Result(
                        ordinal=len(results) + 1,
                        benchmark=benchmark.normalized_name if benchmark else None,
                        metric=metrics[-1][0] if metrics else None,
                        value_text=value_text,
                        value=value,
                        unit=_UNITS.get(unit) if unit else None,
                        sentence=sentence[0].strip(" *-\t"),
                        start=start,
                        end=end,
                    )
                )
    return results


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
    return [(match[0].strip(), value, match.start(), match.end())]


def _number(sign: str | None, digits: str) -> float:
    """`-3.2` from a minus sign (ASCII or `−`) and `3.2`; `1,024` is 1024."""
    value = float(digits.replace(",", ""))
    return -value if sign else value
