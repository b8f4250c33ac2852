"""The economists' workbook (ekonomi.xlsx) and each project's Kostnads- och nyttokalkyl.

Values only, never formulas: every figure comes from pipeline.figures. Each sheet holds one
Excel table (filters, frozen header, SEK format) in long format, so that a pivot table works.
Text copied from a project workbook is always written as a text cell (no formula injection).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import figures
from pipeline.check import Checked, check_file, discover
from pipeline.contract import FINANSIARSTYP
from pipeline.project import Project

ECONOMY_FILE = "ekonomi.xlsx"
CALCULATION_FILE = "Kostnads- och nyttokalkyl.xlsx"

SEK_FORMAT = '#,##0 "kr";-#,##0 "kr"'
PERCENT_FORMAT = '0.0 "%"'
NUMBER_FORMAT = "#,##0.##"
DATE_FORMAT = "yyyy-mm-dd"
YES, NO = "Ja", "Nej"
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
MIN_WIDTH, MAX_WIDTH = 9, 50
BOLD = Font(name="Calibri", bold=True)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, sek, percent, number, integer, date

    @property
    def number_format(self) -> str | None:
        return {"sek": SEK_FORMAT, "percent": PERCENT_FORMAT, "number": NUMBER_FORMAT,
                "date": DATE_FORMAT, "integer": "0"}.get(self.kind)


@dataclass(frozen=True)
class SheetData:
    title: str
    table_name: str
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    freeze: str = "A2"


# --- cell values -----------------------------------------------------------------------

def as_number(value: Decimal | int | None) -> int | float | None:
    """Decimal to int or float, as openpyxl writes numbers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def as_text(value: str | None) -> str | None:
    """Characters an .xlsx cannot hold are dropped; the rest stays as written."""
    return None if value is None else ILLEGAL_CHARACTERS_RE.sub("", value)


def put(ws: Worksheet, row: int, column: int, value: Any, kind: str = "text") -> None:
    """Write one value; a string is always a text cell, never a formula."""
    cell = ws.cell(row, column)
    if isinstance(value, str):
        cell.value = as_text(value)
        cell.data_type = "s"
    elif isinstance(value, Decimal):
        cell.value = as_number(value)
    else:
        cell.value = value
    fmt = Column("", kind).number_format
    if fmt and value is not None and not isinstance(value, str):
        cell.number_format = fmt


def yes_no(flag: bool) -> str:
    return YES if flag else NO


# --- one table per sheet ---------------------------------------------------------------

def write_sheet(ws: Worksheet, data: SheetData) -> None:
    ws.title = data.title
    headers = [c.header for c in data.columns]
    for column, header in enumerate(headers, start=1):
        put(ws, 1, column, header)
        ws.cell(1, column).font = BOLD  # table styles are not shown by every program
    rows = data.rows or [[None] * len(headers)]  # a table needs one data row
    for r, values in enumerate(rows, start=2):
        for column, (spec, value) in enumerate(zip(data.columns, values, strict=True), start=1):
            put(ws, r, column, value, spec.kind)
    last = len(rows) + 1
    table = Table(displayName=data.table_name,
                  ref=f"A1:{get_column_letter(len(headers))}{last}")
    table.tableStyleInfo = TABLE_STYLE
    ws.add_table(table)
    if data.totals is not None:
        write_totals(ws, last + 1, data)
    ws.freeze_panes = data.freeze
    set_widths(ws, data)


def write_totals(ws: Worksheet, row: int, data: SheetData) -> None:
    """A totals row under the table (outside it, so filters and pivots never count it)."""
    assert data.totals is not None
    for column, (spec, value) in enumerate(zip(data.columns, data.totals, strict=True), start=1):
        put(ws, row, column, value, spec.kind)
        ws.cell(row, column).font = BOLD


def display_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "sek":
        return len(f"{value:,.0f}") + 3
    if kind == "date":
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def set_widths(ws: Worksheet, data: SheetData) -> None:
    for column, spec in enumerate(data.columns, start=1):
        values = [row[column - 1] for row in data.rows[:500]]
        if data.totals is not None:
            values.append(data.totals[column - 1])
        widest = max([len(spec.header) + 3, *(display_width(v, spec.kind) for v in values)])
        ws.column_dimensions[get_column_letter(column)].width = min(
            max(widest + 2, MIN_WIDTH), MAX_WIDTH)


# --- the sheets ------------------------------------------------------------------------

PROJECT_COLUMNS = (Column("Projekt-ID"), Column("Projektnamn"), Column("Förvaltning"),
                   Column("Fel i arbetsboken"))

