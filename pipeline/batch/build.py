"""The nightly build: workbooks in INPUT to documents, ekonomi.xlsx and index.html in OUTPUT.

Gather and validate first, then write (as MkDocs does); one bad workbook is recorded and
skipped (as Pelican does):

1. check the options (folders, templates, the organisation's settings), take the lock,
   remove leftover temp files;
2. look at every workbook once: its bytes' hash, and whether its record says it is built
   from them as they are (then it is unchanged); for the others, a cheap read of the
   Projekt sheet gives the project's Projekt-ID and folder;
3. projects sharing a Projekt-ID or a folder are checked but not built;
4. one pool, one task per workbook (`work.build_project`: check, then produce, write the
   files, save the record);
5. remove what earlier runs wrote and this one no longer produces, convert PDFs (and list
   them on their projects' pages, pipeline/batch/pages.py), write ekonomi.xlsx, index.html
   and the run report from the records, a project at a time.

Memory stays nearly flat in the number of workbooks: the build keeps a record's head per
workbook; reports, summaries and economy rows stay in the records on disk until the
portfolio and the run report read them, one at a time. index.html is the exception: its
Att göra list, totals and timeline need every project's summary at once (about 28 MB at
1000 projects, measured), though the page itself is written a piece at a time
(`index_chunks`); the peak of a run with one worker grows from about 80 MB at 200
projects to 110 MB at 1000.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from pipeline import __version__
from pipeline.batch.atomic import remove_leftover_temps, write_atomic_chunks
from pipeline.batch.clashes import clashes
from pipeline.batch.lock import BuildLock, output_unwritable
from pipeline.batch.names import name_key
from pipeline.batch.state import (
    ARCHIVE_PDF_QUEUE,
    PORTFOLIO_KEY,
    RUN_REPORT,
    Record,
    State,
    folder_hash,
    is_inside,
    sha256,
)
from pipeline.batch.work import (
    BUILT,
    FAILED,
    NOT_BUILT,
    Identity,
    Job,
    Outcome,
    build_project,
    failed_record,
    folder_for,
    reason,
)
from pipeline.errors import UsageError
from pipeline.findings import Finding
from pipeline.paths import (
    ECONOMY_FILE,
    FINDINGS_REPORT,
    INDEX_FILE,
    PROJECT_PAGE,
    TEMPLATES_DIR,
    discover,
)
from pipeline.settings import Settings, load_settings, settings_path


class Status(StrEnum):
    BUILT = "byggd"
    UNCHANGED = "oförändrad"
    NOT_BUILT = "ej byggd"
    """Readable, but kept from being built (a Projekt-ID or folder shared with another)."""
    FAILED = "misslyckad"
    """Could not be read, or raised somewhere in the pipeline."""


STATUS_OF_RECORD = {BUILT: Status.BUILT, NOT_BUILT: Status.NOT_BUILT, FAILED: Status.FAILED}


@dataclass
class BuildOptions:
    input: Path = Path("input")
    output: Path = Path("output")
    jobs: int | None = None
    force: bool = False
    pdf: bool = False
    templates: Path | None = None
    start_method: str | None = None
    """How worker processes start (fork, forkserver, spawn); None: the platform's default."""
    config: Path | None = None
    """The organisation's settings file (--config); None: INPUT/projektmodell.toml if it
    is there, else the defaults."""
    today: date | None = None
    """The day the time-based findings are checked against; None: the real today."""


@dataclass
class ProjectResult:
    workbook: str
    status: Status
    folder: str | None = None
    files: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    reason: str | None = None
    content: str = ""
    """The sha256 of the workbook's bytes as it was last read."""

    @property
    def has_errors(self) -> bool:
        """Findings with errors in a project that was read (failures are counted apart)."""
        return self.status is not Status.FAILED and self.errors > 0

    def head(self) -> dict[str, object]:
        return {"workbook": self.workbook, "status": self.status.name.lower(),
                "folder": self.folder, "files": self.files, "reason": self.reason}


def result_of(record: Record, status: Status | None = None) -> ProjectResult:
    return ProjectResult(record.workbook, status or STATUS_OF_RECORD[record.status],
                         record.folder, list(record.files), record.errors, record.warnings,
                         record.reason, record.content)


