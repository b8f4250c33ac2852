"""The unit of work, run in worker processes (or in-process with --jobs 1).

Each task catches everything: a workbook that raises anywhere becomes a failure with its
reason, and the batch goes on. Templates are loaded once per process by `init_worker`.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.check import Checked, check_bytes
from pipeline.documents import TEMPLATES_DIR, OutputFile, Templates, load_templates, produce
from pipeline.economy import CALCULATION_FILE, project_calculation

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


def reason(exc: BaseException) -> str:
    """A one-line reason for a person, the place in the code for the developer."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (i {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


@dataclass
class CheckOutcome:
    workbook: str
    checked: Checked | None = None
    failure: str | None = None


@dataclass
class ProduceOutcome:
    workbook: str
    checked: Checked | None = None
    files: list[OutputFile] = field(default_factory=list)
    failure: str | None = None


def check_task(workbook: str, data: bytes) -> CheckOutcome:
    """Read, parse and validate one workbook snapshot."""
    try:
        return CheckOutcome(workbook, check_bytes(data, workbook))
    except Exception as exc:  # one bad workbook never stops the batch
        return CheckOutcome(workbook, failure=reason(exc))


def produce_task(checked: Checked) -> ProduceOutcome:
    """The project's documents and its Kostnads- och nyttokalkyl, as bytes."""
    workbook = checked.report.file
    try:
        if _templates is None:
            raise RuntimeError("mallarna är inte inlästa i arbetsprocessen")
        if checked.project is None:
            raise RuntimeError("arbetsboken saknar projekt")
        produced = produce(checked.project, checked.report, _templates)
        checked.report.extend(produced.findings)
        files = [*produced.files, OutputFile(CALCULATION_FILE, project_calculation(checked))]
        return ProduceOutcome(workbook, checked, files)
    except Exception as exc:  # one bad workbook never stops the batch
        return ProduceOutcome(workbook, failure=reason(exc))
