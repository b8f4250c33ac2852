"""The economists' workbook (ekonomi.xlsx) and each project's Kostnads- och nyttokalkyl.

Values only, never formulas: every figure comes from pipeline.figures. The sheets are
`Översikt` (one row per project, a totals row under it), `Kostnader`, `Finansiering`,
`Nytta` and `Personal` (one row per line, in long format for pivot tables) and `Diagram`
(budget against utfall per project). Every table sheet has filters on its header row, a
frozen header, kr, percent and date formats and column widths fitted to its first rows.
Text copied from a workbook is always written as a text cell (`write_string`, never
XlsxWriter's guessing `write`), so `=HYPERLINK(...)` stays a string.

A project's rows (`project_rows`) are plain JSON values, made once by the worker that
builds the project; both workbooks are written from them with XlsxWriter's public API:

- a Kostnads- och nyttokalkyl (`calculation_bytes`) in memory, each sheet an Excel table;
- ekonomi.xlsx (`economy_bytes`) in XlsxWriter's constant_memory mode: each row is
  written to a temporary file as it comes, so memory does not grow with the number of
  projects. XlsxWriter does not make Excel tables in that mode (its documentation of
  add_table), so these sheets get an autofilter over the header and the rows instead.

The totals row stands one empty row below the rows, so that a filter, a sort or a pivot
table over the rows never takes it in.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any, ClassVar

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from pipeline import figures
from pipeline.check import Checked, check_file, discover
from pipeline.contract import FINANSIARSTYP
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings

NUMBER_FORMATS = {"sek": '#,##0 "kr";-#,##0 "kr"', "percent": '0.0 "%"', "number": "#,##0.##",
                  "date": "yyyy-mm-dd", "integer": "0"}
"""Each column kind's number format (a text column has none)."""
YES, NO = "Ja", "Nej"
TABLE_STYLE = "Table Style Medium 2"
MIN_WIDTH, MAX_WIDTH = 9, 50
WIDTH_ROWS = 500  # column widths are fitted to the header and the first rows of a sheet
MAX_ROWS = 1_048_576  # rows in an Excel sheet
FIRST_EXCEL_DATE = date(1900, 1, 1)  # an earlier date is written as its ISO text
CHART_HEIGHT_CM = 10
PIXELS_PER_CM = 96 / 2.54
NOT_IN_XLSX_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters an .xlsx cannot hold as text (control characters, lone surrogates,
non-characters): dropped. Tab, line feed and carriage return stay."""

Row = list[Any]
ProjectRows = dict[str, list[list[Any]]]
"""One project's rows per sheet title ("Översikt", "Kostnader", ...). Every value is
JSON-able (str, int, float, bool, None): Decimals as int or float, dates as ISO text
"2011-01-15" in the date columns. The batch stores it as JSON in its state and reads it
back in a later run, so json.loads(json.dumps(rows)) == rows must hold."""


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, or a kind of NUMBER_FORMATS


@dataclass(frozen=True)
class SheetSpec:
    title: str
    table_name: str
    columns: tuple[Column, ...]


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

OVERVIEW = SheetSpec("Översikt", "Oversikt", OVERVIEW_COLUMNS)
LINE_SHEETS = tuple(SheetSpec(title, title, (*PROJECT_COLUMNS, *columns)) for title, columns in (
    ("Kostnader", COST_COLUMNS), ("Finansiering", FUNDING_COLUMNS),
    ("Nytta", BENEFIT_COLUMNS), ("Personal", PERSON_COLUMNS)))
SHEETS = (OVERVIEW, *LINE_SHEETS)
CHART_SHEET = "Diagram"
SUMMED_COUNTS = ("Kontrakt med standardtimkostnad", "Fel", "Varningar")


# --- a project's rows, as JSON values ---------------------------------------------------

def as_number(value: Decimal) -> int | float | None:
    """A Decimal as int when whole, else float; None when it is no finite number."""
    if not value.is_finite():
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def json_value(value: Any) -> Any:
    """A cell's value as JSON holds it: Decimals as numbers, dates as ISO text."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return as_number(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no cell value for {value!r}")


def json_row(values: Iterable[Any]) -> Row:
    return [json_value(v) for v in values]


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def has_errors(checked: Checked) -> bool:
    return bool(checked.report.errors)


