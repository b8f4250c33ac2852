"""Each gating rule of MODEL.md, as findings with codes and cells."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.check import check_file
from pipeline.example import checklist, decisions


def checked(make_workbook, fill: dict[str, Any]):
    return check_file(make_workbook(fill)).report


def row_of(fill: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(r for r in fill["Checklistor"] if r["id"] == item_id)


def test_phase_needs_earlier_decision_points_approved(make_workbook, fill) -> None:
    fill["Beslut"] = decisions(approved=("BP1",))
    report = checked(make_workbook, fill)
    assert ("decision-missing", "fel", "Beslut!C3") in report.flatten()
    assert "BP2" in next(f.message for f in report.errors if f.code == "decision-missing")


def test_approved_decision_needs_every_item_answered(make_workbook, fill) -> None:
    row_of(fill, "P3").update(svar="Nej")
    row_of(fill, "P5").pop("svar")
    report = checked(make_workbook, fill)
    blocking = [f for f in report.flatten() if f[0] == "checklist-blocks-decision"]
    assert blocking == [("checklist-blocks-decision", "fel", "Checklistor!D18"),
                        ("checklist-blocks-decision", "fel", "Checklistor!D20")]


def test_not_applicable_needs_a_comment(make_workbook, fill) -> None:
    row_of(fill, "R3")["kommentar"] = None
    report = checked(make_workbook, fill)
    assert ("not-applicable-without-comment", "fel", "Checklistor!E4") in report.flatten()


def test_approved_decision_needs_a_date(make_workbook, fill) -> None:
    fill["Beslut"][0]["datum"] = None
    report = checked(make_workbook, fill)
    assert ("decision-date-missing", "fel", "Beslut!D2") in report.flatten()


def test_open_items_of_current_phase_are_warnings(make_workbook, fill) -> None:
    report = checked(make_workbook, fill)
    todo = [f for f in report.findings if f.code == "checklist-open"]
    assert [f.cell for f in todo] == [f"D{r}" for r in range(24, 30)]
    assert all(f.severity == "varning" for f in todo)
    assert report.ok


def test_decision_dated_before_previous_or_outside_period_is_a_warning(make_workbook, fill
                                                                       ) -> None:
    fill["Beslut"][1]["datum"] = date(2011, 1, 1)
    report = checked(make_workbook, fill)
    assert ("decision-date-order", "varning", "Beslut!D3") in report.flatten()
    assert ("decision-outside-period", "varning", "Beslut!D3") in report.flatten()


def test_deleted_model_item_is_an_error(make_workbook, fill) -> None:
    fill["Checklistor"] = [r for r in fill["Checklistor"] if r["id"] != "F4"]
    report = checked(make_workbook, fill)
    missing = [f for f in report.errors if f.code == "checklist-item-missing"]
    assert [(f.sheet, f.value) for f in missing] == [("Checklistor", "F4")]


def test_own_items_are_kept_and_checked(make_workbook, fill) -> None:
    fill["Checklistor"].append({"fas": "Planering", "id": "HK1",
                                "kontrollpunkt": "Upphandling är gjord"})
    fill["Checklistor"].append({"fas": "Okänd fas", "id": "HK2", "kontrollpunkt": "X"})
    report = checked(make_workbook, fill)
    flat = report.flatten()
    assert ("checklist-blocks-decision", "fel", "Checklistor!D37") in flat  # BP2 approved
    assert ("checklist-phase-unknown", "fel", "Checklistor!A38") in flat


def test_phase_one_project_with_nothing_decided_has_only_todo_warnings(make_workbook, fill
                                                                       ) -> None:
    fill["Projekt"]["aktuell_fas"] = "Relevans/Förberedelse"
    fill["Checklistor"] = checklist(answered=())
    fill["Beslut"] = decisions(approved=())
    report = checked(make_workbook, fill)
    assert report.ok
    assert len([f for f in report.warnings if f.code == "checklist-open"]) == 14


def test_all_findings_at_once(make_workbook, fill) -> None:
    fill["Projekt"]["slutdatum"] = date(2010, 1, 1)
    fill["Beslut"] = decisions(approved=("BP1",))
    fill["Risker"][0]["sannolikhet"] = 9
    report = checked(make_workbook, fill)
    assert {"date-order", "decision-missing", "invalid-value"} <= report.codes()
