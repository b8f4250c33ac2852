"""Library entry point of `check`: one workbook in, its project, report and plan out.

`check` and `build` report the same findings for the same workbook: the plan's findings
(which documents are held back, and why) are part of the check; only what rendering finds
(a template naming an unknown field) is the build's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.catalogue import WORKBOOK_TOO_LARGE, WORKBOOK_UNREADABLE
from pipeline.documents.plan import PlannedDocument, plan_findings
from pipeline.errors import WorkbookUnreadable
from pipeline.findings import Finding, Report
from pipeline.paths import discover, is_lock_file
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate import validate
from pipeline.workbook.parse import parse_project
from pipeline.workbook.reader import RawWorkbook, WorkbookTooLarge, read_path, read_workbook


@dataclass
class Checked:
    project: Project | None
    report: Report
    settings: Settings = DEFAULTS
    """The organisation's settings it was checked under (its figures and open items
    follow them too)."""
    planned: list[PlannedDocument] = field(default_factory=list)
    """The documents the project gets now, those held back included."""


def check_bytes(data: bytes, name: str, settings: Settings = DEFAULTS, *,
                today: date | None = None) -> Checked:
    """Read, parse and validate a workbook given as bytes (a snapshot of the file); the
    time-based rules as of `today` (None: the real today)."""
    try:
        raw = read_workbook(data)
    except WorkbookUnreadable as exc:
        return Checked(None, Report(file=name, findings=[unreadable(exc)]), settings)
    return check_cells(raw, name, settings, today=today)


def check_cells(raw: RawWorkbook, name: str, settings: Settings = DEFAULTS, *,
                today: date | None = None) -> Checked:
    """Parse and validate cells already read, under the organisation's settings, and plan
    the documents; the time-based rules as of `today` (None: the real today)."""
    report = Report(file=name)
    project, findings = parse_project(raw, name, settings)
    findings.extend(validate(project, settings, today=today))
    findings, planned = plan_findings(project, findings, settings)
    report.extend(findings)
    report.project_id = project.info.projekt_id
    report.project_name = project.info.projektnamn
    report.findings.sort(key=lambda f: (f.severity != "fel",))
    return Checked(project, report, settings, planned)


def check_file(path: Path, settings: Settings = DEFAULTS, *,
               today: date | None = None) -> Checked:
    try:
        data = read_path(path)
    except WorkbookUnreadable as exc:
        return Checked(None, Report(file=path.name, findings=[unreadable(exc)]), settings)
    return check_bytes(data, path.name, settings, today=today)


def check_files(paths: list[Path], settings: Settings = DEFAULTS, *,
                today: date | None = None) -> list[Checked]:
    """Each workbook checked, and those that share a Projekt-ID or a project folder told
    so, as the build tells them (pipeline/batch/clashes.py)."""
    from pipeline.batch.clashes import clashes
    from pipeline.batch.work import Identity

    checked = [check_file(path, settings, today=today) for path in paths]
    identities = {path.name: None if c.project is None else
                  Identity(c.project.info.projekt_id, c.project.info.projektnamn)
                  for path, c in zip(paths, checked, strict=True)}
    clashing = clashes(identities)
    for path, one in zip(paths, checked, strict=True):
        if path.name in clashing:
            one.report.findings.insert(0, clashing[path.name])
    return checked


def unreadable(exc: Exception) -> Finding:
    kind = WORKBOOK_TOO_LARGE if isinstance(exc, WorkbookTooLarge) else WORKBOOK_UNREADABLE
    return kind(reason=exc)


__all__ = ["Checked", "check_bytes", "check_cells", "check_file", "check_files", "discover",
           "is_lock_file"]
