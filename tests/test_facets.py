"""Facet extraction: unit cases for each extractor, and measured quality against the
hand-checked annotation of the seeds (tests/annotations/, made by reading the reports)."""

from __future__ import annotations

import re

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.facets import results
from pipelines.facets.code_release import code_release
from pipelines.facets.domains import domain_category
from pipelines.facets.mentions import (
    _clause_at,
    find_mentions,
    name_key,
    one_spelling,
    own_names,
)
from pipelines.facets.patterns import CLAUSE
from pipelines.facets.quality import TARGETS, load_annotations, measure_seeds, mention_key
from pipelines.facets.results import numeric_results
from pipelines.facets.usage import usage_items
from pipelines.facets.vocab import BENCHMARKS
from pipelines.settings import PROJECT_ROOT
from schemas.facets import RESULT_UNITS
from tests.conftest import Build


def benchmark_key(name: str) -> str:
    return mention_key("benchmark", name)


def named(text: str, kind: str, section: str = "usage") -> list[tuple]:
    return [
        (m.normalized_name, m.count, m.memory_gb) if kind == "hardware" else m.normalized_name
        for m in find_mentions(text, section)
        if m.kind == kind
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("单卡 NVIDIA RTX 3090 (24 GB VRAM) 即可运行", [("RTX 3090", 1, 24.0)]),
        ("训练使用 8×H100，推理用 A100 80GB", [("H100", 8, None), ("A100", None, 80.0)]),
        ("在 32 张 H20 上训练", [("H20", 32, None)]),
        (
            "TPU (v4/v5p/v6e) 上均可",
            [("TPU v4", None, None), ("TPU v5p", None, None), ("TPU v6e", None, None)],
        ),
        ("DeepSeek-V3 与 T5 不是硬件，普通 GPU 也不算", []),
        ("0 张 A100，或 V100 x 0", [("A100", None, None), ("V100", None, None)]),  # no count
        ("在 8 张 A100-80G 上训练", [("A100", 8, 80.0)]),  # memory joined by a hyphen
        ("A100-SXM4-80GB 或 H100-PCIe", [("A100", None, 80.0), ("H100", None, None)]),
        ("RTX 4090 24G显存", [("RTX 4090", None, 24.0)]),
        ("A100 (80GB) × 8", [("A100", 8, 80.0)]),
        ("单张 RTX3090", [("RTX 3090", 1, None)]),
        ("8 块 A100 GPU (40GB) 和 H100 GPUs 80GB", [("A100", 8, 40.0), ("H100", None, 80.0)]),
        ("一张 A100 GPU 即可", [("A100", 1, None)]),
    ],
)
def test_hardware_is_normalised(text: str, expected: list[tuple]) -> None:
    assert named(text, "hardware") == expected


def test_no_two_benchmarks_share_a_spelling_key() -> None:
    canonical_of: dict[str, str] = {}
    for canonical, aliases in BENCHMARKS.items():
        for alias in (canonical, *aliases):
            assert canonical_of.setdefault(name_key(alias), canonical) == canonical, alias
    text = "HumanEval 与 HumanEval+ 上"
    assert named(text, "benchmark", "results") == ["HumanEval", "HumanEval+"]


def test_hardware_makers_single_letters_and_words_are_no_benchmarks() -> None:
    text = "在 Intel Xeon 8380 数据集与 A 数据集上，以及 GSM8K 基准上"
    assert named(text, "benchmark", "results") == ["GSM8K"]


def test_benchmark_aliases_and_contexts() -> None:
    text = "在 MATH500、GSM8K 和 AIME 2024/2025 上评估；在新建的 **Rubric Feedback Bench** 上也领先"
    assert named(text, "benchmark", "results") == [
        "MATH-500", "GSM8K", "AIME 2024", "AIME 2025", "Rubric Feedback Bench",
    ]  # fmt: skip
    assert named("在 FID 和 KID 等指标上优于基线", "benchmark", "results") == []