def project_cells(checked: Checked) -> list[Any]:
    """The four leading columns of every line sheet."""
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
    rate = checked.settings.default_hourly_rate
    persons = figures.person_costs(project, rate)
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
        figures.total_hours(project), figures.total_person_cost(project, rate),
        sum(1 for p in persons if p.default_rate),
        figures.total_benefit(project), figures.net_benefit(project),
        latest.rapport_nr if latest else None, *lights, *tail,
    ]


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


def person_lines(project: Project, settings: Settings = DEFAULTS) -> Iterable[list[Any]]:
    """One line per personkontrakt, costed at the organisation's default hourly rate where
    it has no Timkostnad."""
    for person in figures.person_costs(project, settings.default_hourly_rate):
        row = person.row
        yield [row.projektmedlem, row.befattning, row.enhet, row.fran, row.till, person.hours,
               person.rate, yes_no(person.default_rate), person.cost, row.tidsfinansiering]


def project_rows(checked: Checked) -> ProjectRows:
    """One project's rows of every sheet: its overview row and its lines (none for a
    workbook that could not be read)."""
    project = checked.project
    lines: dict[str, Iterable[list[Any]]] = {} if project is None else {
        "Kostnader": cost_lines(project), "Finansiering": funding_lines(project),
        "Nytta": benefit_lines(project), "Personal": person_lines(project, checked.settings)}
    lead = project_cells(checked)
    rows: ProjectRows = {OVERVIEW.title: [json_row(overview_row(checked))]}
    for spec in LINE_SHEETS:
        rows[spec.title] = [json_row([*lead, *line]) for line in lines.get(spec.title, ())]
    return rows


def project_key(rows: ProjectRows) -> tuple[str, str]:
    """The order of projects in ekonomi.xlsx: by Projekt-ID, then by workbook file."""
    overview = rows[OVERVIEW.title][0]
    return overview[0] or "", overview[-1] or ""


# --- the totals row ----------------------------------------------------------------------

def exact(number: int | float) -> Decimal:
    """A JSON number as the Decimal it was written from (floats by their shortest repr)."""
    return Decimal(number) if isinstance(number, int) else Decimal(repr(number))


class OverviewTotals:
    """Sums of the money, hour and count columns, kept as projects come; shares of sums."""

    INDEX: ClassVar[dict[str, int]] = {c.header: i for i, c in enumerate(OVERVIEW_COLUMNS)}
    SUMMED: ClassVar[tuple[int, ...]] = tuple(
        i for i, c in enumerate(OVERVIEW_COLUMNS)
        if c.kind in ("sek", "number") or c.header in SUMMED_COUNTS)

    def __init__(self) -> None:
        self.count = 0
        self.with_errors = 0
        self.sums = dict.fromkeys(self.SUMMED, figures.ZERO)

    def add(self, row: Row) -> None:
        self.count += 1
        self.with_errors += row[self.INDEX["Fel i arbetsboken"]] == YES
        for i in self.SUMMED:
            if isinstance(row[i], int | float) and math.isfinite(row[i]):
                self.sums[i] += exact(row[i])

    def share(self, part: str, whole: str) -> Decimal | None:
        total = self.sums[self.INDEX[whole]]
        return self.sums[self.INDEX[part]] / total * 100 if total else None

    def row(self) -> Row:
        totals: list[Any] = [self.sums.get(i) for i in range(len(OVERVIEW_COLUMNS))]
        # the sums include the figures of workbooks with errors: the row says how many
        totals[0], totals[1] = "Summa", f"{self.count} projekt" + (
            f", varav {self.with_errors} med fel" if self.with_errors else "")
        totals[self.INDEX["Fel i arbetsboken"]] = f"{self.with_errors} av {self.count}"
        totals[self.INDEX["Avvikelse (%)"]] = self.share("Avvikelse (kr)", "Budget (kr)")
        totals[self.INDEX["EU-andel (%)"]] = self.share("Finansiering EU-fond (kr)",
                                                        "Finansiering totalt (kr)")
        return json_row(totals)


# --- column widths -------------------------------------------------------------------------

