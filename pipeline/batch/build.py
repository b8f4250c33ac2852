"""The nightly build: workbooks in INPUT to documents, ekonomi.xlsx and index.html in OUTPUT.

Gather and validate first, then write (as MkDocs does); one bad workbook is recorded and
skipped (as Pelican does):

1. check the configuration (folders, templates), take the lock, remove leftover temps;
2. snapshot each workbook's bytes; unchanged ones (same bytes, templates and program
   version, files in place) reuse their stored Checked, the rest are checked in workers;
3. give each project its folder; projects sharing a Projekt-ID or a folder are not built;
4. produce the changed projects in workers and write their files atomically, then their
   state record;
5. remove what earlier runs wrote and this one no longer produces, convert PDFs,
   write ekonomi.xlsx, index.html and the run report.

Memory stays flat in the number of workbooks: at most `IN_FLIGHT_PER_JOB` tasks per worker
are submitted at a time (a workbook's bytes are read when its task is submitted, and the
bytes hashed are the bytes checked); between the steps the run keeps per workbook only its
report, Projekt-ID and name, and folder; the projects themselves wait in the run's spool
(`spool.py`) or the state, and ekonomi.xlsx and index.html are fed one project at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipeline import __version__
from pipeline.batch.atomic import make_durable, remove_leftover_temps, write_atomic
from pipeline.batch.lock import BuildLock
from pipeline.batch.names import name_key, project_folder_name, safe_file_name, unique_names
from pipeline.batch.spool import Spool, load_spooled
from pipeline.batch.state import (
    PORTFOLIO_KEY,
    RUN_REPORT,
    STATE_FOLDER,
    Record,
    State,
    folder_hash,
    is_inside,
    record_key,
    sha256,
)
from pipeline.batch.stored import PackedReport
from pipeline.batch.work import (
    CheckOutcome,
    Identity,
    ProduceOutcome,
    check_task,
    import_for_production,
    init_worker,
    produce_task,
    templates_in_use,
    use_templates,
)
from pipeline.errors import ProjektmodellError, TemplateError, UsageError
from pipeline.findings import Report, error
from pipeline.paths import (
    ECONOMY_FILE,
    FINDINGS_REPORT,
    INDEX_FILE,
    TEMPLATES_DIR,
    discover,
)

if TYPE_CHECKING:  # imported where they are used: a build with nothing to do needs none
    from concurrent.futures import Executor, Future

    from pipeline.check import Checked
    from pipeline.documents import OutputFile, Templates
    from pipeline.economy import ProjectRows
    from pipeline.portfolio import PortfolioEntry, ProjectSummary
    from pipeline.project import Project

TOP_LEVEL_NAMES = {name_key(n) for n in (ECONOMY_FILE, INDEX_FILE, STATE_FOLDER)}
IN_FLIGHT_PER_JOB = 2
WRITES_AHEAD = 2
"""Projects whose files may wait for the writer thread: it writes one project while the
next is made (its writes and syncfs release the GIL), and the bytes waiting stay few."""
T = TypeVar("T")
"""Tasks submitted per worker at a time: enough to keep every worker busy, few enough that
the workbooks' and documents' bytes waiting in the pool stay a handful."""


class Status(StrEnum):
    BUILT = "byggd"
    UNCHANGED = "oförändrad"
    NOT_BUILT = "ej byggd"
    """Readable, but kept from being built (a Projekt-ID or folder shared with another)."""
    FAILED = "misslyckad"
    """Could not be read, or raised somewhere in the pipeline."""


@dataclass
class BuildOptions:
    input: Path = Path("input")
    output: Path = Path("output")
    jobs: int | None = None
    force: bool = False
    pdf: bool = False
    templates: Path | None = None


@dataclass
class ProjectResult:
    workbook: str
    status: Status
    report: PackedReport | None = None
    folder: str | None = None
    files: list[str] = field(default_factory=list)
    reason: str | None = None
    content: str = ""
    """The workbook's content hash ('' when it could not be read)."""
    stored: Path | None = None
    """Where this run loads the project for ekonomi.xlsx and index.html (the run's spool or
    the state's JSON; its findings are `report`); None when there is no project."""

    @property
    def has_errors(self) -> bool:
        """Findings with errors in a project that was read (failures are counted apart)."""
        return (self.status is not Status.FAILED and self.report is not None
                and self.report.error_count > 0)

    def to_dict(self) -> dict[str, object]:
        return {**self.head(), "report": self.report.to_dict() if self.report else None}

    def to_json(self) -> str:
        """`to_dict` as JSON, the report's JSON copied as it is kept."""
        head = json.dumps(self.head(), ensure_ascii=False, default=str)
        report = self.report.text if self.report else "null"
        return f'{head.removesuffix("}")}, "report": {report}}}'

    def head(self) -> dict[str, object]:
        return {"workbook": self.workbook, "status": self.status.name.lower(),
                "folder": self.folder, "files": self.files, "reason": self.reason}


