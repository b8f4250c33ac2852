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
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pipeline import __version__
from pipeline.batch.atomic import fsync_folder, remove_leftover_temps, write_atomic
from pipeline.batch.lock import BuildLock
from pipeline.batch.names import name_key, project_folder_name, safe_file_name, unique_names
from pipeline.batch.pdf import convert_to_pdf, pdf_path
from pipeline.batch.state import (
    PORTFOLIO_KEY,
    RUN_REPORT,
    STATE_FOLDER,
    Record,
    State,
    folder_hash,
    is_inside,
    sha256,
)
from pipeline.batch.work import (
    CheckOutcome,
    ProduceOutcome,
    check_task,
    init_worker,
    produce_task,
    use_templates,
)
from pipeline.check import Checked, discover
from pipeline.documents import TEMPLATES_DIR, OutputFile, Templates, load_templates
from pipeline.economy import ECONOMY_FILE, economy_workbook
from pipeline.errors import ProjektmodellError, TemplateError, UsageError
from pipeline.findings import Report, error
from pipeline.portfolio import INDEX_FILE, PortfolioEntry, index_html, summarize
from pipeline.report_text import format_report

FINDINGS_REPORT = "Kontrollrapport.txt"
TOP_LEVEL_NAMES = {name_key(n) for n in (ECONOMY_FILE, INDEX_FILE, STATE_FOLDER)}


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
    checked: Checked | None = None
    folder: str | None = None
    files: list[str] = field(default_factory=list)
    reason: str | None = None
    content: str = ""
    """The workbook's content hash ('' when it could not be read)."""

    @property
    def has_errors(self) -> bool:
        """Findings with errors in a project that was read (failures are counted apart)."""
        return (self.status is not Status.FAILED and self.checked is not None
                and bool(self.checked.report.errors))

    def to_dict(self) -> dict[str, object]:
        report = self.checked.report.to_dict() if self.checked else None
        return {"workbook": self.workbook, "status": self.status.name.lower(),
                "folder": self.folder, "files": self.files, "reason": self.reason,
                "report": report}


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
        return {
            "version": __version__, "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds") if self.finished else None,
            "exit_code": self.exit_code,
            "summary": {"workbooks": len(self.projects), "built": self.count(Status.BUILT),
                        "unchanged": self.count(Status.UNCHANGED),
                        "not_built": self.count(Status.NOT_BUILT),
                        "failed": self.count(Status.FAILED), "with_errors": self.with_errors},
            "removed": self.removed, "problems": self.problems,
            "projects": [p.to_dict() for p in self.projects],
        }


Progress = Callable[[ProjectResult], None]


@dataclass
class Pending:
    """A workbook on its way through the run."""

    workbook: str
    content: str
    record: Record | None
    checked: Checked | None = None
    folder: str | None = None
    unchanged: bool = False


# --- 1. configuration -----------------------------------------------------------------------

def validate_options(options: BuildOptions) -> Path:
    """The templates folder, its templates loaded for this process (and the workers forked
    from it); raises UsageError for anything a person must fix first."""
    if not options.input.is_dir():
        raise UsageError(f"Indatamappen {options.input} finns inte.")
    if options.output.exists() and not options.output.is_dir():
        raise UsageError(f"Utdatamappen {options.output} är en fil, inte en mapp.")
    if options.output.resolve() == options.input.resolve():
        raise UsageError("Indata- och utdatamappen får inte vara samma mapp.")
    folder = options.templates or TEMPLATES_DIR
    if not folder.is_dir():
        raise UsageError(f"Mallmappen {folder} finns inte.")
    try:
        templates = templates_for(folder)
    except TemplateError as exc:
        raise UsageError(str(exc)) from exc
    # A template naming an unknown field fails its own documents (produce reports which
    # template and field); the other documents are still built.
    use_templates(templates)
    return folder


_loaded: dict[tuple[Path, str], Templates] = {}


def templates_for(folder: Path) -> Templates:
    """The folder's templates, loaded again only when its files changed (a process that
    builds more than once, like the tests, loads and checks them once)."""
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
        init_worker(templates)
        yield None
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=init_worker,
                             initargs=(templates,)) as pool:
        yield pool


def run_tasks(executor: Executor | None, task: Callable[..., object],
              calls: Iterable[tuple[str, tuple[object, ...]]]) -> Iterator[tuple[str, object]]:
    """(key, result) as each call finishes; a crashed worker becomes an exception result."""
    if executor is None:
        for key, args in calls:
            yield key, task(*args)
        return
    futures: dict[Future[object], str] = {executor.submit(task, *args): key
                                          for key, args in calls}
    for future in as_completed(futures):
        try:
            yield futures[future], future.result()
        except Exception as exc:  # e.g. a worker killed by the OOM killer
            yield futures[future], exc


# --- the run ------------------------------------------------------------------------------

