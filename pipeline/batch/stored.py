"""A Checked stored as JSON, for the build's state on a shared folder.

Unpickling runs code; the state folder sits on a share others can write to, so a
Checked is stored as plain JSON and rebuilt through the models' validation.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.findings import Finding, Report, Severity

if TYPE_CHECKING:  # the models (pydantic) are imported when a project is stored or loaded
    from pydantic import TypeAdapter

    from pipeline.check import Checked
    from pipeline.project import Project


def checked_from_data(data: dict[str, Any]) -> Checked:
    """The Checked `checked_json` wrote, parsed; raises ValueError, KeyError or TypeError (or
    pydantic's ValidationError, a ValueError) when the data was tampered with."""
    from pipeline import contract
    from pipeline.check import Checked
    from pipeline.project import MODELS, Project, attribute

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


def report_json(report: Report) -> str:
    """The report as compact JSON, the text json.dumps(ensure_ascii=False) writes; made by
    pydantic's serializer (about half the time), by json when that one cannot."""
    from pydantic_core import PydanticSerializationError, to_json

    data = report.to_dict()
    try:
        return to_json(data).decode()
    except PydanticSerializationError:  # a lone surrogate: json writes it, encoding fails
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def checked_json(checked: Checked, report: str) -> bytes:
    """The Checked as the state's JSON: the project's and the report given as its JSON text
    (made once)."""
    return b"".join((b'{"project":', project_json(checked.project), b',"report":',
                     report.encode(), b"}"))


def project_json(project: Project | None) -> bytes:
    """The project's source, cells and sheets as JSON, the sheets serialized by pydantic in
    one call (dates as ISO text, amounts as decimal text)."""
    from pipeline import contract
    from pipeline.project import attribute

    if project is None:
        return b"null"
    head = json.dumps({"source": project.source, "cells": project.cells},
                      ensure_ascii=False, separators=(",", ":")).encode()
    sheets = sheets_adapter().dump_json({attribute(s): project.sheet(s)
                                         for s in contract.SHEETS})
    return b"".join((head[:-1], b',"sheets":', sheets, b"}"))


@cache
def sheets_adapter() -> TypeAdapter[Any]:
    """Every sheet by its attribute, in the contract's order: a table sheet's rows, or
    its model, as pydantic serializes them."""
    from pydantic import TypeAdapter
    from typing_extensions import TypedDict  # pydantic wants it before Python 3.12

    from pipeline import contract
    from pipeline.project import MODELS, attribute

    sheets = TypedDict("Sheets", {attribute(s): list[MODELS[s.name]] if s.table  # type: ignore
                                  else MODELS[s.name] for s in contract.SHEETS})
    return TypeAdapter(sheets)


class PackedReport:
    """A Report kept for the end of a run as compressed JSON: about 2 kB where the Report's
    objects take about 27 kB, which at 1000 workbooks was most of what a run held. An
    unchanged project's report is its record's text, which the run holds anyway."""

    __slots__ = ("data", "error_count", "kept", "warning_count")

    def __init__(self, report: Report, text: str | None = None) -> None:
        """text: the report's `report_json`, when it was already made."""
        text = report_json(report) if text is None else text
        self.data = zlib.compress(text.encode("utf-8"), 1)
        self.kept: str | None = None
        self.error_count = len(report.errors)
        self.warning_count = len(report.warnings)

    @classmethod
    def from_record(cls, text: str, head: dict[str, object]) -> PackedReport:
        """From a record's report text and its `head` (checked against the text's sha256,
        not parsed); raises ValueError when either was edited."""
        if head.get("sha256") != sha256_text(text) or not (
                isinstance(head.get("errors"), int) and isinstance(head.get("warnings"), int)
                and all(key in head and isinstance(head[key], str | None)
                        for key in ("project_id", "project_name"))):
            raise ValueError("not the report the record was written with")
        packed = cls.__new__(cls)
        packed.data, packed.kept = b"", text
        packed.error_count, packed.warning_count = head["errors"], head["warnings"]
        return packed

    def head(self, text: str, project_id: str | None, project_name: str | None
             ) -> dict[str, object]:
        """What a record keeps beside the report's text (this report's `text`) so that the
        next run need not parse it: the counts, the project's identity, the text's sha256."""
        return {"errors": self.error_count, "warnings": self.warning_count,
                "project_id": project_id, "project_name": project_name,
                "sha256": sha256_text(text)}

    @property
    def text(self) -> str:
        return self.kept if self.kept is not None else zlib.decompress(self.data).decode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.text)
        return data

    def unpack(self) -> Report:
        return report_from_data(self.to_dict())


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def finding_from_data(data: dict[str, Any]) -> Finding:
    return Finding(code=data["code"], severity=Severity(data["severity"]),
                   message=data["message"], sheet=data["sheet"], cell=data["cell"],
                   value=data["value"], blocks=tuple(data["blocks"]))