@pytest.mark.parametrize(
    "text",
    [
        "在 AIME 2024/2025-II 上准确率达到 80.1%。",
        "基准（AIME 2024/2025-I、HMMT）",
        "AIME 2024/2025 Hard 两个基准",
    ],
)
def test_a_year_after_a_slash_is_one_benchmark_per_place(text: str) -> None:
    starts = [m.start for m in find_mentions(text, "results") if m.kind == "benchmark"]
    assert starts and len(starts) == len(set(starts))  # a repeated start rejects the whole paper


def test_models_with_versions_sizes_and_chinese_around_them() -> None:
    text = "基于 Qwen2.5-14B/32B 与 Claude Sonnet 4.5，对比 o4-mini等推理模型和 FLUX.1-dev"
    assert named(text, "model") == [
        "Qwen2.5-14B", "Qwen2.5-32B", "Claude Sonnet 4.5", "o4-mini", "FLUX.1-dev",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "text", "compared"),
    [
        ("Kimi K2: Open Agentic Intelligence", "Kimi K2 在多个基准上优于 GPT-4.1", ["GPT-4.1"]),
        ("SAM 3: Segment Anything with Concepts", "SAM 3 明显优于 SAM 2", ["SAM 2"]),
        ("Gemini 2.5: Pushing the Frontier", "Gemini 2.5 Pro 优于 GPT-4o", ["GPT-4o"]),
    ],
)
def test_a_versioned_name_before_the_title_colon_is_the_papers_own(
    title: str, text: str, compared: list[str]
) -> None:
    found = find_mentions(text, "results", frozenset(own_names(title)))
    assert [m.normalized_name for m in found if m.kind == "model"] == compared


def test_compared_and_listed_systems_are_models_but_own_names_and_methods_are_not() -> None:
    text = (
        "优于现有基线模型（如 Mem0, HippoRAG 等），并超越 MaGGIe 和 **CubeDiff**；"
        "相比 GRPO 训练更稳定；在 Seed-TTS Benchmark 上领先。我们的 VIOLA-7B 最好"
    )
    found = [m.normalized_name for m in find_mentions(text, "results", own_names("VIOLA: a title"))]
    assert [m for m in found if m in ("Mem0", "HippoRAG", "MaGGIe", "CubeDiff")] == [
        "Mem0", "HippoRAG", "MaGGIe", "CubeDiff",
    ]  # fmt: skip
    assert "GRPO" not in found and "VIOLA-7B" not in found
    assert named(text, "benchmark", "results") == ["Seed-TTS Benchmark"]
    assert "Seed-TTS" not in named(text, "model", "results")


def test_links_and_hugging_face_repo_ids() -> None:
    text = "代码见 https://github.com/org/repo。权重发布在 Hugging Face (Org-Name/model-1)"
    assert named(text, "link") == ["https://github.com/org/repo", "Org-Name/model-1"]


def test_link_forms_are_normalised() -> None:
    text = (
        "数据 https://huggingface.co/datasets/org/data ，论文 https://huggingface.co/papers/"
        "2501.12345 ，代码 **https://github.com/org/repo**"
    )
    assert named(text, "link") == [
        "org/data",
        "https://huggingface.co/papers/2501.12345",
        "https://github.com/org/repo",
    ]


