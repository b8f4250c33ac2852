"""What earlier runs wrote, under OUTPUT/.projektmodell/: one JSON record per workbook.

A record is written only after the project's files are in place and durable, so a killed
run leaves the old record (and the project is built again next time) or the new one. The
record lists every file written for the project, so that stale files can be removed and
files the program did not write are never touched. It also keeps what ekonomi.xlsx and
index.html show of the project (its report, summary and economy rows), so that a later run
need not read the workbook again. Everything is plain JSON: the share may be writable by
others, and a record that does not parse, or is not as this program writes it, only means
that its project is built again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.batch.atomic import write_atomic, write_atomic_chunks
from pipeline.paths import is_lock_file

STATE_FOLDER = ".projektmodell"
RECORDS = "projects"
RUN_REPORT = "run-report.json"
PORTFOLIO_KEY = "portfolio.json"
ARCHIVE_PDF_QUEUE = "archive-pdf.json"
"""Archived .docx files a run could not convert to PDF/A (no LibreOffice): the next run's."""
RECORD_FORMAT = 5
"""4: a record per workbook holds its report, summary and economy rows (no stored project);
5: and the days its time-based findings hold (`valid_since`, `valid_until`)."""
OLD_STATE = ("checked",)
"""Folders an earlier version kept in the state folder; removed when found."""


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
    """What the last run that read a workbook left of it."""

    workbook: str
    status: str
    """`built`, `not_built` (kept from being built) or `failed` (see the report)."""
    content: str = ""
    """The sha256 of the workbook's bytes as that run read them ('' if it could not)."""
    inputs: str = ""
    """`Fingerprint` of the templates, program version and settings it was built with."""
    folder: str | None = None
    projekt_id: str | None = None
    projektnamn: str | None = None
    files: list[str] = field(default_factory=list)
    """Paths relative to OUTPUT, posix, of every file this program wrote for the project."""
    stale: list[str] = field(default_factory=list)
    """Files written by an earlier run and no longer produced: removed at the end of a run."""
    deleted: bool = False
    """The workbook is gone: its files are stale and the record goes once they are removed."""
    errors: int = 0
    warnings: int = 0
    reason: str | None = None
    problems: list[str] = field(default_factory=list)
    """What failed while building it (its calculation, say): it is built again next run."""
    report: dict[str, Any] | None = None
    """The project's findings (`Report.to_dict`)."""
    summary: dict[str, Any] | None = None
    """What index.html shows of it (`ProjectSummary.to_dict`)."""
    economy: dict[str, Any] | None = None
    """Its rows in ekonomi.xlsx (`economy.project_rows`)."""
    valid_since: str | None = None
    valid_until: str | None = None
    """ISO dates: its time-based findings (validate.deadlines) are as reported on the days
    from `valid_since` up to but not including `valid_until` (None: no bound)."""
    format: int = RECORD_FORMAT

    def holds_on(self, day: date) -> bool:
        """Its findings are those of `day` (False when a bound is not a date)."""
        try:
            since, until = (None if text is None else date.fromisoformat(text)
                            for text in (self.valid_since, self.valid_until))
        except (TypeError, ValueError):
            return False
        return (since is None or since <= day) and (until is None or day < until)

    def head(self) -> Record:
        """The record without its report, summary and economy rows (what a run keeps of
        every workbook in memory)."""
        return Record(**{**as_dict(self), **dict.fromkeys(DETAILS)})


DETAILS = ("report", "summary", "economy")


def as_dict(record: Record) -> dict[str, Any]:
    """The record's fields by name, its values as they are (no deep copy)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def record_key(workbook: str) -> str:
    return sha256(workbook.encode())[:24]


def is_inside(relative: str) -> bool:
    """A path from the state that stays inside OUTPUT (the state may have been edited)."""
    return bool(relative) and not relative.startswith("/") and ".." not in relative.split("/")


def parse_record(text: str) -> Record | None:
    """The record a file holds; None when it is not one this program wrote."""
    try:
        data = json.loads(text)
        record = Record(**data)
    except (ValueError, TypeError):
        return None
    valid = (record.format == RECORD_FORMAT
             and all(isinstance(getattr(record, name), str)
                     for name in ("workbook", "status", "content", "inputs"))
             and all(isinstance(getattr(record, name), list)
                     and all(isinstance(item, str) and is_inside(item)
                             for item in getattr(record, name))
                     for name in ("files", "stale"))
             and all(isinstance(getattr(record, name), int) for name in ("errors", "warnings"))
             and all(getattr(record, name) is None or isinstance(getattr(record, name), dict)
                     for name in DETAILS))
    return record if valid else None


class State:
    """The state folder of one OUTPUT."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / STATE_FOLDER
        self.records_folder = self.folder / RECORDS

    def prepare(self) -> None:
        self.records_folder.mkdir(parents=True, exist_ok=True)
        for old in OLD_STATE:
            shutil.rmtree(self.folder / old, ignore_errors=True)

    def record_path(self, workbook: str) -> Path:
        return self.records_folder / f"{record_key(workbook)}.json"

    def heads(self) -> dict[str, Record]:
        """Every readable record by workbook name, without its details; an unreadable or
        edited record is left out (its project is built again)."""
        heads = {}
        for path in sorted(self.records_folder.glob("*.json")):
            record = self.load_path(path)
            if record is not None and path.name == f"{record_key(record.workbook)}.json":
                heads[record.workbook] = record.head()
        return heads

    def load_path(self, path: Path) -> Record | None:
        try:
            return parse_record(path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def load(self, workbook: str) -> Record | None:
        """The whole record of a workbook, details included."""
        return self.load_path(self.record_path(workbook))

    def save(self, record: Record) -> None:
        """Write the record (once the files it names are in place)."""
        text = json.dumps(as_dict(record), ensure_ascii=False, default=str)
        write_atomic(self.record_path(record.workbook), text.encode("utf-8"), sync=False)

    def update(self, workbook: str, **changes: Any) -> None:
        """Change a saved record's head (files, stale, deleted), its details kept."""
        record = self.load(workbook)
        if record is not None:
            self.save(Record(**{**as_dict(record), **changes}))

    def forget(self, workbook: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.record_path(workbook).unlink()

    def files_present(self, record: Record) -> bool:
        """Every file the record names is in place (each folder listed once)."""
        listed: dict[str, set[str]] = {}
        for relative in record.files:
            folder, _, name = relative.rpartition("/")
            if folder not in listed:
                listed[folder] = files_in(self.output / folder)
            if name not in listed[folder]:
                return False
        return True

    def read_json(self, name: str) -> dict[str, object]:
        try:
            data = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def write_json(self, name: str, data: dict[str, object]) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
        write_atomic(self.folder / name, text.encode("utf-8"), sync=False)

    def write_json_chunks(self, name: str, chunks: Iterable[str]) -> None:
        # the state's own files need no sync: torn by a crash, they only mean more work
        write_atomic_chunks(self.folder / name, (c.encode("utf-8") for c in chunks),
                            sync=False)


def files_in(folder: Path) -> set[str]:
    """The names of the regular files in a folder (none when it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file()}
    except OSError:
        return set()
