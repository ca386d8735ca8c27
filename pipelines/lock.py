"""One build at a time per warehouse folder.

A second build fails fast with a clear message instead of racing the first for the warehouse file
and the `latest` pointer. The lock is an OS file lock, released by the OS when a build dies, and
re-entrant within a process (the command-line build holds it while its assets take it again).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".build.lock"
_held: dict[Path, int] = {}  # lock path -> nesting depth in this process


class BuildLockedError(RuntimeError):
    """Another process is building into the same warehouse folder."""


@contextmanager
def build_lock(warehouse_dir: Path) -> Iterator[None]:
    path = (warehouse_dir / LOCK_FILE).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLockedError(
                f"Another build is running on {warehouse_dir} (process {holder}). Wait for it to "
                f"finish, or stop it; nothing was changed."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
