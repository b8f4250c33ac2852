"""The unit of work: one workbook, checked, its documents made and written, its record saved.

`build_project` runs in a worker process (or in the build's own with --jobs 1) and catches
everything: a workbook that raises anywhere becomes a failure with its reason, and the
batch goes on. It writes the project's files atomically, makes them durable, and only then
writes the project's record; what it hands back to the build is a small `Outcome` of plain
values. The organisation's settings are read once per process from their file (the Job
names it and their fingerprint), and the templates loaded once per process and settings,
when the first project needs them.

Nothing good is removed because of an error: a document the project still gets but that
cannot be made now keeps its last good file (and its PDF), which stays in the record's
files and its finding gives the file's date. A file whose content is unchanged is not
written again, so its date is that of its last change and its PDF stays; the PDF of a
document written anew goes, unless --pdf makes a new one.

The libraries behind reading, rendering and writing workbooks are imported here, inside
the functions: a build with nothing to do never needs them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pipeline.batch.atomic import make_durable, write_atomic
from pipeline.batch.names import name_key, project_folder_name, safe_file_name, unique_names
from pipeline.batch.state import STATE_FOLDER, Record, State, sha256
from pipeline.errors import WorkbookUnreadable, os_reason
from pipeline.paths import (
    CALCULATION_FILE,
    ECONOMY_FILE,
    FINDINGS_REPORT,
    INDEX_FILE,
    PROJECT_PAGE,
)

if TYPE_CHECKING:
    from pipeline.archive import Archived
    from pipeline.check import Checked
    from pipeline.documents import Produced, Templates
    from pipeline.findings import Finding, Report
    from pipeline.portfolio import ProjectSummary
    from pipeline.settings import Settings

BUILT, NOT_BUILT, FAILED = "built", "not_built", "failed"
TOP_LEVEL_NAMES = {name_key(n) for n in (ECONOMY_FILE, INDEX_FILE, STATE_FOLDER)}


@dataclass(frozen=True)
class Identity:
    """What the build needs of a readable project to give it a folder and find clashes."""

    projekt_id: str | None
    projektnamn: str | None


@dataclass(frozen=True)
class Job:
    """One workbook to check and build; plain values, so that any start method works."""

    workbook: Path
    output: Path
    folder: str | None
    """The project's folder as the build's first look found it; None if it found none."""
    templates: Path
    templates_hash: str
    inputs: str
    """The fingerprint its record is saved with (templates, program version, settings)."""
    today: date
    """The day the time-based rules are checked against: the same for every worker."""
    clash: Finding | None = None
    """Why it is kept from being built (it shares its Projekt-ID or folder with another)."""
    settings: Path | None = None
    """The organisation's settings file; None: the defaults."""
    settings_fingerprint: str = ""
    """`Settings.fingerprint` of the settings the build validated: a worker that reads the
    file again and finds other settings does not build the project."""


@dataclass(frozen=True)
class Outcome:
    """What the build keeps of a project: its record's head and the run's problems."""

    record: Record
    problems: list[str] = field(default_factory=list)
    archive_pdf: list[str] = field(default_factory=list)
    """The project's archived .docx files (relative to OUTPUT) that have no PDF/A yet."""


def folder_for(identity: Identity, workbook: str) -> str:
    """The project's folder in OUTPUT: `KS-2011-01 Föräldrastöd`, never one of the names
    the build itself writes at the top."""
    folder = project_folder_name(identity.projekt_id, identity.projektnamn, workbook)
    return f"_{folder}" if name_key(folder) in TOP_LEVEL_NAMES else folder


def unwritable(folder: str, exc: OSError) -> str:
    """Why the project's files could not be written, in Swedish, naming its folder."""
    return f"Filerna kunde inte skrivas i {folder}: {os_reason(exc)}."