OVERVIEW_COLUMNS = (
    Column("Projekt-ID"), Column("Projektnamn"), Column("Förvaltning"), Column("Fas"),
    Column("Start", "date"), Column("Slut", "date"),
    Column("Budget (kr)", "sek"), Column("Utfall (kr)", "sek"), Column("Prognos (kr)", "sek"),
    Column("Avvikelse (kr)", "sek"), Column("Avvikelse (%)", "percent"),
    Column("Finansiering totalt (kr)", "sek"),
    *(Column(f"Finansiering {typ} (kr)", "sek") for typ in FINANSIARSTYP),
    Column("EU-andel (%)", "percent"), Column("Medfinansiering arbetstid (kr)", "sek"),
    Column("Timmar (personkontrakt)", "number"), Column("Personalkostnad (kr)", "sek"),
    Column("Kontrakt med standardtimkostnad", "integer"),
    Column("Nytta totalt (kr)", "sek"), Column("Nettonytta (kr)", "sek"),
    Column("Senaste statusrapport", "integer"), Column("Helhet"), Column("Tid"),
    Column("Kostnad"), Column("Kvalitet"),
    Column("Fel", "integer"), Column("Varningar", "integer"), Column("Fel i arbetsboken"),
    Column("Arbetsbok"),
)

SUMMED_COUNTS = ("Kontrakt med standardtimkostnad", "Fel", "Varningar")


def project_key(checked: Checked) -> tuple[str, str]:
    project = checked.project
    return ((project.info.projekt_id or "") if project else "", checked.report.file)


def has_errors(checked: Checked) -> bool:
    return bool(checked.report.errors)


def project_cells(checked: Checked) -> list[Any]:
    """The four leading columns of every long-format sheet."""
    info = checked.project.info if checked.project else None
    return [info.projekt_id if info else None, info.projektnamn if info else None,
            info.forvaltning if info else None, yes_no(has_errors(checked))]


def overview_row(checked: Checked) -> list[Any]:
    report = checked.report
    tail = [len(report.errors), len(report.warnings), yes_no(has_errors(checked)), report.file]
    project = checked.project
    if project is None:
        return [None] * (len(OVERVIEW_COLUMNS) - len(tail)) + tail
    info = project.info
    costs = figures.total_costs(project)
    by_type = figures.funding_by(project, "typ")
    persons = figures.person_costs(project)
    latest = figures.latest_status(project)
    lights = [getattr(latest, key) if latest else None
              for key in ("helhet", "tid", "kostnad", "kvalitet")]
    return [
        info.projekt_id, info.projektnamn, info.forvaltning, info.aktuell_fas,
        info.startdatum, info.slutdatum,
        costs.budget, costs.utfall, costs.prognos, costs.avvikelse, costs.avvikelse_procent,
        figures.total_funding(project),
        *(by_type.get(typ, figures.ZERO) for typ in FINANSIARSTYP),
        figures.eu_share_percent(project), figures.in_kind_share(project),
        figures.total_hours(project), figures.total_person_cost(project),
        sum(1 for p in persons if p.default_rate),
        figures.total_benefit(project), figures.net_benefit(project),
        latest.rapport_nr if latest else None, *lights, *tail,
    ]


def overview_totals(rows: list[list[Any]]) -> list[Any]:
    """Sums of the money and hour columns; the shares recomputed from the sums."""
    totals: list[Any] = [None] * len(OVERVIEW_COLUMNS)
    index = {c.header: i for i, c in enumerate(OVERVIEW_COLUMNS)}
    for i, column in enumerate(OVERVIEW_COLUMNS):
        if column.kind in ("sek", "number") or column.header in SUMMED_COUNTS:
            totals[i] = sum((Decimal(r[i]) for r in rows if r[i] is not None), figures.ZERO)
    totals[0] = "Summa"
    totals[1] = f"{len(rows)} projekt"
    budget, deviation = totals[index["Budget (kr)"]], totals[index["Avvikelse (kr)"]]
    totals[index["Avvikelse (%)"]] = deviation / budget * 100 if budget else None
    funding, eu = (totals[index["Finansiering totalt (kr)"]],
                   totals[index["Finansiering EU-fond (kr)"]])
    totals[index["EU-andel (%)"]] = eu / funding * 100 if funding else None
    return totals


def overview_sheet(projects: Sequence[Checked]) -> SheetData:
    rows = [overview_row(c) for c in projects]
    return SheetData("Översikt", "Oversikt", OVERVIEW_COLUMNS, rows, overview_totals(rows),
                     freeze="C2")


def long_sheet(title: str, columns: Iterable[Column], projects: Sequence[Checked],
               lines: Callable[[Project], Iterable[list[Any]]]) -> SheetData:
    rows = [[*project_cells(c), *line] for c in projects if c.project is not None
            for line in lines(c.project)]
    return SheetData(title, title, (*PROJECT_COLUMNS, *columns), rows, freeze="C2")


def cost_lines(project: Project) -> Iterable[list[Any]]:
    for line in project.kostnader:
        cost = figures.cost_of_line(line)
        yield [line.kostnadsslag, line.beskrivning, line.ar, line.budget, line.utfall,
               line.prognos, cost.avvikelse]


