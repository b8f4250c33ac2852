"""`projektmodell new` and `check` as a project leader uses them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bench.generate import add_formatted_rows
from pipeline import contract
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.model import CHECKLIST_ITEMS
from pipeline.workbook.reader import read_workbook
from pipeline.workbook.writer import LAST_ROW
from tests.fills import QUIET_DAY

ORANGE, YELLOW, GREY = "00F8CBAD", "00FFF2CC", "00E7E6E6"
"""The looks of cells to fill in: required, optional, filled in from the model."""
BROWN, BLUE = "00843C0C", "001F4E78"
"""The headers of required and optional table columns."""
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


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
    budget, year, kind, text = (costs.column_dimensions[letter] for letter in "DCAB")
    assert (budget.number_format, year.number_format) == ('#,##0 "kr"', "0")
    assert budget.fill.fgColor.rgb == kind.fill.fgColor.rgb == ORANGE  # required
    assert text.fill.fgColor.rgb == YELLOW and text.alignment.wrap_text  # optional, wraps
    dropdown = next(dv for dv in costs.data_validations.dataValidation
                    if "Externa tjänster" in dv.formula1)
    assert "A57" in dropdown.sqref and "A1" not in dropdown.sqref
    checklist = book["Checklistor"]
    assert checklist.max_row == 1 + len(CHECKLIST_ITEMS)
    assert checklist["C2"].fill.fgColor.rgb == GREY  # the model's items


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
    add_formatted_rows(book, OLD_FORMATTED_ROWS)
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


# --- The workbook a project leader fills in (issue 16) ---

@pytest.fixture(scope="module")
def blank_book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Workbook]:
    """A workbook from `new`, as written and as openpyxl reads it back."""
    folder = tmp_path_factory.mktemp("new")
    assert CliRunner().invoke(main, ["new", "Tom", "--id", "T-1", "--dir", str(folder)]
                              ).exit_code == 0
    path = folder / "Tom.xlsx"
    return path, openpyxl.load_workbook(path)


def test_new_with_the_file_name_typed_makes_that_file(tmp_path: Path) -> None:
    made = CliRunner().invoke(main, ["new", "Föräldrastöd.XLSX", "--dir", str(tmp_path)])

    assert made.exit_code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["Föräldrastöd.xlsx"]
    book = openpyxl.load_workbook(tmp_path / "Föräldrastöd.xlsx")
    assert label_value_of(book["Projekt"], "Projektnamn") == "Föräldrastöd"


def label_value_of(ws: Any, label: str) -> Any:
    return next(row[1].value for row in ws.iter_rows() if row[0].value == label)


def value_cells(book: Workbook) -> Iterator[tuple[contract.Sheet, contract.Field, str, Any]]:
    """Every field's value cell (key/value sheets) or first data row's cell (tables), as
    the cell's address and its look: the cell, or for a table the column's style."""
    for sheet in contract.SHEETS:
        ws = book[sheet.name]
        for number, field in enumerate(sheet.fields, start=1):
            letter = get_column_letter(number)
            if sheet.table:
                yield sheet, field, f"{letter}2", ws.column_dimensions[letter]
            else:
                yield sheet, field, f"B{number + 2}", ws[f"B{number + 2}"]


def validation_at(ws: Any, cell: str) -> DataValidation:
    [validation] = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    return validation


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two RGB colours ("00RRGGBB" or "RRGGBB")."""
    def luminance(colour: str) -> float:
        channels = [int(colour[-6:][i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_cells_to_fill_in_show_whether_they_are_required(blank_book) -> None:
    """Orange under a brown header where the contract requires a value (always or for a
    document), yellow under a blue one where it is optional; grey where `new` filled in
    the model's items; each readable in black (or white on the headers)."""
    _, book = blank_book
    looks = {}
    for sheet, field, cell, styled in value_cells(book):
        looks[sheet.name, field.label] = styled.fill.fgColor.rgb
        if sheet.table:
            header = book[sheet.name][cell.replace("2", "1")].fill.fgColor.rgb
            assert header == (BROWN if field.required else BLUE), (sheet.name, field.label)
    assert looks["Projekt", "Projekt-ID"] == looks["Projekt", "Startdatum"] == ORANGE
    assert looks["Projekt", "Verksamhet"] == YELLOW
    assert looks["Projekt", "Mallversion"] == GREY  # "Ändra inte."
    assert looks["Risker", "Sannolikhet"] == looks["Kostnader", "År"] == ORANGE
    assert looks["Risker", "Åtgärd"] == looks["Finansiering", "År"] == YELLOW
    for sheet, field, _, _ in value_cells(book):
        expected = ORANGE if field.required else YELLOW
        if not (sheet is contract.PROJEKT and field.key == "mallversion"):
            assert looks[sheet.name, field.label] == expected, (sheet.name, field.label)
    assert book["Checklistor"]["C2"].fill.fgColor.rgb == GREY
    assert book["Beslut"]["A2"].fill.fgColor.rgb == GREY
    assert min(contrast("000000", colour) for colour in (ORANGE, YELLOW, GREY)) > 12
    assert min(contrast("FFFFFF", colour) for colour in (BROWN, BLUE)) > 7


def test_every_column_and_value_cell_has_an_input_message(blank_book) -> None:
    """Selecting any cell to fill in shows what goes there: the label, whether it must be
    filled in (and for which document), its type, choices or bounds, and the contract's
    help, within Excel's limits (title 32, text 255 characters)."""
    _, book = blank_book
    for sheet, field, cell, _ in value_cells(book):
        ws = book[sheet.name]
        validation = validation_at(ws, cell)
        title, prompt = validation.promptTitle, validation.prompt
        assert validation.showInputMessage, (sheet.name, cell)
        assert len(title) <= 32 and len(prompt) <= 255, (sheet.name, field.label)
        assert title == field.label or (title.endswith("…") and prompt.startswith(
            field.label)), (sheet.name, field.label)
        told = prompt.removeprefix(field.label + "\n") if title != field.label else prompt
        assert told.startswith(("Obligatorisk.\n", "Frivillig.\n", "Behövs för ")), prompt
        if field.help:
            assert field.help in prompt
        if sheet.table:
            assert cell.replace("2", "1") not in validation.sqref  # not on the header
            assert cell.replace("2", str(LAST_ROW)) in validation.sqref  # every row
    prompt = validation_at(book["Kostnader"], "C2").prompt
    assert prompt == "Obligatorisk.\nÅrtal mellan 1990 och 2100."
    prompt = validation_at(book["Projekt"], "B10").prompt  # Startdatum
    assert prompt == "Behövs för projektdirektivet.\nDatum (ÅÅÅÅ-MM-DD)."
    prompt = validation_at(book["Personkontrakt"], "J2").prompt  # Timkostnad (kr)
    assert prompt == ("Frivillig.\nBelopp i kronor, minst 0.\n"
                      "Tom: kostnaden räknas med standardtimkostnaden.")
    assert "Socialförvaltningen" in validation_at(book["Projekt"], "B5").prompt
    long_label = validation_at(book["Slutrapport"], "B13")
    assert long_label.promptTitle == "Uppföljning av effektmål…"
    assert long_label.prompt.startswith("Uppföljning av effektmål (datum och ansvarig)\n")


def test_numbers_years_and_dates_are_checked_as_they_are_typed(blank_book) -> None:
    """Sannolikhet and Konsekvens take a whole number 1–5, År a year within the
    contract's bounds, dates a date, hours and amounts a number (not below 0 where the
    contract says so); a wrong value is refused with a Swedish message. Choices keep
    their dropdowns; text is not checked."""
    _, book = blank_book

    def rule(sheet: str, cell: str) -> tuple[Any, ...]:
        v = validation_at(book[sheet], cell)
        return v.type, v.operator, v.formula1, v.formula2, v.error

    assert rule("Risker", "B2") == ("whole", "between", "1", "5",
                                    "Skriv ett heltal mellan 1 och 5, t.ex. 3.")
    assert rule("Risker", "C2")[:4] == ("whole", "between", "1", "5")
    assert rule("Kostnader", "C2") == ("whole", "between", "1990", "2100",
                                       "Skriv ett årtal mellan 1990 och 2100, t.ex. 2024.")
    assert rule("Finansiering", "D2")[:4] == rule("Nytta", "E2")[:4] == (
        "whole", "between", "1990", "2100")
    first, last = (str((date(*d) - date(1899, 12, 30)).days) for d in ((1990, 1, 1),
                                                                      (2100, 12, 31)))
    assert rule("Personkontrakt", "F2") == (
        "date", "between", first, last,
        "Skriv ett datum mellan 1990-01-01 och 2100-12-31, t.ex. 2024-03-15.")
    assert rule("Projekt", "B10")[:4] == ("date", "between", first, last)
    assert rule("Personkontrakt", "E2") == (
        "decimal", "greaterThanOrEqual", "0", None,
        "Skriv ett tal, bara siffror, minst 0, t.ex. 12,5.")
    assert rule("Finansiering", "E2") == (
        "decimal", "greaterThanOrEqual", "0", None,
        "Skriv ett belopp i kronor, bara siffror, minst 0, t.ex. 12500.")
    budget = rule("Kostnader", "D2")  # the contract sets no bounds: any number
    assert budget[:2] == ("decimal", "between") and float(budget[2]) < -1e9 < 1e9 < float(
        budget[3])
    assert rule("Projekt", "B26")[:4] == ("decimal", "between", "0", "100")  # tolerans
    assert rule("Statusrapporter", "A2")[:3] == ("whole", "greaterThanOrEqual", "1")
    assert rule("Risker", "F2")[:3] == ("list", None, '"Öppen,Hanterad,Stängd"')
    assert rule("Risker", "A2") == (None, None, None, None, None)
    for sheet, _, cell, _ in value_cells(book):
        validation = validation_at(book[sheet.name], cell)
        if validation.type is not None:
            assert validation.showErrorMessage and validation.allow_blank
            assert len(validation.errorTitle) <= 32 and len(validation.error) <= 255


def test_every_font_is_named_and_the_default_is_calibri(blank_book) -> None:
    """A font without a name shows in a serif font in LibreOffice: every font in the
    workbook, the default (the first) included, is Calibri."""
    path, book = blank_book
    with zipfile.ZipFile(path) as package:
        styles = ElementTree.fromstring(package.read("xl/styles.xml"))
    fonts = styles.findall(f"{MAIN}fonts/{MAIN}font")
    assert len(fonts) > 3
    assert [font.find(f"{MAIN}name").get("val") for font in fonts] == ["Calibri"] * len(fonts)
    names = {cell.font.name for ws in book for row in ws.iter_rows() for cell in row}
    assert names == {"Calibri"}


def test_every_sheet_is_set_up_for_printing_on_a4(blank_book) -> None:
    """Fitted to the page width (Projekt to one page), landscape where the sheet is wider
    than a portrait page, the header row repeated on every page, the sheet and page in
    the footer."""
    _, book = blank_book
    for ws in book:
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (setup.paperSize, setup.fitToWidth >= 1) == (9, True), ws.title
        assert "&A" in ws.oddFooter.center.text and "&P" in ws.oddFooter.center.text
    projekt = book["Projekt"].page_setup
    assert (projekt.orientation, projekt.fitToWidth, projekt.fitToHeight) == (
        "landscape", 1, 1)
    for sheet in contract.SHEETS:
        if sheet.table:
            assert book[sheet.name].print_title_rows == "$1:$1", sheet.name
            assert book[sheet.name].page_setup.fitToHeight == 0  # as many pages as rows
    assert book["Finansiering"].page_setup.orientation == "portrait"  # six narrow columns
    wide = book["Statusrapporter"]  # fifteen columns: two pages across, column A on both
    assert (wide.page_setup.orientation, wide.page_setup.fitToWidth) == ("landscape", 2)
    assert wide.print_title_cols == "$A:$A"


def test_headers_clear_their_filter_buttons_and_long_text_rows_are_taller(
        blank_book, make_workbook, fill) -> None:
    """A header label fits beside its filter button (or wraps onto a taller header row);
    rows whose text wraps are as tall as their lines, whether written by `new` or
    filled."""
    _, book = blank_book
    risker = book["Risker"]
    for letter, label in zip("BC", ("Sannolikhet", "Konsekvens"), strict=True):
        assert risker[f"{letter}1"].value == label
        assert risker.column_dimensions[letter].width >= len(label) + 3
    timkostnad = book["Personkontrakt"].column_dimensions["J"]
    assert timkostnad.width >= len("Timkostnad (kr)") + 3
    assert book["Personkontrakt"].row_dimensions[1].height >= 30  # a two-line label
    checklist = book["Checklistor"]
    long_item = next(r for r in range(2, checklist.max_row + 1)
                     if len(checklist[f"C{r}"].value) > 60)
    assert checklist[f"C{long_item}"].alignment.wrap_text
    assert checklist.row_dimensions[long_item].height >= 30
    fill["Projekt"]["bakgrund"] = "Första raden.\nAndra raden.\nTredje raden."
    projekt = openpyxl.load_workbook(make_workbook(fill))["Projekt"]
    bakgrund = next(r for r in range(3, 30) if projekt[f"A{r}"].value == "Bakgrund")
    assert projekt[f"B{bakgrund}"].alignment.wrap_text
    assert projekt.row_dimensions[bakgrund].height >= 45


def test_instructions_say_what_the_nightly_build_does_not_which_command_to_run(
        blank_book) -> None:
    _, book = blank_book
    text = "\n".join(str(c.value) for row in book["Instruktioner"].iter_rows() for c in row
                     if c.value is not None)
    assert "projektmodell check" not in text and ".xlsx" not in text  # no command line
    for told in ("Varje natt", "Kontrollrapport.txt", "index.html", "gemensamma mappen",
                 "'KS-2011-01 Föräldrastöd'", "Orange", "Gul", "Grå"):
        assert told in text, told
    for sheet in contract.SHEETS:
        assert sheet.name in text

