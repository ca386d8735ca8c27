"""`daily-papers build` (what `make run` calls) in a subprocess, configured by environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb

from tests.conftest import SEEDS, cli_env

DAILY_PAPERS = Path(sys.executable).with_name("daily-papers")


def run_cli(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DAILY_PAPERS), *arguments],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_build_honours_the_configured_folders(tmp_path: Path) -> None:
    seeds = tmp_path / "some" / "dir"
    seeds.mkdir(parents=True)
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds / "2026-01-24.md")
    out = tmp_path / "other" / "dir"
    home = tmp_path / "home"
    result = run_cli("build", env=cli_env(seeds, out, home))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 report files" in result.stdout
    with duckdb.connect(str(out / "daily_papers.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*), min(source_file) FROM papers").fetchone() == (
            27,
            "2026-01-24.md",
        )
    assert (out / "releases" / "latest" / "manifest.json").is_file()
    assert not (Path.cwd() / "some").exists()

    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert sorted(run.job_name for run in runs) == ["ingest_reports", "publish"]
        assert all(run.is_success for run in runs)
        assert instance.get_dynamic_partitions("reports") == ["2026-01-24.md"]


def test_build_without_seeds_folder_fails_clearly(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "missing", tmp_path / "out", tmp_path / "home")
    result = run_cli("build", env=env)
    assert result.returncode == 2
    assert "seeds folder" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_help_lists_the_commands() -> None:
    result = run_cli("--help", env={})
    assert result.returncode == 0
    assert "build" in result.stdout and "ui" in result.stdout
