"""The unit of work, run in worker processes (or in-process with --jobs 1).

Each task catches everything: a workbook that raises anywhere becomes a failure with its
reason, and the batch goes on. Templates are loaded once per process by `init_worker`.

A task hands the parent only what the run keeps (the report, the Projekt-ID and name, the
project's rows in ekonomi.xlsx and its line in index.html, the files' bytes until they are
written); the project itself goes through the run's spool (`pipeline.batch.spool`), so the
parent never holds more than a few projects at a time.

The libraries behind reading, rendering and writing workbooks are imported by the tasks
(`import_for_production`, before workers are forked): a build with nothing to do never
needs them.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.batch.spool import load_spooled, spool
from pipeline.batch.stored import PackedReport, checked_json, report_json
from pipeline.paths import CALCULATION_FILE, FINDINGS_REPORT, TEMPLATES_DIR

if TYPE_CHECKING:
    from pipeline.check import Checked
    from pipeline.documents import OutputFile, Templates
    from pipeline.economy import ProjectRows
    from pipeline.portfolio import ProjectSummary

_templates: Templates | None = None


def import_for_production() -> None:
    """Import what the tasks use, so that forked workers inherit the modules instead of
    each importing them."""
    import pipeline.check
    import pipeline.documents
    import pipeline.economy
    import pipeline.portfolio
    import pipeline.report_text  # noqa: F401


def init_worker(templates_folder: Path | None) -> None:
    """ProcessPoolExecutor initializer: load the templates once for this process (a forked
    worker inherits the ones its parent loaded)."""
    from pipeline.documents import load_templates

    global _templates
    if _templates is None or _templates.folder != (templates_folder or TEMPLATES_DIR):
        _templates = load_templates(templates_folder)


def use_templates(templates: Templates) -> None:
    """Templates already loaded (and checked) in this process."""
    global _templates
    _templates = templates


def templates_in_use() -> Templates | None:
    return _templates


def reason(exc: BaseException) -> str:
    """A one-line reason for a person, the place in the code for the developer."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (i {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


@dataclass(frozen=True)
class Identity:
    """What the run needs of a readable project to give it a folder and find clashes."""

    projekt_id: str | None
    projektnamn: str | None


@dataclass
class CheckOutcome:
    workbook: str
    report: PackedReport | None = None
    identity: Identity | None = None
    """None when the workbook could not be read as a project (see the report)."""
    failure: str | None = None


@dataclass
class ProduceOutcome:
    workbook: str
    report: PackedReport | None = None
    """The check's findings and the documents'."""
    files: list[OutputFile] = field(default_factory=list)
    """The documents, the calculation and the findings report."""
    stored: bytes = b""
    """The project's Checked as the state's JSON (serialized here, off the parent)."""
    economy: ProjectRows | None = None
    """The project's rows in ekonomi.xlsx."""
    summary: ProjectSummary | None = None
    """What index.html shows of the project."""
    failure: str | None = None


def identity_of(checked: Checked) -> Identity | None:
    if checked.project is None:
        return None
    info = checked.project.info
    return Identity(info.projekt_id, info.projektnamn)


def check_task(workbook: str, data: bytes, spooled: Path) -> CheckOutcome:
    """Read, parse and validate one workbook snapshot; a readable project is spooled."""
    from pipeline.check import check_bytes

    try:
        checked = check_bytes(data, workbook)
        if checked.project is not None:
            spool(spooled, checked)
        return CheckOutcome(workbook, PackedReport(checked.report), identity_of(checked))
    except Exception as exc:  # one bad workbook never stops the batch
        return CheckOutcome(workbook, failure=reason(exc))


def produce_task(workbook: str, spooled: Path) -> ProduceOutcome:
    """The spooled project's documents, Kostnads- och nyttokalkyl and findings report as
    bytes, and what ekonomi.xlsx and index.html show of it (the spooled project stays as
    it is: producing only adds findings to its report)."""
    from pipeline.documents import OutputFile, produce
    from pipeline.economy import calculation_bytes, project_rows
    from pipeline.portfolio import summarize
    from pipeline.report_text import format_report

    try:
        if _templates is None:
            raise RuntimeError("mallarna är inte inlästa i arbetsprocessen")
        checked = load_spooled(spooled)
        if checked.project is None:
            raise RuntimeError("arbetsboken saknar projekt")
        produced = produce(checked.project, checked.report, _templates)
        report = checked.report
        report.extend(produced.findings)
        economy = project_rows(checked)
        files = [*produced.files, OutputFile(CALCULATION_FILE, calculation_bytes(economy)),
                 OutputFile(FINDINGS_REPORT, (format_report(report) + "\n").encode("utf-8"))]
        text = report_json(report)
        return ProduceOutcome(workbook, PackedReport(report, text), files,
                              checked_json(checked, text), economy, summarize(checked))
    except Exception as exc:  # one bad workbook never stops the batch
        return ProduceOutcome(workbook, failure=reason(exc))
