"""A real office program reads what `new` writes, and we read what it saves."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from pipeline import contract
from pipeline.check import check_file
from pipeline.example import example_fill
from pipeline.workbook.writer import kind_text, need_text, write_new
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
  For Each name In Array("A57", "B57", "C57", "D57")
    cell = sheet.getCellRangeByName(name)
    rule = cell.Validation
    Print #n, name; Chr(9); Hex(cell.CellBackColor); Chr(9); _
      doc.NumberFormats.getByKey(cell.NumberFormat).FormatString; Chr(9); _
      rule.Type; Chr(9); rule.getFormula1(); Chr(9); rule.getFormula2(); Chr(9); _
      rule.ShowInputMessage; Chr(9); rule.InputTitle; Chr(9); _
      Replace(rule.InputMessage, Chr(10), "|"); Chr(9); rule.ErrorMessage
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
four cells (fill, number format, validation: type, bounds or list, input message, error
message), and saves the workbook."""
WHOLE_VALIDATION, LIST_VALIDATION = "1", "6"  # com.sun.star.sheet.ValidationType


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
        "A57": "F8CBAD", "B57": "FFF2CC", "C57": "F8CBAD", "D57": "F8CBAD"}  # orange:
    assert cells["D57"][1] == '#,##0 "kr"'                                  # required
    kind, choices, _, shown, title, message, _ = cells["A57"][2:]
    assert kind == LIST_VALIDATION and '"Externa tjänster"' in choices
    assert (shown, title) == ("True", "Kostnadsslag")
    assert message.startswith("Obligatorisk.|Välj i listan: Personal, Externa tjänster")
    assert cells["C57"][2:] == [WHOLE_VALIDATION, "1990", "2100", "True", "År",
                                "Obligatorisk.|Årtal mellan 1990 och 2100.",
                                "Skriv ett årtal mellan 1990 och 2100, t.ex. 2024."]
    assert cells["B57"][5:7] == ["True", "Beskrivning"]  # text: a message, no check
    checked = check_file(typed)
    assert [(c.row, c.kostnadsslag, c.ar, c.budget) for c in checked.project.kostnader] == [
        (57, "Resor", 2012, 1234)]
    assert [f for f in checked.report.findings if f.sheet == "Kostnader"] == []


PAGE_FOOTER = re.compile(r"^(?P<sheet>\w+) – sida \d+ av \d+$", re.MULTILINE)
"""The footer every sheet prints: which sheet a page of the PDF comes from."""


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The blank workbook and the example printed to PDF by LibreOffice (one process), as
    the text of each sheet's pages (pdftotext), by sheet, with whitespace made single
    spaces."""
    folder = tmp_path_factory.mktemp("print")
    blank = write_new(folder / "Tom.xlsx", "Tom", "T-1")
    example = folder / "Exempel.xlsx"
    example.write_bytes(EXAMPLE_PATH.read_bytes())
    pdftotext = require_tool("pdftotext")
    texts = {}
    for pdf in convert_with_libreoffice([blank, example], "pdf", folder / "pdf"):
        text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        pages: dict[str, list[str]] = {}
        for page in text.split("\f")[:-1]:  # the text ends with a form feed
            [sheet] = PAGE_FOOTER.findall(page)
            pages.setdefault(sheet, []).append(" ".join(page.split()))
        texts[pdf.stem] = {sheet: "\f".join(p) for sheet, p in pages.items()}
    return texts


def printed_whole(value: str, text: str) -> bool:
    """Whether the value's words are printed in order, close together. pdftotext puts the
    lines of neighbouring cells between the lines of a wrapped one, and joins a word
    broken at a hyphen to the next line's first word ("2012-01-" "31." -> "2012-0131."),
    so hyphens are left out and a printed word may be two of the value's; a cut text
    loses words or parts of words."""
    words = [w for w in value.replace("-", "").split() if w]
    printed = text.replace("-", "").split()
    return any(printed_from(words, printed, start) for start, word in enumerate(printed)
               if word in (words[0], "".join(words[:2])))


def printed_from(words: list[str], printed: list[str], start: int) -> bool:
    i, end = 0, min(len(printed), start + 4 * len(words) + 1)
    for word in printed[start:end]:
        if word == words[i]:
            i += 1
        elif words[i:i + 2] == [word[:len(words[i])], word[len(words[i]):]]:
            i += 2
        if i == len(words):
            return True
    return False


def test_the_blank_workbook_prints_on_few_pages_and_projekt_on_one(printed) -> None:
    """Before: 55 portrait pages, the title split and the Projekt form spread over
    several pages. Now every sheet in order, each table on a page or two across."""
    pages = {sheet: text.count("\f") + 1 for sheet, text in printed["Tom"].items()}
    assert list(pages) == [contract.INSTRUCTIONS_SHEET, *(s.name for s in contract.SHEETS)]
    assert pages["Projekt"] == pages["Slutrapport"] == 1
    assert all(pages[s.name] <= 2 for s in contract.SHEETS if s is not contract.CHECKLISTOR)
    assert sum(pages.values()) <= 2 * len(pages)
    first_page = printed["Tom"][contract.INSTRUCTIONS_SHEET].split("\f")[0]
    assert first_page.startswith("Projektarbetsbok, mallversion 1 ")


def test_no_printed_text_is_cut(printed) -> None:
    """Every header label, every hint on the Projekt form, and every text of the example
    prints whole: columns are wide enough and rows of wrapped text tall enough."""
    blank = printed["Tom"]
    for sheet in contract.SHEETS:
        for field in sheet.fields:
            assert printed_whole(field.label, blank[sheet.name]), (sheet.name, field.label)
    for field in contract.PROJEKT.fields:
        hint = " · ".join(x for x in (need_text(field), kind_text(field), field.help) if x)
        assert printed_whole(hint, blank["Projekt"]), hint
    example = printed["Exempel"]
    texts = 0
    for name, values in example_fill().items():
        for row in values if isinstance(values, list) else [values]:
            for value in row.values():
                if isinstance(value, str):
                    texts += 1
                    assert printed_whole(value, example[name]), (name, value)
    assert texts > 150
