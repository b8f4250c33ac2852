"""The economy workbooks written from the prototype equal openpyxl's own write-only output.

Both are loaded with openpyxl and compared cell by cell (value, data type, number format,
bold), with the sheets, frozen panes, column widths, tables and chart.
"""

from __future__ import annotations

import csv
import pickle
import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.compat import safe_string

from pipeline.check import Checked, check_file
from pipeline.economy import (
    CALCULATION_FILE,
    WIDTH_ROWS,
    EconomyBook,
    book_entry,
    project_calculation,
)
from pipeline.economy_xlsx import number_text
from pipeline.example import example_fill
from pipeline.workbook.writer import build_workbook
from tests.conftest import soffice_convert
from tests.fills import closing_fill, erroneous_fill, hostile_fill, planning_fill

ROOT = Path(__file__).resolve().parent.parent
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
HOSTILE_TEXTS = [
    '=HYPERLINK("http://x";"klicka")', "+46 70 123 45 67", "-1", "@SUM(1)", "&<>\"'",
    "a\x01b\x0bc\x1fd", "rad ett\nrad två", "CR\r\nLF\rslut", "  mellanslag runt  ",
    "\x02\x03", "", "tab\tmitt", "ø ß 漢字 🙂", "=1+1", "_x0041_",
]
AWKWARD_NUMBERS = [Decimal("0.1"), Decimal("1E+20"), Decimal("-0.5"), Decimal("12345678901234567"),
                   Decimal("1234567.891234567891"), Decimal("0"), Decimal("-0.0")]


def workbook_project(tmp: Path, name: str, fill: dict[str, Any]) -> Checked:
    path = tmp / f"{name}.xlsx"
    build_workbook(fill["Projekt"]["projektnamn"], fill["Projekt"]["projekt_id"],
                   fill).save(path)
    return check_file(path)


def hostile_text_project(example: Checked) -> Checked:
    """The example project with texts a workbook's own checks would have cleaned: control
    characters, line breaks, formulas, markup, empty and blank texts; odd numbers and dates."""
    project = example.project
    assert project is not None
    info = project.projekt.model_copy(update={
        "projektnamn": "Fientlig\ttext\n=SUM(A1)", "forvaltning": "&<förvaltning>",
        "aktuell_fas": "\x01", "startdatum": date(1900, 1, 15)})
    first = project.kostnader[0]
    costs = [first.model_copy(update={"beskrivning": text, "kostnadsslag": text[::-1],
                                      "budget": AWKWARD_NUMBERS[i % len(AWKWARD_NUMBERS)],
                                      "row": first.row + i})
             for i, text in enumerate(HOSTILE_TEXTS)]
    funding = [line.model_copy(update={"finansiar": text})
               for line, text in zip(project.finansiering, HOSTILE_TEXTS[3:], strict=False)]
    benefits = [line.model_copy(update={"nytta": text, "ansvarig": text})
                for line, text in zip(project.nytta, HOSTILE_TEXTS[6:], strict=False)]
    people = [p.model_copy(update={"projektmedlem": HOSTILE_TEXTS[i], "fran": date(1899, 12, 31),
                                   "till": date(2099, 12, 31)})
              for i, p in enumerate(project.personkontrakt)]
    changed = project.model_copy(update={"projekt": info, "kostnader": costs,
                                         "finansiering": funding, "nytta": benefits,
                                         "personkontrakt": people})
    return Checked(changed, example.report)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    tmp = tmp_path_factory.mktemp("economy_fast")
    found = {name: workbook_project(tmp, name, make()) for name, make in {
        "example": example_fill, "planning": planning_fill, "closing": closing_fill,
        "errors": erroneous_fill, "hostile": hostile_fill}.items()}
    found["föräldrastöd"] = check_file(ROOT / "input" / "Föräldrastöd.xlsx")
    broken = tmp / "trasig.xlsx"
    broken.write_bytes(b"not a workbook")
    found["unreadable"] = check_file(broken)
    found["hostile text"] = hostile_text_project(found["example"])
    assert found["unreadable"].project is None
    return found


