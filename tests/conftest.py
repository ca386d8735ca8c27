"""Shared fixtures: the seed reports, and one whole build of them into a temporary folder."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import build_definitions
from pipelines.runner import BuildResult, build_all
from pipelines.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"


@dataclass(frozen=True)
class Build:
    settings: Settings
    result: BuildResult

    @property
    def warehouse_file(self) -> Path:
        return self.settings.warehouse_dir / "daily_papers.duckdb"

    @property
    def latest(self) -> Path:
        return self.settings.warehouse_dir / "releases" / "latest"


def cli_env(seeds_dir: Path, warehouse_dir: Path, dagster_home: Path) -> dict[str, str]:
    """Environment of a `daily-papers` subprocess: read `seeds_dir`, write `warehouse_dir`."""
    return {
        **os.environ,
        "DAILY_PAPERS_SEEDS_DIR": str(seeds_dir),
        "DAILY_PAPERS_WAREHOUSE_DIR": str(warehouse_dir),
        "DAGSTER_HOME": str(dagster_home),
    }


def build_into(seeds_dir: Path, root: Path) -> Build:
    """Materialise the whole asset graph in-process, exactly as `make run` does."""
    settings = Settings(seeds_dir, root / "warehouse", root / "dagster_home")
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    with dg.instance_for_test(temp_dir=str(settings.dagster_home)) as instance:
        result = build_all(build_definitions(settings), instance)
    return Build(settings, result)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    build = build_into(SEEDS, tmp_path_factory.mktemp("seed_build"))
    assert build.result.success
    return build


@dataclass(frozen=True)
class ExpectedPaper:
    rank: int
    title: str
    arxiv_id: str


def expected_papers(path: Path) -> list[ExpectedPaper]:
    """Titles and ids read from a seed with two plain regular expressions, independently of the
    parser: each `## 📄` heading and the huggingface link that follows it."""
    text = path.read_text(encoding="utf-8")
    titles = re.findall(r"^## 📄 (.+)$", text, flags=re.MULTILINE)
    ids = re.findall(r"^- \*\*链接\*\*: https://huggingface\.co/papers/(\S+)$", text, re.MULTILINE)
    assert len(titles) == len(ids)
    pairs = zip(titles, ids, strict=True)
    return [ExpectedPaper(rank, title, arxiv_id) for rank, (title, arxiv_id) in enumerate(pairs, 1)]