def test_a_url_written_after_hugging_face_is_one_link() -> None:
    text = "Hugging Face：github.com/org/repo，另见 Hugging Face (huggingface.co/org/model)"
    links = [m for m in find_mentions(text, "usage") if m.kind == "link"]
    assert [(m.name, m.normalized_name) for m in links] == [
        ("github.com/org/repo", "github.com/org/repo"),
        ("huggingface.co/org/model", "org/model"),
    ]


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("**开源情况**：代码和模型权重已开源。", "released"),
        ("**开源情况**：代码将在项目主页上开源。", "promised"),
        ("**代码**：论文未提及是否开源。", "not_mentioned"),
        ("基于开源模型 Llama 构建。", "not_mentioned"),
        # Saying the code is not out decides nothing; "not only" and "soon" are no negations.
        ("作者没有开源代码。", "not_mentioned"),
        ("由于版权原因，代码和模型权重不公开。", "not_mentioned"),
        ("代码不会开源，仅提供 API 访问。", "not_mentioned"),
        ("Weights are available upon request only.", "not_mentioned"),
        ("Code is not publicly available.", "not_mentioned"),
        ("不仅开源了代码，还发布了数据集。", "released"),
        ("代码不久将开源。", "promised"),
        ("模型权重未来将开源。", "promised"),
        ("代码已开源。权重将会开源。", "released"),  # released wins over promised
        # A link to what the work builds on is no release of its own code.
        ("实现基于 https://github.com/huggingface/transformers 。", "not_mentioned"),
        ("依赖 xformers（github.com/facebookresearch/xformers）。", "not_mentioned"),
        ("Built on https://github.com/vllm-project/vllm.", "not_mentioned"),
        ("代码基于 PyTorch 实现，已开源于 https://github.com/org/repo 。", "released"),
        ("代码见 https://github.com/org/repo", "released"),
    ],
)
def test_code_release_status(text: str, status: str) -> None:
    assert code_release([("usage", text)]).status == status


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("计算机视觉 - 目标检测", "Computer Vision"),
        ("Robotics - 灵巧操作", "Robotics/Embodied"),
        ("Natural Language Processing - Question Answering", "NLP"),
        ("Large Language Models (LLMs) - 推理", "NLP"),
        ("Vision-Language Models - VQA", "Multimodal"),
        ("CVPR 论文复现", "Other"),  # `cv` only as a whole word
        ("ICCV 论文复现", "Other"),
    ],
)
def test_domain_from_chinese_or_english_labels(label: str, category: str) -> None:
    assert domain_category(label).category == category


def test_numeric_results_keep_text_number_unit_and_benchmark() -> None:
    text = (
        "在 GSM8K 上准确率达到 89.1%。速度提升 13倍，加速 2.3倍至 10倍。Claude Sonnet 4.5 表现最好"
    )
    results = numeric_results(text, find_mentions(text, "results"))
    assert [(r.benchmark, r.metric, r.value_text, r.value, r.unit, r.change) for r in results] == [
        ("GSM8K", "准确率", "89.1%", 89.1, "%", None),
        (None, "速度", "13倍", 13.0, "x", "increase"),  # 提升 is a change, not a metric
        (None, "加速", "2.3倍至 10倍", None, "x", "increase"),
    ]


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        ("在 MATH-500 上比 ESPO 方法高出 6.1%", ["increase"]),
        ("准确率提升了高达 **11.4%**", ["increase"]),
        ("参数量减少近 90%，FLOPs 降低 37%", ["decrease", "decrease"]),
        ("得分提升 **+2.6** 分", ["increase"]),
        ("improves accuracy by 5.2% and reduces latency by 30.5%", ["increase", "decrease"]),
        ("带来 5.5% 的提升，以及 a 30.5% reduction", ["increase", "decrease"]),
        # levels: reached, or risen to
        ("在 GSM8K 上准确率达到 89.1%", [None]),
        ("准确率提升至 85.3%", [None]),
        ("improved to 85.1%", [None]),
        ("从 45.2% 提升到 60.1%", [None, None]),
        ("from 45.2% to 60.1%", [None, None]),
        # a change word far before the number, or with a number between, says nothing of it
        ("提升显著：在所有基准测试中的平均准确率达到 71.2%", [None]),
        # the values of a list after words of change, and a plus sign, are changes too
        ("提升了 **21%**、**46%** 和 **45%**", ["increase"] * 3),
        ("gains of 1.2%, 3.4%, and 5.6%", ["increase"] * 3),
        ("与基线相比 **+2.6** 分", ["increase"]),
        ("比基线快 **13 倍**", ["increase"]),
        ("有 **11.3%** 的绝对提升", ["increase"]),
        ("outperforms GPT-4 by 4.2%", ["increase"]),
        # a margin over what 比 names, or what a verb of surpassing names before `by`
        ("比 ESPO 多 3.2 分，比基线低 2.5%", ["increase", "decrease"]),
        ("surpasses the baseline by 3.2% but lags behind GPT-4 by 1.5%", ["increase", "decrease"]),
        ("Surpasses the baseline By 3.2%", ["increase"]),
        ("提升：5.5%", ["increase"]),
        # the verb of change next to the number decides, whatever was surpassed before it
        ("准确率高于基线且延迟降低 30.5%，性能优于基线同时显存减少 20.5%", ["decrease"] * 2),
        ("领先基线并降低了 12.5% 的延迟，比基线慢但准确率提高 5.5%", ["decrease", "increase"]),
        # levels: reached, risen to, or started from
        ("提升为 85.3%，减少为原来的 25.0%", [None, None]),
        ("improves accuracy from 70.1% to 75.3%", [None, None]),
        ("在提高效率的同时保持 85.2% 的准确率", [None]),
        ("模型达到 85.3% 并提高了效率", [None]),
        # more than a level, the level of the thing it beats, or a value of what it names
        ("超过 90.5%，超过了 **85.2%**，高于 80.5%", [None, None, None]),
        ("优于随机基线的 33.4，大幅领先（57.96% vs 48.93%）", [None, None, None]),
        ("超过基线 5.1%，当置信度超过阈值 0.5 时，超过基线为 85.2%", [None, None, None]),
        ("模型显著优于基线方法达到 85.2% 的准确率", [None]),
        ("正样本占比最高 45.2%，比较而言准确率更高 85.2%，对比基线高 3.5%", [None, None, None]),
        ("exceeds 90.5%; exceeds human accuracy as measured by 85.3%", [None, None]),
        # words that only contain a word of change
        ("the model executes in 2.5 s; training again yields 90.1%", [None, None]),
        ("在快照数据集上得分 85.2%", [None]),
    ],
)
def test_a_number_after_words_of_change_is_a_change(text: str, changes: list[str | None]) -> None:
    results = numeric_results(text, find_mentions(text, "results"))
    assert [r.change for r in results] == changes


