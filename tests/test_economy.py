"""ekonomi.xlsx and Kostnads- och nyttokalkyl.xlsx as a user opens them.

The expected figures are summed from the fill values themselves, never through
pipeline.figures, so that a slip in the figures shows up as a difference. Formats, tables,
filters, widths and cell types are read with openpyxl, the chart from its part's XML, and
texts with python-calamine (which reads Excel's _xHHHH_ escapes as Excel does).
"""

from __future__ import annotations

import csv
import functools
import json
import random
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from pipeline.check import Checked, check_file
from pipeline.economy import (
    MAX_WIDTH,
    MIN_WIDTH,
    WIDTH_ROWS,
    calculation_bytes,
    economy_bytes,
    project_key,
    project_rows,
    write_economy,
)
from pipeline.example import example_fill
from pipeline.workbook.writer import build_workbook
from tests.conftest import ooxml_validation, soffice_convert
from tests.fills import (
    HOSTILE,
    HOSTILE_NAME,
    closing_fill,
    erroneous_fill,
    hostile_fill,
    planning_fill,
)

DEFAULT_RATE = 450
FILLS: dict[str, Callable[[], dict[str, Any]]] = {
    "example": example_fill, "planning": planning_fill, "closing": closing_fill,
    "errors": erroneous_fill, "hostile": hostile_fill,
}
TABLE_SHEETS = ("Översikt", "Kostnader", "Finansiering", "Nytta", "Personal")
SEK = '#,##0 "kr";-#,##0 "kr"'
CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
SHEET_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HOSTILE_TEXTS = [
    '=HYPERLINK("http://x";"klicka")', "+46 70 123 45 67", "-1", "@SUM(1)", "&<>\"'",
    "a\x01b\x0bc\x1fd", "rad ett\nrad två", "CR\r\nLF\rslut", "  mellanslag runt  ",
    "\x02\x03", "", "tab\tmitt", "ø ß 漢字 🙂", "=1+1", "_x0041_", "x\ud800y\uffffz",
]
AWKWARD_NUMBERS = [Decimal("0.1"), Decimal("1E+20"), Decimal("-0.5"),
                   Decimal("12345678901234567"), Decimal("1234567.891234567891"),
                   Decimal("0"), Decimal("-0.0")]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[Path, dict[str, dict[str, Any]]]:
    """An input folder with the five workbooks (and an Excel lock file) and their fills.

    Built once for the module; a test that changes the folder works on a copy.
    """
    folder = tmp_path_factory.mktemp("economy") / "input"
    folder.mkdir()
    fills = {name: make() for name, make in FILLS.items()}
    for name, fill in fills.items():
        path = folder / f"{name}.xlsx"
        build_workbook(fill["Projekt"]["projektnamn"], fill["Projekt"]["projekt_id"],
                       fill).save(path)
    (folder / "~$example.xlsx").write_bytes(b"lock")
    return folder, fills


@functools.cache
def checked_all(folder: Path) -> list[Checked]:
    return [check_file(p) for p in sorted(folder.glob("[!~]*.xlsx"))]


@functools.cache
def ekonomi(folder: Path) -> bytes:
    """ekonomi.xlsx of the folder's workbooks, in Projekt-ID order as the build writes it."""
    return economy_bytes(sorted(map(project_rows, checked_all(folder)), key=project_key))


def checked_named(folder: Path, name: str) -> Checked:
    return next(c for c in checked_all(folder) if c.report.file == f"{name}.xlsx")


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


# --- reading what a user sees ------------------------------------------------------------