def display_width(value: Any, kind: str) -> int:
    """About how many characters the value shows in its column's format (a date's ISO text
    shows as itself)."""
    if value is None:
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind == "sek":
            return len(f"{value:,.0f}") + 3
        if kind == "percent":
            return len(f"{value:.1f}") + 2
        if kind == "number":
            return len(f"{value:,.2f}")
        if kind == "integer":
            return len(f"{value:.0f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


class Widths:
    """Column widths fitted to the header, the first WIDTH_ROWS rows and the totals."""

    def __init__(self, spec: SheetSpec) -> None:
        self.kinds = [c.kind for c in spec.columns]
        self.widest = [len(c.header) + 3 for c in spec.columns]
        self.seen = 0

    def fit(self, row: Row, counted: bool = True) -> None:
        if counted:
            if self.seen >= WIDTH_ROWS:
                return
            self.seen += 1
        widest = self.widest
        for i, (value, kind) in enumerate(zip(row, self.kinds, strict=True)):
            if type(value) is str and len(value) <= widest[i]:
                continue  # no line of it is wider
            widest[i] = max(widest[i], display_width(value, kind))

    def widths(self) -> list[int]:
        return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in self.widest]


# --- writing ---------------------------------------------------------------------------

def as_text(value: str) -> str:
    """Characters an .xlsx cannot hold are dropped; the rest stays as written."""
    return NOT_IN_XLSX_RE.sub("", value)


def as_date(value: str) -> date | None:
    """An ISO date that Excel can show as a date (from 1900 on); None for any other text."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if day >= FIRST_EXCEL_DATE else None


class Formats:
    """The workbook's cell formats, one per column kind, plain and bold."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.made: dict[tuple[str, bool], Format | None] = {}

    def of(self, kind: str, bold: bool = False) -> Format | None:
        key = (kind, bold)
        if key not in self.made:
            properties: dict[str, Any] = {"bold": True} if bold else {}
            if kind in NUMBER_FORMATS:
                properties["num_format"] = NUMBER_FORMATS[kind]
            self.made[key] = self.book.add_format(properties) if properties else None
        return self.made[key]


class SheetWriter:
    """One table sheet: the header, rows as they come (in order), the widths, the range
    under filters (an Excel table, or an autofilter where tables cannot be made)."""

    def __init__(self, book: xlsxwriter.Workbook, spec: SheetSpec, formats: Formats) -> None:
        self.spec = spec
        self.sheet: Worksheet = book.add_worksheet(spec.title)
        self.kinds = [c.kind for c in spec.columns]
        self.plain = [formats.of(kind) for kind in self.kinds]
        self.bold = [formats.of(kind, bold=True) for kind in self.kinds]
        self.widths = Widths(spec)
        self.last = 0  # the row last written, 0-based: the header
        for i, column in enumerate(spec.columns):
            self.sheet.write_string(0, i, column.header, self.bold[i])
        self.sheet.freeze_panes(1, 2)

    def append(self, rows: Iterable[Row]) -> None:
        for values in rows:
            if len(values) != len(self.kinds):
                raise ValueError(f"{self.spec.title}: en rad med {len(values)} värden för "
                                 f"{len(self.kinds)} kolumner")
            self.write_row(self.last + 1, values, self.plain)
            self.widths.fit(values)

    def write_row(self, row: int, values: Row, formats: list[Format | None]) -> None:
        if row >= MAX_ROWS:
            raise ValueError(f"{self.spec.title}: fler rader än ett Excelblad rymmer")
        for col, value in enumerate(values):
            self.write_cell(row, col, value, formats[col])
        self.last = row

    def write_cell(self, row: int, col: int, value: Any, cell_format: Format | None) -> None:
        """Each type through its own method: a text is never read as a formula or number."""
        sheet = self.sheet
        if value is None:
            return
        if isinstance(value, str):
            day = as_date(value) if self.kinds[col] == "date" else None
            if day is not None:
                sheet.write_datetime(row, col, day, cell_format)
            elif text := as_text(value):  # nothing but dropped characters: no cell
                sheet.write_string(row, col, text, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float) and math.isfinite(value):
            sheet.write_number(row, col, value, cell_format)

    def finish(self, as_table: bool, totals: Row | None = None) -> None:
        """Filters over the header and the rows (at least one, empty if need be), the
        totals under them after an empty row, and the widths."""
        last_row, last_col = max(self.last, 1), len(self.kinds) - 1
        if as_table:
            self.sheet.add_table(0, 0, last_row, last_col, {
                "name": self.spec.table_name, "style": TABLE_STYLE,
                "columns": [{"header": c.header, "header_format": self.bold[i]}
                            for i, c in enumerate(self.spec.columns)]})
        else:
            self.sheet.autofilter(0, 0, last_row, last_col)
        if totals is not None:
            self.write_totals(last_row + 2, totals)
        for col, width in enumerate(self.widths.widths()):
            self.sheet.set_column(col, col, width)

    def write_totals(self, row: int, totals: Row) -> None:
        self.widths.fit(totals, counted=False)
        self.write_row(row, totals, self.bold)