@dataclass
class BuildResult:
    projects: list[ProjectResult]
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Run-wide problems for a person (PDF conversion, ekonomi.xlsx...)."""
    notes: list[str] = field(default_factory=list)
    """What a person should know that is no failure (archived .docx awaiting PDF/A)."""
    started: datetime = field(default_factory=datetime.now)
    finished: datetime | None = None

    def count(self, status: Status) -> int:
        return sum(1 for p in self.projects if p.status is status)

    @property
    def with_errors(self) -> int:
        return sum(1 for p in self.projects if p.has_errors)

    @property
    def exit_code(self) -> int:
        failed = self.count(Status.FAILED) or self.with_errors or self.problems
        return 1 if failed else 0

    def head(self) -> dict[str, object]:
        """Everything in the run report but the projects."""
        return {
            "version": __version__, "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
            "exit_code": self.exit_code,
            "summary": {"workbooks": len(self.projects), "built": self.count(Status.BUILT),
                        "unchanged": self.count(Status.UNCHANGED),
                        "not_built": self.count(Status.NOT_BUILT),
                        "failed": self.count(Status.FAILED), "with_errors": self.with_errors},
            "removed": self.removed, "problems": self.problems, "notes": self.notes,
        }

    def json_chunks(self, state: State) -> Iterator[str]:
        """The run report as JSON, each project's report read from its record as it is
        written (never all of them in memory)."""
        head = json.dumps(self.head(), ensure_ascii=False, indent=1, default=str)
        yield head.rstrip().removesuffix("}").rstrip() + ',\n "projects": ['
        for number, project in enumerate(self.projects):
            record = state.load(project.workbook)
            entry = {**project.head(), "report": record.report if record else None}
            yield (",\n  " if number else "\n  ") + json.dumps(entry, ensure_ascii=False,
                                                               default=str)
        yield "\n ]\n}\n"


Progress = Callable[[ProjectResult], None]


# --- 1. options --------------------------------------------------------------------------

@dataclass(frozen=True)
class Organisation:
    """The settings a build runs with, and where a worker reads them again."""

    settings: Settings
    path: Path | None
    """The settings file; None: the defaults."""


def validate_options(options: BuildOptions) -> tuple[Path, Organisation]:
    """The templates folder and the organisation's settings; raises UsageError (a broken
    settings file: SettingsError) for anything a person must fix first."""
    if not options.input.is_dir():
        raise UsageError(f"Indatamappen {options.input} finns inte.")
    if options.output.exists() and not options.output.is_dir():
        raise UsageError(f"Utdatamappen {options.output} är en fil, inte en mapp.")
    if options.output.resolve() == options.input.resolve():
        raise UsageError("Indata- och utdatamappen får inte vara samma mapp.")
    folder = options.templates or TEMPLATES_DIR
    if not folder.is_dir():
        raise UsageError(f"Mallmappen {folder} finns inte.")
    path = settings_path(options.config, options.input)
    return folder, Organisation(load_settings(path), path)


def fingerprint(templates_hash: str, settings: Settings | None = None) -> str:
    """What every project's documents are made with besides its workbook: the templates,
    the program's version and the organisation's settings (none for the defaults, so a
    build without a settings file is keyed as before there were settings)."""
    parts = (templates_hash, __version__)
    if settings is not None and settings.fingerprint:
        parts = (*parts, settings.fingerprint)
    return sha256("\0".join(parts).encode())[:32]


def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build OUTPUT from INPUT; raises UsageError (SettingsError for a broken settings file,
    and when OUTPUT cannot be written) or OutputLocked before writing anything (but the
    state folder and the lock)."""
    templates, organisation = validate_options(options)
    state = State(options.output)
    try:
        options.output.mkdir(parents=True, exist_ok=True)
        state.prepare()
    except OSError as exc:
        raise output_unwritable(options.output, exc) from exc
    with BuildLock(state.folder):
        remove_leftover_temps(options.output)
        templates_hash = folder_hash(templates)
        run = Run(options, state, templates, templates_hash, progress or (lambda _p: None),
                  organisation)
        return run.run(discover(options.input))


# --- 2. and 3.: the first look -------------------------------------------------------------

@dataclass
class Seen:
    """A workbook as the start of the run found it."""

    path: Path
    record: Record | None
    current: bool
    """Its record was built from these bytes and inputs, and its files are in place."""
    identity: Identity | None
    """Its Projekt-ID and name (None when the first look could not read it)."""

    @property
    def folder(self) -> str | None:
        return None if self.identity is None else folder_for(self.identity, self.path.name)


