"""`daily-papers`: build the datasets from the command line as real Dagster runs.

`daily-papers build` registers one partition per report file, parses all of them in one run,
then builds tables, warehouse and release in a second run. Both runs are stored in
`$DAGSTER_HOME`, so the Dagster UI shows them afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipelines.settings import PROJECT_ROOT, Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="daily-papers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "build",
        help="Parse every report in the seeds folder and publish tables, warehouse and release.",
        description="Paths come from DAILY_PAPERS_SEEDS_DIR, DAILY_PAPERS_WAREHOUSE_DIR and "
        "DAGSTER_HOME (defaults: seeds/, warehouse/, .dagster_home/ in the project).",
    )
    commands.add_parser("ui", help="Start the Dagster UI on http://127.0.0.1:3000.")
    verify_command = commands.add_parser(
        "verify",
        help="Check a release folder against its manifest and SHA256SUMS.",
        description="Reports every missing, extra or altered file; exits 1 if there is any.",
    )
    verify_command.add_argument("release", type=Path, help="the release folder to check")
    arguments = parser.parse_args(argv)
    if arguments.command == "verify":
        return verify(arguments.release)
    settings = Settings.from_env()
    if arguments.command == "ui":
        return ui(settings)
    return build(settings)


def verify(folder: Path) -> int:
    from pipelines.release.verify import verify_release

    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    problems = verify_release(folder)
    for problem in problems:
        print(f"FAILED {problem}")
    if problems:
        print(f"{folder}: {len(problems)} problem(s); do not use this copy", file=sys.stderr)
        return 1
    print(f"{folder}: every file matches manifest.json and SHA256SUMS")
    return 0


def prepare_dagster_home(dagster_home: Path) -> None:
    """Create the Dagster home with the project's instance settings; point this process at it."""
    from pipelines.instance import write_instance_config

    write_instance_config(dagster_home)
    os.environ["DAGSTER_HOME"] = str(dagster_home)


def build(settings: Settings) -> int:
    if not settings.seeds_dir.is_dir():
        print(f"error: seeds folder {settings.seeds_dir} does not exist", file=sys.stderr)
        return 2
    prepare_dagster_home(settings.dagster_home)
    # Imported here: Dagster reads DAGSTER_HOME when the instance is first made.
    import warnings

    import dagster as dg

    # Dagster marks single-run backfills and the Pandera integration as beta; both are pinned.
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    from pipelines.definitions import build_definitions
    from pipelines.lock import BuildLockedError, build_lock
    from pipelines.runner import build_all

    defs = build_definitions(settings)
    try:
        with build_lock(settings.warehouse_dir), dg.DagsterInstance.get() as instance:
            result = build_all(defs, instance)
    except BuildLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(
        f"{result.reports} report files in {settings.seeds_dir} "
        f"({result.new} new, {result.gone} gone, {result.parsed} parsed)"
    )
    for job, run in result.runs.items():
        print(f"run {run.run_id}: {job} {'succeeded' if run.success else 'FAILED'}")
    if not result.success:
        print("error: the build failed; the Dagster UI (make ui) shows why", file=sys.stderr)
        return 1
    print(f"release {result.release_id} in {settings.warehouse_dir / 'releases'}")
    print(f"warehouse {defs.resources['duckdb'].database}")
    return 0


def ui(settings: Settings) -> int:
    """Replace this process with `dagster dev`, reading the same Dagster home as `build`."""
    prepare_dagster_home(settings.dagster_home)
    dagster = Path(sys.executable).with_name("dagster")
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    arguments = ["dagster", "dev", "-w", workspace, "-h", "127.0.0.1", "-p", "3000"]
    os.chdir(PROJECT_ROOT)
    os.execv(dagster, arguments)


if __name__ == "__main__":
    sys.exit(main())
