"""`projektmodell new` and `check` as a project leader uses them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from pipeline import contract
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.model import CHECKLIST_ITEMS
from pipeline.workbook.reader import read_workbook
from pipeline.workbook.writer import style_name
from tests.fills import QUIET_DAY


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_new_writes_every_sheet_label_and_prefilled_checklist(tmp_path: Path) -> None:
    code, output = run("new", "Test", "--id", "T-1", "--dir", str(tmp_path / "annan-mapp"))
    path = tmp_path / "annan-mapp" / "Test.xlsx"
    assert code == 0 and "Skapade" in output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [contract.INSTRUCTIONS_SHEET, *(s.name for s in contract.SHEETS)]
    labels = [book["Projekt"].cell(r, 1).value for r in range(3, 3 + len(contract.PROJEKT.fields))]
    assert labels == [f.label for f in contract.PROJEKT.fields]
    assert book["Projekt"]["B3"].value == "T-1"
    ids = [book["Checklistor"].cell(r, 2).value for r in range(2, 2 + len(CHECKLIST_ITEMS))]
    assert ids == [item.id for item in CHECKLIST_ITEMS]
    assert [book["Beslut"].cell(r, 1).value for r in range(2, 6)] == ["BP1", "BP2", "BP3", "BP4"]
    svar_dropdowns = [dv for dv in book["Checklistor"].data_validations.dataValidation
                      if dv.formula1 == '"Ja,Nej,Ej aktuellt"']
    assert len(svar_dropdowns) == 1
    assert all(f"D{row}" in svar_dropdowns[0].sqref for row in (2, 57, 5000))
    assert book["Checklistor"].freeze_panes == "A2"


def test_rows_below_the_written_ones_get_the_input_look_format_and_dropdown(
        tmp_path: Path) -> None:
    """Column formats and whole-column dropdowns, not hundreds of styled empty rows: any
    row a project leader types in looks and behaves like the first."""
    run("new", "Test", "--dir", str(tmp_path))
    book = openpyxl.load_workbook(tmp_path / "Test.xlsx")
    costs = book["Kostnader"]
    assert costs.max_row == 1  # only the header row holds cells
    budget, year, kind = (costs.column_dimensions[letter] for letter in "DCA")
    assert (budget.number_format, year.number_format) == ('#,##0 "kr"', "0")
    assert budget.fill.fgColor.rgb == kind.fill.fgColor.rgb == "00FFF9E5"
    dropdown = next(dv for dv in costs.data_validations.dataValidation
                    if "Externa tjänster" in dv.formula1)
    assert "A57" in dropdown.sqref and "A1" not in dropdown.sqref
    checklist = book["Checklistor"]
    assert checklist.max_row == 1 + len(CHECKLIST_ITEMS)
    assert checklist["C2"].fill.fgColor.rgb == "00EDEDED"  # the model's items: grey


def test_new_never_overwrites(tmp_path: Path) -> None:
    assert run("new", "Test", "--dir", str(tmp_path))[0] == 0
    before = (tmp_path / "Test.xlsx").read_bytes()
    code, output = run("new", "Test", "--dir", str(tmp_path))
    assert code == 2 and "finns redan" in output
    assert (tmp_path / "Test.xlsx").read_bytes() == before


def test_a_blank_workbook_lists_what_remains_before_bp1_as_to_dos(tmp_path: Path) -> None:
    """Nothing filled in is not an error in phase 1: each empty cell the projektdirektiv
    needs is a to-do before BP1, and the projektdirektiv says which cells it waits for."""
    run("new", "Test", "--dir", str(tmp_path))
    code, output = run("check", str(tmp_path / "Test.xlsx"))
    assert code == 0
    assert "FEL" not in output and "Blad Projekt:" in output
    assert "    VARNING B3: Att göra före BP1: fyll i 'Projekt-ID'. [stoppar: Projektdirektiv]" \
        in output.splitlines()
    assert output.splitlines()[-1] == "1 arbetsbok kontrollerad: 0 fel, 27 varningar."
    report = check_file(tmp_path / "Test.xlsx").report
    assert report.errors == []
    to_fill = [f.cell for f in report.findings if f.code == "missing-before-decision"]
    assert to_fill == ["B3", "B5", "B7", "B8", "B10", "B11", "B14", "B15", "B16", "B17",
                       "B18", "B19"]
    (document,) = [f.message for f in report.findings if f.code == "document-blocked"]
    assert document == ("Projektdirektiv skapas inte; fyll i Projekt!B3, B5, B7, B8, B10, "
                        "B11, B14, B15, B16, B17, B18, B19 så skapas den.")


def fill_blank_as_a_project_leader(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["Projekt"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    values = {
        "Projekt-ID": "T-1", "Förvaltning": "Skolförvaltningen", "Beställare": "Anna Berg",
        "Projektledare": "Per Ek", "Startdatum": "2024-01-15", "Slutdatum": "15 dec 2024",
        "Bakgrund": "Bakgrund.", "Syfte": "Syfte.", "Koppling till verksamhetens mål": "Mål 2.",
        "Effektmål": "Färre avhopp.", "Projektmål": "50 elever.", "Avgränsningar": "Inga.",
    }
    for label, value in values.items():
        sheet.cell(rows[label], 2).value = value
    book.save(path)


def test_check_passes_after_filling_the_blank_workbook(tmp_path: Path) -> None:
    run("new", "Test", "--dir", str(tmp_path))
    path = tmp_path / "Test.xlsx"
    fill_blank_as_a_project_leader(path)
    code, output = run("check", str(path), "--today", "2024-06-01")
    assert code == 0, output
    assert "0 fel" in output and "varning" in output  # open checklist items remain to do
    report = check_file(path, today=date(2024, 6, 1)).report
    # the dates were typed as text: read, and said how
    assert {f.code for f in report.findings} == {"checklist-open", "date-from-text"}
    assert [f.message for f in report.findings if f.code == "date-from-text"] == [
        "'Startdatum': texten '2024-01-15' lästes som datumet 15 januari 2024. Skriv det som "
        "ett datum, t.ex. 2024-01-15, i en cell med datumformat.",
        "'Slutdatum': texten '15 dec 2024' lästes som datumet 15 december 2024. Skriv det "
        "som ett datum, t.ex. 2024-12-15, i en cell med datumformat."]


def test_example_has_no_errors(checked_example) -> None:
    assert checked_example.report.errors == []
    project = checked_example.project
    assert project.info.projektnamn == "Föräldrastöd"
    nisse = project.personkontrakt[0]
    assert (nisse.projektmedlem, nisse.timmar, nisse.fran, nisse.till, nisse.resursgivare) == (
        "Nisse Berg", 40, date(2011, 1, 15), date(2012, 1, 15), "Bo Andersson")


def test_check_json_reports_every_workbook(tmp_path: Path, make_workbook) -> None:
    good = make_workbook()
    bad = tmp_path / "trasig.xlsx"
    bad.write_text("Projekt-ID;Projektnamn\nX;Y\n")
    code, output = run("check", "--json", str(good), str(bad))
    assert code == 1
    reports = json.loads(output)
    assert [r["file"] for r in reports] == [good.name, "trasig.xlsx"]
    assert reports[0]["errors"] == 0
    assert reports[1]["findings"][0]["code"] == "workbook-unreadable"


def test_check_usage_error_exits_2() -> None:
    assert run("check")[0] == 2


def test_committed_example_is_what_the_generator_writes(tmp_path: Path, checked_example) -> None:
    from pipeline.example import write_example

    regenerated = check_file(write_example(tmp_path))
    assert regenerated.project.model_dump(exclude={"source"}) == \
        checked_example.project.model_dump(exclude={"source"})


def test_check_report_puts_sheets_with_errors_first(make_workbook, fill) -> None:
    fill["Risker"][0]["sannolikhet"] = "hög"
    fill["Personkontrakt"][0]["till"] = "2010-01-01"
    code, output = run("check", str(make_workbook(fill)), "--today", str(QUIET_DAY))
    assert code == 1
    headings = [line.strip() for line in output.splitlines() if line.startswith("  Blad")]
    assert headings == ["Blad Personkontrakt:", "Blad Risker:", "Blad Checklistor:"]
    risker = output.split("Blad Risker:")[1].splitlines()[1]
    assert risker.startswith("    FEL B2: 'Sannolikhet': värdet 'hög'")


def test_a_name_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x";"klicka")'
    assert run("new", name, "--dir", str(tmp_path))[0] == 0
    path = next(tmp_path.glob("*.xlsx"))
    cell = openpyxl.load_workbook(path)["Projekt"]["B4"]
    assert (cell.value, cell.data_type) == (name, "s")
    assert check_file(path).project.info.projektnamn == name


def rewrite(data: bytes, member: str, change: Any) -> bytes:
    """The workbook with one zip member's text changed by `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = change(content.decode()).encode()
            target.writestr(info, content)
    return out.getvalue()


