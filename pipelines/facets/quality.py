"""Measured quality of the facet extractors against the hand-checked annotation of the seeds.

    python -m pipelines.facets.quality > docs/facet-quality.md   (or: make docs)

The annotation (`tests/annotations/*.json`) was made by reading the seed reports, not by running
the extractors. Names are compared per paper as sets, after the same normalisation (aliases,
case, punctuation) on both sides.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.facets.mentions import canonical_benchmark, hf_repo, name_key
from pipelines.settings import PROJECT_ROOT

ANNOTATIONS = PROJECT_ROOT / "tests" / "annotations"
MEASURED_KINDS = ("hardware", "link", "benchmark", "model")
# The facet tables the annotation scores, and the measures of each.
MEASURES_OF_TABLE = {
    "mentions": MEASURED_KINDS,
    "code_release": ("code_release",),
    "domains": ("domain",),
}
# What the issue asks of each: (precision, recall); accuracy for the per-paper labels.
TARGETS = {
    "hardware": (0.95, 0.90),
    "link": (0.95, 0.90),
    "benchmark": (0.90, 0.80),
    "model": (0.90, 0.80),
    "code_release": (0.95, None),
}


@dataclass(frozen=True)
class Score:
    measure: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


def load_annotations(folder: Path = ANNOTATIONS) -> dict[str, dict]:
    """Annotated papers by arXiv id, from every `*.json` file of the folder."""
    papers: dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        papers.update(json.loads(path.read_text(encoding="utf-8"))["papers"])
    return papers


def mention_key(kind: str, name: str) -> str:
    """The comparison key of a name: aliases resolved, then case and punctuation ignored."""
    if kind == "benchmark":
        # "HumanEval(+)" (the suite and its plus variant) is written as HumanEval in the text
        name = name.replace("(+)", "")
        name = canonical_benchmark(name)
        # "Seed-TTS Benchmark" is Seed-TTS; "Terminal-Bench 2.0" is Terminal-Bench
        name = re.sub(r"\s(?:[Bb]enchmark|[Dd]ataset|数据集|基准)$|\s\d+\.\d+$", "", name)
    elif kind == "link":
        name = hf_repo(name) or re.sub(r"^https?://", "", name).removesuffix("/")
        return name.lower()
    return name_key(name)


def _gold_names(paper: dict, kind: str) -> set[str]:
    if kind == "hardware":
        return {mention_key(kind, item["name"]) for item in paper["hardware"]}
    return {mention_key(kind, name) for name in paper[kind + "s"]}


def evaluate(
    mentions: pl.DataFrame,
    code_release: pl.DataFrame,
    domains: pl.DataFrame,
    gold: Mapping[str, dict],
) -> list[Score]:
    """Scores over the papers that are both annotated and extracted."""
    papers = sorted(set(gold) & set(code_release["arxiv_id"]))
    scores = []
    for kind in MEASURED_KINDS:
        tp = fp = fn = 0
        rows = mentions.filter(pl.col("kind") == kind)
        for arxiv_id in papers:
            found = {
                mention_key(kind, name)
                for name in rows.filter(pl.col("arxiv_id") == arxiv_id)["normalized_name"]
            }
            expected = _gold_names(gold[arxiv_id], kind)
            tp, fp, fn = (
                tp + len(found & expected),
                fp + len(found - expected),
                fn + len(expected - found),
            )
        scores.append(Score(kind, tp, fp, fn))
    for measure, frame, column, gold_field in (
        ("code_release", code_release, "status", "code_status"),
        ("domain", domains, "category", "domain_category"),
    ):
        labels = dict(zip(frame["arxiv_id"], frame[column], strict=True))
        right = sum(labels[a] == gold[a][gold_field] for a in papers)
        scores.append(Score(measure, right, len(papers) - right, len(papers) - right))
    return scores


def render(scores: list[Score], papers: int) -> str:
    lines = [
        "| measure | precision | recall | target (precision / recall, or accuracy) "
        "| found right | found wrong | missed |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for score in scores:
        target = TARGETS.get(score.measure)
        wanted = "" if target is None else " / ".join(f"≥ {t:.2f}" for t in target if t is not None)
        if score.measure in ("code_release", "domain"):
            lines.append(
                f"| {score.measure} (accuracy) | {score.precision:.3f} | | {wanted} | "
                f"{score.true_positives} | {score.false_positives} | |"
            )
        else:
            lines.append(
                f"| {score.measure} | {score.precision:.3f} | {score.recall:.3f} | {wanted} | "
                f"{score.true_positives} | {score.false_positives} | {score.false_negatives} |"
            )
    return "\n".join(lines) + f"\n\nMeasured on {papers} hand-annotated seed papers.\n"


def measure_seeds(seeds: Path = PROJECT_ROOT / "seeds") -> tuple[list[Score], int]:
    """Run the whole extraction on the seed reports (no Dagster) and score it."""
    from pipelines.sources import read_source, report_files
    from pipelines.tables import build_tables, validate_tables

    sources = [read_source(seeds, name) for name in report_files(seeds)]
    parsed = {source.source_file: source.parsed for source in sources}
    tables = validate_tables(build_tables(sources), parsed)
    gold = load_annotations()
    scores = evaluate(tables["mentions"], tables["code_release"], tables["domains"], gold)
    return scores, len(set(gold) & set(tables["papers"]["arxiv_id"]))


def main() -> None:
    scores, papers = measure_seeds()
    print(
        "# Facet extraction quality\n\n"
        "<!-- Generated by `make docs` (python -m pipelines.facets.quality). Do not edit. -->\n\n"
        "Precision and recall of the extractors against the hand-checked annotation of the seed "
        "reports in `tests/annotations/`.\n\n" + render(scores, papers) + KNOWN_LIMITS,
        end="",
    )


KNOWN_LIMITS = """
## Read these figures with care