class Book:
    """A workbook of the five table sheets and the chart, written a project at a time.

    `streamed`: XlsxWriter's constant_memory mode (rows go to temporary files as they are
    written; autofilters instead of tables); otherwise the whole book is made in memory
    with Excel tables."""

    def __init__(self, target: BytesIO, streamed: bool) -> None:
        self.streamed = streamed
        options = {"constant_memory": True} if streamed else {"in_memory": True}
        self.book = xlsxwriter.Workbook(target, options)
        formats = Formats(self.book)
        self.sheets = {spec.title: SheetWriter(self.book, spec, formats) for spec in SHEETS}
        self.totals = OverviewTotals()

    def add(self, rows: ProjectRows) -> None:
        for title, sheet in self.sheets.items():
            sheet.append(rows[title])
        for overview in rows[OVERVIEW.title]:
            self.totals.add(overview)

    def close(self) -> None:
        """The tables and the totals row, the chart, and the file."""
        for title, sheet in self.sheets.items():
            sheet.finish(not self.streamed,
                         self.totals.row() if title == OVERVIEW.title else None)
        self.add_budget_chart(max(self.totals.count, 1))
        self.book.close()

    def add_budget_chart(self, count: int) -> None:
        """Budget against utfall per project, a column chart on its own sheet, wider with
        more projects."""
        chart = self.book.add_chart({"type": "column"})
        headers = [c.header for c in OVERVIEW_COLUMNS]
        for header in ("Budget (kr)", "Utfall (kr)"):
            col = headers.index(header)
            chart.add_series({
                "name": [OVERVIEW.title, 0, col],
                "categories": [OVERVIEW.title, 1, 0, count, 0],
                "values": [OVERVIEW.title, 1, col, count, col]})
        chart.set_title({"name": "Budget och utfall per projekt"})
        chart.set_x_axis({"name": "Projekt"})
        chart.set_y_axis({"name": "kr", "num_format": NUMBER_FORMATS["sek"]})
        width_cm = max(16, 2 + 1.6 * count)
        chart.set_size({"width": round(width_cm * PIXELS_PER_CM),
                        "height": round(CHART_HEIGHT_CM * PIXELS_PER_CM)})
        self.book.add_worksheet(CHART_SHEET).insert_chart(0, 0, chart)


def book_bytes(projects: Iterable[ProjectRows], streamed: bool) -> bytes:
    target = BytesIO()
    book = Book(target, streamed)
    try:
        for rows in projects:
            book.add(rows)
    except BaseException:
        with contextlib.suppress(Exception):
            book.book.close()  # XlsxWriter removes its temporary files when it closes
        raise
    book.close()
    return target.getvalue()


# --- the library API -------------------------------------------------------------------

def calculation_bytes(rows: ProjectRows) -> bytes:
    """The project's Kostnads- och nyttokalkyl.xlsx: the sheets of ekonomi.xlsx for this
    project alone, each an Excel table."""
    return book_bytes([rows], streamed=False)


def economy_bytes(projects: Iterable[ProjectRows]) -> bytes:
    """ekonomi.xlsx: every project's rows, in the order given; memory does not grow with
    the number of projects (each is written as it comes)."""
    return book_bytes(projects, streamed=True)


def write_economy(input_folder: Path, output_file: Path, settings: Settings = DEFAULTS) -> int:
    """Check every workbook in input_folder under the organisation's settings and write
    ekonomi.xlsx atomically, projects in Projekt-ID order; 1 if any workbook has errors (it
    is still included, and marked)."""
    from pipeline.batch.atomic import write_atomic

    projects, errors = [], False
    for path in discover(input_folder):
        checked = check_file(path, settings)
        errors = errors or has_errors(checked)
        projects.append(project_rows(checked))
    output_file.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output_file, economy_bytes(sorted(projects, key=project_key)))
    return 1 if errors else 0


__all__ = ["ProjectRows", "calculation_bytes", "economy_bytes", "project_key",
           "project_rows", "write_economy"]