def test_results_write_the_units_the_schema_allows() -> None:
    assert set(results._UNITS.values()) == set(RESULT_UNITS)


def test_each_number_goes_to_the_benchmark_named_nearest_before_it() -> None:
    text = "在 GSM8K 上达到 92.1%，在 MATH-500 上达到 75.3%；达到 80.5% 的 AIME 2024 准确率"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [(r.value_text, r.benchmark) for r in results] == [
        ("92.1%", "GSM8K"),
        ("75.3%", "MATH-500"),
        ("80.5%", "AIME 2024"),  # none before it: the first after
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # 分别: in order, then the nearest-before rule again after the comma
            "在 GSM8K 和 MATH 上分别达到 92.1% 和 75.3%，在 AIME 2024 上达到 40.0%",
            [("92.1%", "GSM8K"), ("75.3%", "MATH"), ("40.0%", "AIME 2024")],
        ),
        (
            "achieving 85.2% and 92.1% on GSM8K and MATH, respectively",
            [("85.2%", "GSM8K"), ("92.1%", "MATH")],
        ),
        ("在 GSM8K/MATH 上分别达到 85.2%/92.1%", [("85.2%", "GSM8K"), ("92.1%", "MATH")]),
        ("在 GSM8K 和 MATH 上，分别达到 85.2% 和 92.1%", [("85.2%", "GSM8K"), ("92.1%", "MATH")]),
        (  # one benchmark, two values: not a pairing, both go to the one benchmark
            "在 GSM8K 上，Qwen2.5-7B 和 Llama-3-8B 分别达到 80.1% 和 70.2%",
            [("80.1%", "GSM8K"), ("70.2%", "GSM8K")],
        ),
    ],
)
def test_values_said_to_be_respective_pair_with_the_benchmarks_in_order(
    text: str, expected: list[tuple[str, str]]
) -> None:
    results = numeric_results(text, find_mentions(text, "results"))
    assert [(r.value_text, r.benchmark) for r in results] == expected


def test_percentages_joined_by_a_slash_are_two_values_a_score_out_of_a_maximum_one() -> None:
    text = "评分 4.5/5.0，准确率 85.2%/92.1%"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [r.value_text for r in results] == ["4.5", "85.2%", "92.1%"]


