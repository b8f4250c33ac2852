"""`projektmodell new` and `check` as a project leader uses them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipeline import contract
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.model import CHECKLIST_ITEMS
from pipeline.workbook.reader import (
    RawWorkbook,
    read_plain,
    read_with_calamine,
    read_workbook,
    unzip,
)
from tests.conftest import EXAMPLE_PATH


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
    assert svar_dropdowns and "D2" in str(svar_dropdowns[0].sqref)
    assert book["Checklistor"].freeze_panes == "A2"
    assert book["Kostnader"]["D2"].number_format == '#,##0 "kr"'


def test_new_never_overwrites(tmp_path: Path) -> None:
    assert run("new", "Test", "--dir", str(tmp_path))[0] == 0
    before = (tmp_path / "Test.xlsx").read_bytes()
    code, output = run("new", "Test", "--dir", str(tmp_path))
    assert code == 2 and "finns redan" in output
    assert (tmp_path / "Test.xlsx").read_bytes() == before


def test_check_on_blank_workbook_lists_what_is_missing_with_cells(tmp_path: Path) -> None:
    run("new", "Test", "--dir", str(tmp_path))
    code, output = run("check", str(tmp_path / "Test.xlsx"))
    assert code == 1
    assert "Projekt-ID' saknas" in output and "B3:" in output
    assert "FEL" in output and "Blad Projekt:" in output
    report = check_file(tmp_path / "Test.xlsx").report
    missing = {f.cell for f in report.errors if f.code == "missing-value"}
    assert {"B3", "B5", "B7", "B8", "B10", "B11", "B14"} <= missing


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
    code, output = run("check", str(path))
    assert code == 0, output
    assert "0 fel" in output and "varning" in output  # open checklist items remain to do
    report = check_file(path).report
    assert {f.code for f in report.findings} == {"checklist-open"}


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
    code, output = run("check", str(make_workbook(fill)))
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


# The plain reader (sheet XML read directly) against python-calamine, on every shape of
# value a workbook may hold: both must give the same cells, and the shapes the plain
# reader does not know must go to calamine.

PLAIN_VALUES: list[tuple[Any, str | None]] = [
    (0, None), (40, None), (-5, None), (10**15, None), (1.5, "0.00"), (-0.25, None),
    (1e-7, None), (1e20, None), (1234.5, '#,##0 "kr"'), (0.25, "0%"),
    (date(2011, 1, 15), None), (date(2011, 1, 15), "d/m/yyyy"),
    (date(2012, 2, 29), "yyyy\\-mm\\-dd"), (date(1900, 3, 1), "mm-dd-yy"), (2011, "yyyy"),
    ("  mellanslag  ", None), ("a & b < c > d \" '", None), ("Åäö ÅÄÖ 😀", None),
    ("tab\there", None), ("rad ett\nrad två", None), ("rad ett\r\nrad två", None),
    ("1 234,50 kr", None), ("", None), (12345.678, "0.00E+00"),
]
CALAMINE_VALUES: list[tuple[Any, str | None]] = [
    ("=1+1", None), (True, None), (datetime(2011, 1, 15, 10, 30), None), (time(10, 30), None),
    ("a_x000D_b", None), (60, "yyyy-mm-dd"), (40558.5, "yyyy-mm-dd"),
    (1, "[h]:mm:ss"), (1, "# ?/?"),
]


def write_values(path: Path, values: list[tuple[Any, str | None]], merge: bool = True) -> bytes:
    book = openpyxl.load_workbook(path)
    sheet = book["Projekt"]
    for row, (value, number_format) in enumerate(values, start=40):
        sheet.cell(row, 2).value = value
        sheet.cell(row, 3).value = value
        if number_format:
            sheet.cell(row, 2).number_format = number_format
    if merge:
        sheet.merge_cells("D2:E3")
        book["Risker"].merge_cells("H2:I2")
    book.save(path)
    return path.read_bytes()


def with_shared_strings(data: bytes, extra_items: list[str]) -> bytes:
    """The workbook as Excel writes it: strings in xl/sharedStrings.xml, cells pointing there;
    `extra_items` (raw <si> content) are added and the first cell of Projekt uses each."""
    source = zipfile.ZipFile(io.BytesIO(data))
    items: list[str] = []
    inline = re.compile(r'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is>(.*?)</is>')

    def shared(match: re.Match[str]) -> str:
        items.append(match[2])
        return f'{match[1]} t="s"><v>{len(items) - 1}</v>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = inline.sub(shared, content.decode())
                if info.filename == "xl/worksheets/sheet2.xml":
                    for i, _ in enumerate(extra_items):
                        text = text.replace("</sheetData>", f'<row r="{90 + i}"><c r="B{90 + i}"'
                                            f' t="s"><v>{len(items) + i}</v></c></row>'
                                            "</sheetData>")
                content = text.encode()
            elif info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>"))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>'))
            target.writestr(info, content)
        every = "".join(f"<si>{item}</si>" for item in [*items, *extra_items])
        target.writestr("xl/sharedStrings.xml", (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(items)}" uniqueCount="{len(items)}">{every}</sst>'))
    return out.getvalue()


def comparable(raw: RawWorkbook) -> dict[str, Any]:
    """Each sheet's cells as (value, type) without trailing empties, merged ranges, formulas."""
    sheets = {}
    for name, cells in raw.sheets.items():
        rows = [[(v, type(v).__name__) if v != "" else None for v in row] for row in cells.rows]
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
        sheets[name] = (rows, cells.merged, cells.uncached_formulas)
    return sheets


