"""Publishing rules and schema validation: bad rows end in rejects with their reason."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import weakref

import dagster as dg
import pandera.polars as pa
import polars as pl
import pytest

from pipelines.parsing import parse_report
from pipelines.sources import SourceReport
from pipelines.table_types import table_type, vouch
from pipelines.tables import build as tables_build
from pipelines.tables import build_tables, validate_tables
from pipelines.tables.accounting import unbalanced
from pipelines.tables.build import candidate_schema, pack_rows, unpack_rows
from schemas import FACET_TABLES, TABLES
from tests.conftest import SEEDS

SEED = (SEEDS / "000_18c40586699a2521.txt").read_bytes()
SECTION_NAMES = ["应用领域", "一句话核心贡献", "使用指南", "主要创新点", "实验效果"]


def source(name: str, data: bytes) -> SourceReport:
    return SourceReport(name, hashlib.sha256(data).hexdigest(), len(data), parse_report(data))


def publish(*sources: SourceReport) -> dict[str, pl.DataFrame]:
    return validate_tables(build_tables(sources), {s.source_file: s.parsed for s in sources})


def report(date: str, papers: list[tuple[str, str]], sections: int = 5) -> bytes:
    """A small report; each paper is (title, link)."""
    lines = ["# Hugging Face Daily Papers Report", f"**Date**: {date}", "=" * 20]
    for title, link in papers:
        lines += [f"## 📄 {title}", f"- **链接**: {link}", "- **阅读来源**: HTML"]
        for number, name in enumerate(SECTION_NAMES[:sections], start=1):
            lines += [f"### {number}. {name}", f"* **要点{number}**：内容 {title}"]
    return "\n".join(lines).encode()


def test_seed_publishes_everything() -> None:
    tables = publish(source("a.txt", SEED))
    assert tables["papers"].height == 22
    assert tables["sections"].height == 110
    assert tables["innovations"].height == 66
    assert tables["rejects"].is_empty()
    assert tables["reports"]["paper_count"].to_list() == [22]


def test_every_row_hashes_the_lines_it_names() -> None:
    seed = source("a.txt", SEED)
    tables = publish(seed)
    for table, frame in tables.items():
        for row in frame.select("line_start", "line_end", "span_sha256").iter_rows():
            text = seed.parsed.text(row[0], row[1])
            assert hashlib.sha256(text.encode()).hexdigest() == row[2], (table, row)
    # the mentions of the 22 papers lie on many different spans, not one per paper
    assert tables["mentions"].select("line_start", "line_end").n_unique() > 22


@pytest.mark.parametrize("rows", [0, 1, 3])
def test_packed_rows_read_back_as_they_were(rows: int) -> None:
    candidates = build_tables([source("a.txt", SEED)])["mentions"].head(rows).to_dicts()
    packed = pack_rows("mentions", candidates)
    assert unpack_rows(packed).to_pylist() == candidates
    assert unpack_rows(packed).schema == candidate_schema("mentions")


def test_identical_file_twice_is_used_once() -> None:
    tables = publish(source("a.txt", SEED), source("b.txt", SEED))
    assert tables["papers"].height == 22
    rejects = tables["rejects"]
    assert rejects.select("source_file", "level", "reason_code").rows() == [
        ("b.txt", "file", "duplicate_file")
    ]


def test_two_different_files_for_one_date_are_both_rejected() -> None:
    other = SEED.replace(b"Distilling Feedback", b"Distilled Feedback")
    tables = publish(source("a.txt", SEED), source("b.txt", other))
    assert tables["papers"].is_empty()
    assert sorted(tables["rejects"].select("source_file", "reason_code").rows()) == [
        ("a.txt", "conflicting_report"),
        ("b.txt", "conflicting_report"),
    ]


def test_paper_rules() -> None:
    data = (
        report(
            "2026-02-01",
            [
                ("Good", "https://huggingface.co/papers/2602.00001"),
                ("No id", "https://example.com/paper"),
                ("Again", "https://arxiv.org/abs/2602.00001v3"),
            ],
        )
        + b"\n"
        + report(
            "2026-02-01", [("Short", "https://huggingface.co/papers/2602.00002")], sections=4
        ).split(b"=" * 20)[1]
    )
    tables = publish(source("r.md", data))
    assert tables["papers"]["title"].to_list() == ["Good"]
    reasons = tables["rejects"].select("rank", "reason_code").sort("rank").rows()
    assert reasons == [(2, "paper_without_id"), (3, "duplicate_paper"), (4, "missing_sections")]
    short = tables["rejects"].filter(pl.col("rank") == 4).row(0, named=True)
    assert short["raw_text"].startswith("## 📄 Short")
    assert "results" in short["message"]


def test_a_duplicate_paper_publishes_its_whole_copy_when_the_first_is_not() -> None:
    papers = [("First", "https://huggingface.co/papers/2602.00001")] * 2
    data = report("2026-02-01", papers).decode()
    first_results = "* **要点5**：内容 First\n"
    data = data.replace(first_results, "\n", 1).encode()  # the first copy's section 5 is empty
    tables = publish(source("r.md", data))
    (published,) = tables["papers"].rows(named=True)
    rejects = tables["rejects"].select("reason_code", "line_start", "message").rows()
    assert [(code, line) for code, line, _ in rejects] == [("duplicate_paper", 4)]
    assert published["line_start"] == 17
    assert "line 17: that copy is the one used" in rejects[0][2]


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("arxiv_id", "12345", "papers.arxiv_id: str_matches"),
        ("title", "   ", "papers.title: str_contains"),
        ("rank", 0, "papers.rank: greater_than(0)"),
        ("paper_url", "ftp://x", "papers.paper_url: str_matches"),
    ],
)
def test_bad_paper_values_go_to_rejects(column: str, value: object, check: str) -> None:
    seed = source("a.txt", SEED)
    candidates = build_tables([seed])
    target = pl.col("rank") == 2
    candidates["papers"] = candidates["papers"].with_columns(
        pl.when(target).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    tables = validate_tables(candidates, {"a.txt": seed.parsed})
    assert tables["papers"].height == 21
    assert tables["reports"]["paper_count"].to_list() == [21]  # the papers published
    assert 2 not in tables["papers"]["rank"].to_list()
    # the rejected paper takes its sections and innovations with it
    assert tables["sections"].height == 105
    assert tables["innovations"].height == 63
    reject = tables["rejects"].row(0, named=True)
    assert (reject["level"], reject["reason_code"]) == ("paper", "schema_check_failed")
    assert reject["failed_check"].startswith(check)
    assert reject["raw_text"].startswith("## 📄 Chaining the Evidence")


def test_bad_section_rejects_its_whole_paper() -> None:
    seed = source("a.txt", SEED)
    candidates = build_tables([seed])
    candidates["sections"] = candidates["sections"].with_columns(
        pl.when((pl.col("arxiv_id") == "2601.05960") & (pl.col("section_key") == "usage"))
        .then(pl.lit("elsewhere"))
        .otherwise(pl.col("section_key"))
        .alias("section_key")
    )
    tables = validate_tables(candidates, {"a.txt": seed.parsed})
    assert "2601.05960" not in tables["papers"]["arxiv_id"].to_list()
    assert "2601.05960" not in tables["sections"]["arxiv_id"].to_list()
    assert tables["rejects"]["failed_check"].to_list() == [
        "sections.section_key: isin(('domain', 'contribution', 'usage', 'innovations', 'results'))"
    ]


def test_a_bad_facet_row_rejects_its_paper_not_the_run() -> None:
    seed = source("a.txt", SEED)
    candidates = build_tables([seed])
    paper = pl.col("arxiv_id") == "2601.05960"
    assert candidates["mentions"].filter(paper).height > 1
    candidates["mentions"] = candidates["mentions"].with_columns(  # an extractor bug, say
        char_start=pl.when(paper).then(pl.lit(0, pl.Int64)).otherwise("char_start")
    )
    tables = validate_tables(candidates, {"a.txt": seed.parsed})
    assert tables["papers"].height == 21
    assert tables["reports"]["paper_count"].to_list() == [21]
    for table in ("sections", "innovations", *FACET_TABLES):
        assert "2601.05960" not in tables[table]["arxiv_id"].to_list(), table
    assert tables["domains"].height == tables["code_release"].height == 21
    (reject,) = tables["rejects"].rows(named=True)
    assert (reject["arxiv_id"], reject["reason_code"]) == ("2601.05960", "schema_check_failed")
    assert reject["failed_check"] == "mentions: multiple_fields_uniqueness"


def test_every_check_a_paper_failed_is_named() -> None:
    seed = source("a.txt", SEED)
    candidates = build_tables([seed])
    paper = pl.col("arxiv_id") == "2601.05960"
    candidates["mentions"] = candidates["mentions"].with_columns(
        char_start=pl.when(paper).then(pl.lit(0, pl.Int64)).otherwise("char_start")
    )
    candidates["domains"] = candidates["domains"].with_columns(
        category=pl.when(paper).then(pl.lit("Nonsense")).otherwise("category")
    )
    (reject,) = validate_tables(candidates, {"a.txt": seed.parsed})["rejects"].rows(named=True)
    assert reject["failed_check"].count("; ") == 1
    assert "mentions: multiple_fields_uniqueness" in reject["failed_check"]
    assert "domains.category" in reject["failed_check"]


def test_a_link_without_an_id_is_quoted_in_its_reject() -> None:
    data = report("2026-02-01", [("No id", "https://example.com/paper")])
    (reject,) = publish(source("a.md", data))["rejects"].rows(named=True)
    assert reject["reason_code"] == "paper_without_id"
    assert reject["message"] == "No arXiv id in the link 'https://example.com/paper'."


def test_one_unassigned_line_unbalances_the_accounts() -> None:
    accounts = pl.DataFrame(
        {"source_file": ["a.md", "b.md"], "papers_found": [1, 1], "papers_published": [1, 1],
         "papers_rejected": [0, 0], "unassigned_lines": [0, 1]}
    )  # fmt: skip
    assert unbalanced(accounts)["source_file"].to_list() == ["b.md"]


def test_a_crash_while_making_rows_costs_the_file_not_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(key: dict, *args: object) -> dict:
        if key["arxiv_id"] == "2601.05960":
            raise IndexError("an extractor bug")
        return facet_rows(key, *args)

    facet_rows = tables_build.paper_facet_rows
    monkeypatch.setattr(tables_build, "paper_facet_rows", broken)
    other = report("2026-02-01", [("Fine", "https://arxiv.org/abs/2602.00001")])
    tables = publish(source("a.txt", SEED), source("b.md", other))
    assert tables["papers"]["arxiv_id"].to_list() == ["2602.00001"]
    (reject,) = tables["rejects"].rows(named=True)
    assert (reject["source_file"], reject["level"]) == ("a.txt", "file")
    assert reject["reason_code"] == "parse_error"
    assert reject["message"] == "Making rows from this file failed (IndexError: an extractor bug)."
    assert reject["raw_text"].startswith("# ")


def test_a_row_with_a_misspelt_column_costs_the_file_instead_of_losing_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def misspelt(*args: object) -> dict[str, list[dict]]:
        rows = facet_rows(*args)
        rows["domains"] = [
            {("categroy" if name == "category" else name): value for name, value in row.items()}
            for row in rows["domains"]
        ]
        return rows

    facet_rows = tables_build.paper_facet_rows
    monkeypatch.setattr(tables_build, "paper_facet_rows", misspelt)
    tables = publish(source("a.md", SEED))
    assert tables["papers"].is_empty() and tables["domains"].is_empty()
    (reject,) = tables["rejects"].rows(named=True)
    assert reject["reason_code"] == "parse_error"
    assert "missing ['category'], not in the schema ['categroy']" in reject["message"]


def test_report_date_out_of_range_is_rejected() -> None:
    data = report("2019-05-01", [("Old", "https://huggingface.co/papers/1905.00001")])
    tables = publish(source("old.md", data))
    assert tables["reports"].is_empty()
    assert tables["papers"].is_empty()
    reject = tables["rejects"].row(0, named=True)
    assert (reject["level"], reject["report_date"]) == ("report", dt.date(2019, 5, 1))
    assert reject["failed_check"].startswith("reports.report_date: greater_than_or_equal_to")


def test_unusable_files_are_rejected_with_their_reason() -> None:
    tables = publish(
        source("empty.md", b""), source("bin.txt", b"\xff\xfe\x00"), source("a.txt", SEED)
    )
    assert tables["papers"].height == 22
    assert sorted(tables["rejects"].select("source_file", "reason_code").rows()) == [
        ("bin.txt", "not_utf8"),
        ("empty.md", "empty_file"),
    ]


def test_duplicate_key_names_the_table_level_check() -> None:
    seed = source("a.txt", SEED)
    candidates = build_tables([seed])
    candidates["innovations"] = candidates["innovations"].with_columns(ordinal=pl.lit(1, pl.Int64))
    tables = validate_tables(candidates, {"a.txt": seed.parsed})
    assert tables["papers"].is_empty()
    assert set(tables["rejects"]["failed_check"]) == {"innovations: multiple_fields_uniqueness"}


def test_the_table_type_validates_rows_not_vouched_for_and_checks_keys_across_batches() -> None:
    papers = publish(source("a.md", SEED))["papers"]
    assert papers.height >= 3
    papers_type = table_type(TABLES["papers"])
    broken = pl.col("rank") == 0  # breaks `rank > 0`

    def check(frame: pl.DataFrame, new_rows: int | None = None) -> dg.TypeCheck:
        if new_rows is not None:
            vouch(frame, new_rows)
        return dg.check_dagster_type(papers_type, frame)

    assert check(papers).success
    assert check(papers, new_rows=1).metadata["rows_validated"].value == 1
    assert check(papers, new_rows=1).metadata["rows_validated_before"].value == papers.height - 1
    row = pl.int_range(pl.len())
    bad = papers.with_columns(rank=pl.when(row == 0).then(0).otherwise("rank"))
    assert bad.filter(broken).height == 1
    assert not check(bad).success  # not vouched for: every row is validated
    assert check(bad, new_rows=1).success  # vouched for: it passed the model in its batch
    assert not check(bad).success  # ... the vouch holds for the type check right after it only

    # What no batch sees on its own: a new row repeats a kept key, or another batch's.
    for repeated, new_rows, repeating in [
        (pl.concat([papers.tail(1), papers.slice(1)]), 1, 1),
        (pl.concat([papers.head(1), papers.head(1), papers.slice(1)]), 2, 2),
        (pl.concat([papers.tail(1), papers.tail(1), papers]), 2, 2),  # both, counted once
    ]:
        result = check(repeated, new_rows)
        assert not result.success
        assert result.description.startswith(
            f"{repeating} new rows repeat the primary key (report_date, arxiv_id)"
        )
    # Columns missing, or out of order, are not the model's.
    assert not check(papers.drop("title"), new_rows=1).success
    assert not check(papers.select(reversed(papers.columns)), new_rows=1).success


def test_a_model_with_another_table_wide_rule_has_vouched_frames_validated_whole() -> None:
    """Batches validated one by one cannot have checked a rule over the whole table other than
    its key (here a column that must be unique on its own): such a frame is validated whole."""

    class Ranked(pa.DataFrameModel):
        rank: int = pa.Field(gt=0, unique=True)
        name: str

        class Config:
            unique = ["name"]

    ranked_type = table_type(Ranked)
    bad = pl.DataFrame({"rank": [1, 0], "name": ["a", "b"]})
    vouch(bad, new_rows=1)
    assert not dg.check_dagster_type(ranked_type, bad).success


def test_a_frame_vouched_for_but_never_checked_is_not_kept_or_mistaken_for_another() -> None:
    papers = publish(source("a.md", SEED))["papers"]
    papers_type = table_type(TABLES["papers"])
    unchecked = papers.with_columns(rank=pl.lit(0, pl.Int64))  # every row breaks `rank > 0`
    vouch(unchecked, new_rows=0)  # its step fails before the type check, say
    dropped = weakref.ref(unchecked)
    del unchecked
    gc.collect()
    assert dropped() is None  # the vouch did not keep the frame alive
    # whatever frame comes next, at any address, is validated whole
    for _ in range(20):
        assert not dg.check_dagster_type(papers_type, papers.with_columns(rank=pl.lit(0))).success
