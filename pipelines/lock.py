"""One build at a time per warehouse folder.

A second build fails fast with a clear message instead of racing the first for the warehouse file
and the `latest` pointer. The lock is an OS file lock, released by the OS when a build dies, and
re-entrant within a process (the command-line build holds it while its assets take it again).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

LOCK_FILE = ".build.lock"


@dataclass
class _Held:
    handle: TextIO  # the open lock file, locked
    depth: int  # how many `build_lock` blocks of this process hold it


_held: dict[Path, _Held] = {}  # by lock path
# `_held` is shared by the threads of the process. Re-entrant: the garbage collector may end an
# abandoned `build_lock` block (see below) on a thread that is inside one of these sections.
_held_guard = threading.RLock()


class BuildLockedError(RuntimeError):
    """Another process is building into the same warehouse folder."""


@contextmanager
def build_lock(warehouse_dir: Path) -> Iterator[None]:
    path = (warehouse_dir / LOCK_FILE).resolve()
    with _held_guard:
        if path not in _held:
            _held[path] = _Held(_acquire(warehouse_dir, path), 0)
        _held[path].depth += 1
    try:
        yield
    finally:
        # Whichever block ends last releases the lock, not necessarily the first one: a
        # generator asset that Dagster stops consuming (an output failed its type check) leaves
        # its block open until the generator is garbage-collected, maybe during the next run.
        with _held_guard:
            held = _held[path]
            held.depth -= 1
            if held.depth == 0:
                del _held[path]
                _release(held.handle)


def _acquire(warehouse_dir: Path, path: Path) -> TextIO:
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 (closed by `_release`)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise BuildLockedError(
            f"Another build is running on {warehouse_dir} (process {holder}). Wait for it to "
            f"finish, or stop it; nothing was changed."
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _release(handle: TextIO) -> None:
    handle.seek(0)
    handle.truncate()
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()