def money(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def expected(fill: dict[str, Any]) -> dict[str, float]:
    costs, funding = fill["Kostnader"], fill["Finansiering"]
    counted = [f for f in funding if f.get("status") != "Avslagen"]
    people = fill["Personkontrakt"]
    return {
        "Budget (kr)": sum(money(c.get("budget")) for c in costs),
        "Utfall (kr)": sum(money(c.get("utfall")) for c in costs),
        "Prognos (kr)": sum(money(c.get("prognos")) for c in costs),
        "Finansiering totalt (kr)": sum(money(f["belopp"]) for f in counted),
        "Finansiering EU-fond (kr)": sum(money(f["belopp"]) for f in counted
                                         if f["typ"] == "EU-fond"),
        "Medfinansiering arbetstid (kr)": sum(money(f["belopp"]) for f in counted
                                              if f["form"] == "Arbetstid"),
        "Timmar (personkontrakt)": sum(money(p["timmar"]) for p in people),
        "Personalkostnad (kr)": sum(money(p["timmar"]) * money(p.get("timkostnad", DEFAULT_RATE))
                                    for p in people),
        "Nytta totalt (kr)": sum(money(b.get("varde_per_ar")) * money(b.get("antal_ar"))
                                 for b in fill["Nytta"] if b["typ"] != "Kvalitativ"),
    }


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data))


def values(book: openpyxl.Workbook, title: str) -> list[tuple[Any, ...]]:
    return list(book[title].iter_rows(values_only=True))


def sheet_rows(book: openpyxl.Workbook, title: str) -> list[dict[str, Any]]:
    """The rows under the header, up to the first empty row."""
    rows = values(book, title)
    header = rows[0]
    lines = []
    for row in rows[1:]:
        if all(v is None for v in row):
            break
        lines.append(dict(zip(header, row, strict=True)))
    return lines


def totals_row(book: openpyxl.Workbook) -> dict[str, Any]:
    """The last row of Översikt, which has an empty row above it."""
    rows = values(book, "Översikt")
    assert all(v is None for v in rows[-2])
    return dict(zip(rows[0], rows[-1], strict=True))


def texts(data: bytes, title: str, column: int) -> list[Any]:
    sheet = CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_name(title)
    return [row[column] for row in sheet.to_python(skip_empty_area=False)[1:]]


def column_widths(ws: Any) -> dict[int, float]:
    """Each column's width by its number (XlsxWriter writes equal neighbours as one range)."""
    widths = {}
    for dimension in ws.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            widths[column] = dimension.width
    return widths