def look_at(path: Path, record: Record | None, state: State, inputs: str, force: bool,
            today: date) -> Seen:
    """The workbook's hash against its record; a changed one's identity by a cheap read.
    A record whose time-based findings are not those of `today` is not current: a deadline
    fell due since it was built (or the night is replayed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return Seen(path, record, False, None)
    current = (not force and record is not None and record.status == BUILT
               and not record.problems and record.content == sha256(data)
               and record.inputs == inputs and record.holds_on(today)
               and state.files_present(record))
    if current:
        assert record is not None
        return Seen(path, record, True, Identity(record.projekt_id, record.projektnamn))
    from pipeline.workbook.identity import read_identity

    identity = read_identity(data)
    return Seen(path, record, False, None if identity is None else Identity(*identity))


# --- the run ---------------------------------------------------------------------------

class Run:
    def __init__(self, options: BuildOptions, state: State, templates: Path,
                 templates_hash: str, progress: Progress,
                 organisation: Organisation | None = None) -> None:
        self.options = options
        self.output = options.output
        self.state = state
        self.templates = templates
        self.templates_hash = templates_hash
        self.organisation = organisation or Organisation(load_settings(), None)
        self.inputs = fingerprint(templates_hash, self.organisation.settings)
        self.today = options.today or date.today()
        self.progress = progress
        self.result = BuildResult(projects=[])

    def run(self, workbooks: list[Path]) -> BuildResult:
        heads = self.state.heads()
        seen = [look_at(path, heads.get(path.name), self.state, self.inputs,
                        self.options.force, self.today) for path in workbooks]
        clashing = clashes({item.path.name: item.identity for item in seen})
        jobs = []
        for item in seen:
            if item.current and item.path.name not in clashing:
                assert item.record is not None
                self.finish(result_of(item.record, Status.UNCHANGED))
            else:
                jobs.append(self.job(item, clashing.get(item.path.name)))
        outcomes = list(self.run_jobs(jobs))
        built = [done.record for done in outcomes if done.record.status == BUILT]
        self.forget_deleted_workbooks({path.name for path in workbooks})
        archived = self.archive_awaiting_pdf([f for done in outcomes for f in done.archive_pdf])
        made: set[str] = set()
        if self.options.pdf or archived:
            made = self.convert_pdfs(built if self.options.pdf else [], archived)
        self.list_pdfs_on_pages(built, made)
        self.remove_stale_files()
        self.write_portfolio()
        self.result.projects.sort(key=lambda p: p.workbook)
        self.result.finished = datetime.now()
        self.state.write_json_chunks(RUN_REPORT, self.result.json_chunks(self.state))
        return self.result

    def job(self, item: Seen, clash: Finding | None) -> Job:
        settings = self.organisation
        return Job(item.path, self.output, item.folder, self.templates, self.templates_hash,
                   self.inputs, self.today, clash, settings.path,
                   settings.settings.fingerprint)

    def finish(self, project: ProjectResult) -> None:
        self.result.projects.append(project)
        self.progress(project)

    # --- 4. the pool -------------------------------------------------------------------

    def run_jobs(self, jobs: list[Job]) -> Iterator[Outcome]:
        """Each job's outcome as it finishes, reported as it comes."""
        for job, outcome in run_in_pool(jobs, worker_count(self.options.jobs),
                                        self.options.start_method):
            if isinstance(outcome, BaseException):
                outcome = self.crashed(job, outcome)
            self.result.problems.extend(outcome.problems)
            self.finish(result_of(outcome.record))
            yield outcome

    def crashed(self, job: Job, exc: BaseException) -> Outcome:
        """A worker that died with its job (killed, out of memory): the build records it."""
        why = f"Bygget avbröts: {reason(exc)}"
        record = failed_record(job.workbook.name, why, self.state.load(job.workbook.name))
        self.state.save(record)
        return Outcome(record.head())

    # --- 5. stale files, PDFs, portfolio ----------------------------------------------------

    def forget_deleted_workbooks(self, present: set[str]) -> None:
        """A deleted workbook: everything written for it becomes stale."""
        for record in self.state.heads().values():
            if record.workbook not in present and not record.deleted:
                self.state.update(record.workbook, files=[],
                                  stale=[*record.stale, *record.files], deleted=True)

    def remove_stale_files(self) -> None:
        """Remove what the workbooks no longer ask for (a removed status row, a renamed
        member, a deleted workbook); a document held back by an error is never stale."""
        heads = self.state.heads()
        claimed = {name_key(f) for r in heads.values() for f in r.files}
        for record in heads.values():
            for relative in record.stale:
                if name_key(relative) not in claimed and self.remove_output_file(relative):
                    self.result.removed.append(relative)
            if record.deleted:
                self.state.forget(record.workbook)
            elif record.stale:
                self.state.update(record.workbook, stale=[])

    def remove_output_file(self, relative: str) -> bool:
        """Remove a file this program wrote, and its folder when that is left empty."""
        if not is_inside(relative):
            return False
        path = self.output / relative
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError:
            self.result.problems.append(f"Kunde inte ta bort {relative}.")
            return False
        if path.parent != self.output:
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # only when empty: files a user put there stay
        return True

    def archive_awaiting_pdf(self, reported: list[str]) -> list[str]:
        """Archived .docx files without a PDF/A: those the projects built now report, and
        those an earlier run could not convert (kept in the state folder)."""
        earlier = self.state.read_json(ARCHIVE_PDF_QUEUE).get("awaiting", [])
        kept = [f for f in earlier if isinstance(f, str) and is_inside(f)] if isinstance(
            earlier, list) else []
        awaiting = list(dict.fromkeys([*kept, *reported]))
        return [f for f in awaiting if (self.output / f).is_file()]

    def convert_pdfs(self, built: list[Record], archived: list[str]) -> set[str]:
        """One LibreOffice process: the live documents' PDFs (--pdf) and the archive's
        PDF/A files; an archived .docx it could not convert waits for a later run. The
        folders of the projects it made PDFs for."""
        from pipeline.batch.pdf import beside, convert_to_pdf

        # a document unchanged since its PDF was made keeps that PDF
        documents = [self.output / f for r in built for f in r.files
                     if f.endswith(".docx") and f"{f.removesuffix('.docx')}.pdf" not in r.files]
        in_archive = {self.output / f: f for f in archived}
        placed: set[str] = set()

        def place(document: Path, converted: Path) -> Path | None:
            relative = in_archive.get(document)
            if relative is None:
                return beside(document, converted)
            from pipeline.archive import add_pdf

            problem = add_pdf(self.output, relative, converted)
            if problem:
                self.result.problems.append(problem)
                return None
            placed.add(relative)
            return document.with_suffix(".pdf")

        outcome = convert_to_pdf([*documents, *in_archive], place=place)
        waiting = [f for f in archived if f not in placed]
        self.state.write_json(ARCHIVE_PDF_QUEUE, {"awaiting": waiting})
        if waiting:
            why = ("LibreOffice hittades inte" if outcome.missing
                   else outcome.problem or "se problemen ovan")
            self.result.notes.append(
                f"{len(waiting)} arkiverade dokument finns bara som .docx, utan PDF/A "
                f"({why}); en senare körning med LibreOffice lägger till PDF/A-filerna.")
        made = {relative.partition("/")[0] for relative in placed}
        if not documents:
            return made
        if outcome.problem:
            self.result.problems.append(outcome.problem)
        written = {p.relative_to(self.output).as_posix() for p in outcome.written}
        for record in built:
            pdfs = [f"{f.removesuffix('.docx')}.pdf" for f in record.files if f.endswith(".docx")]
            files = [*record.files, *(p for p in pdfs if p in written)]
            if files != record.files:
                self.state.update(record.workbook, files=files,
                                  stale=[f for f in record.stale if f not in files])
                project = next(p for p in self.result.projects if p.workbook == record.workbook)
                project.files = files
                made.add(record.folder or "")
        return made

    def list_pdfs_on_pages(self, built: list[Record], made: set[str]) -> None:
        """The page of each project whose PDFs the pool could not list written again: those
        built now that keep PDFs of earlier runs, and those this run made PDFs for (their
        folders, `made`), built now or unchanged."""
        from pipeline.batch.pages import list_pdfs_on_page

        wanted = {r.workbook for r in built if any(f.endswith(".pdf") for f in r.files)}
        wanted |= {p.workbook for p in self.result.projects
                   if p.folder in made and p.status in (Status.BUILT, Status.UNCHANGED)}
        for workbook in sorted(wanted):
            record = self.state.load(workbook)
            if record is None or record.status != BUILT:
                continue
            try:
                list_pdfs_on_page(record, self.output, self.organisation.settings)
            except Exception as exc:  # the PDFs are there; the run says what failed
                self.result.problems.append(
                    f"{record.folder}/{PROJECT_PAGE} kunde inte skapas: {reason(exc)}")

    def write_portfolio(self) -> None:
        """ekonomi.xlsx and index.html, unless nothing they show changed since they were
        written; a failure of one is reported and the other is still written."""
        key = portfolio_key(self.result.projects, self.inputs)
        present = all((self.output / n).is_file() for n in (ECONOMY_FILE, INDEX_FILE))
        if (present and not self.options.force
                and self.state.read_json(PORTFOLIO_KEY).get("key") == key):
            return
        workbooks = [p.workbook for p in self.result.projects]
        written = [self.write_portfolio_file(ECONOMY_FILE, lambda: economy_file(
                       self.state, workbooks)),
                   self.write_portfolio_file(INDEX_FILE, lambda: index_file(
                       self.state, self.result.projects, self.organisation.settings))]
        if all(written):
            self.state.write_json(PORTFOLIO_KEY, {"key": key})

    def write_portfolio_file(self, name: str, content: Callable[[], Iterable[bytes]]
                             ) -> bool:
        try:
            write_atomic_chunks(self.output / name, content())
        except Exception as exc:  # the documents are written; say what failed
            self.result.problems.append(f"{name} kunde inte skapas: {reason(exc)}")
            return False
        return True