# --- comparing two workbooks as openpyxl reads them -------------------------------------

def cell_facts(cell: Any) -> tuple[Any, ...]:
    return (cell.value, type(cell.value), cell.data_type, cell.number_format, cell.font.b)


def table_facts(ws: Any) -> dict[str, tuple[Any, ...]]:
    return {t.name: (t.ref, t.displayName, t.autoFilter.ref if t.autoFilter else None,
                   [c.name for c in t.tableColumns], t.tableStyleInfo.name,
                   t.tableStyleInfo.showRowStripes, t.headerRowCount)
            for t in ws.tables.values()}


def rich_text(title: Any) -> str | None:
    if title is None:
        return None
    return "".join(run.t for p in title.tx.rich.p for run in (p.r or []))


def chart_facts(ws: Any) -> list[tuple[Any, ...]]:
    facts = []
    for chart in ws._charts:
        series = [(s.tx.strRef.f, s.cat.numRef.f, s.val.numRef.f) for s in chart.series]
        ext = chart.anchor.ext
        facts.append((type(chart).__name__, chart.type, rich_text(chart.title),
                      rich_text(chart.x_axis.title), rich_text(chart.y_axis.title),
                      chart.y_axis.numFmt.formatCode if chart.y_axis.numFmt else None,
                      series, (ext.width, ext.height), chart.anchor._from.col,
                      chart.anchor._from.row))
    return facts


def raw_cells(archive: zipfile.ZipFile) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Per sheet part, each cell's type attribute and its text as written, with the
    xml:space mark (a reader may strip the blanks of a text without it)."""
    cells = {}
    for name in archive.namelist():
        if name.startswith("xl/worksheets/sheet"):
            root = ElementTree.fromstring(archive.read(name))
            cells[name] = {c.get("r"): (c.get("t"), *((t.text, t.get(XML_SPACE))
                                                       for t in c.iter(f"{{{MAIN}}}t")))
                           for c in root.iter(f"{{{MAIN}}}c")}
    return cells


def assert_same_workbook(fast: bytes, reference: bytes) -> None:
    with zipfile.ZipFile(BytesIO(fast)) as archive:
        assert archive.testzip() is None
        fast_parts = sorted(archive.namelist())
        fast_cells = raw_cells(archive)
    with zipfile.ZipFile(BytesIO(reference)) as archive:
        assert fast_parts == sorted(archive.namelist())
        assert fast_cells == raw_cells(archive)
    ours, theirs = (openpyxl.load_workbook(BytesIO(data)) for data in (fast, reference))
    assert ours.sheetnames == theirs.sheetnames
    for mine, want in zip(ours, theirs, strict=True):
        title = mine.title
        assert (mine.max_row, mine.max_column) == (want.max_row, want.max_column), title
        for row in range(1, want.max_row + 1):
            for column in range(1, want.max_column + 1):
                a, b = mine.cell(row, column), want.cell(row, column)
                assert cell_facts(a) == cell_facts(b), (title, a.coordinate)
        assert mine.freeze_panes == want.freeze_panes, title
        widths = {k: (d.width, d.customWidth) for k, d in mine.column_dimensions.items()}
        assert widths == {k: (d.width, d.customWidth)
                          for k, d in want.column_dimensions.items()}, title
        assert table_facts(mine) == table_facts(want), title
        assert chart_facts(mine) == chart_facts(want), title


def both(book: EconomyBook) -> tuple[bytes, bytes]:
    return book.to_bytes(), book.reference_bytes()


# --- tests -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["example", "planning", "closing", "errors", "hostile",
                                  "föräldrastöd", "unreadable", "hostile text"])
def test_each_calculation_equals_openpyxls(projects, name):
    book = EconomyBook(spill=False)
    book.add(projects[name])
    fast, reference = both(book)
    assert_same_workbook(fast, reference)
    assert_same_workbook(project_calculation(projects[name]), reference)


def test_the_economy_book_of_every_project_equals_openpyxls(projects):
    book = EconomyBook()
    for checked in projects.values():
        book.add(checked)
    assert_same_workbook(*both(book))


def test_an_economy_book_without_projects_equals_openpyxls():
    assert_same_workbook(*both(EconomyBook()))


def test_a_long_economy_book_spilled_to_disk_equals_openpyxls(projects):
    """Enough rows that they are deflated in several steps, widths fitted to the first rows
    only, and every sheet waiting in a temporary file."""
    book = EconomyBook()
    book.spool_bytes = 1
    for _ in range(12):
        for checked in projects.values():
            book.add(checked)
    assert sum(book.lines) > 1000
    assert_same_workbook(*both(book))


def test_widths_fit_the_first_rows_when_they_end_inside_a_project(projects):
    """A project's widths come with its entry; the project the first WIDTH_ROWS rows end
    in is measured row by row, so a wide text after them does not count."""
    example = projects["example"]
    assert example.project is not None
    lines = example.project.kostnader
    assert WIDTH_ROWS % len(lines) != 0
    wide = example.project.model_copy(update={"kostnader": [
        *lines[:-1], lines[-1].model_copy(update={"beskrivning": "B" * 40})]})
    book = EconomyBook()
    for _ in range(WIDTH_ROWS // len(lines)):
        book.add(example)
    book.add(Checked(wide, example.report))  # its last line comes after the first rows
    book.add(example)
    totals = book.totals.row()
    assert book.widths(totals) == book.reference_widths(totals)
    assert book.widths(totals)[1][5] < 40
    assert_same_workbook(*both(book))


def test_an_entry_pickled_by_a_worker_makes_the_same_book(projects):
    """A worker's entry reaches the build pickled; its rows are read only when asked for."""
    entries = [book_entry(checked) for checked in projects.values()]
    arrived = [pickle.loads(pickle.dumps(entry)) for entry in entries]
    here, there = EconomyBook(), EconomyBook()
    for entry, came in zip(entries, arrived, strict=True):
        here.add_entry(entry)
        there.add_entry(came)
    assert_same_workbook(there.to_bytes(), here.reference_bytes())
    assert arrived == entries
    assert [repr(came) for came in arrived] == [repr(entry) for entry in entries]
    assert [came.xml for came in arrived] == [entry.xml for entry in entries]