def chart_facts(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(archive.read(charts[0]))
    series = [(s.find(f"{CHART}tx//{CHART}f").text, s.find(f"{CHART}cat//{CHART}f").text,
               s.find(f"{CHART}val//{CHART}f").text) for s in root.iter(f"{CHART}ser")]
    titles = ["".join(t.text or "" for t in title.iter(f"{DRAWING}t"))
              for title in root.iter(f"{CHART}title")]
    return {"direction": root.find(f".//{CHART}barDir").get("val"), "series": series,
            "titles": titles,
            "axis format": root.find(f".//{CHART}valAx/{CHART}numFmt").get("formatCode")}


def formulas(data: bytes) -> list[str]:
    """Every cell holding a formula, in any sheet."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return [f"{name}:{cell.get('r')}" for name in archive.namelist()
                if name.startswith("xl/worksheets/")and name.endswith(".xml")
                for cell in ElementTree.fromstring(archive.read(name)).iter(f"{SHEET_MAIN}c")
                if cell.find(f"{SHEET_MAIN}f") is not None]


# --- the figures -----------------------------------------------------------------------

def test_overview_figures_equal_sums_computed_from_the_fills(portfolio):
    folder, fills = portfolio
    book = load(ekonomi(folder))
    rows = sheet_rows(book, "Översikt")
    by_id = {r["Projekt-ID"]: r for r in rows}
    assert len(rows) == len(fills)
    for fill in fills.values():
        row = by_id[fill["Projekt"]["projekt_id"]]
        want = expected(fill)
        for header, value in want.items():
            assert row[header] == pytest.approx(value), (fill["Projekt"]["projekt_id"], header)
        assert row["Avvikelse (kr)"] == pytest.approx(want["Budget (kr)"] - want["Utfall (kr)"])
        assert row["Nettonytta (kr)"] == pytest.approx(want["Nytta totalt (kr)"]
                                                      - want["Budget (kr)"])
    totals = totals_row(book)
    # the sums include the workbook with errors (errors.xlsx), and say so
    assert (totals["Projekt-ID"], totals["Projektnamn"], totals["Fel i arbetsboken"]) == (
        "Summa", f"{len(fills)} projekt, varav 1 med fel", f"1 av {len(fills)}")
    for header in expected(example_fill()):
        assert totals[header] == pytest.approx(sum(expected(f)[header] for f in fills.values()))
    budget = sum(expected(f)["Budget (kr)"] for f in fills.values())
    utfall = sum(expected(f)["Utfall (kr)"] for f in fills.values())
    assert totals["Avvikelse (%)"] == pytest.approx((budget - utfall) / budget * 100)


def test_example_figures_by_hand(portfolio):
    """The shipped example, summed by hand from example.py."""
    folder, _ = portfolio
    row = next(r for r in sheet_rows(load(ekonomi(folder)), "Översikt")
               if r["Projekt-ID"] == "KS-2011-01")
    assert (row["Budget (kr)"], row["Utfall (kr)"], row["Prognos (kr)"]) == (
        431000, 404025, 433000)
    assert row["Personalkostnad (kr)"] == 40 * 420 + 60 * 450
    assert row["Kontrakt med standardtimkostnad"] == 1
    assert row["Nytta totalt (kr)"] == 150000 * 3 + 40000 * 2
    assert row["EU-andel (%)"] == pytest.approx(215000 / 431000 * 100)
    assert (row["Helhet"], row["Tid"], row["Kostnad"], row["Kvalitet"]) == (
        "Gul", "Röd", "Gul", "Grön")
    assert row["Fel i arbetsboken"] == "Nej"
    assert (row["Start"].date(), row["Slut"].date()) == (date(2011, 1, 15), date(2012, 1, 15))


def test_long_sheets_hold_one_row_per_line(portfolio):
    folder, fills = portfolio
    book = load(ekonomi(folder))
    costs = sheet_rows(book, "Kostnader")
    assert len(values(book, "Kostnader")) == 1 + len(costs)  # no totals under the lines
    assert len(costs) == sum(len(f["Kostnader"]) for f in fills.values())
    assert len(sheet_rows(book, "Finansiering")) == sum(len(f["Finansiering"])
                                                       for f in fills.values())
    assert len(sheet_rows(book, "Nytta")) == sum(len(f["Nytta"]) for f in fills.values())
    people = sheet_rows(book, "Personal")
    assert len(people) == sum(len(f["Personkontrakt"]) for f in fills.values())
    planning = [p for p in people if p["Projekt-ID"] == "AF-2024-02"]
    assert {p["Standardtimkostnad"] for p in planning} == {"Ja"}
    assert sum(p["Kostnad (kr)"] for p in planning) == pytest.approx((40 + 37.5) * 450)
    by_year: dict[int, float] = {}
    for line in costs:
        by_year[line["År"]] = by_year.get(line["År"], 0) + (line["Budget (kr)"] or 0)
    assert by_year[2024] == 500000 and by_year[2025] == 120000
    rejected = [f for f in sheet_rows(book, "Finansiering") if f["Status"] == "Avslagen"]
    assert [f["Räknas i finansieringen"] for f in rejected] == ["Nej"]


def test_projects_with_errors_are_included_and_marked(portfolio):
    folder, fills = portfolio
    checked = checked_all(folder)
    assert [c.report.file for c in checked if c.report.errors] == ["errors.xlsx"]
    book = load(ekonomi(folder))
    row = next(r for r in sheet_rows(book, "Översikt") if r["Projekt-ID"] == "SK-2023-11")
    assert row["Fel i arbetsboken"] == "Ja" and row["Fel"] >= 2
    assert row["Budget (kr)"] == expected(fills["errors"])["Budget (kr)"]
    marks = {r["Fel i arbetsboken"] for r in sheet_rows(book, "Kostnader")
             if r["Projekt-ID"] == "SK-2023-11"}
    assert marks == {"Ja"}
    others = {r["Fel i arbetsboken"] for r in sheet_rows(book, "Kostnader")
              if r["Projekt-ID"] != "SK-2023-11"}
    assert others == {"Nej"}


def test_an_unreadable_workbook_is_listed(tmp_path):
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"not a workbook")
    rows = project_rows(check_file(broken))
    for data in (economy_bytes([rows]), calculation_bytes(rows)):
        book = load(data)
        [row] = sheet_rows(book, "Översikt")
        assert row["Arbetsbok"] == "trasig.xlsx" and row["Fel i arbetsboken"] == "Ja"
        assert row["Fel"] == 1 and row["Budget (kr)"] is None
        assert all(sheet_rows(book, title) == [] for title in TABLE_SHEETS[1:])


def test_project_calculation_holds_one_project(portfolio):
    folder, fills = portfolio
    book = load(calculation_bytes(project_rows(checked_named(folder, "planning"))))
    rows = sheet_rows(book, "Översikt")
    assert [r["Projekt-ID"] for r in rows] == ["AF-2024-02"]
    assert rows[0]["Budget (kr)"] == expected(fills["planning"])["Budget (kr)"]
    assert totals_row(book)["Budget (kr)"] == rows[0]["Budget (kr)"]
    assert totals_row(book)["Projektnamn"] == "1 projekt"
    assert len(sheet_rows(book, "Kostnader")) == 2


# --- text, numbers and dates -----------------------------------------------------------

def test_hostile_strings_arrive_as_text_cells(portfolio):
    folder, _ = portfolio
    hostile = calculation_bytes(project_rows(checked_named(folder, "hostile")))
    places = {"Översikt": HOSTILE["name"], "Kostnader": HOSTILE["cost"],
              "Finansiering": HOSTILE["funder"], "Nytta": HOSTILE["benefit"],
              "Personal": HOSTILE["member"]}
    for data in (ekonomi(folder), hostile):
        book = load(data)
        for title, text in places.items():
            cells = [c for row in book[title].iter_rows() for c in row if c.value == text]
            assert cells, (title, text)
            assert all(c.data_type == "s" for c in cells), title
        assert formulas(data) == []


def test_texts_stay_text_and_lose_only_what_xlsx_cannot_hold(checked_example):
    rows = project_rows(hostile_text_project(checked_example))
    want = [
        '=HYPERLINK("http://x";"klicka")', "+46 70 123 45 67", "-1", "@SUM(1)", "&<>\"'",
        "abcd", "rad ett\nrad två", "CR\r\nLF\rslut", "  mellanslag runt  ", "", "",
        "tab\tmitt", "ø ß 漢字 🙂", "=1+1", "_x0041_", "xyz"]
    for data in (calculation_bytes(rows), economy_bytes([rows])):
        assert texts(data, "Kostnader", 5) == want  # Beskrivning
        assert texts(data, "Översikt", 1)[0] == "Fientlig\ttext\n=SUM(A1)"
        assert texts(data, "Översikt", 3)[0] == ""  # the phase was a control character
        book = load(data)
        assert [c.data_type for c in book["Kostnader"]["F"][1:] if c.value is not None] == [
            "s"] * (len(want) - 2)
        assert formulas(data) == []


def test_numbers_and_dates_arrive_as_numbers_and_dates(checked_example):
    rows = project_rows(hostile_text_project(checked_example))
    for data in (calculation_bytes(rows), economy_bytes([rows])):
        book = load(data)
        budgets = [c for c in book["Kostnader"]["H"][1:] if c.value is not None]
        assert [c.value for c in budgets] == [
            pytest.approx(float(AWKWARD_NUMBERS[i % len(AWKWARD_NUMBERS)]))
            for i in range(len(HOSTILE_TEXTS))]
        assert {c.number_format for c in budgets} == {SEK}
        start = book["Översikt"]["E2"]
        assert (start.value.date(), start.number_format) == (date(1900, 1, 15), "yyyy-mm-dd")
        until = [c.value.date() for c in book["Personal"]["I"][1:] if c.value is not None]
        assert until == [date(2099, 12, 31)] * len(until) and until
        since = [c.value for c in book["Personal"]["H"][1:] if c.value is not None]
        assert since == ["1899-12-31"] * len(until)  # before Excel's first date: as text
        assert book["Översikt"]["K2"].number_format == '0.0 "%"'
        assert book["Kostnader"]["G2"].number_format == "0"  # År


# --- what each sheet is ----------------------------------------------------------------

def test_ekonomi_sheets_have_filters_frozen_header_bold_totals_and_widths(portfolio):
    folder, fills = portfolio
    book = load(ekonomi(folder))
    for title in TABLE_SHEETS:
        ws = book[title]
        lines = len(sheet_rows(book, title))
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{lines + 1}"
        assert ws.freeze_panes == "C2"
        assert all(cell.font.b for cell in ws[1]), title
        widths = column_widths(ws)
        assert sorted(widths) == list(range(1, ws.max_column + 1)), title
        assert all(MIN_WIDTH <= w <= MAX_WIDTH + 1 for w in widths.values()), title
    totals = book["Översikt"][book["Översikt"].max_row]
    assert all(cell.font.b for cell in totals if cell.value is not None)
    assert totals[6].number_format == SEK and totals[6].value > 0
    assert book["Översikt"].max_row == len(fills) + 3  # header, projects, empty, totals


def test_each_calculation_sheet_is_an_excel_table(portfolio):
    folder, _ = portfolio
    for checked in checked_all(folder):
        book = load(calculation_bytes(project_rows(checked)))
        for title in TABLE_SHEETS:
            ws = book[title]
            [table] = ws.tables.values()
            lines = max(len(sheet_rows(book, title)), 1)  # a table holds one row at least
            last = ws.cell(1, ws.max_column).column_letter
            assert table.ref == f"A1:{last}{lines + 1}", title
            assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]]
            assert table.tableStyleInfo.name == "TableStyleMedium2"
            assert ws.freeze_panes == "C2"
            assert all(MIN_WIDTH <= w <= MAX_WIDTH + 1 for w in column_widths(ws).values())


def overview(column: str, last: int) -> str:
    """Rows 2 to `last` of a column of Översikt, as a chart refers to them."""
    cells = f"${column}$2" if last == 2 else f"${column}$2:${column}${last}"
    return f"Översikt!{cells}"


def test_the_chart_shows_budget_against_utfall_per_project(portfolio):
    folder, fills = portfolio
    count = len(fills)
    one = calculation_bytes(project_rows(checked_named(folder, "example")))
    for data, last in ((ekonomi(folder), count + 1), (one, 2)):
        assert load(data).sheetnames == [*TABLE_SHEETS, "Diagram"]
        facts = chart_facts(data)
        assert facts["direction"] == "col"
        assert facts["series"] == [("Översikt!$G$1", overview("A", last), overview("G", last)),
                                   ("Översikt!$H$1", overview("A", last), overview("H", last))]
        assert facts["titles"] == ["Budget och utfall per projekt", "Projekt", "kr"]
        assert facts["axis format"] == SEK
    assert values(load(one), "Översikt")[0][6:8] == ("Budget (kr)", "Utfall (kr)")


def test_widths_fit_the_header_and_the_first_rows(checked_example):
    rows = project_rows(checked_example)
    line = rows["Kostnader"][0]
    many = {**rows, "Kostnader": [line] * WIDTH_ROWS}
    wide = {**rows, "Kostnader": [[*line[:5], "B" * 45, *line[6:]]]}
    wider = {**rows, "Kostnader": [[*line[:5], "B" * 80, *line[6:]]]}

    def description_width(data: bytes) -> float:
        return column_widths(load(data)["Kostnader"])[6]

    assert description_width(calculation_bytes(wide)) >= 45
    assert description_width(calculation_bytes(wider)) <= MAX_WIDTH + 1
    assert description_width(economy_bytes([wide, many])) >= 45
    assert description_width(economy_bytes([many, wide])) < 45  # after the first rows


# --- the rows and their order ----------------------------------------------------------

def test_project_rows_survive_a_json_round_trip(portfolio, checked_example, tmp_path):
    folder, _ = portfolio
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"not a workbook")
    projects = [*checked_all(folder), hostile_text_project(checked_example), check_file(broken)]
    for checked in projects:
        rows = project_rows(checked)
        assert json.loads(json.dumps(rows)) == rows, checked.report.file
        assert calculation_bytes(json.loads(json.dumps(rows)))[:2] == b"PK"
    example = project_rows(checked_example)
    assert example["Översikt"][0][4:6] == ["2011-01-15", "2012-01-15"]


def test_economy_lists_projects_in_the_order_given(portfolio):
    folder, _ = portfolio
    projects = [project_rows(c) for c in checked_all(folder)]
    for order in (sorted(projects, key=project_key, reverse=True),
                  random.Random(11).sample(projects, len(projects))):
        ids = [rows["Översikt"][0][0] for rows in order]
        book = load(economy_bytes(order))
        assert [r["Projekt-ID"] for r in sheet_rows(book, "Översikt")] == ids
        costs = [r["Projekt-ID"] for r in sheet_rows(book, "Kostnader")]
        assert list(dict.fromkeys(costs)) == ids


# --- the files -------------------------------------------------------------------------

def test_write_economy_skips_lock_files_and_reports_errors(portfolio, tmp_path):
    folder, fills = portfolio
    folder = Path(shutil.copytree(folder, tmp_path / "input"))
    target = tmp_path / "ut" / "ekonomi.xlsx"
    assert write_economy(folder, target) == 1
    rows = sheet_rows(openpyxl.load_workbook(target), "Översikt")
    ids = [r["Projekt-ID"] for r in rows]
    assert ids == sorted(f["Projekt"]["projekt_id"] for f in fills.values())
    assert [p.name for p in target.parent.iterdir()] == ["ekonomi.xlsx"]
    (folder / "errors.xlsx").unlink()
    assert write_economy(folder, target) == 0


def test_economy_command(portfolio, tmp_path):
    from pipeline.cli import main

    folder, _ = portfolio
    target = tmp_path / "eko.xlsx"
    result = CliRunner().invoke(main, ["economy", str(folder), "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert target.exists()
    result = CliRunner().invoke(main, ["economy", str(tmp_path / "saknas")])
    assert result.exit_code == 2


def written(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def test_ekonomi_and_a_calculation_open_in_libreoffice(portfolio, tmp_path):
    folder, fills = portfolio
    hostile = calculation_bytes(project_rows(checked_named(folder, "hostile")))
    sources = written(tmp_path / "in", {"ekonomi.xlsx": ekonomi(folder),
                                        "kalkyl.xlsx": hostile})
    economy_csv, calculation_csv = soffice_convert(sources, "csv", tmp_path / "lo")
    with economy_csv.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Projekt-ID", "Projektnamn"]
    ids = [r[0] for r in rows[1:] if any(r)]
    assert set(ids) == {f["Projekt"]["projekt_id"] for f in fills.values()} | {"Summa"}
    assert HOSTILE_NAME in [r[1] for r in rows[1:]]  # still text: not made a formula
    with calculation_csv.open(encoding="utf-8", errors="replace") as handle:
        rows = [r for r in csv.reader(handle) if any(r)]
    assert [r[0] for r in rows[1:]] == ["KS-2024-66", "Summa"]
    assert rows[1][1] == HOSTILE_NAME


def test_every_part_is_valid_office_open_xml(portfolio, checked_example, tmp_path):
    """ekonomi.xlsx and calculations validate against the ECMA-376 schemas (and the
    validator's checks of what Excel enforces beyond them)."""
    folder, _ = portfolio
    hostile = project_rows(hostile_text_project(checked_example))
    sources = written(tmp_path / "in", {
        "ekonomi.xlsx": ekonomi(folder), "tom.xlsx": economy_bytes([]),
        "kalkyl.xlsx": calculation_bytes(project_rows(checked_example)),
        "fientlig.xlsx": calculation_bytes(hostile),
        "fientlig-ekonomi.xlsx": economy_bytes([hostile])})
    result = ooxml_validation(sources)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