# --- the pool ----------------------------------------------------------------------------

def worker_count(jobs: int | None) -> int:
    import os

    return max(1, jobs or os.cpu_count() or 1)


def run_in_pool(jobs: list[Job], workers: int, start_method: str | None
                ) -> Iterator[tuple[Job, Outcome | BaseException]]:
    """(job, its outcome or what killed its worker), as each finishes; in this process
    with one worker."""
    if workers == 1 or len(jobs) <= 1:
        for job in jobs:
            yield job, build_project(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        futures = {pool.submit(build_project, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures.pop(future)
            try:
                yield job, future.result()
            except Exception as exc:  # e.g. a worker killed by the OOM killer
                yield job, exc


# --- the portfolio, from the records -----------------------------------------------------

def sorted_records(state: State, workbooks: Iterable[str]) -> Iterator[Record]:
    """Each workbook's whole record, by Projekt-ID (the order of ekonomi.xlsx)."""
    heads = state.heads()
    ordered = sorted((h for w in workbooks if (h := heads.get(w)) is not None),
                     key=lambda h: (h.projekt_id or "", h.workbook))
    for head in ordered:
        record = state.load(head.workbook)
        if record is not None:
            yield record


def economy_file(state: State, workbooks: list[str]) -> list[bytes]:
    from pipeline.economy import economy_bytes

    return [economy_bytes(r.economy for r in sorted_records(state, workbooks)
                         if r.economy is not None)]


def index_file(state: State, projects: list[ProjectResult], settings: Settings
               ) -> Iterator[bytes]:
    """index.html's bytes, a piece at a time (`index_chunks`)."""
    from pipeline.portfolio import PortfolioEntry, ProjectSummary, index_chunks

    entries = []
    for record in sorted_records(state, [p.workbook for p in projects]):
        if record.summary is None:
            continue
        report, page = own_file(record, FINDINGS_REPORT), own_file(record, PROJECT_PAGE)
        documents = [f for f in record.files if f not in (report, page)]
        entries.append(PortfolioEntry(ProjectSummary.from_dict(record.summary),
                                      record.folder or "", documents, report, page))
    return (chunk.encode("utf-8") for chunk in index_chunks(entries, datetime.now(), settings))


def own_file(record: Record, name: str) -> str | None:
    """The file of that name the build writes in the project's folder, if it wrote it."""
    return next((f for f in record.files if f.endswith(f"/{name}")), None)


def portfolio_key(projects: list[ProjectResult], inputs: str) -> str:
    """Changes whenever what ekonomi.xlsx or index.html show may have changed."""
    built = {Status.UNCHANGED: Status.BUILT}
    rows = sorted((p.workbook, built.get(p.status, p.status).name, p.content, p.folder or "",
                   p.reason or "", tuple(p.files), p.errors, p.warnings) for p in projects)
    return sha256(repr((inputs, rows)).encode())


__all__ = ["BuildOptions", "BuildResult", "ProjectResult", "Status", "build"]
