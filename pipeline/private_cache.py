"""A private, per-user cache of what every run prepares the same way: the templates'
compiled form and the economy workbooks' prototype.

Preparing them costs a run most of its fixed time (python-docx, docxtpl, Jinja's compiler,
openpyxl), and gives the same result every time for the same template bytes and the same
code. An entry is therefore keyed by what it was made from and by a fingerprint of the
code and libraries that made it (`fingerprint`: every pipeline source, the libraries'
versions, the Python version), so that any change makes it miss.

The folder (`cache_folder`) holds compiled code, so it is used only when it is private:
created 0700, owned by the user and writable by nobody else (as Jinja checks its own
bytecode cache's folder). Each entry is one file per slot (a template kind in a folder,
the prototype), replaced when what it is made from changes, and at most MAX_ENTRIES are
kept, which bounds its size; it is written atomically and its payload's sha256 is checked
before use. Anything wrong (no home, a read-only or shared folder, a truncated or
foreign entry) only means the run prepares from scratch, as it did without a cache.

The folder: $PROJEKTMODELL_CACHE, else $XDG_CACHE_HOME/projektmodell, else
~/.cache/projektmodell.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

CACHE_VARIABLE = "PROJEKTMODELL_CACHE"
MAGIC = b"projektmodell-cache 1\n"
DIGEST_SIZE = hashlib.sha256().digest_size
LIBRARIES = ("jinja2", "markupsafe", "docxtpl", "python-docx", "lxml", "babel", "openpyxl")
"""The distributions whose behaviour a cached result depends on."""
MAX_ENTRIES = 64
"""Entries kept at most, the most recently written (a slot per template kind and folder)."""
STALE_SECONDS = 3600
"""A temporary file this old was left by a process that died while writing."""
TEMPORARY_PREFIX = ".tmp-"


def cache_folder() -> Path | None:
    """The cache's folder, made if missing; None when there is none fit for use."""
    configured = os.environ.get(CACHE_VARIABLE)
    try:
        if configured:
            folder = Path(configured)
        else:
            base = os.environ.get("XDG_CACHE_HOME", "")
            root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
            folder = root / "projektmodell"
        folder.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        info = folder.lstat()
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None
    return folder if is_private(info) else None


def is_private(info: os.stat_result) -> bool:
    """A real folder (not a link) of the user's, which no one else can write."""
    if not stat.S_ISDIR(info.st_mode):
        return False
    if not hasattr(os, "getuid"):  # Windows: the user's profile is private by its ACL
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@cache
def fingerprint() -> bytes:
    """A digest of what makes a cached result: the pipeline's sources, the libraries'
    versions and the Python version (marshal's format of code follows it)."""
    from importlib import metadata

    digest = hashlib.sha256(sys.version.encode())
    digest.update(sys.implementation.cache_tag.encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\0{name}={version}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(f"\0{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.digest()


def entry_key(*parts: bytes) -> bytes | None:
    """The key of an entry made from parts by this code; None when the code cannot be
    fingerprinted (the cache is then not used)."""
    try:
        digest = hashlib.sha256(fingerprint())
    except OSError:
        return None
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def slot_path(folder: Path, slot: str) -> Path:
    return folder / f"{slot}.bin"


def load(slot: str, key: bytes | None) -> bytes | None:
    """The payload stored in slot under key, verified; None on a miss or any problem."""
    folder = cache_folder() if key is not None else None
    if folder is None:
        return None
    try:
        with open(slot_path(folder, slot), "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode) or (
                    hasattr(os, "getuid") and info.st_uid != os.getuid()):
                return None
            data = file.read()
    except OSError:
        return None
    head = len(MAGIC)
    if data[:head] != MAGIC or data[head:head + DIGEST_SIZE] != key:
        return None
    digest = data[head + DIGEST_SIZE:head + 2 * DIGEST_SIZE]
    payload = data[head + 2 * DIGEST_SIZE:]
    if len(digest) != DIGEST_SIZE or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def store(slot: str, key: bytes | None, payload: bytes) -> None:
    """Keep payload in slot under key (replacing what the slot held), atomically; a
    failure to write is ignored: the next run prepares again."""
    folder = cache_folder() if key is not None else None
    if folder is None or key is None:
        return
    data = MAGIC + key + hashlib.sha256(payload).digest() + payload
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=folder)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, slot_path(folder, slot))
        tidy(folder)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def tidy(folder: Path) -> None:
    """Keep the folder bounded: remove the temporary files of writers that died and the
    oldest entries beyond MAX_ENTRIES."""
    stale = time.time() - STALE_SECONDS
    written: list[tuple[float, str]] = []
    with os.scandir(folder) as items:
        for item in items:
            with contextlib.suppress(OSError):
                modified = item.stat(follow_symlinks=False).st_mtime
                if item.name.startswith(TEMPORARY_PREFIX) and modified < stale:
                    os.unlink(item.path)
                elif item.name.endswith(".bin"):
                    written.append((modified, item.path))
    for _, path in sorted(written)[:-MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            os.unlink(path)
