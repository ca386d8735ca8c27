"""`daily-papers`: build the datasets from the command line as real Dagster runs, add reports,
query the warehouse and check releases.

`daily-papers build` registers one partition per report file, parses the new and changed ones in
one run, then builds tables, warehouse and release in a second run. Both runs are stored in
`$DAGSTER_HOME`, so the Dagster UI shows them afterwards.

Exit status: 0 success, 1 the build, query or check failed, 2 wrong usage or missing input,
3 another build is running, 130 stopped by Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pipelines.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:  # imported where used: each command loads only what it needs
    import duckdb
    import polars as pl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="daily-papers",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[-1],
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "build",
        help="Parse the new and changed reports in the seeds folder and publish tables, "
        "warehouse and release.",
        description="Paths come from DAILY_PAPERS_SEEDS_DIR, DAILY_PAPERS_WAREHOUSE_DIR and "
        "DAGSTER_HOME (defaults: seeds/ and warehouse/ in the project, and .dagster_home/ in "
        "the warehouse folder).",
    )
    add_command = commands.add_parser(
        "add",
        help="Copy report files into the seeds folder, then build.",
        description="Copies each file into the seeds folder (a file of the same name must have "
        "the same content) and runs `build`, which parses only the new files.",
    )
    add_command.add_argument("files", type=Path, nargs="+", metavar="report", help="a report file")
    query_command = commands.add_parser(
        "query",
        help="Run SQL on the warehouse and print the result.",
        description="Opens the warehouse read-only; `info` lists the published tables, and the "
        "README the views and history tables.",
    )
    query_command.add_argument("sql", help='e.g. "SELECT count(*) FROM papers"')
    query_command.add_argument(
        "--format",
        choices=("table", "csv", "markdown"),
        default="table",
        help="table: long values cut; csv: every row, values exact; markdown: each value whole, "
        "escaped and on one line",
    )
    query_command.add_argument(
        "--limit",
        type=_row_count,
        default=50,
        help="rows shown as table or markdown (default 50; 0: all)",
    )
    for name, text in [
        ("info", "Show folders, the latest release, table sizes and versions."),
        ("ui", "Start the Dagster UI on http://127.0.0.1:3000."),
    ]:
        commands.add_parser(name, help=text, description=text)
    verify_command = commands.add_parser(
        "verify",
        help="Check a release folder against its manifest and SHA256SUMS.",
        description="Reports every missing, extra or altered file, any link or other non-file "
        "in it, and table files whose row count is not the manifest's; exits 1 if there is any.",
    )
    verify_command.add_argument("release", type=Path, help="the release folder to check")
    arguments = parser.parse_args(argv)
    if arguments.command == "verify":
        return verify(arguments.release)
    settings = Settings.from_env()
    if arguments.command == "ui":
        return ui(settings)
    if arguments.command == "add":
        return add(settings, arguments.files)
    if arguments.command == "query":
        return query(settings, arguments.sql, arguments.format, arguments.limit)
    if arguments.command == "info":
        return info(settings)
    return build(settings)


def _row_count(text: str) -> int:
    count = int(text)
    if count < 0:
        raise argparse.ArgumentTypeError(f"{count} is not a number of rows (0 or more)")
    return count


INTERRUPTED = "interrupted; run the command again to finish"


def run() -> NoReturn:
    """The `daily-papers` console script: `main`, then exit without tearing Python down."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (`daily-papers query … | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 1
    except KeyboardInterrupt:  # Ctrl-C: a build keeps nothing half-written, so just say so
        print(f"\n{INTERRUPTED}", file=sys.stderr)
        status = 130
    # Python's shutdown would now take about a second after a build: as it clears every module,
    # its garbage collector searches all of Dagster, pandas and polars for reference cycles, again
    # and again. Everything the command wrote is closed by now, so run the exit handlers, flush
    # the output, and leave the freeing to the operating system.
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def add(settings: Settings, files: list[Path]) -> int:
    """Copy the report files into the seeds folder (all or none), then build."""
    from pipelines.sources import REPORT_SUFFIXES

    copies = []
    for file in files:
        target = settings.seeds_dir / file.name
        if not file.is_file():
            return _usage_error(f"{file} is not a file")
        if file.suffix.lower() not in REPORT_SUFFIXES:
            return _usage_error(f"{file}: a report file ends in {', '.join(REPORT_SUFFIXES)}")
        if target.exists() and target.read_bytes() != file.read_bytes():
            return _usage_error(
                f"{target} already exists with other content; rename {file} or replace the "
                "file in the seeds folder yourself"
            )
        same_name = [other for other, to in copies if to == target]
        if same_name and same_name[0].read_bytes() != file.read_bytes():
            return _usage_error(f"{same_name[0]} and {file} have the same name; rename one")
        copies.append((file, target))
    settings.seeds_dir.mkdir(parents=True, exist_ok=True)
    for file, target in copies:
        if not target.exists():
            shutil.copyfile(file, target)
            print(f"added {target}")
        else:
            print(f"{target} is already there")
    status = build(settings)
    if status != 0:
        return status
    return _added_files_published(settings, [target for _, target in copies])


