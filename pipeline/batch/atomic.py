"""Atomic writes: a temp file in the same folder, then os.replace'd into place.

A kill -9 at any moment leaves each file as it was or as it should be, plus at most a
temp file with TEMP_PREFIX, which the next run removes (`remove_leftover_temps`).

Against a power loss (os.replace alone is atomic only against a killed process) a
project's files must be on disk before its record says they are in place: otherwise the
next run could take a document left empty by the crash as built. An fsync per file did
that at about 1 ms a file on a quiet local disk and 5-7 ms on a busy one, ten files a
project: more than the rest of a project's work. So the build writes a project's files
with `sync=False` and then makes them durable at once (`make_durable`: one syncfs(2) of
the output's file system on Linux, an fsync per file elsewhere) before it writes the
record. A record or stored project torn by a crash is not trusted (it does not parse or
its hash differs) and only means a rebuild, so those need no sync of their own.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

TEMP_PREFIX = ".projektmodell-tmp-"


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~current_umask()
"""mkstemp creates 0600; documents on a share are read by others, as a plain open() would."""


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace `path` by `data` so that a reader sees the old or the new file, never half;
    sync=False leaves it to the caller to make it durable (`make_durable`)."""
    write_atomic_chunks(path, [data], sync=sync)


def write_atomic_chunks(path: Path, chunks: Iterable[bytes], *, sync: bool = True) -> None:
    """As `write_atomic`, the content written as it is made (never whole in memory)."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def make_durable(folder: Path, files: Iterable[Path]) -> None:
    """The files (written with sync=False) and their renames in `folder` on disk: one
    syncfs of the file system holding `folder` where there is one, else an fsync each."""
    if not _syncfs(folder):
        for path in files:
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
        fsync_folder(folder)


def _load_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[[int], int] = libc.syncfs
    except (OSError, AttributeError):
        return None
    return function


_SYNCFS = _load_syncfs()


def _syncfs(folder: Path) -> bool:
    """syncfs(2) of the file system holding `folder`; False where it cannot be used."""
    if _SYNCFS is None:
        return False
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        return _SYNCFS(fd) == 0
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make the renames in a folder durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_leftover_temps(root: Path) -> int:
    """Remove the temp files an interrupted run left; returns how many."""
    removed = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.startswith(TEMP_PREFIX):
                with contextlib.suppress(FileNotFoundError):
                    (Path(folder) / name).unlink()
                    removed += 1
    return removed
