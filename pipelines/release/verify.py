"""Check a release folder against its manifest: missing, extra or altered files, and table files
whose row count is not the manifest's.

Used after staging (before publishing) and by `daily-papers verify <folder>` on a download.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path

from pipelines.files import sha256_file

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


# The manifest and the checksums of a ten-year release are about a megabyte; anything far bigger
# is not one (and is not read into memory).
LARGEST_LIST = 64 * 1024 * 1024


class _Unreadable(Exception):
    """The manifest or the checksums file cannot be read as a file of the release."""


def verify_release(folder: Path) -> list[str]:
    """Problems found, one line each naming the file; empty when the folder is intact."""
    try:
        manifest = json.loads(_read_list(folder / MANIFEST).decode("utf-8"))
        entries = manifest["files"]
        for entry in entries:
            _check_entry(entry)
        listed = {entry["file"]: entry for entry in entries}
    except _Unreadable as error:
        return [f"{MANIFEST}: {error}"]
    except (ValueError, KeyError, TypeError, RecursionError) as error:  # not UTF-8 or JSON, too
        return [f"{MANIFEST}: not a valid manifest ({type(error).__name__}: {error})"]
    digest = cache(sha256_file)  # each file is hashed once, for both lists
    problems = [
        f"{MANIFEST}: lists {name!r} more than once"
        for name, count in sorted(Counter(entry["file"] for entry in entries).items())
        if count > 1
    ]
    present, not_files = _contents(folder)
    problems += not_files.values()
    for name, entry in listed.items():
        path = folder / name
        if name not in present:
            if name not in not_files:  # what is there instead is reported already
                problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{name}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif digest(path) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest (file altered)")
        elif "rows" in entry and (problem := _row_count_problem(path, entry["rows"])):
            problems.append(f"{name}: {problem}")
    problems += [
        f"{name}: not in the manifest"
        for name in sorted(present - {MANIFEST, CHECKSUMS} - set(listed))
    ]
    if CHECKSUMS not in not_files:
        problems += _checksum_problems(folder, {*listed, MANIFEST}, present, digest)
    return problems


def _row_count_problem(path: Path, rows: int) -> str | None:
    """What is wrong with the row count of a Parquet file the manifest counts `rows` in (read
    from its footer), if anything: a manifest rewritten for an altered file can still give
    itself away."""
    import pyarrow as pa  # only for releases that list table files
    import pyarrow.parquet as pq

    try:
        found = pq.read_metadata(path).num_rows
    except (OSError, pa.ArrowException) as error:  # damaged bytes raise any of Arrow's errors
        return f"not a readable Parquet file ({error})"
    return None if found == rows else f"{found} rows, manifest says {rows}"


def _contents(folder: Path) -> tuple[set[str], dict[str, str]]:
    """`(the regular files in the folder, {name: problem} of anything else in it)`. A release
    holds only regular files and folders: a link could pass off a file outside it as its own."""
    files: set[str] = set()
    problems: dict[str, str] = {}
    for root, folders, names in os.walk(folder):  # does not follow links to folders
        for name in sorted(folders + names):
            path = Path(root, name)
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                problems[relative] = f"{relative}: a link, not a file of the release"
            elif name in names and not path.is_file():
                problems[relative] = f"{relative}: not a regular file"
            elif name in names:
                files.add(relative)
    return files, problems


def _read_list(path: Path) -> bytes:
    """The bytes of the manifest or the checksums file, if it is a regular file of sane size."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise _Unreadable("missing") from None
    except OSError as error:
        raise _Unreadable(f"cannot be read ({error.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        raise _Unreadable("a link, not a file of the release")
    if not stat.S_ISREG(info.st_mode):
        raise _Unreadable("not a regular file")
    if info.st_size > LARGEST_LIST:
        raise _Unreadable(f"{info.st_size} bytes, too large to be one")
    try:
        return path.read_bytes()
    except OSError as error:
        raise _Unreadable(f"cannot be read ({error.strerror})") from None


def _check_entry(entry: dict) -> None:
    """A manifest entry names a file inside the folder, its size and its SHA-256."""
    name, size, sha256 = entry["file"], entry["bytes"], entry["sha256"]
    if not isinstance(name, str) or not _is_inner_name(name):
        raise ValueError(f"{name!r} is not a file name inside the release")
    if not isinstance(size, int) or not isinstance(sha256, str):
        raise TypeError(f"{name}: bytes must be a number and sha256 a string")
    if not isinstance(entry.get("rows", 0), int):
        raise TypeError(f"{name}: rows must be a number")


def _is_inner_name(name: str) -> bool:
    """A relative path inside the folder that the file system can hold."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, from a JSON escape
        return False
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and ".." not in parts and "\0" not in name


def checksums_text(hashes: dict[str, str]) -> str:
    """`SHA256SUMS` content (the format `sha256sum -c` reads) from `{file name: SHA-256}`."""
    return "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes))


def _checksum_problems(
    folder: Path, covered: set[str], present: set[str], digest: Callable[[Path], str]
) -> list[str]:
    """`SHA256SUMS` must list exactly the `covered` files (the manifest and every file it
    lists), each with its hash; `present` are the regular files in the folder."""
    try:
        data = _read_list(folder / CHECKSUMS)
    except _Unreadable as error:
        return [f"{CHECKSUMS}: {error}"]
    problems = []
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text:
        problems.append(f"{CHECKSUMS}: not valid UTF-8 (file altered)")
    named = set()
    for line in text.splitlines():
        expected, _, name = line.partition("  ")
        named.add(name)
        if name not in covered:
            problems.append(f"{CHECKSUMS}: lists {name!r}, which the manifest does not")
        elif name in present and digest(folder / name) != expected:  # absent: reported already
            problems.append(f"{name}: SHA-256 differs from {CHECKSUMS} (file altered)")
    problems += [f"{name}: not in {CHECKSUMS}" for name in sorted(covered - named)]
    return problems