def reason(exc: BaseException) -> str:
    """A one-line reason for a person, the place in the code for the developer; a file
    that cannot be written is only the reason, in Swedish."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_reason(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (i {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


@lru_cache(maxsize=2)
def templates_for(folder: Path, templates_hash: str, settings: Settings) -> Templates:
    """The folder's templates for the organisation (its logo in their headers), loaded once
    per process, content (`templates_hash`) and settings."""
    from pipeline.documents import load_templates

    return load_templates(folder, settings)


@lru_cache(maxsize=2)
def settings_for(path: Path | None, fingerprint: str) -> Settings | None:
    """The settings of the file (None: the defaults), read once per process; None when the
    file no longer holds the settings of that fingerprint (it was changed or broken since
    the build validated it)."""
    from pipeline.errors import SettingsError
    from pipeline.settings import DEFAULTS, read_settings

    try:
        settings = DEFAULTS if path is None else read_settings(path)
    except SettingsError:
        return None
    return settings if settings.fingerprint == fingerprint else None


def build_project(job: Job) -> Outcome:
    """Check one workbook and, unless it clashes, write its files and record."""
    from pipeline.workbook.reader import read_path

    state = State(job.output)
    previous = state.load(job.workbook.name)
    try:
        data = read_path(job.workbook)
    except WorkbookUnreadable as exc:
        return failed(state, job, previous, f"Arbetsboken kan inte läsas: {exc}.")
    try:
        return check_and_build(state, job, previous, data)
    except Exception as exc:  # one bad workbook never stops the batch
        return failed(state, job, previous, f"Bygget avbröts: {reason(exc)}", sha256(data))


def check_and_build(state: State, job: Job, previous: Record | None, data: bytes) -> Outcome:
    from pipeline.check import check_bytes

    content = sha256(data)
    settings = settings_for(job.settings, job.settings_fingerprint)
    if settings is None:
        return failed(state, job, previous, f"Inställningsfilen {job.settings} ändrades medan "
                      "bygget pågick; projektet byggs i nästa körning.", content)
    checked = check_bytes(data, job.workbook.name, settings, today=job.today)
    if checked.project is None:
        why = "; ".join(f.message for f in checked.report.errors) or "Arbetsboken kan inte läsas."
        return failed(state, job, previous, why, content, checked)
    info = checked.project.info
    folder = folder_for(Identity(info.projekt_id, info.projektnamn), job.workbook.name)
    if job.clash is not None:
        return not_built(state, job, previous, content, checked)
    if folder != job.folder:
        return failed(state, job, previous, "Arbetsboken ändrades medan bygget pågick; den "
                      "byggs i nästa körning.", content, checked)
    return produce_and_write(state, job, previous, content, checked, folder)


def produce_and_write(state: State, job: Job, previous: Record | None, content: str,
                      checked: Checked, folder: str) -> Outcome:
    """The project's documents, calculation, findings report and page written atomically
    into its folder and made durable (the documents due for the archive archived first, so
    that the page lists them), then its record."""
    from pipeline.archive import project_changes
    from pipeline.documents import produce, with_kept_dates
    from pipeline.economy import calculation_bytes, project_rows
    from pipeline.portfolio import summarize
    from pipeline.report_text import format_report
    from pipeline.validate.deadlines import validity

    assert checked.project is not None
    report = checked.report
    changes = project_changes(checked.project, job.output / folder, checked.settings)
    report.extend(changes.findings)
    earlier = earlier_documents(job.output, folder, previous)
    produced = produce(checked.project, report,
                       templates_for(job.templates, job.templates_hash, checked.settings),
                       changes.amended, earlier=earlier, planned=checked.planned)
    report.findings = with_kept_dates(report.findings, produced.planned, earlier,
                                      checked.project.phase_number == 0)
    report.extend(produced.findings)
    rows = project_rows(checked)
    outputs = [(f.name, f.data) for f in produced.files]
    problems, kept = [], [f"{folder}/{name}" for name in produced.kept]
    try:
        outputs.append((CALCULATION_FILE, calculation_bytes(rows)))
    except Exception as exc:  # the documents are still written; the run says what failed
        problems.append(f"{folder}/{CALCULATION_FILE} kunde inte skapas: {reason(exc)}")
        kept.append(f"{folder}/{CALCULATION_FILE}")
    outputs.append((FINDINGS_REPORT, (format_report(report) + "\n").encode("utf-8")))
    summary = summarize(checked).model_copy(update={"amended": tuple(changes.marks)})
    try:
        (job.output / folder).mkdir(exist_ok=True)
    except OSError as exc:
        return failed(state, job, previous, unwritable(folder, exc), content, checked)
    archived = archive(state, job, folder, produced, checked, content)  # before the page,
    problems += archived.problems  # which lists the archive as it is when it is written
    kept = [f for f in kept if previous and f in previous.files]
    try:
        outputs.append((PROJECT_PAGE, page_bytes(summary, report, outputs, kept,
                                                 job.output / folder, checked.settings)))
    except Exception as exc:  # the documents are still written; the run says what failed
        problems.append(f"{folder}/{PROJECT_PAGE} kunde inte skapas: {reason(exc)}")
        kept += [f for f in [f"{folder}/{PROJECT_PAGE}"] if previous and f in previous.files]
    try:
        written, rewritten = write_files(job.output / folder, folder, outputs)
    except OSError as exc:
        return failed(state, job, previous, unwritable(folder, exc), content, checked)
    files = written + kept + pdfs_kept(previous, [*kept, *set(written) - rewritten])
    valid = validity(checked.project, job.today, checked.settings)
    record = Record(job.workbook.name, BUILT, content, job.inputs, folder,
                    *identity_of(checked), files=files, stale=stale_files(previous, files),
                    errors=len(report.errors), warnings=len(report.warnings),
                    report=report.to_dict(), summary=summary.to_dict(),
                    economy=rows, problems=problems, valid_since=iso(valid.since),
                    valid_until=iso(valid.until))
    state.save(record)
    return Outcome(record.head(), problems, archived.awaiting_pdf)


def archive(state: State, job: Job, folder: str, produced: Produced, checked: Checked,
            content: str) -> Archived:
    """The documents due for the archive that are not in it yet, written once into the
    project's Arkiv/ (never listed among its files, so nothing ever removes them)."""
    from pipeline.archive import archive_project, due_documents

    assert checked.project is not None
    due = due_documents(checked.project, produced.planned)
    documents = {f.name: f.data for f in produced.files}
    return archive_project(job.output, state.folder, folder, due, documents, checked.project,
                           job.workbook.name, content, checked.settings)


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def page_bytes(summary: ProjectSummary, report: Report, outputs: list[tuple[str, bytes]],
               kept: list[str], folder: Path, settings: Settings) -> bytes:
    """The project's page, listing the files written beside it under the names
    `write_files` gives them (the page comes last, so theirs do not change) and the
    documents an earlier build wrote that stay (`kept`, relative to OUTPUT)."""
    from pipeline.project_page import archived_files, project_page

    names = unique_names([safe_file_name(name) for name, _ in outputs])
    names += [PurePosixPath(path).name for path in kept]
    findings = sorted(report.findings, key=lambda f: f.severity != "fel")
    return project_page(summary, findings, names, archived_files(folder),
                        settings).encode("utf-8")


