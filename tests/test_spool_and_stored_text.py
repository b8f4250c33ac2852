"""The run's spool and the state's JSON text: what a later step reads back is what was made.

A project must load back from the spool (pipeline.batch.spool) exactly as it was checked,
and the state's JSON, made by pydantic's serializer (pipeline.batch.stored), must be the
text json.dumps writes.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch.spool import load_spooled, spool
from pipeline.batch.stored import checked_json, report_json
from pipeline.check import Checked, check_file
from pipeline.findings import Finding, Report, Severity
from pipeline.workbook.writer import build_workbook
from tests.conftest import EXAMPLE_PATH
from tests.fills import closing_fill, erroneous_fill, hostile_fill, planning_fill

HOSTILE_TEXTS = ["a\x00\x01\x1f\x7f\x80 \u2028\u2029", '"citat" \\ /', "rad\nrad\r\ttab",
                 "ø ß 漢字 🙂", "", "=SUMMA(A1)", "<b>&amp;</b>"]


def model_facts(model: Any) -> tuple[Any, ...]:
    """All a model holds, in order: its fields, the fields that were set, extra, private."""
    return (type(model), list(model.__dict__.items()), model.__pydantic_fields_set__,
            model.__pydantic_extra__, model.__pydantic_private__)


def project_facts(checked: Checked) -> list[Any]:
    project = checked.project
    assert project is not None
    facts: list[Any] = [(type(project), list(project.__dict__.items()),
                         project.__pydantic_fields_set__, project.__pydantic_private__)]
    for name, sheet in (project.__pydantic_extra__ or {}).items():
        rows = sheet if isinstance(sheet, list) else [sheet]
        facts.append((name, isinstance(sheet, list), [model_facts(row) for row in rows]))
    return facts


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> list[Checked]:
    tmp = tmp_path_factory.mktemp("spool")
    found = [check_file(EXAMPLE_PATH)]
    for i, make in enumerate((planning_fill, closing_fill, erroneous_fill, hostile_fill)):
        fill = make()
        path = tmp / f"{i}.xlsx"
        build_workbook(fill["Projekt"]["projektnamn"], fill["Projekt"]["projekt_id"],
                       fill).save(path)
        found.append(check_file(path))
    return found


def test_a_spooled_project_loads_back_as_it_was_checked(projects: list[Checked],
                                                         tmp_path: Path) -> None:
    for i, checked in enumerate(projects):
        path = tmp_path / f"{i}.pickle"
        spool(path, checked)
        loaded = load_spooled(path)
        assert loaded == checked
        assert project_facts(loaded) == project_facts(checked)
        assert loaded.project is not None and checked.project is not None
        assert loaded.project.model_dump_json() == checked.project.model_dump_json()
        assert loaded.report.findings == checked.report.findings


def test_a_spool_file_that_is_not_a_checked_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pickle"
    path.write_bytes(pickle.dumps({"project": None}))
    with pytest.raises(TypeError, match="inget kontrollerat projekt"):
        load_spooled(path)


def test_the_report_json_is_the_text_json_writes() -> None:
    findings = [Finding("kod", Severity.ERROR, text, sheet=text or None, cell="A1",
                        value=text, blocks=(text, "projektplan"))
                for text in HOSTILE_TEXTS]
    report = Report(file="ö.xlsx", project_id="KS-1", project_name=None, findings=findings)
    assert report_json(report) == json.dumps(report.to_dict(), ensure_ascii=False,
                                             separators=(",", ":"))


def test_a_report_pydantic_cannot_write_is_written_by_json() -> None:
    report = Report(file="x.xlsx", findings=[Finding("kod", Severity.WARNING, "\ud800")])
    assert report_json(report) == json.dumps(report.to_dict(), ensure_ascii=False,
                                             separators=(",", ":"))


def test_the_states_json_holds_each_sheet_as_pydantic_serializes_it(
        projects: list[Checked]) -> None:
    for checked in projects:
        assert checked.project is not None
        data = json.loads(checked_json(checked, report_json(checked.report)))
        assert list(data) == ["project", "report"]
        project = data["project"]
        assert list(project) == ["source", "cells", "sheets"]
        assert project["cells"] == checked.project.cells
        dumped = checked.project.model_dump(mode="json")
        assert project["sheets"] == {name: dumped[name]
                                     for name in checked.project.__pydantic_extra__ or {}}
        assert data["report"] == checked.report.to_dict()
