"""What is late on a given day: the time-based findings, `--today`, and the build that
rebuilds an unchanged project when one of its deadlines falls due."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.batch.state import RUN_REPORT, STATE_FOLDER
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.example import checklist, decisions
from pipeline.findings import Report
from pipeline.settings import read_settings
from pipeline.validate.deadlines import TIME_CODES
from tests.conftest import EXAMPLE_PATH, WorkbookFactory
from tests.fills import QUIET_DAY, closing_fill, planning_fill

FOLDER = "KS-2011-01 Föräldrastöd"


def late(report: Report) -> list[tuple[str, str, str]]:
    """The time-based findings as (code, severity, sheet!cell)."""
    return [f for f in report.flatten() if f[0] in TIME_CODES]


def message(report: Report, code: str) -> str:
    return next(f.message for f in report.findings if f.code == code)


def test_nothing_of_the_example_is_late_during_the_project() -> None:
    assert late(check_file(EXAMPLE_PATH, today=QUIET_DAY).report) == []


def test_the_example_two_months_after_its_end_has_every_kind_of_late() -> None:
    report = check_file(EXAMPLE_PATH, today=date(2012, 3, 20)).report
    assert sorted(late(report)) == sorted([
        ("end-date-passed", "varning", "Projekt!B11"),
        ("contract-ended", "varning", "Personkontrakt!G2"),
        ("contract-ended", "varning", "Personkontrakt!G3"),
        ("activity-overdue", "varning", "Aktiviteter!E4"),
        ("activity-overdue", "varning", "Aktiviteter!E5"),
        ("status-report-overdue", "varning", "Statusrapporter!C4"),
    ])
    assert report.ok


def test_a_status_report_is_late_from_the_day_after_its_interval_plus_14_days() -> None:
    # report 3 ends 2011-11-30; quarterly: 2012-02-29 (no 30 February), + 14 days: 2012-03-14
    on_time = check_file(EXAMPLE_PATH, today=date(2012, 3, 14)).report
    overdue = check_file(EXAMPLE_PATH, today=date(2012, 3, 15)).report
    assert "status-report-overdue" not in on_time.codes()
    assert ("status-report-overdue", "varning", "Statusrapporter!C4") in overdue.flatten()
    assert message(overdue, "status-report-overdue") == (
        "En statusrapport är försenad: den senaste rapporten (nr 3) gäller till 2011-11-30, "
        "och med rapporteringsintervallet kvartalsvis skulle nästa ha lämnats senast "
        "2012-03-14. Lägg till nästa statusrapport på bladet Statusrapporter.")


def test_the_latest_report_is_the_one_with_the_latest_period_whatever_its_row(
        make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    fill["Statusrapporter"].reverse()
    fill["Projekt"]["rapporteringsintervall"] = "Månadsvis"
    path = make_workbook(fill)
    # 2011-11-30 + 1 month = 2011-12-30, + 14 days = 2012-01-13
    assert "status-report-overdue" not in check_file(path, today=date(2012, 1, 13)).report.codes()
    assert ("status-report-overdue", "varning", "Statusrapporter!C2") in late(
        check_file(path, today=date(2012, 1, 14)).report)


def test_without_reports_the_first_is_counted_from_the_day_bp2_was_taken(
        make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    fill["Statusrapporter"] = []
    fill["Projekt"]["rapporteringsintervall"] = "Varannan månad"
    path = make_workbook(fill)
    # BP2 2011-03-01 + 2 months + 14 days = 2011-05-15
    assert late(check_file(path, today=date(2011, 5, 15)).report) == []
    report = check_file(path, today=date(2011, 5, 16)).report
    assert late(report) == [("status-report-overdue", "varning", "Beslut!D3")]
    assert "BP2 beslutades 2011-03-01 och ingen rapport är lämnad" in message(
        report, "status-report-overdue")


def test_no_report_is_due_while_bp2_is_not_in_effect(
        make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    fill["Statusrapporter"] = []
    p1 = next(row for row in fill["Checklistor"] if row["id"] == "P1")
    p1["svar"] = "Nej"
    report = check_file(make_workbook(fill), today=date(2011, 12, 1)).report
    assert "checklist-blocks-decision" in report.codes()  # what the leader must fix first
    assert "status-report-overdue" not in report.codes()


@pytest.mark.parametrize(("answer", "due"), [(None, False), ("Ja", True)],
                         ids=["added-item-open", "added-item-done"])
def test_bp2_is_in_effect_by_the_organisations_own_checklist(
        make_workbook: WorkbookFactory, fill: dict[str, Any], tmp_path: Path,
        answer: str | None, due: bool) -> None:
    config = tmp_path / "projektmodell.toml"
    config.write_text('config_version = 1\n\n[[checklist]]\nid = "P9"\nphase = "Planering"\n'
                      'text = "Informationssäkerhetsklassning är gjord"\n', encoding="utf-8")
    fill["Statusrapporter"] = []
    # no Fas on the row: the item is the organisation's, of Planering, by its ID alone
    fill["Checklistor"].append({"id": "P9", "svar": answer,
                                "kontrollpunkt": "Informationssäkerhetsklassning är gjord"})
    report = check_file(make_workbook(fill), read_settings(config),
                        today=date(2011, 12, 1)).report
    assert ("status-report-overdue" in report.codes()) is due


@pytest.mark.parametrize("make", [planning_fill, closing_fill], ids=["planering", "avslut"])
def test_reports_are_due_only_in_genomforande(make_workbook: WorkbookFactory, make) -> None:
    report = check_file(make_workbook(make()), today=date(2013, 1, 1)).report
    assert "status-report-overdue" not in report.codes()


def test_the_end_date_has_passed_from_the_day_after_it_until_bp4_is_approved(
        make_workbook: WorkbookFactory) -> None:
    assert "end-date-passed" not in check_file(EXAMPLE_PATH, today=date(2012, 1, 15)).report.codes()
    report = check_file(EXAMPLE_PATH, today=date(2012, 1, 16)).report
    assert ("end-date-passed", "varning", "Projekt!B11") in late(report)
    assert message(report, "end-date-passed").startswith(
        "Slutdatum 2012-01-15 har passerat, men BP4 (styrgruppen avslutar projektet) är inte "
        "godkänd.")
    closed = closing_fill()
    closed["Checklistor"] = checklist(("Relevans", "Förberedelse", "Planering", "Genomförande",
                                       "Avslut"))
    closed["Beslut"] = decisions(("BP1", "BP2", "BP3", "BP4"))
    assert late(check_file(make_workbook(closed), today=date(2013, 1, 1)).report) == []


def test_an_activity_is_late_after_its_end_unless_klar_or_struken(
        make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    for row, status in zip(fill["Aktiviteter"], ["Klar", "Struken", "Pågår", None], strict=True):
        row.update(slut=date(2011, 10, 31), status=status)
    report = check_file(make_workbook(fill), today=date(2011, 11, 1)).report
    assert [f for f in late(report) if f[0] == "activity-overdue"] == [
        ("activity-overdue", "varning", "Aktiviteter!E4"),
        ("activity-overdue", "varning", "Aktiviteter!E5")]
    messages = [f.message for f in report.findings if f.code == "activity-overdue"]
    assert messages[0].startswith("Aktiviteten 'Föräldragrupper höst' skulle vara klar "
                                  "2011-10-31 men har status Pågår.")
    assert "'Överlämning till IFO' skulle vara klar 2011-10-31 men saknar status." in messages[1]
    assert "activity-overdue" not in check_file(make_workbook(fill), today=date(2011, 10, 31)
                                                ).report.codes()


@pytest.mark.parametrize(("make", "expected"), [
    (planning_fill, ["Personkontrakt!G2", "Personkontrakt!G3"]),
    (closing_fill, []),
], ids=["planering", "avslut"])
def test_a_contract_has_ended_while_the_project_is_before_avslut(
        make_workbook: WorkbookFactory, make, expected: list[str]) -> None:
    report = check_file(make_workbook(make()), today=date(2012, 1, 16)).report
    assert [f[2] for f in late(report) if f[0] == "contract-ended"] == expected


def test_check_takes_today_from_the_command_line() -> None:
    before = CliRunner().invoke(main, ["check", str(EXAMPLE_PATH), "--today", "2011-12-15"])
    after = CliRunner().invoke(main, ["check", str(EXAMPLE_PATH), "--today", "2011-12-16"])
    assert before.exit_code == after.exit_code == 0
    assert "E4:" not in before.output
    assert ("VARNING E4: Aktiviteten 'Föräldragrupper höst' skulle vara klar 2011-12-15 men "
            "har status Försenad.") in after.output
    wrong = CliRunner().invoke(main, ["check", str(EXAMPLE_PATH), "--today", "15/12/2011"])
    assert wrong.exit_code == 2
    assert "--today" in wrong.output


# --- the build ---------------------------------------------------------------------------

def build(input_folder: Path, output: Path, today: str) -> dict[str, Any]:
    """`build INPUT OUTPUT --jobs 1 --today DAY`; its run report."""
    result = CliRunner().invoke(main, ["build", str(input_folder), str(output), "--jobs", "1",
                                       "--today", today])
    assert result.exit_code == 0, result.output
    return json.loads((output / STATE_FOLDER / RUN_REPORT).read_text(encoding="utf-8"))


LATE_PHRASES = ("försenad", "har passerat", "gällde till", "skulle vara klar")


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {p["workbook"]: p["status"] for p in report["projects"]}


@pytest.fixture
def two_projects(make_workbook: WorkbookFactory, tmp_path: Path) -> Path:
    """The example, whose next status report falls due on 2012-03-15, and a project in
    Planering, all of whose deadlines passed before that."""
    folder = tmp_path / "in"
    (folder / "example.xlsx").parent.mkdir()
    (folder / "example.xlsx").write_bytes(EXAMPLE_PATH.read_bytes())
    make_workbook(planning_fill(), name="planering.xlsx", folder=folder)
    return folder


def test_an_unchanged_project_is_rebuilt_on_the_day_a_deadline_falls_due(
        two_projects: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    findings = output / FOLDER / "Kontrollrapport.txt"
    assert set(statuses(build(two_projects, output, "2012-03-14")).values()) == {"built"}
    assert "statusrapport är försenad" not in findings.read_text(encoding="utf-8")

    assert statuses(build(two_projects, output, "2012-03-14")) == {
        "example.xlsx": "unchanged", "planering.xlsx": "unchanged"}
    assert statuses(build(two_projects, output, "2012-03-15")) == {
        "example.xlsx": "built", "planering.xlsx": "unchanged"}
    assert ("VARNING C4: En statusrapport är försenad" in findings.read_text(encoding="utf-8"))
    assert statuses(build(two_projects, output, "2012-06-01")) == {
        "example.xlsx": "unchanged", "planering.xlsx": "unchanged"}


def test_a_replayed_night_gets_that_nights_findings_as_a_fresh_build_would(
        two_projects: Path, tmp_path: Path) -> None:
    replayed, fresh = tmp_path / "replayed", tmp_path / "fresh"
    build(two_projects, replayed, "2012-06-01")
    again = build(two_projects, replayed, "2011-12-10")
    assert statuses(again) == {"example.xlsx": "built", "planering.xlsx": "built"}
    first = build(two_projects, fresh, "2011-12-10")
    assert [p["report"] for p in again["projects"]] == [p["report"] for p in first["projects"]]
    for folder in (FOLDER, "AF-2024-02 Unga till jobb"):
        text = (replayed / folder / "Kontrollrapport.txt").read_text(encoding="utf-8")
        assert text == (fresh / folder / "Kontrollrapport.txt").read_text(encoding="utf-8")
        assert [phrase for phrase in LATE_PHRASES if phrase in text] == []
