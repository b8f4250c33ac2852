"""A real office program reads what `new` writes, and we read what it saves."""

from __future__ import annotations

import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline.check import check_file
from pipeline.workbook.writer import write_new
from tests.conftest import EXAMPLE_PATH, require_tool
from tests.conftest import soffice_convert as convert_with_libreoffice


def soffice_convert(source: Path, target_format: str, outdir: Path) -> Path:
    return convert_with_libreoffice([source], target_format, outdir)[0]


def without_source(project) -> dict:
    return project.model_dump(exclude={"source"})


def test_example_saved_by_libreoffice_reads_back_the_same_project(tmp_path: Path) -> None:
    saved = soffice_convert(EXAMPLE_PATH, "xlsx", tmp_path)
    original, roundtrip = check_file(EXAMPLE_PATH), check_file(saved)
    assert roundtrip.report.errors == []
    assert without_source(roundtrip.project) == without_source(original.project)
    assert roundtrip.report.flatten() == original.report.flatten()


def test_blank_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    blank = write_new(tmp_path / "Tom.xlsx", "Tom", "T-1")
    saved = soffice_convert(blank, "ods", tmp_path / "ods")
    assert saved.stat().st_size > 0
    back = soffice_convert(saved, "xlsx", tmp_path / "back")
    assert check_file(back).report.flatten() == check_file(blank).report.flatten()


TYPE_A_COST_ROW = """
Sub TypeCostRow(source As String, target As String, report As String)
  Dim hidden(0) As New com.sun.star.beans.PropertyValue
  hidden(0).Name = "Hidden"
  hidden(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, hidden())
  sheet = doc.Sheets.getByName("Kostnader")
  sheet.getCellRangeByName("A57").setString("Resor")
  sheet.getCellRangeByName("C57").setValue(2012)
  sheet.getCellRangeByName("D57").setValue(1234)
  n = FreeFile
  Open report For Output As #n
  For Each name In Array("A57", "B57", "D57")
    cell = sheet.getCellRangeByName(name)
    Print #n, name; Chr(9); Hex(cell.CellBackColor); Chr(9); _
      doc.NumberFormats.getByKey(cell.NumberFormat).FormatString; Chr(9); _
      cell.Validation.Type; Chr(9); cell.Validation.getFormula1()
  Next
  Close #n
  Dim xlsx(0) As New com.sun.star.beans.PropertyValue
  xlsx(0).Name = "FilterName"
  xlsx(0).Value = "Calc MS Excel 2007 XML"
  doc.storeToURL(ConvertToURL(target), xlsx())
  doc.close(True)
End Sub
"""
"""Types a cost in row 57 of Kostnader as a user would, writes what LibreOffice shows of
three cells (fill, number format, validation type and list), and saves the workbook."""
LIST_VALIDATION = "6"  # com.sun.star.sheet.ValidationType.LIST


def run_basic_macro(source: str, call: str, profile: Path) -> None:
    """Run a Basic sub in a real LibreOffice, from the Standard library of a private
    profile (created by a first start, then given the macro as its Module1)."""
    soffice = require_tool("soffice")
    start = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    subprocess.run([*start, "--terminate_after_init"], check=True, capture_output=True,
                   timeout=240)
    (profile / "user" / "basic" / "Standard" / "Module1.xba").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<script:module '
        'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        f'script:language="StarBasic">{escape(source)}</script:module>', encoding="utf-8")
    subprocess.run([*start, f"macro:///Standard.Module1.{call}"], check=True,
                   capture_output=True, timeout=240)


def test_a_row_typed_in_libreoffice_below_the_written_ones_looks_and_reads_right(
        tmp_path: Path) -> None:
    blank = write_new(tmp_path / "Tom.xlsx", "Tom", "T-1")
    typed, report = tmp_path / "Inskriven.xlsx", tmp_path / "celler.txt"
    run_basic_macro(TYPE_A_COST_ROW, f'TypeCostRow("{blank}","{typed}","{report}")',
                    tmp_path / "lo-profile")

    lines = [[part.strip() for part in line.split("\t")]  # Basic prints " 6" for 6
             for line in report.read_text().splitlines() if line]
    cells = {name: shown for name, *shown in lines}
    assert {name: fill for name, (fill, *_) in cells.items()} == {
        "A57": "FFF9E5", "B57": "FFF9E5", "D57": "FFF9E5"}  # the yellow input look
    assert cells["D57"][1] == '#,##0 "kr"'
    kind, choices = cells["A57"][2:]
    assert kind == LIST_VALIDATION and '"Externa tjänster"' in choices
    checked = check_file(typed)
    assert [(c.row, c.kostnadsslag, c.ar, c.budget) for c in checked.project.kostnader] == [
        (57, "Resor", 2012, 1234)]
    assert [f for f in checked.report.findings if f.sheet == "Kostnader"] == []