@pytest.mark.parametrize(
    ("text", "value_text", "value"),
    [
        ("错误率下降 -3.2%", "-3.2%", -3.2),
        ("损失降低 −15%", "−15%", -15.0),
        ("Qwen2.5-7B 达到 80.1%", "80.1%", 80.1),  # a hyphen inside a name is no minus sign
    ],
)
def test_a_minus_sign_is_part_of_the_value(text: str, value_text: str, value: float) -> None:
    (result,) = numeric_results(text, find_mentions(text, "results"))
    assert (result.value_text, result.value) == (value_text, value)


def test_the_span_of_a_value_is_its_text() -> None:
    text = "损失为 1.1673 ，准确率 89.1 %，提升 2.3倍至 10倍 。"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [text[r.start : r.end] for r in results] == [r.value_text for r in results]
    assert [r.value_text for r in results] == ["1.1673", "89.1 %", "2.3倍至 10倍"]


def test_a_software_version_is_no_result() -> None:
    text = "需要 CUDA 12.1 与 Python 3.10，PyTorch 版本 2.1；BLEU 32.1，提升 12.1%"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [r.value_text for r in results] == ["32.1", "12.1%"]


def test_units_and_bare_integers() -> None:
    text = "训练 3 轮，共 1000 个样本，于 2024 年发布；提升 2.5 个百分点"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [(r.value_text, r.unit) for r in results] == [("2.5 个百分点", "pp")]


def test_a_change_from_one_value_to_another_is_two_values_not_a_range() -> None:
    text = "准确率从 45.2% 到 60.1%，耗时 2.3倍至 10倍"
    results = numeric_results(text, find_mentions(text, "results"))
    assert [(r.value_text, r.value, text[r.start : r.end]) for r in results] == [
        ("45.2%", 45.2, "45.2%"),
        ("60.1%", 60.1, "60.1%"),
        ("2.3倍至 10倍", None, "2.3倍至 10倍"),  # a range: no single value
    ]


def test_usage_items_are_sorted_into_facets() -> None:
    body = (
        "*   **输入**：图像\n*   **核心流程**：\n    1. 编码\n"
        "*   **硬件需求**：单卡\n*   **开源情况**：已开源"
    )
    items = usage_items(body)
    assert [(i.facet, i.label) for i in items] == [
        ("inputs", "输入"),
        ("workflow", "核心流程"),
        ("hardware", "硬件需求"),
        ("code", "开源情况"),
    ]
    assert items[1].text == "1. 编码"


def test_nested_labels_are_text_of_their_item() -> None:
    items = usage_items("*   **输入**：图像\n    *   **格式**：PNG\n*   **输出**：掩码")
    assert [(i.label, i.text) for i in items] == [
        ("输入", "图像\n*   **格式**：PNG"),
        ("输出", "掩码"),
    ]


def test_a_blank_bold_label_is_text_of_the_item_above() -> None:
    items = usage_items("*   **输入**：图像\n*   **  **：x\n*   **输出**：掩码")
    assert [(i.label, i.text) for i in items] == [("输入", "图像\n*   **  **：x"), ("输出", "掩码")]


@pytest.fixture(scope="module")
def measured() -> dict:
    scores, papers = measure_seeds()
    assert papers == 49  # every seed paper is annotated
    return {score.measure: score for score in scores}


@pytest.mark.parametrize("measure", ["hardware", "link", "benchmark"])
def test_mention_quality_meets_its_target(measured: dict, measure: str) -> None:
    precision, recall = TARGETS[measure]
    assert measured[measure].precision >= precision
    assert measured[measure].recall >= recall


def test_code_release_accuracy_meets_its_target(measured: dict) -> None:
    assert measured["code_release"].precision >= TARGETS["code_release"][0]


def test_model_quality_meets_its_target(measured: dict) -> None:
    precision, recall = TARGETS["model"]
    assert measured["model"].precision >= precision
    assert measured["model"].recall >= recall


def test_facet_quality_doc_is_current() -> None:
    import contextlib
    import io

    from pipelines.facets.quality import main

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        main()
    written = (PROJECT_ROOT / "docs" / "facet-quality.md").read_text(encoding="utf-8")
    assert written == buffer.getvalue(), "docs/facet-quality.md is stale: run `make docs`"


