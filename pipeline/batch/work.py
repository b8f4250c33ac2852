"""The unit of work, run in worker processes (or in-process with --jobs 1).

Each task catches everything: a workbook that raises anywhere becomes a failure with its
reason, and the batch goes on. Templates are loaded once per process by `init_worker`.

A task hands the parent only what the run keeps (the report, the Projekt-ID and name, the
documents' bytes until they are written); the project itself goes through the run's spool
(`pipeline.batch.spool`), so the parent never holds more than a few projects at a time.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.spool import load_spooled, spool
from pipeline.batch.stored import PackedReport, checked_json, report_json
from pipeline.check import Checked, check_bytes
from pipeline.documents import TEMPLATES_DIR, OutputFile, Templates, load_templates, produce
from pipeline.economy import CALCULATION_FILE, project_calculation
from pipeline.report_text import format_report

FINDINGS_REPORT = "Kontrollrapport.txt"

_templates: Templates | None = None


def init_worker(templates_folder: Path | None) -> None:
    """ProcessPoolExecutor initializer: load the templates once for this process (a forked
    worker inherits the ones its parent loaded)."""
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
    report_json: str = ""
    """The same report as JSON, for the project's record."""
    files: list[OutputFile] = field(default_factory=list)
    """The documents, the calculation and the findings report."""
    stored: bytes = b""
    """The project's Checked as the state's JSON (serialized here, off the parent)."""
    failure: str | None = None


def identity_of(checked: Checked) -> Identity | None:
    if checked.project is None:
        return None
    info = checked.project.info
    return Identity(info.projekt_id, info.projektnamn)


def check_task(workbook: str, data: bytes, spooled: Path) -> CheckOutcome:
    """Read, parse and validate one workbook snapshot; a readable project is spooled."""
    try:
        checked = check_bytes(data, workbook)
        if checked.project is not None:
            spool(spooled, checked)
        return CheckOutcome(workbook, PackedReport(checked.report), identity_of(checked))
    except Exception as exc:  # one bad workbook never stops the batch
        return CheckOutcome(workbook, failure=reason(exc))


def produce_task(workbook: str, spooled: Path) -> ProduceOutcome:
    """The spooled project's documents and its Kostnads- och nyttokalkyl, as bytes (the
    spooled project stays as it is: producing only adds findings to its report)."""
    try:
        if _templates is None:
            raise RuntimeError("mallarna är inte inlästa i arbetsprocessen")
        checked = load_spooled(spooled)
        if checked.project is None:
            raise RuntimeError("arbetsboken saknar projekt")
        produced = produce(checked.project, checked.report, _templates)
        report = checked.report
        report.extend(produced.findings)
        files = [*produced.files, OutputFile(CALCULATION_FILE, project_calculation(checked)),
                 OutputFile(FINDINGS_REPORT, (format_report(report) + "\n").encode("utf-8"))]
        text = report_json(report)
        return ProduceOutcome(workbook, PackedReport(report, text), text, files,
                              checked_json(checked, text))
    except Exception as exc:  # one bad workbook never stops the batch
        return ProduceOutcome(workbook, failure=reason(exc))
