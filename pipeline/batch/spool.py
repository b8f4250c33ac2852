"""The run's spool: each project checked in this run, pickled in a private temp folder.

The run checks every workbook before it builds any (a Projekt-ID or folder shared by two
workbooks keeps both from being built), then produces the documents, then writes
ekonomi.xlsx and index.html. Keeping every project in memory between those steps made
memory grow with the number of workbooks (about 0.4 MB per project); the spool keeps them
on disk and the run loads one at a time.

A pickle, unlike the state's JSON: the folder is made by `tempfile.mkdtemp` (mode 0700, on
the local temp folder, never on the share), lives for one run and is read only by this
run's own processes, so nobody else can put a pickle there. Loading one takes about 2 ms
against about 15 ms for validating the JSON.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.check import Checked


def spool(path: Path, checked: Checked) -> None:
    """Write (or replace) a project in the spool; a half-written file is never read."""
    temp = path.with_suffix(".tmp")
    temp.write_bytes(pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(temp, path)


def load_spooled(path: Path) -> Checked:
    from pipeline.check import Checked

    checked = pickle.loads(path.read_bytes())
    if not isinstance(checked, Checked):
        raise TypeError(f"{path.name} är inget kontrollerat projekt")
    return checked


PREFIX = "projektmodell-spool-"


class Spool:
    """A private temp folder for one run, removed when the run ends; the folders of runs
    that were killed (their process gone) are removed when the next run starts."""

    def __init__(self) -> None:
        remove_abandoned_spools(Path(tempfile.gettempdir()))
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def remove_abandoned_spools(temp: Path) -> None:
    """Remove this user's spool folders whose process is no longer running."""
    for folder in temp.glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            if folder.stat().st_uid != os.getuid() or not pid.isdigit() or alive(int(pid)):
                continue
        except (OSError, AttributeError):  # AttributeError: os.getuid on Windows
            continue
        shutil.rmtree(folder, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: leave its folder
    return True
