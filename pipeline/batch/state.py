"""What earlier runs wrote, under OUTPUT/.projektmodell/: one JSON record per workbook.

A record is written only after the project's files are in place, so a killed run leaves
the old record (and the project is rebuilt next time) or the new one. The record lists
every file written for the project, so that stale files can be removed and files the
program did not write are never touched. The project's Checked (with its document
findings) is kept beside it as JSON (never a pickle: the share may be writable by
others), for ekonomi.xlsx and index.html of later runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.batch.atomic import write_atomic, write_atomic_chunks
from pipeline.batch.stored import checked_from_data
from pipeline.paths import is_lock_file

if TYPE_CHECKING:
    from pipeline.check import Checked

STATE_FOLDER = ".projektmodell"
RECORDS = "projects"
CHECKED = "checked"
RUN_REPORT = "run-report.json"
PORTFOLIO_KEY = "portfolio.json"
RECORD_FORMAT = 3
"""2: a record carries its project's report (so an unchanged project is not loaded);
3: and the report's head (`PackedReport.head`: counts, identity, sha256), so that an
unchanged project's report is not parsed."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(data: bytes) -> str:
    """A zip's (.docx) members by name, size and CRC-32 of their content as its directory
    gives them (nothing is decompressed), so that re-saving the same template with new zip
    timestamps does not rebuild everything; other files by their bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = sorted((info.filename, info.file_size, info.CRC)
                             for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return sha256(data)
    return sha256("\0".join(f"{name}\0{size}\0{crc:08x}" for name, size, crc in members)
                  .encode())


def folder_hash(folder: Path | None) -> str:
    """Hash of a folder's files (names and contents), lock files skipped; '' for no folder."""
    if folder is None or not folder.is_dir():
        return ""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not is_lock_file(p)):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0" + content_hash(path.read_bytes()).encode())
    return digest.hexdigest()


@dataclass
class Record:
    workbook: str
    content: str
    templates: str
    version: str
    folder: str
    files: list[str] = field(default_factory=list)
    """Paths relative to OUTPUT, posix, of every file this program wrote for the project."""
    stale: list[str] = field(default_factory=list)
    """Files written by an earlier run and no longer produced: removed at the end of a run."""
    deleted: bool = False
    """The workbook is gone: its files are stale and the record goes once they are removed."""
    report: str = ""
    """The project's report (check and documents) as JSON, as in the stored Checked: an
    unchanged project needs only this, not its whole Checked."""
    checked: str = ""
    """The sha256 of the stored Checked's bytes, checked when it is loaded."""
    checked_stat: list[int] = field(default_factory=list)
    """The stored Checked's size and modification time (ns) as written: a run takes the
    project as unchanged only while they are the same (an edit changes them), so that a
    run with nothing to do reads no stored project."""
    head: dict[str, object] = field(default_factory=dict)
    """`report`'s counts, the project's identity and the text's sha256, as
    `PackedReport.head` makes them."""
    format: int = RECORD_FORMAT

    @cached_property
    def fingerprint(self) -> str:
        """Names the stored Checked (`replace` makes a new record, computed again)."""
        return fingerprint(self.workbook, self.content, self.templates, self.version)