def test_a_formula_after_every_value_is_still_found(make_workbook) -> None:
    # Far below the last value, with no cached value and no <v> at all.
    formula = '<row r="500"><c r="E500"><f>20*2</f></c></row></sheetData>'
    data = rewrite(make_workbook().read_bytes(), "xl/worksheets/sheet4.xml",
                   lambda xml: xml.replace("</sheetData>", formula))
    assert read_workbook(data).sheets["Personkontrakt"].uncached_formulas == {(500, 5)}


OLD_FORMATTED_ROWS = 200
"""Table rows the `new` of before column formats wrote as styled empty cells."""


def with_formatted_empty_rows(path: Path) -> Path:
    """The workbook as the earlier `new` wrote it: below its header (and any rows with
    values), each table's first 200 rows are empty cells with the input style, about
    15,000 of them."""
    book = openpyxl.load_workbook(path)
    for sheet in contract.SHEETS:
        if sheet.table:
            for row in book[sheet.name].iter_rows(min_row=2, max_row=OLD_FORMATTED_ROWS + 1,
                                                  max_col=len(sheet.fields)):
                for cell, field in zip(row, sheet.fields, strict=True):
                    if cell.value is None:
                        cell.style = style_name(field.kind)
    book.save(path)
    return path


def same_check(a: Path, b: Path) -> None:
    first, second = check_file(a), check_file(b)
    assert second.project.model_dump(exclude={"source"}) == \
        first.project.model_dump(exclude={"source"})
    assert [(f.code, f.location, f.message) for f in second.report.findings] == \
        [(f.code, f.location, f.message) for f in first.report.findings]