def build(options: BuildOptions, progress: Progress | None = None) -> BuildResult:
    """Build OUTPUT from INPUT; raises UsageError or OutputLocked before writing anything."""
    templates = validate_options(options)
    options.output.mkdir(parents=True, exist_ok=True)
    state = State(options.output)
    state.prepare()
    with BuildLock(state.folder):
        return Run(options, templates, state, progress or (lambda _r: None)).run()


class Run:
    def __init__(self, options: BuildOptions, templates: Path, state: State,
                 progress: Progress) -> None:
        self.options = options
        self.output = options.output
        self.templates = templates
        self.templates_hash = folder_hash(templates)
        self.state = state
        self.progress = progress
        self.result = BuildResult(projects=[])
        self.records = state.records()

    def run(self) -> BuildResult:
        remove_leftover_temps(self.output)
        workbooks = discover(self.options.input)
        with executor_for(worker_count(self.options.jobs), self.templates) as executor:
            pending = self.snapshot_and_check(workbooks, executor)
            to_build = self.assign_folders(pending)
            built = self.produce_and_write(to_build, executor)
        self.forget_deleted_workbooks({p.name for p in workbooks})
        if self.options.pdf:
            self.convert_pdfs(built)
        self.remove_stale_files()
        self.write_portfolio()
        self.state.remove_unused_checked(list(self.state.records().values()))
        self.result.projects.sort(key=lambda p: p.workbook)
        self.result.finished = datetime.now()
        self.state.write_json(RUN_REPORT, self.result.to_dict())
        return self.result

    def finish(self, project: ProjectResult) -> None:
        self.result.projects.append(project)
        self.progress(project)

    def fail(self, workbook: str, why: str, checked: Checked | None = None,
             content: str = "") -> None:
        checked = failed_checked(workbook, why, checked)
        self.finish(ProjectResult(workbook, Status.FAILED, checked, reason=why,
                                  content=content))

    # --- 2. snapshot and check ---------------------------------------------------------------

    def snapshot_and_check(self, workbooks: list[Path], executor: Executor | None
                           ) -> list[Pending]:
        pending: list[Pending] = []
        calls: list[tuple[str, tuple[object, ...]]] = []
        for path in workbooks:
            try:
                data = path.read_bytes()
            except OSError as exc:
                self.fail(path.name, f"Arbetsboken kan inte läsas: {exc.strerror}.")
                continue
            item = Pending(path.name, sha256(data), self.records.get(path.name))
            item.checked = self.reusable(item)
            item.unchanged = item.checked is not None
            if not item.unchanged:
                calls.append((path.name, (path.name, data)))
            pending.append(item)
        by_name = {p.workbook: p for p in pending}
        for workbook, outcome in run_tasks(executor, check_task, calls):
            item = by_name[workbook]
            if isinstance(outcome, CheckOutcome) and outcome.checked is not None:
                item.checked = outcome.checked
            else:
                item.checked = None
                why = outcome.failure if isinstance(outcome, CheckOutcome) else str(outcome)
                self.fail(workbook, f"Kontrollen avbröts: {why}", content=item.content)
        return [p for p in pending if p.checked is not None]

    def reusable(self, item: Pending) -> Checked | None:
        """The stored Checked of an unchanged project, or None when it must be rebuilt."""
        record = item.record
        if self.options.force or record is None or record.deleted:
            return None
        if (record.content, record.templates, record.version) != (
                item.content, self.templates_hash, __version__):
            return None
        if not self.state.files_present(record):
            return None
        return self.state.load_checked(record)

    # --- 3. folders ----------------------------------------------------------------------------

    def assign_folders(self, pending: list[Pending]) -> list[Pending]:
        """Each readable project's folder; the projects that are to be built now."""
        readable = []
        for item in pending:
            assert item.checked is not None
            if item.checked.project is None:
                self.fail(item.workbook, unreadable_reason(item.checked.report), item.checked,
                          item.content)
                continue
            item.folder = folder_for(item.checked, item.workbook)
            readable.append(item)
        clashing = self.mark_clashes(readable)
        to_build = []
        for item in readable:
            if item.workbook in clashing:
                self.finish(ProjectResult(item.workbook, Status.NOT_BUILT, item.checked,
                                          reason=clashing[item.workbook],
                                          content=item.content))
            elif item.unchanged:
                assert item.record is not None
                self.finish(ProjectResult(item.workbook, Status.UNCHANGED, item.checked,
                                          item.record.folder, list(item.record.files),
                                          content=item.content))
            else:
                to_build.append(item)
        return to_build

    def mark_clashes(self, readable: list[Pending]) -> dict[str, str]:
        """Workbook -> reason, for projects sharing a Projekt-ID or a folder with another."""
        reasons: dict[str, str] = {}
        by_id = group(readable, lambda p: name_key((p.checked.project.info.projekt_id or "")
                                                   .strip()) if p.checked and p.checked.project
                      else "")
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
        by_name = {p.workbook: p for p in to_build}
        calls = [(p.workbook, (p.checked,)) for p in to_build]
        built = []
        for workbook, outcome in run_tasks(executor, produce_task, calls):
            item = by_name[workbook]
            if not isinstance(outcome, ProduceOutcome) or outcome.checked is None:
                why = outcome.failure if isinstance(outcome, ProduceOutcome) else str(outcome)
                self.fail(workbook, f"Dokumenten kunde inte skapas: {why}", item.checked,
                          item.content)
                continue
            try:
                record = self.write_project(item, outcome.checked, outcome.files)
            except (OSError, ProjektmodellError) as exc:
                self.fail(workbook, f"Filerna kunde inte skrivas: {exc}", outcome.checked,
                          item.content)
                continue
            built.append(record)
            self.finish(ProjectResult(workbook, Status.BUILT, outcome.checked, record.folder,
                                      list(record.files), content=item.content))
        return built

    def write_project(self, item: Pending, checked: Checked, files: list[OutputFile]
                      ) -> Record:
        """The project's files atomically in its folder, then its record (never before)."""
        assert item.folder is not None
        folder = self.output / item.folder
        folder.mkdir(exist_ok=True)
        outputs = named_outputs(files, checked)
        written = []
        for name, data in outputs:
            write_atomic(folder / name, data)
            written.append(f"{item.folder}/{name}")
        if self.options.pdf:
            written += [f"{item.folder}/{pdf_path(Path(n)).name}" for n, _ in outputs
                        if n.endswith(".docx")]
        fsync_folder(folder)
        record = Record(item.workbook, item.content, self.templates_hash, __version__,
                        item.folder, written, stale=stale_files(item.record, written))
        self.state.save(record, checked)
        return record

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
        entries = [entry_for(p) for p in self.result.projects if p.checked is not None]
        key = portfolio_key(self.result.projects, self.templates_hash)
        present = all((self.output / n).is_file() for n in (ECONOMY_FILE, INDEX_FILE))
        if (present and not self.options.force
                and self.state.read_json(PORTFOLIO_KEY).get("key") == key):
            return
        try:
            write_atomic(self.output / ECONOMY_FILE,
                         economy_workbook(p.checked for p in self.result.projects
                                          if p.checked is not None))
        except Exception as exc:  # the documents are written; say what failed
            self.result.problems.append(f"{ECONOMY_FILE} kunde inte skapas: {exc}")
        try:
            page = index_html(entries, datetime.now())
            write_atomic(self.output / INDEX_FILE, page.encode("utf-8"))
        except Exception as exc:
            self.result.problems.append(f"{INDEX_FILE} kunde inte skapas: {exc}")
        self.state.write_json(PORTFOLIO_KEY, {"key": key})