def write_files(folder: Path, relative: str, outputs: list[tuple[str, bytes]]
                ) -> tuple[list[str], set[str]]:
    """Each file atomically under a safe, unique name, unless it holds that content
    already, then all of them made durable; the paths relative to OUTPUT, and those
    written anew."""
    folder.mkdir(exist_ok=True)
    names = unique_names([safe_file_name(name) for name, _ in outputs])
    rewritten = []
    for name, (_, data) in zip(names, outputs, strict=True):
        if not holds(folder / name, data):
            write_atomic(folder / name, data, sync=False)
            rewritten.append(name)
    make_durable(folder, [folder / name for name in rewritten])
    return [f"{relative}/{name}" for name in names], {f"{relative}/{name}" for name in rewritten}


def holds(path: Path, data: bytes) -> bool:
    """The file is there with exactly this content."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def earlier_documents(output: Path, folder: str, previous: Record | None) -> dict[str, date]:
    """The documents an earlier build wrote into the project's folder that are still there:
    file name -> the date it was last written."""
    found: dict[str, date] = {}
    for relative in previous.files if previous is not None else ():
        parent, _, name = relative.rpartition("/")
        if parent == folder and name.endswith(".docx"):
            try:
                found[name] = date.fromtimestamp((output / relative).stat().st_mtime)
            except OSError:
                continue
        # a file that is gone is not kept
    return found


def pdfs_kept(previous: Record | None, documents: list[str]) -> list[str]:
    """The PDFs of earlier builds whose documents stay as they were (not made now, or
    unchanged): a PDF made with --pdf stays until its .docx changes."""
    if previous is None:
        return []
    wanted = {f"{d.removesuffix('.docx')}.pdf" for d in documents if d.endswith(".docx")}
    return [f for f in previous.files if f in wanted]


def identity_of(checked: Checked) -> tuple[str | None, str | None]:
    info = checked.project.info if checked.project is not None else None
    return (info.projekt_id, info.projektnamn) if info is not None else (None, None)


def stale_files(previous: Record | None, files: list[str]) -> list[str]:
    """Files an earlier run wrote for this workbook that this run does not write."""
    if previous is None:
        return []
    now = {name_key(f) for f in files}
    return [f for f in dict.fromkeys([*previous.stale, *previous.files]) if name_key(f) not in now]


def carried(previous: Record | None) -> dict[str, object]:
    """What a record of a project not built now keeps of the last one: its files stay until
    it is built again (or its workbook is deleted)."""
    if previous is None:
        return {}
    return {"folder": previous.folder, "files": list(previous.files),
            "stale": list(previous.stale)}


def not_built(state: State, job: Job, previous: Record | None, content: str,
              checked: Checked) -> Outcome:
    from pipeline.economy import project_rows
    from pipeline.portfolio import summarize

    assert job.clash is not None
    report = checked.report
    report.findings.insert(0, job.clash)
    record = Record(job.workbook.name, NOT_BUILT, content, job.inputs,
                    **{"folder": job.folder, **carried(previous)},
                    projekt_id=identity_of(checked)[0], projektnamn=identity_of(checked)[1],
                    errors=len(report.errors), warnings=len(report.warnings),
                    reason=job.clash.message, report=report.to_dict(),
                    summary=summarize(checked).to_dict(), economy=project_rows(checked))
    state.save(record)
    return Outcome(record.head())


def failed(state: State, job: Job, previous: Record | None, why: str, content: str = "",
           checked: Checked | None = None) -> Outcome:
    """A workbook that could not be read or built: its record says why, and keeps the
    files of its last build in place."""
    record = failed_record(job.workbook.name, why, previous, content, checked)
    state.save(record)
    return Outcome(record.head())


def failed_record(workbook: str, why: str, previous: Record | None, content: str = "",
                  checked: Checked | None = None) -> Record:
    """The record of a failed workbook, its failure the first finding (once)."""
    from pipeline.catalogue import WORKBOOK_FAILED
    from pipeline.check import Checked
    from pipeline.economy import project_rows
    from pipeline.findings import Report
    from pipeline.portfolio import summarize

    report: Report = checked.report if checked is not None else Report(file=workbook)
    if not any(f.message == why for f in report.findings):
        report.findings.insert(0, WORKBOOK_FAILED(reason=why))
    unread = Checked(None, report)
    return Record(workbook, FAILED, content, "", **carried(previous),
                  errors=len(report.errors), warnings=len(report.warnings), reason=why,
                  report=report.to_dict(), summary=summarize(unread).to_dict(),
                  economy=project_rows(unread))