The rules were developed while looking at these same papers, so the figures are an upper
bound: there is no held-out annotation yet. Annotating the next real reports before changing
the rules again would give an honest estimate.

## Where the extractors are known to miss

- **Models**: named by family vocabulary (GPT, Qwen, Llama, Claude, FLUX, …) or by context
  (`优于 X`, `相比 X`, `基线模型（如 X, Y）`). A system named only in passing (`基于 Mimi 架构`),
  training methods and frameworks compared like models (SPG, AlphaEvolve), and names that are
  also families (`Cosmos`, `Codex`) are the usual errors. Models named in the paper's title are
  treated as the paper's own and left out: title words with a digit or hyphen, and a versioned
  name before the title's colon (`Kimi K2: …`). Elsewhere in a title a spaced name (`… with
  SAM 3`) is not recognised, and `Beyond GPT-4: …` leaves out the compared `GPT-4o` too.
- **Benchmarks**: names written only in Chinese are not found; a task or metric written like a
  benchmark name can be taken for one.
- **Spellings**: a benchmark or model outside the vocabulary keeps the spelling its paper uses
  first (`MirrorBench`, then `mirrorbench`: both `MirrorBench`), but two papers can spell it two
  ways (`Gemini 3 Pro`, `Gemini-3-Pro`) and are then counted apart.
- **Hardware**: only accelerator families in the vocabulary; CPUs are left out on purpose. A
  suffix other than a form factor or memory (`TPU v5e-256`, `H100-NVL`) hides the accelerator,
  and a memory size after any word but `GPU` (`A100 显卡 (40GB)`) is missed.
- **Results**: numbers without a unit or decimal point are skipped (they are usually counts or
  years). Where a part of a sentence says 分别 or "respectively" and names as many benchmarks
  as numbers, they are paired in order; otherwise the benchmark is the one named nearest before
  the number in the same sentence (else the first after it). That is wrong when benchmarks are
  listed and their numbers follow without 分别, or when a model or metric was taken for a
  benchmark. `4.5/5.0` is one value (a score out of a maximum). Versions of common software
  (`CUDA 12.1`, `PyTorch 2.1`) are skipped; other version numbers (`Node 18.2`) can read as
  results. Results are not scored against the annotation (it has none yet). `change` marks a
  number as an increase or decrease only by words of change right next to it (`提升了约`,
  `高出`, `降低`, `improves accuracy by`, `的提升`, a `+`), by a margin over what `比` names
  (`比 X 多 3 分`) or what a verb of surpassing names before `by` (`surpasses X by 3%`), or as
  a list after them; a margin said otherwise reads as a level (`超过基线 5%`, which reads like
  `超过阈值 0.5`; `相比基线，准确率高 5%`; `5% better than X`).
- **Code release**: "provided" (提供的 X) without saying what X is reads as not mentioned. A
  GitHub or Hugging Face link counts as released unless its clause says the work builds on it
  (基于, 依赖, built on); a library's link named otherwise (`使用 X（github.com/…）`) still
  does. A sentence that denies one thing and releases another
  (`数据集不公开，但代码已开源`) decides nothing.
"""


if __name__ == "__main__":
    main()