def test_gsm8k_query_answers_with_the_annotated_papers(seed_build: Build) -> None:
    gsm8k = benchmark_key("GSM8K")
    expected = {
        arxiv_id
        for arxiv_id, paper in load_annotations().items()
        if any(benchmark_key(name) == gsm8k for name in paper["benchmarks"])  # GSM8k too
    }
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        found = {
            row[0]
            for row in connection.execute(
                "SELECT arxiv_id FROM mentions WHERE kind = 'benchmark' "
                "AND normalized_name = 'GSM8K'"
            ).fetchall()
        }
    assert found == expected and found


def test_one_paper_spells_each_benchmark_and_model_one_way() -> None:
    sections = {
        "contribution": find_mentions("我们提出 MirrorBench 基准，对比 GPT-4o。", "contribution"),
        "usage": find_mentions("在 mirrorbench 上评测 GPT4o，使用 github.com/a/b-c。", "usage"),
        "results": find_mentions("github.com/a/bc 在 MIRROR-BENCH 上达到 80%。", "results"),
    }
    unified = one_spelling(sections)
    names = {(m.kind, m.name, m.normalized_name) for found in unified.values() for m in found}
    assert {
        ("benchmark", "mirrorbench", "MirrorBench"),
        ("benchmark", "MIRROR-BENCH", "MirrorBench"),
        ("model", "GPT4o", "GPT-4o"),
    } <= names
    assert {n for k, _, n in names if k == "benchmark"} == {"MirrorBench"}
    results_text = "github.com/a/bc 在 MIRROR-BENCH 上达到 80%。"
    assert [r.benchmark for r in numeric_results(results_text, unified["results"])] == [
        "MirrorBench"
    ]
    # Links have their own normal form: `a/b-c` and `a/bc` are two repositories.
    assert {n for k, _, n in names if k == "link"} == {"github.com/a/b-c", "github.com/a/bc"}
    # Nothing else about a mention changes.
    before = [m for found in sections.values() for m in found]
    after = [m for found in unified.values() for m in found]
    pairs = zip(before, after, strict=True)
    assert all(
        (a.kind, a.name, a.start, a.end) == (b.kind, b.name, b.start, b.end) for a, b in pairs
    )


def test_a_benchmark_spelt_two_ways_in_a_paper_is_counted_once(seed_build: Build) -> None:
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        spellings = connection.execute(
            "SELECT arxiv_id, kind, list(DISTINCT name ORDER BY name), "
            "list(DISTINCT normalized_name) FROM mentions WHERE kind IN ('benchmark', 'model') "
            "GROUP BY arxiv_id, kind, lower(regexp_replace(name, '[^0-9A-Za-z+]', '', 'g')) "
            "HAVING count(DISTINCT name) > 1"
        ).fetchall()
    assert ("2601.08118", "benchmark", ["MirrorBench", "mirrorbench"], ["MirrorBench"]) in spellings
    assert all(len(normalized) == 1 for *_, normalized in spellings)


def test_each_scored_facet_shows_its_own_quality_in_its_metadata(seed_build: Build) -> None:
    publish = seed_build.result.runs["publish"]
    shown = {
        m.asset_key.to_user_string(): m.metadata["quality_vs_annotation"].value
        for m in publish.asset_materializations_for_node("tables")
        if "quality_vs_annotation" in m.metadata
    }
    measures = {
        table: re.findall(r"^\| (\w+)", text, flags=re.MULTILINE)[1:]  # after the header
        for table, text in shown.items()
    }
    assert measures == {
        "mentions": ["hardware", "link", "benchmark", "model"],
        "code_release": ["code_release"],
        "domains": ["domain"],
    }
    assert all("49 hand-annotated" in text for text in shown.values())


@given(st.text(alphabet="ab 。；;\n指标", max_size=30))
def test_the_clause_at_a_position_is_the_clause_pattern_match_holding_it(text: str) -> None:
    for at in range(len(text) + 1):
        expected = next((c[0] for c in CLAUSE.finditer(text) if c.start() <= at < c.end()), "")
        assert _clause_at(text, at) == expected