@dataclass
class BuildResult:
    projects: list[ProjectResult]
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Run-wide problems for a person (PDF conversion, ekonomi.xlsx...)."""
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

    def to_dict(self) -> dict[str, object]:
        return {**self.head(), "projects": [p.to_dict() for p in self.projects]}

    def json_chunks(self) -> Iterator[str]:
        """`to_dict` as JSON, one project at a time: the whole report as Python objects is
        about 50 kB a project, so it is never built for the run report."""
        head = json.dumps(self.head(), ensure_ascii=False, indent=1, default=str)
        yield head.rstrip().removesuffix("}").rstrip() + ',\n "projects": ['
        for number, project in enumerate(self.projects):
            separator = ",\n  " if number else "\n  "
            yield separator + project.to_json()
        yield "\n ]\n}\n"

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
            "removed": self.removed, "problems": self.problems,
        }


Progress = Callable[[ProjectResult], None]


@dataclass
class Pending:
    """A workbook on its way through the run."""

    workbook: str
    content: str
    record: Record | None
    report: PackedReport | None = None
    """None until checked, and when the check failed."""
    identity: Identity | None = None
    """None when the workbook could not be read as a project."""
    stored: Path | None = None
    """The project's Checked: in the run's spool, or in the state when unchanged."""
    folder: str | None = None
    unchanged: bool = False


# --- 1. configuration -----------------------------------------------------------------------

def validate_options(options: BuildOptions) -> Path:
    """The templates folder; raises UsageError for anything a person must fix first."""
    if not options.input.is_dir():
        raise UsageError(f"Indatamappen {options.input} finns inte.")
    if options.output.exists() and not options.output.is_dir():
        raise UsageError(f"Utdatamappen {options.output} är en fil, inte en mapp.")
    if options.output.resolve() == options.input.resolve():
        raise UsageError("Indata- och utdatamappen får inte vara samma mapp.")
    folder = options.templates or TEMPLATES_DIR
    if not folder.is_dir():
        raise UsageError(f"Mallmappen {folder} finns inte.")
    return folder


def load_run_templates(folder: Path) -> None:
    """Load (and check) the templates for this process and the workers forked from it,
    with the libraries the tasks use; raises UsageError when they cannot be used at all."""
    import_for_production()
    try:
        templates = templates_for(folder)
    except TemplateError as exc:
        raise UsageError(str(exc)) from exc
    # A template naming an unknown field fails its own documents (produce reports which
    # template and field); the other documents are still built.
    use_templates(templates)


_loaded: dict[tuple[Path, str], Templates] = {}


def templates_for(folder: Path) -> Templates:
    """The folder's templates, loaded again only when its files changed (a process that
    builds more than once, like the tests, loads and checks them once)."""
    from pipeline.documents import load_templates

    key = (folder.resolve(), folder_hash(folder))
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = load_templates(folder)
    return _loaded[key]


def worker_count(jobs: int | None) -> int:
    return max(1, jobs or os.cpu_count() or 1)


@contextlib.contextmanager
def executor_for(jobs: int, templates: Path) -> Iterator[Executor | None]:
    """A process pool whose workers load the templates once; None: run in this process."""
    if jobs == 1:
        yield None  # the templates, when needed, were loaded by load_run_templates
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker,
                             initargs=(templates,)) as pool:
        yield pool


@contextlib.contextmanager
def checking_pool(jobs: int) -> Iterator[Executor]:
    """A process pool for the checks, its workers started (forked) at once: before this
    process starts a thread (`Loading`), as forking a process with threads is not safe."""
    from concurrent.futures import ProcessPoolExecutor

    import pipeline.check  # noqa: F401  (what the checks need, inherited by the workers)

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pool.submit(int).result()
        yield pool


class Loading:
    """`load_run_templates` on a thread of its own, started at once."""

    def __init__(self, templates: Path) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self.load, args=(templates,),
                                       name="projektmodell-templates", daemon=True)
        self.thread.start()

    def load(self, templates: Path) -> None:
        try:
            load_run_templates(templates)
        except BaseException as exc:  # handed to the run by `result`
            self.error = exc

    def join(self) -> None:
        self.thread.join()

    def result(self) -> None:
        """Raises what loading raised (UsageError when the templates cannot be used)."""
        if self.error is not None:
            raise self.error


def run_tasks(executor: Executor | None, task: Callable[..., object],
              calls: Iterable[tuple[str, tuple[object, ...]]], in_flight: int
              ) -> Iterator[tuple[str, object]]:
    """(key, result) as each call finishes; a crashed worker becomes an exception result.

    Calls are taken from `calls` (which may read a workbook per call) only as tasks finish,
    at most `in_flight` at a time, and each future is dropped once its result is handed on.
    """
    if executor is None:
        for key, args in calls:
            yield key, task(*args)
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = iter(calls)
    running: dict[Future[object], str] = {}
    submit_up_to(executor, task, pending, running, in_flight)
    while running:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        finished = [(running.pop(future), future) for future in done]
        del done
        while finished:
            key, future = finished.pop()
            # the next task starts before this result is handled (files written...)
            submit_up_to(executor, task, pending, running, in_flight - len(finished))
            yield key, future_outcome(future)
            del future


def submit_up_to(executor: Executor, task: Callable[..., object],
                 calls: Iterator[tuple[str, tuple[object, ...]]],
                 running: dict[Future[object], str], in_flight: int) -> None:
    while len(running) < in_flight:
        call = next(calls, None)
        if call is None:
            return
        key, args = call
        running[executor.submit(task, *args)] = key


def future_outcome(future: Future[object]) -> object:
    try:
        return future.result()
    except Exception as exc:  # e.g. a worker killed by the OOM killer
        return exc


# --- the run ------------------------------------------------------------------------------

def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build OUTPUT from INPUT; raises UsageError or OutputLocked before writing anything
    (but the state folder and the lock)."""
    templates = validate_options(options)
    templates_hash = folder_hash(templates)
    state = State(options.output)
    options.output.mkdir(parents=True, exist_ok=True)
    state.prepare()
    with BuildLock(state.folder):
        workbooks = discover(options.input)
        seen = survey(options, state, templates_hash, workbooks)
        # The templates are loaded only when some workbook needs its documents made.
        needed = options.force or not all(s.current for s in seen.values())
        return Run(options, templates, templates_hash, state, progress or (lambda _r: None),
                   seen, load_templates=needed).run(workbooks)