def test_texts_stay_text_and_lose_only_what_xlsx_cannot_hold(projects):
    book = openpyxl.load_workbook(BytesIO(project_calculation(projects["hostile text"])))
    descriptions = [row[5] for row in book["Kostnader"].iter_rows(min_row=2, values_only=True)]
    assert descriptions == [
        '=HYPERLINK("http://x";"klicka")', "+46 70 123 45 67", "-1", "@SUM(1)", "&<>\"'",
        "abcd", "rad ett\nrad två", "CR\r\nLF\rslut", "  mellanslag runt  ", None, None,
        "tab\tmitt", "ø ß 漢字 🙂", "=1+1", "_x0041_"]
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []


def test_numbers_are_written_as_openpyxl_writes_them():
    values = [0, 1, -1, 10**15, 10**16, 12345678901234567, 0.1, 1 / 3, -0.0, 1e-7, 1e21,
              123456.789, float("nan"), float("inf")]
    assert [number_text(v) for v in values] == [safe_string(v) for v in values]


def test_a_calculation_opens_in_libreoffice(projects, tmp_path):
    target = tmp_path / CALCULATION_FILE
    target.write_bytes(project_calculation(projects["hostile"]))
    csv_file = soffice_convert([target], "csv", tmp_path / "lo")[0]
    with csv_file.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Projekt-ID", "Projektnamn"]
    assert [r[0] for r in rows[1:]] == ["KS-2024-66", "Summa"]
    assert rows[1][1] == '=HYPERLINK("http://x";"klicka")'  # text, not a formula
