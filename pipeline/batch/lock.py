"""One build at a time per OUTPUT: a lock file created with O_CREAT|O_EXCL holding pid and host.

A lock whose process is gone (same host, pid not alive) is taken over; a lock held by a
live process, or by another host, raises OutputLocked with a Swedish message.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from pathlib import Path

from pipeline.errors import OutputLocked, UsageError, os_reason

LOCK_FILE = "lock"
UNREADABLE_GRACE = 30.0
"""Seconds an empty or garbled lock is respected (its writer may still be writing it)."""


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    import ctypes

    still_active, query_limited = 259, 0x1000
    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel.OpenProcess(query_limited, False, pid)
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        kernel.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == still_active
    finally:
        kernel.CloseHandle(handle)


def read_holder(path: Path) -> dict[str, object] | None:
    """The lock's content, or None when it is empty or garbled."""
    try:
        holder = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def is_stale(path: Path, holder: dict[str, object] | None) -> bool:
    if holder is None:
        try:
            return time.time() - path.stat().st_mtime > UNREADABLE_GRACE
        except FileNotFoundError:
            return True
    pid = holder.get("pid")
    same_host = holder.get("host") == socket.gethostname()
    return same_host and isinstance(pid, int) and not pid_alive(pid)


def locked_message(path: Path, holder: dict[str, object] | None) -> str:
    who = (f"process {holder.get('pid')} på {holder.get('host')}, startad {holder.get('started')}"
           if holder else "en annan körning")
    return (f"En annan körning bygger redan till {path.parent.parent} ({who}). "
            f"Vänta tills den är klar. Om ingen körning pågår, ta bort låsfilen {path}.")


def output_unwritable(output: Path, exc: OSError) -> UsageError:
    """The build's error when the output folder cannot be written: nothing is built."""
    return UsageError(f"Utdatamappen {output} kan inte skrivas: {os_reason(exc)}. "
                      "Inget byggdes.")


class BuildLock:
    """Context manager holding OUTPUT/.projektmodell/lock for the duration of a build."""

    def __init__(self, state_folder: Path) -> None:
        self.path = state_folder / LOCK_FILE
        self.took_over: dict[str, object] | None = None

    def __enter__(self) -> BuildLock:
        """Takes the lock; raises OutputLocked when another build holds it, UsageError when
        the output folder cannot be written."""
        for _attempt in range(3):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if self._try_create():
                    return self
            except OSError as exc:
                raise output_unwritable(self.path.parent.parent, exc) from exc
            holder = read_holder(self.path)
            if not is_stale(self.path, holder):
                raise OutputLocked(locked_message(self.path, holder))
            self._remove_stale(holder)
        raise OutputLocked(locked_message(self.path, read_holder(self.path)))

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(FileNotFoundError):
            if read_holder(self.path) == self._content():
                self.path.unlink()

    def _content(self) -> dict[str, object]:
        return {"pid": os.getpid(), "host": socket.gethostname(), "started": self._started}

    def _try_create(self) -> bool:
        self._started = time.strftime("%Y-%m-%d %H:%M:%S")
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self._content(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        return True

    def _remove_stale(self, holder: dict[str, object] | None) -> None:
        """Move the stale lock aside and check it is the one judged stale (not a fresh one)."""
        aside = self.path.with_name(f"{LOCK_FILE}.stale-{os.getpid()}")
        try:
            os.replace(self.path, aside)
        except FileNotFoundError:
            return
        if read_holder(aside) != holder and holder is not None:
            with contextlib.suppress(OSError):
                os.link(aside, self.path)  # a fresh lock: put it back unless one exists
        with contextlib.suppress(FileNotFoundError):
            aside.unlink()
        self.took_over = holder or {}
