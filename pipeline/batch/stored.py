"""A Checked stored as JSON, for the build's state on a shared folder.

Unpickling runs code; the state folder sits on a share others can write to, so a
Checked is stored as plain JSON and rebuilt through the models' validation.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pipeline import contract
from pipeline.check import Checked
from pipeline.findings import Finding, Report, Severity
from pipeline.project import MODELS, Project, attribute


def checked_to_data(checked: Checked) -> dict[str, Any]:
    project = checked.project
    return {
        "project": None if project is None else {
            "source": project.source, "cells": project.cells,
            "sheets": {attribute(s): json_sheet(project.sheet(s), s.table)
                       for s in contract.SHEETS}},
        "report": checked.report.to_dict(),
    }


def json_sheet(value: Any, table: bool) -> Any:
    return ([row.model_dump(mode="json") for row in value] if table
            else value.model_dump(mode="json"))


def checked_from_data(data: dict[str, Any]) -> Checked:
    """The Checked written by checked_to_data; raises ValueError, KeyError or TypeError (or
    pydantic's ValidationError, a ValueError) when the data was tampered with."""
    project = data["project"]
    if project is not None:
        values: dict[str, Any] = {}
        for sheet in contract.SHEETS:
            model, raw = MODELS[sheet.name], project["sheets"][attribute(sheet)]
            values[attribute(sheet)] = ([model.model_validate(row) for row in raw]
                                        if sheet.table else model.model_validate(raw))
        project = Project(source=project["source"], cells=project["cells"], **values)
    return Checked(project, report_from_data(data["report"]))


def report_from_data(report: dict[str, Any]) -> Report:
    findings = [finding_from_data(f) for f in report["findings"]]
    return Report(file=report["file"], project_id=report["project_id"],
                  project_name=report["project_name"], findings=findings)


class PackedReport:
    """A Report kept for the end of a run as compressed JSON: about 2 kB where the Report's
    objects take about 27 kB, which at 1000 workbooks was most of what a run held."""

    __slots__ = ("data", "error_count", "warning_count")

    def __init__(self, report: Report) -> None:
        text = json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
        self.data = zlib.compress(text.encode("utf-8"), 1)
        self.error_count = len(report.errors)
        self.warning_count = len(report.warnings)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(zlib.decompress(self.data))
        return data

    def unpack(self) -> Report:
        return report_from_data(self.to_dict())


def finding_from_data(data: dict[str, Any]) -> Finding:
    return Finding(code=data["code"], severity=Severity(data["severity"]),
                   message=data["message"], sheet=data["sheet"], cell=data["cell"],
                   value=data["value"], blocks=tuple(data["blocks"]))
