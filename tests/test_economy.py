"""ekonomi.xlsx and Kostnads- och nyttokalkyl.xlsx, checked against sums computed here.

The expected figures are summed from the fill values themselves, never through
pipeline.figures, so that a slip in the figures shows up as a difference.
"""

from __future__ import annotations

import csv
import functools
import shutil
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart

from pipeline.check import Checked, check_file
from pipeline.economy import economy_workbook, project_calculation, write_economy
from pipeline.example import example_fill
from pipeline.workbook.writer import build_workbook
from tests.conftest import soffice_convert
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


# --- expected figures, summed from the fills -------------------------------------------

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


def sheet_rows(book: openpyxl.Workbook, title: str) -> list[dict[str, Any]]:
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data))


# --- tests -----------------------------------------------------------------------------

def test_overview_figures_equal_sums_computed_from_the_fills(portfolio):
    folder, fills = portfolio
    book = load(economy_workbook(checked_all(folder)))
    rows = sheet_rows(book, "Översikt")
    by_id = {r["Projekt-ID"]: r for r in rows}
    assert len(rows) == len(fills) + 1
    for fill in fills.values():
        row = by_id[fill["Projekt"]["projekt_id"]]
        want = expected(fill)
        for header, value in want.items():
            assert row[header] == pytest.approx(value), (fill["Projekt"]["projekt_id"], header)
        assert row["Avvikelse (kr)"] == pytest.approx(want["Budget (kr)"] - want["Utfall (kr)"])
        assert row["Nettonytta (kr)"] == pytest.approx(want["Nytta totalt (kr)"]
                                                      - want["Budget (kr)"])
    totals = by_id["Summa"]
    for header in expected(example_fill()):
        assert totals[header] == pytest.approx(sum(expected(f)[header] for f in fills.values()))
    budget = sum(expected(f)["Budget (kr)"] for f in fills.values())
    utfall = sum(expected(f)["Utfall (kr)"] for f in fills.values())
    assert totals["Avvikelse (%)"] == pytest.approx((budget - utfall) / budget * 100)


def test_example_figures_by_hand(portfolio):
    """The shipped example, summed by hand from example.py."""
    folder, _ = portfolio
    row = next(r for r in sheet_rows(load(economy_workbook(checked_all(folder))), "Översikt")
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


def test_long_sheets_hold_one_row_per_line(portfolio):
    folder, fills = portfolio
    book = load(economy_workbook(checked_all(folder)))
    costs = sheet_rows(book, "Kostnader")
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
    book = load(economy_workbook(checked))
    row = next(r for r in sheet_rows(book, "Översikt") if r["Projekt-ID"] == "SK-2023-11")
    assert row["Fel i arbetsboken"] == "Ja" and row["Fel"] >= 2
    assert row["Budget (kr)"] == expected(fills["errors"])["Budget (kr)"]
    marks = {r["Fel i arbetsboken"] for r in sheet_rows(book, "Kostnader")
             if r["Projekt-ID"] == "SK-2023-11"}
    assert marks == {"Ja"}


def test_hostile_strings_arrive_as_text_cells(portfolio):
    folder, _ = portfolio
    book = load(economy_workbook(checked_all(folder)))
    places = {"Översikt": HOSTILE["name"], "Kostnader": HOSTILE["cost"],
              "Finansiering": HOSTILE["funder"], "Nytta": HOSTILE["benefit"],
              "Personal": HOSTILE["member"]}
    for title, text in places.items():
        cells = [c for row in book[title].iter_rows() for c in row if c.value == text]
        assert cells, (title, text)
        assert all(c.data_type == "s" for c in cells), title
    formulas = [c.coordinate for ws in book for row in ws.iter_rows() for c in row
                if c.data_type == "f"]
    assert formulas == []


def test_every_sheet_is_a_filterable_table_with_frozen_header(portfolio):
    folder, _ = portfolio
    book = load(economy_workbook(checked_all(folder)))
    for title in ("Översikt", "Kostnader", "Finansiering", "Nytta", "Personal"):
        ws = book[title]
        assert len(ws.tables) == 1, title
        table = next(iter(ws.tables.values()))
        assert table.ref.startswith("A1:")
        assert ws.freeze_panes in ("A2", "C2")
        assert all(3 < (ws.column_dimensions[c].width or 0) <= 50
                   for c in ws.column_dimensions)
    assert book["Översikt"]["G2"].number_format.startswith("#,##0")
    charts = book["Diagram"]._charts
    assert len(charts) == 1 and isinstance(charts[0], BarChart)


def test_project_calculation_holds_one_project(portfolio):
    folder, fills = portfolio
    checked = check_file(folder / "planning.xlsx")
    book = load(project_calculation(checked))
    rows = sheet_rows(book, "Översikt")
    assert [r["Projekt-ID"] for r in rows] == ["AF-2024-02", "Summa"]
    assert rows[0]["Budget (kr)"] == expected(fills["planning"])["Budget (kr)"]
    assert len(sheet_rows(book, "Kostnader")) == 2


def test_an_unreadable_workbook_is_listed(tmp_path):
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"not a workbook")
    book = load(economy_workbook([check_file(broken)]))
    rows = sheet_rows(book, "Översikt")
    assert rows[0]["Arbetsbok"] == "trasig.xlsx" and rows[0]["Fel i arbetsboken"] == "Ja"


def test_write_economy_skips_lock_files_and_reports_errors(portfolio, tmp_path):
    folder, fills = portfolio
    folder = Path(shutil.copytree(folder, tmp_path / "input"))
    target = tmp_path / "ut" / "ekonomi.xlsx"
    assert write_economy(folder, target) == 1
    assert len(sheet_rows(openpyxl.load_workbook(target), "Översikt")) == len(fills) + 1
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


def test_ekonomi_opens_in_libreoffice(portfolio, tmp_path):
    folder, fills = portfolio
    target = tmp_path / "ekonomi.xlsx"
    write_economy(folder, target)
    csv_file = soffice_convert([target], "csv", tmp_path / "lo")[0]
    with csv_file.open(encoding="utf-8", errors="replace") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Projekt-ID", "Projektnamn"]
    ids = [r[0] for r in rows[1:]]
    assert set(ids) == {f["Projekt"]["projekt_id"] for f in fills.values()} | {"Summa"}
    names = [r[1] for r in rows[1:]]
    assert HOSTILE_NAME in names  # still text: LibreOffice did not make it a formula
