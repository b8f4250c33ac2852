"""calamine is handed each worksheet without its trailing rows that cannot hold a value
(`reader.without_blank_tails`); the values and their addresses stay the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl

from pipeline.check import check_file
from pipeline.workbook.reader import (
    read_with_calamine,
    read_workbook,
    unzip,
    without_blank_tail,
    without_blank_tails,
)


def edit(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_a_workbook_from_new_reads_the_same_trimmed_as_whole(make_workbook) -> None:
    data = make_workbook().read_bytes()
    parts = unzip(data)
    trimmed = without_blank_tails(parts)
    assert trimmed is not None and len(trimmed) < sum(map(len, parts.values())) / 2

    assert read_workbook(data) == read_with_calamine(data, parts)


def test_values_below_blank_formatted_rows_keep_their_rows_and_cells(make_workbook) -> None:
    def far_down(book: openpyxl.Workbook) -> None:
        costs = book["Kostnader"]
        for column, value in enumerate(["Resor", "Studiebesök", 2011, "mycket"], start=1):
            costs.cell(180, column, value)
        risks = book["Risker"]
        for column, value in enumerate(["Sen leverans", 2, 3, "Följ upp"], start=1):
            risks.cell(260, column, value)  # below the 200 formatted rows

    checked = check_file(edit(make_workbook(), far_down))

    assert checked.project is not None
    assert checked.project.kostnader[-1].row == 180
    assert checked.project.risker[-1].row == 260
    assert checked.project.risker[-1].risk == "Sen leverans"
    assert [f.location for f in checked.report.findings if f.code == "invalid-value"] == [
        "Kostnader!D180"]


def test_only_rows_after_the_last_value_are_left_out() -> None:
    xml = (b'<worksheet><dimension ref="A1:B4"/><sheetData>'
           b'<row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c></row>'
           b'<row r="2" spans="1:2"><c r="A2" s="3"/><c r="B2"><f t="shared" si="0"/></c></row>'
           b'<row r="3" spans="1:2"><c r="A3" s="3"/><c r="B3" s="4" t="n"></c></row>'
           b'<row r="4" spans="1:2"><c r="A4" s="3"/></row>'
           b'</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')

    assert without_blank_tail(xml) == (
        b'<worksheet><dimension ref="A1:B4"/><sheetData>'
        b'<row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="2" spans="1:2"><c r="A2" s="3"/><c r="B2"><f t="shared" si="0"/></c></row>'
        b'</sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')


def test_sheet_data_written_otherwise_is_left_as_it_is() -> None:
    prefixed = (b'<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="A1">'
                b'<x:v>1</x:v></x:c></x:row><x:row r="2"><x:c r="A2" s="1"/></x:row>'
                b'</x:sheetData></x:worksheet>')
    inline_last = (b'<worksheet><sheetData><row r="1"><c r="A1" s="1"/></row>'
                   b'<row r="2"><c r="A2" t="inlineStr"><is><t>Sist</t></is></c></row>'
                   b'</sheetData></worksheet>')
    empty = b"<worksheet><sheetData/></worksheet>"

    for xml in (prefixed, inline_last, empty):
        assert without_blank_tail(xml) == xml
