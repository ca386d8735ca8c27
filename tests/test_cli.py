"""`daily-papers build` (what `make run` calls) in a subprocess, configured by environment."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.metadata import escape_markdown
from pipelines.settings import Settings
from tests.conftest import SEEDS, Build, cli_env

DAILY_PAPERS = Path(sys.executable).with_name("daily-papers")


def run_cli(
    *arguments: str, env: dict[str, str], prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, str(DAILY_PAPERS), *arguments],
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

    # `add` copies a report in and builds again, parsing only the new file.
    env = cli_env(seeds, out, home)
    added = run_cli("add", str(SEEDS / "000_18c40586699a2521.txt"), env=env)
    assert added.returncode == 0, added.stderr[-3000:]
    assert f"added {seeds / '000_18c40586699a2521.txt'}" in added.stdout
    assert "(1 new, 0 gone, 1 parsed)" in added.stdout

    # `query` answers from the warehouse; `info` shows what is there.
    sql = "SELECT report_date, count(*) AS papers FROM papers GROUP BY 1 ORDER BY 1"
    answer = run_cli("query", sql, "--format", "csv", env=env)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines() == ["report_date,papers", "2026-01-12,22", "2026-01-24,27"]
    shown = run_cli("info", env=env)
    assert shown.returncode == 0, shown.stderr
    assert f"seeds folder    {seeds} (2 report files)" in shown.stdout
    assert "papers          49" in shown.stdout.splitlines()
    wrong = run_cli("query", "SELECT nothing FROM papers", env=env)
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("error: Binder Error") and not wrong.stdout


def test_build_without_seeds_folder_fails_clearly(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "missing", tmp_path / "out", tmp_path / "home")
    result = run_cli("build", env=env)
    assert result.returncode == 2
    assert "seeds folder" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_says_which_folder_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run_cli("build", env=cli_env(a_file, tmp_path / "out", tmp_path / "home"))
    assert result.returncode == 2
    assert result.stderr == f"error: seeds folder {a_file} is not a folder\n"
    for warehouse, home in [(a_file, tmp_path / "home"), (tmp_path / "out", a_file / "home")]:
        result = run_cli("build", env=cli_env(SEEDS, warehouse, home))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: cannot make the folder "), result.stderr
        assert "Traceback" not in result.stderr


def test_ctrl_c_ends_a_command_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(DAILY_PAPERS), "build"],
        env=cli_env(SEEDS, tmp_path / "out", tmp_path / "home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.8)  # importing Dagster, well before a run starts
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr == "\ninterrupted; run the command again to finish\n"


@pytest.mark.parametrize(("error", "interrupted"), [(KeyboardInterrupt, True), (ValueError, False)])
def test_a_run_stopped_by_ctrl_c_is_told_from_a_failed_one(
    error: type[BaseException], interrupted: bool
) -> None:
    from pipelines.runner import BuildResult

    @dg.op
    def step() -> None:
        raise error

    @dg.job
    def job() -> None:
        step()

    run = job.execute_in_process(raise_on_error=False)
    result = BuildResult(reports=1, new=0, gone=0, parsed=0, runs={"publish": run})
    assert not result.success
    assert result.interrupted is interrupted


def test_help_lists_the_commands() -> None:
    result = run_cli("--help", env={})
    assert result.returncode == 0
    for command in ("build", "add", "query", "info", "verify", "ui"):
        assert command in result.stdout
    assert "Exit status" in result.stdout


def test_add_refuses_what_it_cannot_add_and_copies_nothing(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.md").write_text("# an older report\n")
    other = tmp_path / "a.md"
    other.write_text("# another report of the same name\n")
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "b.md").write_text("# report one\n")
    (tmp_path / "two" / "b.md").write_text("# report two\n")
    env = cli_env(seeds, tmp_path / "out", tmp_path / "home")
    for files, message in [
        ([other], "already exists with other content"),
        ([notes], "a report file ends in .md, .markdown, .txt"),
        ([tmp_path / "missing.md"], "is not a file"),
        ([tmp_path / "one" / "b.md", tmp_path / "two" / "b.md"], "have the same name"),
    ]:
        result = run_cli("add", *map(str, files), env=env)
        assert result.returncode == 2
        assert message in result.stderr
    assert sorted(p.name for p in seeds.iterdir()) == ["a.md"]
    assert not (tmp_path / "out").exists()


def test_add_says_when_an_added_report_withdraws_a_published_one(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    env = cli_env(seeds, tmp_path / "out", tmp_path / "home")
    first = run_cli("add", str(SEEDS / "001_202c590195c4dd5f.txt"), env=env)
    assert first.returncode == 0, first.stderr
    assert "rejects: none" in first.stdout
    fixed = tmp_path / "2026-01-24-fixed.md"  # another version of the same day's report
    fixed.write_text((SEEDS / "001_202c590195c4dd5f.txt").read_text() + "\n")
    second = run_cli("add", str(fixed), env=env)
    assert second.returncode == 1
    assert "rejects: 2 (conflicting_report 2)" in second.stdout
    assert "none of them is published (conflicting_report)" in second.stderr
    assert "error: 2026-01-24-fixed.md was not published (conflicting_report)" in second.stderr


def test_query_before_any_build_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli("query", "SELECT 1", env=cli_env(SEEDS, tmp_path / "out", tmp_path / "h"))
    assert result.returncode == 2
    assert "build it first (make run)" in result.stderr


# Root reads any folder; without these capabilities it obeys permissions like any user.
_NO_OVERRIDE = "-dac_override,-dac_read_search"
BOUND_BY_PERMISSIONS = (
    ("setpriv", f"--inh-caps={_NO_OVERRIDE}", f"--bounding-set={_NO_OVERRIDE}")
    if os.geteuid() == 0
    else ()
)


def test_a_folder_that_cannot_be_listed_is_rejected_not_skipped(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "archive").mkdir(parents=True)
    shutil.copy(SEEDS / "001_202c590195c4dd5f.txt", seeds / "2026-01-24.md")
    shutil.copy(SEEDS / "000_18c40586699a2521.txt", seeds / "archive" / "2026-01-12.md")
    env = cli_env(seeds, tmp_path / "out", tmp_path / "home")
    warehouse = str(tmp_path / "out" / "daily_papers.duckdb")
    (seeds / "archive").chmod(0)
    try:
        result = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
    finally:
        (seeds / "archive").chmod(0o755)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 report files" in result.stdout
    with duckdb.connect(warehouse, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM papers").fetchone() == (27,)
        rejects = connection.execute("SELECT source_file, reason_code, message FROM rejects")
        assert rejects.fetchall() == [
            (
                "archive",
                "unreadable_file",
                "Cannot list the folder: Permission denied. The reports in it were not read.",
            )
        ]

    # Readable again: its report is published, and the folder's reject is gone.
    again = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "(1 new, 1 gone, 1 parsed)" in again.stdout
    with duckdb.connect(warehouse, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM papers").fetchone() == (49,)
        assert connection.execute("SELECT count(*) FROM rejects").fetchone() == (0,)

    # A file made unreadable after it was parsed: rejected at the next build, not parsed again
    # at the one after, and published again once it can be read (chmod keeps its mtime).
    report = seeds / "2026-01-24.md"
    report.chmod(0)
    try:
        hidden = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
        still = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
    finally:
        report.chmod(0o644)
    assert "(0 new, 0 gone, 1 parsed)" in hidden.stdout, hidden.stderr[-3000:]
    assert "(0 new, 0 gone, 0 parsed)" in still.stdout, still.stderr[-3000:]
    with duckdb.connect(warehouse, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM papers").fetchone() == (22,)
        assert connection.execute("SELECT source_file, reason_code FROM rejects").fetchall() == [
            ("2026-01-24.md", "unreadable_file")
        ]
    readable = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
    assert "(0 new, 0 gone, 1 parsed)" in readable.stdout, readable.stderr[-3000:]

    # The seeds folder itself: an error, and nothing is taken for gone.
    seeds.chmod(0)
    try:
        unlisted = run_cli("build", env=env, prefix=BOUND_BY_PERMISSIONS)
    finally:
        seeds.chmod(0o755)
    assert unlisted.returncode == 2
    assert f"Cannot list the seeds folder {seeds}: Permission denied." in unlisted.stderr
    with duckdb.connect(warehouse, read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM papers").fetchone() == (49,)


def test_the_dagster_home_is_in_the_warehouse_folder_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAILY_PAPERS_WAREHOUSE_DIR", str(tmp_path / "out"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert Settings.from_env().dagster_home == tmp_path / "out" / ".dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert Settings.from_env().dagster_home == tmp_path / "home"


def test_query_as_markdown_keeps_each_value_whole(seed_build: Build, tmp_path: Path) -> None:
    env = cli_env(SEEDS, seed_build.settings.warehouse_dir, tmp_path / "home")
    sql = "SELECT body FROM sections ORDER BY length(body) DESC LIMIT 1"
    result = run_cli("query", sql, "--format", "markdown", env=env)
    assert result.returncode == 0, result.stderr
    _, _, row = result.stdout.splitlines()  # header, divider, the row
    with duckdb.connect(str(seed_build.warehouse_file), read_only=True) as connection:
        (body,) = connection.execute(sql).fetchone()
    assert len(body) > 500 and row == f"| {escape_markdown(body)} |"


def test_query_prints_what_polars_cannot_hold(seed_build: Build, tmp_path: Path) -> None:
    env = cli_env(SEEDS, seed_build.settings.warehouse_dir, tmp_path / "home")
    interval = run_cli("query", "SELECT INTERVAL 90 MINUTE AS took", env=env)
    assert interval.returncode == 0, interval.stderr
    assert "01:30:00" in interval.stdout
    union = run_cli("query", "SELECT union_value(k := 7) AS u", "--format", "csv", env=env)
    assert (union.returncode, union.stdout) == (0, "u\n7\n")
    twice = "SELECT p.arxiv_id, s.arxiv_id FROM papers p, sections s ORDER BY 1, 2 LIMIT 1"
    columns = run_cli("query", twice, "--format", "csv", env=env)
    assert columns.returncode == 0, columns.stderr
    assert columns.stdout.splitlines()[0] == "arxiv_id,arxiv_id_2"
    nested = run_cli("query", "SELECT [1, 2] AS l, {'a': 'x'} AS s", "--format", "csv", env=env)
    assert (nested.returncode, nested.stdout) == (0, 'l,s\n"[1,2]","{""a"":""x""}"\n')
    # DuckDB cannot print `SELECT 1; -- note` as it stands; the tokenizer counts UTF-8 bytes
    sql = "SELECT '模型;--' AS n; /* 注 */ -- note\n"
    noted = run_cli("query", sql, "--format", "csv", env=env)
    assert (noted.returncode, noted.stdout) == (0, "n\n模型;--\n")
    sql = "SELECT '模型' AS t WHERE '模型' = '模型'"
    chinese = run_cli("query", sql, "--format", "csv", env=env)
    assert (chinese.returncode, chinese.stdout) == (0, "t\n模型\n")


def test_query_refuses_a_negative_limit(tmp_path: Path) -> None:
    env = cli_env(SEEDS, tmp_path / "out", tmp_path / "h")
    result = run_cli("query", "SELECT 1", "--limit", "-1", env=env)
    assert result.returncode == 2
    assert "-1 is not a number of rows" in result.stderr


def test_info_on_a_warehouse_without_tables_or_locked(tmp_path: Path) -> None:
    env = cli_env(SEEDS, tmp_path / "out", tmp_path / "h")
    (tmp_path / "out").mkdir()
    with duckdb.connect(str(tmp_path / "out" / "daily_papers.duckdb")) as connection:
        connection.execute("CREATE TABLE runs (run_id VARCHAR)")  # history only, as after ingest
    result = run_cli("info", env=env)
    assert result.returncode == 0, result.stderr
    assert "reports         not built yet" in result.stdout
    with duckdb.connect(str(tmp_path / "out" / "daily_papers.duckdb")):  # held for writing
        locked = run_cli("info", env=env)
    assert locked.returncode == 1
    assert "cannot be opened" in locked.stderr and "Traceback" not in locked.stderr


def test_the_ui_gets_the_folders_the_command_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAILY_PAPERS_SEEDS_DIR", "my-seeds")
    monkeypatch.setenv("DAILY_PAPERS_WAREHOUSE_DIR", "my-warehouse")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    started = []
    monkeypatch.setattr(cli.os, "execv", lambda program, arguments: started.append(arguments))
    monkeypatch.setattr(cli.os, "chdir", lambda folder: None)
    monkeypatch.setattr(cli, "_port_is_free", lambda host, port: True)
    cli.ui(Settings.from_env())
    assert started and started[0][:2] == ["dagster", "dev"]
    assert os.environ["PYTHONWARNINGS"] == f"default,{cli.DEV_SUPERSEDED}"
    # What the UI's code location reads, from whatever folder it starts in:
    assert os.environ["DAILY_PAPERS_SEEDS_DIR"] == str(tmp_path / "my-seeds")
    assert os.environ["DAILY_PAPERS_WAREHOUSE_DIR"] == str(tmp_path / "my-warehouse")
    assert os.environ["DAGSTER_HOME"] == str(tmp_path / "my-warehouse" / ".dagster_home")


def test_the_ui_refuses_a_port_in_use_instead_of_running_without_a_web_server(
    tmp_path: Path,
) -> None:
    from pipelines import cli

    with socket.socket() as holder:
        # As the check binds: an address a closed server left waiting is free to both.
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind((cli.UI_HOST, cli.UI_PORT))
            holder.listen()
        except OSError:
            pass  # another server listens there: in use all the same
        process = subprocess.Popen(
            [str(DAILY_PAPERS), "ui"],
            env=cli_env(tmp_path / "seeds", tmp_path / "out", tmp_path / "home"),
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # if it started a UI after all, it is stopped whole below
        )
        try:
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert process.returncode == 2, stderr
    assert f"error: {cli.UI_HOST}:{cli.UI_PORT} is in use" in stderr
    assert not (tmp_path / "home").exists()  # nothing started


def test_the_code_location_loads_without_warnings() -> None:
    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import pipelines.definitions"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr


def test_a_rejects_count_the_warehouse_refuses_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipelines import cli

    warehouse = tmp_path / "daily_papers.duckdb"
    with duckdb.connect(str(warehouse)) as connection:  # held for writing meanwhile
        connection.execute("CREATE TABLE rejects (reason_code VARCHAR)")
        cli._print_rejects(warehouse)
    assert "warning: the rejects were not counted" in capsys.readouterr().err
    cli._print_rejects(warehouse)
    assert capsys.readouterr().out == "rejects: none\n"