def assert_read_as_calamine_reads(data: bytes, plain: bool) -> None:
    parts = unzip(data)
    assert (read_plain(parts) is not None) is plain
    assert comparable(read_workbook(data)) == comparable(read_with_calamine(data, parts))


def test_plain_reader_reads_every_plain_shape_as_calamine(make_workbook) -> None:
    data = write_values(make_workbook(), PLAIN_VALUES)
    assert_read_as_calamine_reads(data, plain=True)
    rich = '<r><t>fet</t></r><r><rPr><b/></rPr><t xml:space="preserve"> och &amp; mager</t></r>'
    assert_read_as_calamine_reads(with_shared_strings(data, [rich, "<t></t>"]), plain=True)
    assert_read_as_calamine_reads(EXAMPLE_PATH.read_bytes(), plain=True)


@pytest.mark.parametrize("value", CALAMINE_VALUES, ids=repr)
def test_other_shapes_are_read_by_calamine(make_workbook, value) -> None:
    data = write_values(make_workbook(), [*PLAIN_VALUES, value], merge=False)
    assert_read_as_calamine_reads(data, plain=False)


def test_phonetic_text_and_1904_dates_are_read_by_calamine(make_workbook) -> None:
    data = write_values(make_workbook(), PLAIN_VALUES)
    phonetic = "<t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh>"
    assert_read_as_calamine_reads(with_shared_strings(data, [phonetic]), plain=False)
    path = make_workbook()
    book = openpyxl.load_workbook(path)
    book.epoch = CALENDAR_MAC_1904
    book["Projekt"]["B50"] = date(2011, 1, 15)
    book.save(path)
    assert_read_as_calamine_reads(path.read_bytes(), plain=False)


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
    # Below hundreds of formatted empty rows, with no cached value and no <v> at all.
    formula = '<row r="500"><c r="E500"><f>20*2</f></c></row></sheetData>'
    data = rewrite(make_workbook().read_bytes(), "xl/worksheets/sheet4.xml",
                   lambda xml: xml.replace("</sheetData>", formula))
    assert_read_as_calamine_reads(data, plain=False)
    assert read_workbook(data).sheets["Personkontrakt"].uncached_formulas == {(500, 5)}