def funding_lines(project: Project) -> Iterable[list[Any]]:
    for line in project.finansiering:
        yield [line.finansiar, line.typ, line.form, line.ar, line.belopp, line.status,
               yes_no(figures.funding_counts(line))]


def benefit_lines(project: Project) -> Iterable[list[Any]]:
    for line in project.nytta:
        total = None if line.typ == "Kvalitativ" else figures.benefit_total(line)
        yield [line.nytta, line.typ, line.indikator, line.varde_per_ar, line.fran_ar,
               line.antal_ar, total, line.ansvarig]


def person_lines(project: Project) -> Iterable[list[Any]]:
    for person in figures.person_costs(project):
        row = person.row
        yield [row.projektmedlem, row.befattning, row.enhet, row.fran, row.till, person.hours,
               person.rate, yes_no(person.default_rate), person.cost, row.tidsfinansiering]


COST_COLUMNS = (Column("Kostnadsslag"), Column("Beskrivning"), Column("År", "integer"),
                Column("Budget (kr)", "sek"), Column("Utfall (kr)", "sek"),
                Column("Prognos (kr)", "sek"), Column("Avvikelse (kr)", "sek"))
FUNDING_COLUMNS = (Column("Finansiär"), Column("Typ"), Column("Form"), Column("År", "integer"),
                   Column("Belopp (kr)", "sek"), Column("Status"),
                   Column("Räknas i finansieringen"))
BENEFIT_COLUMNS = (Column("Nytta"), Column("Typ"), Column("Indikator"),
                   Column("Värde per år (kr)", "sek"), Column("Från år", "integer"),
                   Column("Antal år", "integer"), Column("Nytta totalt (kr)", "sek"),
                   Column("Ansvarig"))
PERSON_COLUMNS = (Column("Projektmedlem"), Column("Befattning"), Column("Förvaltning/enhet"),
                  Column("Från", "date"), Column("Till", "date"), Column("Timmar", "number"),
                  Column("Timkostnad (kr)", "sek"), Column("Standardtimkostnad"),
                  Column("Kostnad (kr)", "sek"), Column("Finansiering av tiden"))


def all_sheets(projects: Sequence[Checked]) -> list[SheetData]:
    return [overview_sheet(projects),
            long_sheet("Kostnader", COST_COLUMNS, projects, cost_lines),
            long_sheet("Finansiering", FUNDING_COLUMNS, projects, funding_lines),
            long_sheet("Nytta", BENEFIT_COLUMNS, projects, benefit_lines),
            long_sheet("Personal", PERSON_COLUMNS, projects, person_lines)]


def add_budget_chart(book: Workbook, overview: Worksheet, count: int) -> None:
    """Budget against utfall per project, on its own sheet."""
    chart = BarChart()
    chart.type = "col"
    chart.title = "Budget och utfall per projekt"
    chart.y_axis.title = "kr"
    chart.x_axis.title = "Projekt"
    chart.y_axis.numFmt = SEK_FORMAT
    headers = [c.header for c in OVERVIEW_COLUMNS]
    first = headers.index("Budget (kr)") + 1
    data = Reference(overview, min_col=first, max_col=first + 1, min_row=1, max_row=count + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(overview, min_col=1, min_row=2, max_row=count + 1))
    chart.width, chart.height = max(16, 2 + 1.6 * count), 10
    sheet = book.create_sheet("Diagram")
    sheet.add_chart(chart, "A1")


# --- the library API -------------------------------------------------------------------

def build_book(projects: Sequence[Checked]) -> Workbook:
    ordered = sorted(projects, key=project_key)
    book = Workbook()
    sheets = all_sheets(ordered)
    write_sheet(book.active, sheets[0])
    for data in sheets[1:]:
        write_sheet(book.create_sheet(), data)
    add_budget_chart(book, book["Översikt"], max(len(ordered), 1))
    return book


def to_bytes(book: Workbook) -> bytes:
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def economy_workbook(projects: Sequence[Checked]) -> bytes:
    """ekonomi.xlsx: every project's figures, projects with errors included and marked."""
    return to_bytes(build_book(projects))


def project_calculation(checked: Checked) -> bytes:
    """Kostnads- och nyttokalkyl.xlsx: the same sheets for one project alone."""
    return to_bytes(build_book([checked]))


def write_atomically(path: Path, data: bytes) -> None:
    """A temporary file in the same folder, then os.replace: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_economy(input_folder: Path, output_file: Path) -> int:
    """Check every workbook in input_folder and write ekonomi.xlsx; 1 if any had errors."""
    projects = [check_file(path) for path in discover(input_folder)]
    write_atomically(output_file, economy_workbook(projects))
    return 1 if any(has_errors(c) for c in projects) else 0


__all__ = ["CALCULATION_FILE", "ECONOMY_FILE", "economy_workbook", "project_calculation",
           "write_economy"]