@dataclass(frozen=True)
class Seen:
    """A workbook as the start of the run found it."""

    signature: tuple[int, int]
    """Its size and modification time: the same later in the run means the same bytes."""
    content: str
    """Its content hash ('' when it was not read: it has no record to compare with)."""
    current: bool
    """Its record was written from these bytes, templates and program; files in place."""


def signature(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def survey(options: BuildOptions, state: State, templates_hash: str, workbooks: list[Path]
           ) -> dict[str, Seen]:
    """Each workbook that can be read, and whether it is current (so that the templates
    are loaded only when some workbook needs its documents made; a workbook that cannot
    be read needs none). A wrong answer only means more work later in the run."""
    if options.force:
        return {}
    records, seen = state.records(), {}
    for path in workbooks:
        record = records.get(path.name)
        try:
            before = signature(path)
            content = sha256(path.read_bytes()) if record is not None else ""
        except OSError:
            continue
        seen[path.name] = Seen(before, content,
                               is_current(state, record, content, templates_hash))
    return seen


def is_current(state: State, record: Record | None, content: str, templates_hash: str
               ) -> bool:
    """The record was written from these bytes, templates and program, and its files (and
    its stored Checked) are still in place."""
    if record is None or record.deleted:
        return False
    if (record.content, record.templates, record.version) != (
            content, templates_hash, __version__):
        return False
    return state.files_present(record) and state.checked_intact(record)


class Run:
    def __init__(self, options: BuildOptions, templates: Path, templates_hash: str,
                 state: State, progress: Progress, seen: dict[str, Seen] | None = None,
                 load_templates: bool = True) -> None:
        self.options = options
        self.output = options.output
        self.templates = templates
        self.templates_hash = templates_hash
        self.state = state
        self.progress = progress
        self.result = BuildResult(projects=[])
        self.records = state.records()
        self.jobs = worker_count(options.jobs)
        self.portfolio = PortfolioParts()
        self.seen = seen or {}
        self.load_templates = load_templates

    def run(self, workbooks: list[Path]) -> BuildResult:
        """The run over `workbooks`, as `discover` found them."""
        remove_leftover_temps(self.output)
        with Spool() as spool:
            pending = self.check_while_loading(workbooks, spool)
            to_build = self.assign_folders(pending)
            del pending
            with executor_for(self.jobs, self.templates) as executor:
                built = self.produce_and_write(to_build, executor)
            self.forget_deleted_workbooks({p.name for p in workbooks})
            if self.options.pdf:
                self.convert_pdfs(built)
            self.remove_stale_files()
            self.write_portfolio()
        self.state.remove_unused_checked(list(self.state.records().values()))
        self.result.projects.sort(key=lambda p: p.workbook)
        self.result.finished = datetime.now()
        self.state.write_json_chunks(RUN_REPORT, self.result.json_chunks())
        return self.result

    def finish(self, project: ProjectResult) -> None:
        self.result.projects.append(project)
        self.progress(project)

    def fail(self, workbook: str, why: str, report: Report | PackedReport | None = None,
             content: str = "", stored: Path | None = None) -> None:
        if isinstance(report, PackedReport):
            report = report.unpack()
        report = failed_report(workbook, why, report)
        self.finish(ProjectResult(workbook, Status.FAILED, PackedReport(report), reason=why,
                                  content=content, stored=stored))

    @property
    def in_flight(self) -> int:
        return IN_FLIGHT_PER_JOB * self.jobs

    # --- 2. snapshot and check ---------------------------------------------------------------

    def check_while_loading(self, workbooks: list[Path], spool: Spool) -> list[Pending]:
        """`snapshot_and_check`, with the templates (and the libraries the documents need)
        loaded when this run needs them: first with --jobs 1; with more jobs, on a thread of
        this process while the workers check (they need neither), so that loading does not
        leave the other cores idle. The workers that make the documents are forked after it,
        and inherit what it loaded. Raises UsageError when the templates cannot be used."""
        if self.load_templates and self.jobs == 1:
            load_run_templates(self.templates)
        if self.jobs == 1:
            return self.snapshot_and_check(workbooks, None, spool)
        with checking_pool(self.jobs) as executor:
            loading = Loading(self.templates) if self.load_templates else None
            try:
                pending = self.snapshot_and_check(workbooks, executor, spool)
            finally:
                if loading is not None:
                    loading.join()
        if loading is not None:
            loading.result()
        return pending

    def snapshot_and_check(self, workbooks: list[Path], executor: Executor | None,
                           spool: Spool) -> list[Pending]:
        """Every workbook that was read and checked (or is unchanged), in order; a workbook's
        bytes are read only when its check is about to start, and dropped after it."""
        pending: dict[str, Pending] = {}
        calls = self.check_calls(workbooks, pending, spool)
        for workbook, outcome in run_tasks(executor, check_task, calls, self.in_flight):
            item = pending[workbook]
            if isinstance(outcome, CheckOutcome) and outcome.report is not None:
                item.report, item.identity = outcome.report, outcome.identity
            else:
                why = outcome.failure if isinstance(outcome, CheckOutcome) else str(outcome)
                self.fail(workbook, f"Kontrollen avbröts: {why}", content=item.content)
        return [p for p in pending.values() if p.report is not None]

    def check_calls(self, workbooks: list[Path], pending: dict[str, Pending], spool: Spool
                    ) -> Iterator[tuple[str, tuple[object, ...]]]:
        """A check task per changed workbook, its snapshot read as the task is submitted;
        unchanged workbooks go into `pending` without one."""
        for path in workbooks:
            record = self.records.get(path.name)
            if self.still_current(path):
                item = Pending(path.name, self.seen[path.name].content, record)
                if self.take_unchanged(item):
                    pending[item.workbook] = item
                    continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.fail(path.name, f"Arbetsboken kan inte läsas: {exc.strerror}.")
                continue
            item = Pending(path.name, sha256(data), record)
            pending[item.workbook] = item
            item.stored = spool.path(record_key(item.workbook))
            yield item.workbook, (item.workbook, data, item.stored)
            del data

    def still_current(self, path: Path) -> bool:
        """The workbook was current at the start of the run and has not changed since."""
        seen = self.seen.get(path.name)
        if seen is None or not seen.current or self.options.force:
            return False
        try:
            return signature(path) == seen.signature
        except OSError:
            return False

    def take_unchanged(self, item: Pending) -> bool:
        """Fill in an unchanged project from its record (its report and identity; the
        stored Checked is loaded only if ekonomi.xlsx and index.html are written again);
        False when it must be checked and built again."""
        record = item.record
        assert record is not None
        try:
            report = PackedReport.from_record(record.report, record.head)
        except ValueError:
            return False  # an edited record: the project is rebuilt
        item.report = report
        item.identity = Identity(record.head["project_id"], record.head["project_name"])
        item.stored = self.state.checked_path(record.fingerprint)
        item.unchanged = True
        return True

    # --- 3. folders ----------------------------------------------------------------------------

    def assign_folders(self, pending: list[Pending]) -> list[Pending]:
        """Each readable project's folder; the projects that are to be built now."""
        readable = []
        for item in pending:
            assert item.report is not None
            if item.identity is None:
                report = item.report.unpack()
                self.fail(item.workbook, unreadable_reason(report), report, item.content)
                continue
            item.folder = folder_for(item.identity, item.workbook)
            readable.append(item)
        clashing = self.mark_clashes(readable)
        to_build = []
        for item in readable:
            if item.workbook in clashing:
                self.finish(ProjectResult(item.workbook, Status.NOT_BUILT, item.report,
                                          reason=clashing[item.workbook],
                                          content=item.content, stored=item.stored))
            elif item.unchanged:
                assert item.record is not None
                self.finish(ProjectResult(item.workbook, Status.UNCHANGED, item.report,
                                          item.record.folder, list(item.record.files),
                                          content=item.content, stored=item.stored))
            else:
                to_build.append(item)
        return to_build

    def mark_clashes(self, readable: list[Pending]) -> dict[str, str]:
        """Workbook -> reason, for projects sharing a Projekt-ID or a folder with another."""
        reasons: dict[str, str] = {}
        by_id = group(readable, lambda p: name_key((p.identity.projekt_id or "").strip())
                      if p.identity else "")
        by_folder = group(readable, lambda p: name_key(p.folder or ""))
        for key, items in by_id.items():
            if key and len(items) > 1:
                add_clash(reasons, items, "duplicate-project-id", "samma Projekt-ID")
        for items in by_folder.values():
            if len(items) > 1:
                add_clash(reasons, items, "duplicate-folder", "samma mappnamn")
        return reasons

    # --- 4. produce and write ------------------------------------------------------------------

    def produce_and_write(self, to_build: list[Pending], executor: Executor | None
                          ) -> list[Record]:
        """Each project's files and record, written as its documents arrive."""
        if to_build and not self.ensure_templates(to_build):
            return []
        from concurrent.futures import ThreadPoolExecutor

        by_name = {p.workbook: p for p in to_build}
        calls = ((p.workbook, (p.workbook, p.stored)) for p in to_build)
        built: list[Record] = []
        with ThreadPoolExecutor(max_workers=1) as writer:
            writing: deque[tuple[Pending, ProduceOutcome, Future[Record]]] = deque()
            for workbook, outcome in run_tasks(executor, produce_task, calls, self.in_flight):
                item = by_name.pop(workbook)
                if not isinstance(outcome, ProduceOutcome) or outcome.report is None:
                    why = (outcome.failure if isinstance(outcome, ProduceOutcome)
                           else str(outcome))
                    self.fail(workbook, f"Dokumenten kunde inte skapas: {why}", item.report,
                              item.content, item.stored)
                    continue
                writing.append((item, outcome, writer.submit(self.write_project, item,
                                                             outcome)))
                while writing and (writing[0][2].done() or len(writing) > WRITES_AHEAD):
                    built += self.written(*writing.popleft())
            while writing:
                built += self.written(*writing.popleft())
        return built

    def written(self, item: Pending, outcome: ProduceOutcome, record: Future[Record]
                ) -> list[Record]:
        """A project whose files were written (its record, once), or that failed."""
        try:
            done = record.result()
        except (OSError, ProjektmodellError) as exc:
            self.fail(item.workbook, f"Filerna kunde inte skrivas: {exc}", outcome.report,
                      item.content, item.stored)
            return []
        self.portfolio.add_made(item.workbook, outcome)
        self.finish(ProjectResult(item.workbook, Status.BUILT, outcome.report, done.folder,
                                  list(done.files), content=item.content, stored=item.stored))
        return [done]

    def ensure_templates(self, to_build: list[Pending]) -> bool:
        """The templates, when the start of the run found nothing to build but a stored
        Checked turned out unreadable; False (each project failed) if they cannot be used."""
        if templates_in_use() is not None:
            return True
        try:
            use_templates(templates_for(self.templates))
        except TemplateError as exc:
            for item in to_build:
                self.fail(item.workbook, str(exc), item.report, item.content, item.stored)
            return False
        return True

    def write_project(self, item: Pending, produced: ProduceOutcome) -> Record:
        """The project's files atomically in its folder, then its record (never before).

        Runs on the run's writer thread while the next project is made: it touches only
        the project's folder and its own record."""
        assert item.folder is not None and produced.report is not None
        folder = self.output / item.folder
        folder.mkdir(exist_ok=True)
        outputs = named_outputs(produced.files)
        written = []
        for name, data in outputs:
            write_atomic(folder / name, data, sync=False)
            written.append(f"{item.folder}/{name}")
        make_durable(folder, [folder / name for name, _ in outputs])
        if self.options.pdf:
            from pipeline.batch.pdf import pdf_path

            written += [f"{item.folder}/{pdf_path(Path(n)).name}" for n, _ in outputs
                        if n.endswith(".docx")]
        text = produced.report.text
        identity = item.identity or Identity(None, None)
        record = Record(item.workbook, item.content, self.templates_hash, __version__,
                        item.folder, written, stale=stale_files(item.record, written),
                        report=text, head=produced.report.head(
                            text, identity.projekt_id, identity.projektnamn))
        return self.state.save_stored(record, produced.stored)

    # --- 5. stale files, PDFs, portfolio ----------------------------------------------------

    def forget_deleted_workbooks(self, present: set[str]) -> None:
        """A deleted workbook: everything written for it becomes stale."""
        for record in self.state.records().values():
            if record.workbook not in present:
                gone = replace(record, files=[], stale=[*record.stale, *record.files],
                               deleted=True)
                self.state.save_record(gone)

    def remove_stale_files(self) -> None:
        records = self.state.records()
        claimed = {name_key(f) for r in records.values() for f in r.files}
        for record in records.values():
            if not record.stale and not record.deleted:
                continue
            for relative in record.stale:
                if name_key(relative) not in claimed and self.remove_output_file(relative):
                    self.result.removed.append(relative)
            if record.deleted:
                self.state.forget(record.workbook)
            else:
                self.state.save_record(replace(record, stale=[]))

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

    def convert_pdfs(self, built: list[Record]) -> None:
        from pipeline.batch.pdf import convert_to_pdf

        documents = [self.output / f for r in built for f in r.files if f.endswith(".docx")]
        outcome = convert_to_pdf(documents)
        if outcome.problem:
            self.result.problems.append(outcome.problem)
        written = {p.relative_to(self.output).as_posix() for p in outcome.written}
        for record in built:
            files = [f for f in record.files if not f.endswith(".pdf") or f in written]
            if files != record.files:
                self.state.save_record(replace(record, files=files))
                self.update_files(record.workbook, files)

    def update_files(self, workbook: str, files: list[str]) -> None:
        for project in self.result.projects:
            if project.workbook == workbook:
                project.files = files

    def write_portfolio(self) -> None:
        """ekonomi.xlsx and index.html, unless no project changed since they were written."""
        key = portfolio_key(self.result.projects, self.templates_hash)
        present = all((self.output / n).is_file() for n in (ECONOMY_FILE, INDEX_FILE))
        if (present and not self.options.force
                and self.state.read_json(PORTFOLIO_KEY).get("key") == key):
            return
        from pipeline.portfolio import index_html

        economy, entries, failures = self.gather_portfolio()
        self.write_portfolio_file(ECONOMY_FILE, failures, economy)
        self.write_portfolio_file(
            INDEX_FILE, failures, lambda: index_html(entries, datetime.now()).encode("utf-8"))
        self.state.write_json(PORTFOLIO_KEY, {"key": key})

    def gather_portfolio(self) -> tuple[Callable[[], bytes], list[PortfolioEntry],
                                        dict[str, Exception]]:
        """Every project's rows in ekonomi.xlsx and its line in index.html: those built in
        this run were made by their workers, the others are loaded one at a time."""
        from pipeline.check import Checked

        parts, entries = self.portfolio, []
        for project in self.result.projects:
            if project.report is None:
                continue
            summary = parts.summaries.get(project.workbook)
            if summary is None:
                checked = Checked(self.load_project(project), project.report.unpack())
                parts.make(ECONOMY_FILE, lambda c=checked: parts.add_economy(c))
                summary = parts.make(INDEX_FILE, lambda c=checked: summarize_checked(c))
            if summary is not None:
                entries.append(entry_for(project, summary))
        return parts.economy_bytes, entries, parts.failures

    def load_project(self, project: ProjectResult) -> Project | None:
        """The project as this run left it (its report is the result's); None if gone. A
        stored project that no longer loads as it was written is forgotten, so that the
        next run builds it again."""
        path = project.stored
        if path is None:
            return None
        if path.suffix != ".pickle":
            record = self.state.records().get(project.workbook)
            checked = self.state.load_checked_at(path, record.checked) if record else None
            if checked is None:
                self.state.forget(project.workbook)
            return checked.project if checked else None
        try:
            return load_spooled(path).project
        except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
            return None

    def write_portfolio_file(self, name: str, failures: dict[str, Exception],
                             content: Callable[[], bytes]) -> None:
        try:
            if name in failures:
                raise failures[name]
            write_atomic(self.output / name, content())
        except Exception as exc:  # the documents are written; say what failed
            self.result.problems.append(f"{name} kunde inte skapas: {exc}")


# --- small pure helpers --------------------------------------------------------------------

def unreadable_reason(report: Report) -> str:
    return "; ".join(f.message for f in report.errors) or "Arbetsboken kan inte läsas."


def folder_for(identity: Identity, workbook: str) -> str:
    folder = project_folder_name(identity.projekt_id, identity.projektnamn, workbook)
    return f"_{folder}" if name_key(folder) in TOP_LEVEL_NAMES else folder


def group(items: list[Pending], key: Callable[[Pending], str]) -> dict[str, list[Pending]]:
    groups: dict[str, list[Pending]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def add_clash(reasons: dict[str, str], items: list[Pending], code: str, what: str) -> None:
    for item in items:
        others = ", ".join(o.workbook for o in items if o is not item)
        message = (f"Arbetsboken har {what} som {others}; ingen av dem byggs förrän "
                   "det är rättat, och inga dokument skrivs över.")
        assert item.report is not None
        if item.workbook not in reasons:
            report = item.report.unpack()
            report.findings.insert(0, error(code, message, sheet="Projekt"))
            item.report = PackedReport(report)
        reasons[item.workbook] = message


def named_outputs(files: list[OutputFile]) -> list[tuple[str, bytes]]:
    """(safe unique file name, bytes) of the documents, the calculation and the findings."""
    items = [(safe_file_name(f.name), f.data) for f in files]
    names = unique_names([n for n, _ in items])
    return list(zip(names, (d for _, d in items), strict=True))


def stale_files(previous: Record | None, written: list[str]) -> list[str]:
    """Files an earlier run wrote for this workbook that this run does not write."""
    if previous is None:
        return []
    now = {name_key(f) for f in written}
    earlier = dict.fromkeys([*previous.stale, *previous.files])
    return [f for f in earlier if name_key(f) not in now]


def failed_report(workbook: str, why: str, report: Report | None) -> Report:
    """The report of a failed workbook, its failure the first finding (once)."""
    report = report or Report(file=workbook)
    if not any(f.message == why for f in report.findings):
        report.findings.insert(0, error("workbook-failed", why))
    return report


def portfolio_key(projects: list[ProjectResult], templates_hash: str) -> str:
    """Changes whenever what ekonomi.xlsx or index.html show may have changed."""
    rows = sorted((p.workbook, p.content, p.folder or "", p.reason or "", tuple(p.files))
                  for p in projects)
    return sha256(repr((__version__, templates_hash, rows)).encode())


def summarize_checked(checked: Checked) -> ProjectSummary:
    from pipeline.portfolio import summarize

    return summarize(checked)


def entry_for(project: ProjectResult, summary: ProjectSummary) -> PortfolioEntry:
    from pipeline.portfolio import PortfolioEntry

    documents = [f for f in project.files if not f.endswith(FINDINGS_REPORT)]
    report = next((f for f in project.files if f.endswith(FINDINGS_REPORT)), None)
    return PortfolioEntry(summary, project.folder or "", documents, report)


class PortfolioParts:
    """ekonomi.xlsx and index.html as they are gathered, a project at a time; a file one of
    whose projects failed is named in `failures` (the other file goes on)."""

    def __init__(self) -> None:
        self.economy: list[ProjectRows] = []
        self.summaries: dict[str, ProjectSummary] = {}
        self.failures: dict[str, Exception] = {}

    def add_economy(self, checked: Checked) -> None:
        from pipeline.economy import project_rows

        self.economy.append(project_rows(checked))

    def economy_bytes(self) -> bytes:
        """ekonomi.xlsx of the projects' rows, in Projekt-ID order."""
        from pipeline.economy import economy_bytes, project_key

        return economy_bytes(sorted(self.economy, key=project_key))

    def make(self, name: str, action: Callable[[], T]) -> T | None:
        """What `action` makes for file `name`; None once that file has failed."""
        if name in self.failures:
            return None
        try:
            return action()
        except Exception as exc:  # the documents are written; say what failed
            self.failures[name] = exc
            return None

    def add_made(self, workbook: str, outcome: ProduceOutcome) -> None:
        """A built project's rows and summary, made by its worker."""
        economy, summary = outcome.economy, outcome.summary
        if economy is not None:
            self.make(ECONOMY_FILE, lambda: self.economy.append(economy))
        if summary is not None:
            self.summaries[workbook] = summary


__all__ = ["BuildOptions", "BuildResult", "ProjectResult", "Status", "build"]