def _added_files_published(settings: Settings, targets: list[Path]) -> int:
    """1, naming why, if a file just added was rejected whole (it published nothing)."""
    from pipelines.tables.accounting import WHOLE_FILE_LEVELS
    from pipelines.warehouse import WAREHOUSE_FILE

    names = [target.relative_to(settings.seeds_dir).as_posix() for target in targets]
    rejected = _warehouse_rows(
        settings.warehouse_dir / WAREHOUSE_FILE,
        "SELECT source_file, reason_code, message FROM rejects "
        "WHERE level IN (SELECT unnest($levels)) AND source_file IN (SELECT unnest($names)) "
        "ORDER BY source_file",
        {"names": names, "levels": list(WHOLE_FILE_LEVELS)},
        unread="the added files' rejects were not checked",
    )
    if rejected is None:
        return 0
    for name, reason, message in rejected:
        print(f"error: {name} was not published ({reason}): {message}", file=sys.stderr)
    return 1 if rejected else 0


def query(settings: Settings, sql: str, output: str, limit: int) -> int:
    import duckdb
    import polars as pl
    import pyarrow as pa

    from pipelines.warehouse import WAREHOUSE_FILE

    path = settings.warehouse_dir / WAREHOUSE_FILE
    if not path.is_file():
        return _usage_error(f"no warehouse at {path}: build it first (make run)")
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            relation = connection.sql(_without_trailing_semicolons_and_comments(sql))
            frame = None if relation is None else _printable(relation, output == "csv")
    except (duckdb.Error, pl.exceptions.PolarsError, pa.ArrowException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if frame is None:  # a statement without a result
        return 0
    if output == "csv":
        sys.stdout.write(frame.write_csv())
    elif output == "markdown":
        from pipelines.metadata import markdown_table

        print(markdown_table(frame, limit or frame.height, cell_chars=None))
    else:
        rows = limit or frame.height
        with pl.Config(tbl_rows=rows, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=160):
            print(frame.head(rows))
    return 0


def _without_trailing_semicolons_and_comments(sql: str) -> str:
    """`sql` without the `;` and comments after its last statement: DuckDB cannot read a
    relation made of `SELECT 1; -- note` as a subquery, which printing it takes."""
    import duckdb

    encoded = sql.encode()  # the tokenizer's positions count UTF-8 bytes
    end = len(encoded)
    for position, kind in reversed(duckdb.tokenize(sql)):
        if kind != duckdb.token_type.comment and encoded[position : position + 1] != b";":
            break
        end = position
    return encoded[:end].decode()


# DuckDB types that polars has not (or shows wrongly), printed as DuckDB writes them as text.
_AS_TEXT = {"interval", "union", "bit", "time with time zone", "time_ns"}
_NESTED = {"list", "array", "struct", "map"}


def _printable(relation: duckdb.DuckDBPyRelation, nested_as_text: bool) -> pl.DataFrame:
    """A query result as a polars frame: a repeated column name numbered (`arxiv_id_2`), values
    of the types polars has not as text, and nested values as JSON text if `nested_as_text`
    (CSV has no lists)."""
    import polars as pl

    names: list[str] = []
    columns = []
    for position, (name, kind) in enumerate(zip(relation.columns, relation.types, strict=True)):
        unique, number = name, 1
        while unique in names:
            number += 1
            unique = f"{name}_{number}"
        names.append(unique)
        value = f"#{position + 1}"
        if kind.id in _AS_TEXT:
            value = f"CAST({value} AS VARCHAR)"
        elif nested_as_text and kind.id in _NESTED:
            value = f"CAST(to_json({value}) AS VARCHAR)"
        columns.append(f'{value} AS "{unique.replace(chr(34), chr(34) * 2)}"')
    return pl.from_arrow(relation.project(", ".join(columns)).to_arrow_table())


def info(settings: Settings) -> int:
    import duckdb

    from pipelines.release.stage import LATEST
    from pipelines.resources import RELEASES
    from pipelines.sources import SeedsFolderError, report_files
    from pipelines.versions import CODE_VERSION, PARSER_VERSION
    from pipelines.warehouse import WAREHOUSE_FILE
    from pipelines.warehouse.build import cannot_open
    from pipelines.warehouse.ddl import table_names
    from schemas import SCHEMA_VERSION, TABLES

    warehouse = settings.warehouse_dir / WAREHOUSE_FILE
    latest = settings.warehouse_dir / RELEASES / LATEST
    try:
        files_found = f"{len(report_files(settings.seeds_dir))} report files"
    except SeedsFolderError as error:
        files_found = error.reason
    print(f"daily-papers {CODE_VERSION} (schema {SCHEMA_VERSION}, parser {PARSER_VERSION})")
    print(f"seeds folder    {settings.seeds_dir} ({files_found})")
    print(f"warehouse       {warehouse}{'' if warehouse.is_file() else ' (not built yet)'}")
    print(f"latest release  {latest.resolve().name if latest.exists() else 'none yet'}")
    print(f"Dagster home    {settings.dagster_home}")
    if not warehouse.is_file():
        return 0
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            built = table_names(connection)
            counts = {
                table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in TABLES
                if table in built
            }
    except duckdb.Error as error:
        print(f"error: {cannot_open(warehouse, error)}", file=sys.stderr)
        return 1
    print("\ntable rows")
    for table in TABLES:
        print(f"{table:<15} {counts.get(table, 'not built yet')}")
    return 0


def _usage_error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def verify(folder: Path) -> int:
    from pipelines.release.verify import verify_release

    if not folder.is_dir():
        return _usage_error(f"{folder} is not a folder")
    problems = verify_release(folder)
    for problem in problems:
        # A file name that is not UTF-8 is shown escaped rather than stopping the list.
        print(f"FAILED {problem}".encode("utf-8", "backslashreplace").decode("utf-8"))
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
        what = "is not a folder" if settings.seeds_dir.exists() else "does not exist"
        return _usage_error(f"seeds folder {settings.seeds_dir} {what}")
    for folder in (settings.warehouse_dir, settings.dagster_home):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file in the way, or no permission
            return _usage_error(f"cannot make the folder {folder}: {error.strerror}")
    prepare_dagster_home(settings.dagster_home)
    # Imported here: Dagster reads DAGSTER_HOME when the instance is first made.
    import dagster as dg
    import duckdb

    from pipelines.definitions import build_definitions
    from pipelines.lock import BuildLockedError, build_lock
    from pipelines.resources import RELEASES
    from pipelines.runner import build_all
    from pipelines.sources import SeedsFolderError
    from pipelines.warehouse.build import cannot_open

    defs = build_definitions(settings)
    try:
        # The Dagster home too: two warehouse folders may share one (DAGSTER_HOME set), and its
        # stored rows and table files would then be written by both builds at once.
        with (
            build_lock(settings.warehouse_dir),
            build_lock(settings.dagster_home),
            dg.DagsterInstance.get() as instance,
        ):
            result = build_all(defs, instance)
    except BuildLockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except SeedsFolderError as error:
        return _usage_error(str(error))
    except duckdb.IOException as error:  # recording a run in the warehouse history
        warehouse = Path(defs.resources["duckdb"].database)
        print(f"error: {cannot_open(warehouse, error)}", file=sys.stderr)
        return 1
    print(
        f"{result.reports} report files in {settings.seeds_dir} "
        f"({result.new} new, {result.gone} gone, {result.parsed} parsed)"
    )
    for job, run in result.runs.items():
        print(f"run {run.run_id}: {job} {'succeeded' if run.success else 'FAILED'}")
    if not result.success:
        if result.interrupted:
            print(INTERRUPTED, file=sys.stderr)
            return 130
        print("error: the build failed; the Dagster UI (make ui) shows why", file=sys.stderr)
        return 1
    print(f"release {result.release_id} in {settings.warehouse_dir / RELEASES}")
    print(f"warehouse {defs.resources['duckdb'].database}")
    _print_rejects(Path(defs.resources["duckdb"].database))
    return 0


def _print_rejects(warehouse: Path) -> None:
    """How many inputs went to `rejects`, by reason; a warning for reports withdrawn because
    two files claim their date."""
    counts = _warehouse_rows(
        warehouse,
        "SELECT reason_code, count(*) FROM rejects GROUP BY 1 ORDER BY 2 DESC, 1",
        unread="the rejects were not counted",
    )
    if counts is None:
        return
    if not counts:
        print("rejects: none")
        return
    by_reason = ", ".join(f"{reason} {count}" for reason, count in counts)
    print(f"rejects: {sum(count for _, count in counts)} ({by_reason}); see the rejects table")
    conflicts = dict(counts).get("conflicting_report")
    if conflicts:
        print(
            f"warning: {conflicts} files claim a report date that another file claims too, so "
            "none of them is published (conflicting_report); keep one file per date",
            file=sys.stderr,
        )


def _warehouse_rows(
    warehouse: Path, sql: str, parameters: dict | None = None, *, unread: str
) -> list[tuple] | None:
    """The rows of a query on the built warehouse; None, with a warning saying what was
    `unread`, if it cannot be opened (another program has it open for writing)."""
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            return connection.execute(sql, parameters).fetchall()
    except duckdb.Error as error:
        print(f"warning: {unread} ({error})", file=sys.stderr)
        return None


UI_HOST, UI_PORT = "127.0.0.1", 3000
# `dagster dev` warns that `dg dev` supersedes it; `dg` is a separate package, not needed here.
DEV_SUPERSEDED = "ignore:Function `dev_command` is superseded:FutureWarning"


def ui(settings: Settings) -> int:
    """Replace this process with `dagster dev`, reading the same Dagster home as `build`."""
    if not _port_is_free(UI_HOST, UI_PORT):
        # `dagster dev` would start its daemon anyway and keep running without a web server.
        return _usage_error(
            f"{UI_HOST}:{UI_PORT} is in use: is the UI already running (http://{UI_HOST}:{UI_PORT})?"
        )
    prepare_dagster_home(settings.dagster_home)
    dagster = Path(sys.executable).with_name("dagster")
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    arguments = ["dagster", "dev", "-w", workspace, "-h", UI_HOST, "-p", str(UI_PORT)]
    # The UI loads the project from the project folder: hand it the folders resolved here, so
    # that relative settings name the same folders for the UI as for `build`.
    os.environ["DAILY_PAPERS_SEEDS_DIR"] = str(settings.seeds_dir)
    os.environ["DAILY_PAPERS_WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    os.environ["PYTHONWARNINGS"] = ",".join(
        filter(None, [os.environ.get("PYTHONWARNINGS"), DEV_SUPERSEDED])
    )
    os.chdir(PROJECT_ROOT)
    os.execv(dagster, arguments)


def _port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on `host:port` now (as the web server does, reusing an
    address that a closed server left waiting)."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
