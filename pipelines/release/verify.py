"""Check a release folder against its manifest: missing, extra or altered files.

Used after staging (before publishing) and by `daily-papers verify <folder>` on a download.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from pipelines.files import sha256_file

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"


def verify_release(folder: Path) -> list[str]:
    """Problems found, one line each naming the file; empty when the folder is intact."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {entry["file"]: entry for entry in manifest["files"]}
        for entry in listed.values():
            _check_entry(entry)
    except FileNotFoundError:
        return [f"{MANIFEST}: missing"]
    except OSError as error:  # a folder of that name, say
        return [f"{MANIFEST}: cannot be read ({error.strerror})"]
    except (ValueError, KeyError, TypeError) as error:  # not UTF-8 or not JSON, too
        return [f"{MANIFEST}: not a valid manifest ({type(error).__name__}: {error})"]
    digest = cache(sha256_file)  # each file is hashed once, for both lists
    problems = []
    for name, entry in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{name}: {path.stat().st_size} bytes, manifest says {entry['bytes']}")
        elif digest(path) != entry["sha256"]:
            problems.append(f"{name}: SHA-256 differs from the manifest (file altered)")
    present = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    problems += [
        f"{name}: not in the manifest"
        for name in sorted(present - {MANIFEST, CHECKSUMS} - set(listed))
    ]
    problems += _checksum_problems(folder, {*listed, MANIFEST}, digest)
    return problems


def _check_entry(entry: dict) -> None:
    """A manifest entry names a file inside the folder, its size and its SHA-256."""
    name, size, sha256 = entry["file"], entry["bytes"], entry["sha256"]
    if not isinstance(name, str) or name.startswith("/") or ".." in name.split("/"):
        raise ValueError(f"{name!r} is not a file name inside the release")
    if not isinstance(size, int) or not isinstance(sha256, str):
        raise TypeError(f"{name}: bytes must be a number and sha256 a string")


def checksums_text(hashes: dict[str, str]) -> str:
    """`SHA256SUMS` content (the format `sha256sum -c` reads) from `{file name: SHA-256}`."""
    return "".join(f"{hashes[name]}  {name}\n" for name in sorted(hashes))


def _checksum_problems(folder: Path, covered: set[str], digest: Callable[[Path], str]) -> list[str]:
    """`SHA256SUMS` must list exactly the `covered` files (the manifest and every file it
    lists), each with its hash."""
    path = folder / CHECKSUMS
    if not path.is_file():
        return [f"{CHECKSUMS}: missing"]
    problems = []
    text = path.read_bytes().decode("utf-8", errors="replace")
    if "\ufffd" in text:
        problems.append(f"{CHECKSUMS}: not valid UTF-8 (file altered)")
    named = set()
    for line in text.splitlines():
        expected, _, name = line.partition("  ")
        named.add(name)
        if name not in covered:
            problems.append(f"{CHECKSUMS}: lists {name!r}, which the manifest does not")
        elif not (folder / name).is_file():
            problems.append(f"{CHECKSUMS}: lists {name!r}, which is missing")
        elif digest(folder / name) != expected:
            problems.append(f"{name}: SHA-256 differs from {CHECKSUMS} (file altered)")
    problems += [f"{name}: not in {CHECKSUMS}" for name in sorted(covered - named)]
    return problems