def test_a_workbook_from_the_earlier_new_reads_as_one_from_this_new(make_workbook) -> None:
    blank = {"Projekt": {"projektnamn": "Tom", "projekt_id": "T-1"}}
    for fill in (blank, None):  # a blank workbook, with findings; the example, without
        new = make_workbook(fill)
        old = with_formatted_empty_rows(make_workbook(fill))
        assert openpyxl.load_workbook(old)["Risker"].max_row == OLD_FORMATTED_ROWS + 1
        same_check(new, old)
    assert check_file(new).report.ok
    assert "missing-before-decision" in check_file(make_workbook(blank)).report.codes()


def add_rows_far_down(path: Path) -> Path:
    book = openpyxl.load_workbook(path)
    costs, risks = book["Kostnader"], book["Risker"]
    for column, value in enumerate(["Resor", "Studiebesök", 2011, "mycket"], start=1):
        costs.cell(180, column, value)
    for column, value in enumerate(["Sen leverans", 2, 3, "Följ upp"], start=1):
        risks.cell(260, column, value)  # below the earlier new's 200 formatted rows
    book.save(path)
    return path


def test_values_far_below_the_other_rows_keep_their_rows_and_cells(make_workbook) -> None:
    new = add_rows_far_down(make_workbook())
    old = add_rows_far_down(with_formatted_empty_rows(make_workbook()))
    same_check(new, old)
    checked = check_file(old)
    assert checked.project.kostnader[-1].row == 180
    assert (checked.project.risker[-1].row, checked.project.risker[-1].risk) == (
        260, "Sen leverans")
    assert [f.location for f in checked.report.findings if f.code == "invalid-value"] == [
        "Kostnader!D180"]