# --- small pure helpers --------------------------------------------------------------------

def unreadable_reason(report: Report) -> str:
    return "; ".join(f.message for f in report.errors) or "Arbetsboken kan inte läsas."


def folder_for(checked: Checked, workbook: str) -> str:
    info = checked.project.info if checked.project else None
    folder = project_folder_name(info.projekt_id if info else None,
                                 info.projektnamn if info else None, workbook)
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
        assert item.checked is not None
        if item.workbook not in reasons:
            item.checked.report.findings.insert(0, error(code, message, sheet="Projekt"))
        reasons[item.workbook] = message


def named_outputs(files: list[OutputFile], checked: Checked) -> list[tuple[str, bytes]]:
    """(safe unique file name, bytes) of the documents, the calculation and the findings."""
    report = format_report(checked.report) + "\n"
    items = [(safe_file_name(f.name), f.data) for f in files]
    items.append((FINDINGS_REPORT, report.encode("utf-8")))
    names = unique_names([n for n, _ in items])
    return list(zip(names, (d for _, d in items), strict=True))


def stale_files(previous: Record | None, written: list[str]) -> list[str]:
    """Files an earlier run wrote for this workbook that this run does not write."""
    if previous is None:
        return []
    now = {name_key(f) for f in written}
    earlier = dict.fromkeys([*previous.stale, *previous.files])
    return [f for f in earlier if name_key(f) not in now]


def failed_checked(workbook: str, why: str, checked: Checked | None) -> Checked:
    """The Checked of a failed workbook, its failure the first finding (once)."""
    report = checked.report if checked else Report(file=workbook)
    if not any(f.message == why for f in report.findings):
        report.findings.insert(0, error("workbook-failed", why))
    return Checked(checked.project if checked else None, report)


def portfolio_key(projects: list[ProjectResult], templates_hash: str) -> str:
    """Changes whenever what ekonomi.xlsx or index.html show may have changed."""
    rows = sorted((p.workbook, p.content, p.folder or "", p.reason or "", tuple(p.files))
                  for p in projects)
    return sha256(repr((__version__, templates_hash, rows)).encode())


def entry_for(project: ProjectResult) -> PortfolioEntry:
    assert project.checked is not None
    documents = [f for f in project.files if not f.endswith(FINDINGS_REPORT)]
    report = next((f for f in project.files if f.endswith(FINDINGS_REPORT)), None)
    return PortfolioEntry(summarize(project.checked), project.folder or "", documents, report)


__all__ = ["BuildOptions", "BuildResult", "ProjectResult", "Status", "build"]