def file_stat(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def fingerprint(workbook: str, content: str, templates: str, version: str) -> str:
    return sha256("\0".join((workbook, content, templates, version)).encode())[:32]


def record_key(workbook: str) -> str:
    return sha256(workbook.encode())[:24]


def is_inside(relative: str) -> bool:
    """A path from the state that stays inside OUTPUT (the state may have been edited)."""
    return bool(relative) and not relative.startswith("/") and ".." not in relative.split("/")


def files_in(folder: str) -> set[str]:
    """The names of the regular files in a folder (none when it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file()}
    except OSError:
        return set()


def is_stat(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(type(number) is int for number in value))


def read_records(folder: Path) -> dict[str, Record]:
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = Record(**data)
        except (OSError, ValueError, TypeError):
            continue
        if record.format == RECORD_FORMAT and isinstance(record.head, dict) and all(
                isinstance(getattr(record, name), str)
                for name in ("workbook", "content", "folder", "report", "checked")) \
                and is_stat(record.checked_stat):
            records[record.workbook] = record
    return records


PACKED_REPORT = "(packed)"
"""A saved record's report as the run keeps it: the text (about 19 kB a project), deflated,
is in `State._reports` until the record is saved again, so that memory stays flat in the
number of workbooks."""


class State:
    """The state folder of one OUTPUT."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / STATE_FOLDER
        self._records: dict[str, Record] | None = None
        self._reports: dict[str, bytes] = {}

    def prepare(self) -> None:
        (self.folder / RECORDS).mkdir(parents=True, exist_ok=True)
        (self.folder / CHECKED).mkdir(parents=True, exist_ok=True)

    def records(self) -> dict[str, Record]:
        """The records by workbook name; an unreadable record is ignored (project rebuilt).
        Read from disk once; `save_record` and `forget` keep them up to date."""
        if self._records is None:
            self._records = read_records(self.folder / RECORDS)
        return dict(self._records)

    def record_path(self, workbook: str) -> Path:
        return self.folder / RECORDS / f"{record_key(workbook)}.json"

    def checked_path(self, key: str) -> Path:
        return self.folder / CHECKED / f"{key}.json"

    def save_stored(self, record: Record, stored: bytes) -> Record:
        """The project's Checked (serialized by a worker as `checked_json`), then its record
        (as saved): a record never names a missing Checked."""
        path = self.checked_path(record.fingerprint)
        write_atomic(path, stored, sync=False)
        saved = replace(record, checked=sha256(stored), checked_stat=file_stat(path))
        return self.save_record(saved)

    def checked_intact(self, record: Record) -> bool:
        """The record's stored Checked is there, as it was written (by its size and time;
        its sha256 is checked when it is loaded, `load_checked_at`)."""
        try:
            return file_stat(self.checked_path(record.fingerprint)) == record.checked_stat
        except OSError:
            return False

    def save_record(self, record: Record) -> Record:
        """Write the record; it is returned (and kept) with its report packed away."""
        if record.report == PACKED_REPORT:
            report = zlib.decompress(self._reports[record.workbook]).decode("utf-8")
            record = replace(record, report=report)
        text = json.dumps(asdict(record), ensure_ascii=False, indent=1)
        write_atomic(self.record_path(record.workbook), text.encode("utf-8"), sync=False)
        self._reports[record.workbook] = zlib.compress(record.report.encode("utf-8"), 1)
        kept = replace(record, report=PACKED_REPORT)
        if self._records is not None:
            self._records[record.workbook] = kept
        return kept

    def forget(self, workbook: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.record_path(workbook).unlink()
        if self._records is not None:
            self._records.pop(workbook, None)
        self._reports.pop(workbook, None)

    def load_checked_at(self, path: Path, expected: str) -> Checked | None:
        """The stored Checked at path if its sha256 is `expected`; None when it is missing,
        unreadable or edited."""
        try:
            data = path.read_bytes()
            if sha256(data) != expected:
                return None
            return checked_from_data(json.loads(data))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def files_present(self, record: Record) -> bool:
        """Every file the record names is in place (each folder listed once, with plain
        strings: 1000 projects name about 7000 files)."""
        output = os.fspath(self.output)
        listed: dict[str, set[str]] = {}
        for relative in record.files:
            if not is_inside(relative):
                continue
            folder, _, name = relative.rpartition("/")
            names = listed.get(folder)
            if names is None:
                names = listed[folder] = files_in(os.path.join(output, folder))
            if name not in names:
                return False
        return True

    def remove_unused_checked(self, records: list[Record]) -> None:
        used = {self.checked_path(r.fingerprint).name for r in records}
        for path in (self.folder / CHECKED).glob("*"):
            if path.name not in used:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def read_json(self, name: str) -> dict[str, object]:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_json_chunks(self, name: str, chunks: Iterable[str]) -> None:
        # the state's own files need no sync: torn by a crash, they only mean more work
        write_atomic_chunks(self.folder / name, (c.encode("utf-8") for c in chunks),
                            sync=False)

    def write_json(self, name: str, data: dict[str, object]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
        write_atomic(self.folder / name, text.encode("utf-8"), sync=False)
