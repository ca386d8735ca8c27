"""Crash-safe file writing: write beside the target, fsync, then rename over it."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temporary_beside(path: Path) -> Path:
    """Where to write what will replace `path`: a hidden file of this process in its folder."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


_TEMPORARY = re.compile(r"\..+\.(\d+)\.tmp")  # what `temporary_beside` names: .<name>.<pid>.tmp


def remove_abandoned_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files (`temporary_beside`) under `folder` whose process has ended: a
    killed process leaves its own behind; one still running may yet put its own in place."""
    abandoned = sorted(
        path
        for path in folder.rglob(".*.tmp")
        if (named := _TEMPORARY.fullmatch(path.name)) and not _running(int(named[1]))
    )
    for path in abandoned:
        path.unlink(missing_ok=True)
    return abandoned


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's
    return True


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` so that readers see the old or the new file, never a mix.

    `durable` also waits until the disk has it (survives a power cut, not just a killed
    process); data that can be made again does without, as the waits add up over many files."""
    temporary = temporary_beside(path)
    temporary.write_bytes(data)
    if durable:
        fsync_file(temporary)
    os.replace(temporary, path)
    if durable:
        fsync_dir(path.parent)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
