"""The economists' workbook (ekonomi.xlsx) and each project's Kostnads- och nyttokalkyl.

Values only, never formulas: every figure comes from pipeline.figures. Each sheet holds one
Excel table (filters, frozen header, SEK format) in long format, so that a pivot table works.
Text copied from a project workbook is always written as a text cell (no formula injection).

EconomyBook takes one project at a time: its rows are pickled to a temporary file (in memory
while small), and only a sort key and a file position per project stay in memory, with the
running totals. The workbook is then streamed, so memory does not grow with the number of
projects: openpyxl writes a prototype workbook once per process (pipeline.economy_xlsx), and
a book copies its unchanged parts and writes only its rows, widths and ranges. The same
workbook written by openpyxl's write-only mode alone stays as the reference
(EconomyBook.reference_bytes), which the tests compare the fast one with.

A project's BookEntry carries its rows rendered as XML and its column widths, made once by
the worker that makes its Kostnads- och nyttokalkyl: ekonomi.xlsx at the run's end numbers
those rows and merges those widths instead of rendering and measuring every cell again.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import IO, Any, ClassVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.table import Table, TableStyleInfo

from pipeline import economy_xlsx, figures
from pipeline.check import Checked, check_file, discover
from pipeline.contract import FINANSIARSTYP
from pipeline.paths import CALCULATION_FILE, ECONOMY_FILE
from pipeline.project import Project

SEK_FORMAT = '#,##0 "kr";-#,##0 "kr"'
PERCENT_FORMAT = '0.0 "%"'
NUMBER_FORMAT = "#,##0.##"
DATE_FORMAT = "yyyy-mm-dd"
YES, NO = "Ja", "Nej"
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
MIN_WIDTH, MAX_WIDTH = 9, 50
WIDTH_ROWS = 500  # column widths are fitted to the first rows of each sheet
SPOOL_BYTES = 4 * 1024 * 1024  # the pickled rows stay in memory up to this size
SHEET_SPOOL_BYTES = 256 * 1024  # a sheet's deflated XML stays in memory up to this size
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
class SheetSpec:
    title: str
    table_name: str
    columns: tuple[Column, ...]
    freeze: str = "C2"


Row = list[Any]
ProjectRows = tuple[list[Row], ...]  # one list of rows per sheet, in SHEETS order


# --- cell values -----------------------------------------------------------------------

def as_number(value: Decimal | int | None) -> int | float | None:
    """Decimal to int or float, as openpyxl writes numbers."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def as_text(value: str | None) -> str | None:
    """Characters an .xlsx cannot hold are dropped; the rest stays as written."""
    return None if value is None else ILLEGAL_CHARACTERS_RE.sub("", value)


def yes_no(flag: bool) -> str:
    return YES if flag else NO


def styled_cell(ws: WriteOnlyWorksheet, value: Any, column: Column) -> WriteOnlyCell:
    """A bold cell of the header or totals row; a string is a text cell, never a formula."""
    cell = WriteOnlyCell(ws)
    cell.font = BOLD
    if isinstance(value, str):
        cell.value = as_text(value)
        cell.data_type = "s"
        return cell
    cell.value = as_number(value) if isinstance(value, Decimal) else value
    if column.number_format and value is not None:
        cell.number_format = column.number_format
    return cell


def display_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "sek":
        return len(f"{value:,.0f}") + 3
    if kind == "date":
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# --- one streamed table per sheet ------------------------------------------------------

class Widths:
    """Column widths fitted to the header, the first WIDTH_ROWS rows and the totals."""

    def __init__(self, spec: SheetSpec) -> None:
        self.kinds = [c.kind for c in spec.columns]
        self.widest = [len(c.header) + 3 for c in spec.columns]
        self.seen = 0

    @property
    def full(self) -> bool:
        return self.seen >= WIDTH_ROWS

    def fit(self, rows: Iterable[Row], counted: bool = True) -> None:
        """As display_width for every cell; a text is measured line by line only when it is
        longer than the widest so far (its longest line cannot be longer than itself)."""
        kinds, widest = self.kinds, self.widest
        for row in rows:
            if counted and self.full:
                return
            self.seen += counted
            if len(row) != len(kinds):
                raise ValueError(f"a row of {len(row)} values for {len(kinds)} columns")
            for i, value in enumerate(row):
                if value is None:
                    continue
                kind = kinds[i]
                if kind == "sek" or kind == "date":
                    width = display_width(value, kind)
                else:
                    text = value if type(value) is str else str(value)
                    if len(text) <= widest[i]:
                        continue
                    width = display_width(text, kind)
                if width > widest[i]:
                    widest[i] = width

    def merge(self, widest: Sequence[int], count: int) -> None:
        """Rows fitted elsewhere (`fitted`): `count` rows whose widest cells were `widest`."""
        self.seen += count
        self.widest = list(map(max, self.widest, widest))

    def widths(self) -> list[int]:
        return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in self.widest]


def fitted(spec: SheetSpec, rows: Iterable[Row]) -> tuple[int, ...]:
    """The widest cell of each column over the header and all `rows` (not only the first)."""
    widths = Widths(spec)
    widths.fit(rows, counted=False)
    return tuple(widths.widest)


class SheetWriter:
    """Streams one sheet: header, rows, then the table around them.

    A row's cells are reused from one row to the next (write-only mode writes a row as it
    is appended), so a number format is looked up once per column, not once per cell.
    """

    def __init__(self, ws: WriteOnlyWorksheet, spec: SheetSpec, widths: list[int]) -> None:
        self.ws, self.spec, self.rows = ws, spec, 0
        ws.freeze_panes = spec.freeze
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        self.text = [WriteOnlyCell(ws) for _ in spec.columns]
        self.typed = [WriteOnlyCell(ws) for _ in spec.columns]
        for cell, column in zip(self.typed, spec.columns, strict=True):
            if column.number_format:
                cell.number_format = column.number_format
        ws.append([styled_cell(ws, c.header, c) for c in spec.columns])

    def cell(self, i: int, value: Any) -> WriteOnlyCell | None:
        if value is None:
            return None
        if isinstance(value, str):
            cell = self.text[i]
            cell.value = as_text(value)
            cell.data_type = "s"  # "=..." is what the user typed, not a formula
            return cell
        cell = self.typed[i]
        cell.value = as_number(value) if isinstance(value, Decimal) else value
        return cell

    def append(self, rows: Iterable[Row]) -> None:
        for values in rows:
            self.ws.append([self.cell(i, v) for i, v in enumerate(values)])
            self.rows += 1

    def finish(self, totals: Row | None = None) -> None:
        """The table (it needs one data row), then a totals row outside it."""
        if self.rows == 0:
            self.ws.append([None] * len(self.spec.columns))
        self.add_table(last=max(self.rows, 1) + 1)
        if totals is not None:
            self.ws.append([styled_cell(self.ws, v, c)
                            for v, c in zip(totals, self.spec.columns, strict=True)])

    def add_table(self, last: int) -> None:
        """Write-only mode cannot read the header back, so the table's columns are named here."""
        table = Table(displayName=self.spec.table_name,
                      ref=f"A1:{get_column_letter(len(self.spec.columns))}{last}")
        table.tableStyleInfo = TABLE_STYLE
        table._initialise_columns()
        for table_column, column in zip(table.tableColumns, self.spec.columns, strict=True):
            table_column.name = column.header
        with warnings.catch_warnings():  # openpyxl warns in write-only mode whatever we do
            warnings.simplefilter("ignore", UserWarning)
            self.ws.add_table(table)


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


SHEETS = (
    SheetSpec("Översikt", "Oversikt", OVERVIEW_COLUMNS),
    *(SheetSpec(title, title, (*PROJECT_COLUMNS, *columns)) for title, columns in (
        ("Kostnader", COST_COLUMNS), ("Finansiering", FUNDING_COLUMNS),
        ("Nytta", BENEFIT_COLUMNS), ("Personal", PERSON_COLUMNS))),
)
LINES: tuple[Callable[[Project], Iterable[list[Any]]], ...] = (
    cost_lines, funding_lines, benefit_lines, person_lines)


def project_rows(checked: Checked) -> ProjectRows:
    """One project's rows of every sheet: its overview row and its lines."""
    if checked.project is None:
        return ([overview_row(checked)], *([] for _ in LINES))
    lead = project_cells(checked)
    project = checked.project
    return ([overview_row(checked)], *([[*lead, *line] for line in lines(project)]
                                       for lines in LINES))


class OverviewTotals:
    """Sums of the money and hour columns, kept as projects are added; shares from the sums."""

    INDEX: ClassVar[dict[str, int]] = {c.header: i for i, c in enumerate(OVERVIEW_COLUMNS)}
    SUMMED: ClassVar[tuple[int, ...]] = tuple(
        i for i, c in enumerate(OVERVIEW_COLUMNS)
        if c.kind in ("sek", "number") or c.header in SUMMED_COUNTS)

    def __init__(self) -> None:
        self.count = 0
        self.sums = dict.fromkeys(self.SUMMED, figures.ZERO)

    def add(self, row: Row) -> None:
        self.count += 1
        for i in self.SUMMED:
            if row[i] is not None:
                self.sums[i] += Decimal(row[i])

    def share(self, part: str, whole: str) -> Decimal | None:
        total = self.sums[self.INDEX[whole]]
        return self.sums[self.INDEX[part]] / total * 100 if total else None

    def row(self) -> Row:
        totals: Row = [self.sums.get(i) for i in range(len(OVERVIEW_COLUMNS))]
        totals[0], totals[1] = "Summa", f"{self.count} projekt"
        totals[self.INDEX["Avvikelse (%)"]] = self.share("Avvikelse (kr)", "Budget (kr)")
        totals[self.INDEX["EU-andel (%)"]] = self.share("Finansiering EU-fond (kr)",
                                                        "Finansiering totalt (kr)")
        return totals


Record = tuple[tuple[int, ...], bytes]  # the sizes of the pickled parts, and the parts


class BookEntry:
    """One project's rows in the workbook: what `EconomyBook` keeps of it, with the rows
    rendered and measured once.

    fitted: per sheet, `fitted` over all the project's rows; xml: per sheet, the rows as
    `economy_xlsx.render_rows` rendered them; overview: its row of the first sheet.

    Pickled (from a worker to the build) as the record its book spills, so that the
    build's book stores the bytes as they came: the rows and their XML are unpickled
    only if asked for. Compared and shown by its key, rows and has_errors alone."""

    __slots__ = ("_record", "_rows", "_xml", "counts", "fitted", "has_errors", "key",
                 "overview")

    def __init__(self, key: tuple[str, str], rows: ProjectRows, has_errors: bool,
                 fitted: tuple[tuple[int, ...], ...], xml: tuple[list[str], ...]) -> None:
        self.key, self.has_errors, self.fitted = key, has_errors, fitted
        self._rows: ProjectRows | None = rows
        self._xml: tuple[list[str], ...] | None = xml
        self.overview: Row = rows[0][0]
        self.counts: tuple[int, ...] = tuple(map(len, rows))
        self._record: Record | None = None

    @property
    def rows(self) -> ProjectRows:
        if self._rows is None:
            self._rows = self.part(1)
        return self._rows

    @property
    def xml(self) -> tuple[list[str], ...]:
        if self._xml is None:
            self._xml = self.part(2)
        return self._xml

    def part(self, number: int) -> Any:
        sizes, data = self.spill_record()
        start = sum(sizes[:number])
        return pickle.loads(memoryview(data)[start:start + sizes[number]])

    def spill_record(self) -> Record:
        """The entry as a book spills it: widths and counts, rows, XML, each pickled."""
        if self._record is None:
            parts = [pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                     for part in ((self.fitted, self.counts), self.rows, self.xml)]
            self._record = (tuple(map(len, parts)), b"".join(parts))
        return self._record

    def __reduce__(self) -> tuple[Any, ...]:
        return entry_from_record, (self.key, self.has_errors, self.overview,
                                   self.spill_record())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BookEntry):
            return NotImplemented
        return ((self.key, self.rows, self.has_errors)
                == (other.key, other.rows, other.has_errors))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"BookEntry(key={self.key!r}, rows={self.rows!r}, "
                f"has_errors={self.has_errors!r})")


def entry_from_record(key: tuple[str, str], has_errors: bool, overview: Row, record: Record
                      ) -> BookEntry:
    """A pickled entry: its rows and XML stay in the record until asked for."""
    entry = BookEntry.__new__(BookEntry)
    entry.key, entry.has_errors, entry.overview = key, has_errors, overview
    entry._rows = entry._xml = None
    entry._record = record
    entry.fitted, entry.counts = entry.part(0)
    return entry


def book_entry(checked: Checked) -> BookEntry:
    rows = project_rows(checked)
    cells = prototype().cells
    return BookEntry(project_key(checked), rows, has_errors(checked),
                     tuple(map(fitted, SHEETS, rows)),
                     tuple(map(economy_xlsx.render_rows, cells, rows)))


# --- where the rows wait until the workbook is written -----------------------------------

class Stored:
    """A project's entry as its book kept it; the rows and their XML read when asked for."""

    def __init__(self, fitted: tuple[tuple[int, ...], ...], counts: tuple[int, ...],
                 rows: Callable[[], ProjectRows], xml: Callable[[], tuple[list[str], ...]]
                 ) -> None:
        self.fitted, self.counts, self.rows, self.xml = fitted, counts, rows, xml


class MemoryRows:
    """Every project's entry in memory: for one project, or a few."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str, str], BookEntry]] = []

    def put(self, entry: BookEntry) -> None:
        self.items.append((entry.key, entry))

    def ordered(self) -> Iterator[Stored]:
        """In key order; projects with the same key in the order they were added."""
        for _, entry in sorted(self.items, key=lambda item: item[0]):
            yield Stored(entry.fitted, entry.counts, lambda e=entry: e.rows,
                         lambda e=entry: e.xml)


class SpilledRows:
    """Every project's entry pickled to a temporary file; a key and positions in memory."""

    def __init__(self) -> None:
        # open as long as the book: closed (and deleted) when it is garbage collected
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_BYTES)
        self.index: list[tuple[tuple[str, str], int, tuple[int, ...]]] = []

    def put(self, entry: BookEntry) -> None:
        sizes, data = entry.spill_record()
        offset = self.file.seek(0, os.SEEK_END)
        self.file.write(data)
        self.index.append((entry.key, offset, sizes))

    def read(self, offset: int, size: int) -> Any:
        self.file.seek(offset)
        return pickle.loads(self.file.read(size))

    def ordered(self) -> Iterator[Stored]:
        """In key order; projects with the same key in the order they were added."""
        for _, offset, (fits, rows, xml) in sorted(self.index):
            fitted, counts = self.read(offset, fits)
            yield Stored(fitted, counts, lambda at=offset + fits, n=rows: self.read(at, n),
                         lambda at=offset + fits + rows, n=xml: self.read(at, n))


# --- the workbook ----------------------------------------------------------------------

class EconomyBook:
    """ekonomi.xlsx built one project at a time.

    Memory does not grow with the number of projects: add() keeps the running totals and
    spills the project's rows to a temporary file; to_bytes() streams the sheets.
    """

    spool_bytes = SHEET_SPOOL_BYTES  # a larger sheet (deflated) waits in a temporary file

    def __init__(self, spill: bool = True) -> None:
        self.store: MemoryRows | SpilledRows = SpilledRows() if spill else MemoryRows()
        self.spill = spill
        self.totals = OverviewTotals()
        self.errors = 0  # projects whose workbook has errors
        self.lines = [0] * len(SHEETS)  # rows per sheet

    def add(self, checked: Checked) -> None:
        self.add_entry(book_entry(checked))

    def add_entry(self, entry: BookEntry) -> None:
        """A project's rows made elsewhere (the build makes them in its workers)."""
        self.totals.add(entry.overview)
        self.errors += entry.has_errors
        for i, count in enumerate(entry.counts):
            self.lines[i] += count
        self.store.put(entry)

    def reference_widths(self, totals: Row) -> list[list[int]]:
        """`widths` measured cell by cell, as the reference workbook has them."""
        sheets = [Widths(spec) for spec in SHEETS]
        for stored in self.store.ordered():
            if all(w.full for w in sheets):
                break
            for widths, lines in zip(sheets, stored.rows(), strict=True):
                widths.fit(lines)
        sheets[0].fit([totals], counted=False)
        return [w.widths() for w in sheets]

    def widths(self, totals: Row) -> list[list[int]]:
        """Fitted to each sheet's first rows in key order: a project's widths as its entry
        has them, and the rows themselves read only of a project whose rows are not all
        among the first."""
        sheets = [Widths(spec) for spec in SHEETS]
        for stored in self.store.ordered():
            if all(w.full for w in sheets):
                break
            for i, widths in enumerate(sheets):
                if widths.full:
                    continue
                if widths.seen + stored.counts[i] <= WIDTH_ROWS:
                    widths.merge(stored.fitted[i], stored.counts[i])
                else:
                    widths.fit(stored.rows()[i])
        sheets[0].fit([totals], counted=False)
        return [w.widths() for w in sheets]

    def to_bytes(self) -> bytes:
        """The workbook, written from the prototype openpyxl wrote once per process."""
        totals = self.totals.row()
        count = max(self.totals.count, 1)
        return economy_xlsx.render_book(
            prototype(), self.widths(totals), self.lines,
            (stored.xml() for stored in self.store.ordered()), totals,
            count, chart_width(count), self.spool_bytes if self.spill else None)

    def reference_bytes(self) -> bytes:
        """The same workbook written by openpyxl's write-only mode alone (slow)."""
        totals = self.totals.row()
        book = Workbook(write_only=True)
        writers = [SheetWriter(book.create_sheet(spec.title), spec, widths)
                   for spec, widths in zip(SHEETS, self.reference_widths(totals), strict=True)]
        for stored in self.store.ordered():
            for writer, lines in zip(writers, stored.rows(), strict=True):
                writer.append(lines)
        writers[0].finish(totals)
        for writer in writers[1:]:
            writer.finish()
        add_budget_chart(book, writers[0].ws, max(self.totals.count, 1))
        buffer = BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def chart_width(count: int) -> float:
    """Centimetres: wider with more projects."""
    return max(16, 2 + 1.6 * count)


def add_budget_chart(book: Workbook, overview: WriteOnlyWorksheet, count: int) -> None:
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
    chart.width, chart.height = chart_width(count), 10
    sheet = book.create_sheet("Diagram")
    sheet.add_chart(chart, "A1")


PROTOTYPE_PROJECTS = 9  # in the prototype's chart: a width and ranges no real part repeats


def sample_row(spec: SheetSpec) -> Row:
    return [date(2024, 1, 1) if c.kind == "date" else 1 for c in spec.columns]


@cache
def prototype() -> economy_xlsx.Prototype:
    """The workbook's every part written by openpyxl once per process, with four rows per
    sheet that show each cell's style: the header, a number or date in every column, a
    totals row of numbers and an empty totals row."""
    return parsed_prototype(prototype_bytes())


def parsed_prototype(data: bytes) -> economy_xlsx.Prototype:
    return economy_xlsx.parse_prototype(data, SHEETS, PROTOTYPE_PROJECTS,
                                        chart_width(PROTOTYPE_PROJECTS))


def prototype_bytes() -> bytes:
    """The prototype workbook as openpyxl writes it."""
    book = Workbook(write_only=True)
    writers = [SheetWriter(book.create_sheet(spec.title), spec, [MIN_WIDTH] * len(spec.columns))
               for spec in SHEETS]
    for writer in writers:
        writer.append([sample_row(writer.spec)])
        writer.finish([1] * len(writer.spec.columns))
        writer.ws.append([styled_cell(writer.ws, None, c) for c in writer.spec.columns])
    add_budget_chart(book, writers[0].ws, PROTOTYPE_PROJECTS)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the library API -------------------------------------------------------------------

def economy_workbook(projects: Iterable[Checked]) -> bytes:
    """ekonomi.xlsx: every project's figures, projects with errors included and marked."""
    book = EconomyBook()
    for checked in projects:
        book.add(checked)
    return book.to_bytes()


def project_calculation(checked: Checked) -> bytes:
    """Kostnads- och nyttokalkyl.xlsx: the same sheets for one project alone."""
    return calculation_of(book_entry(checked))


def calculation_of(entry: BookEntry) -> bytes:
    """`project_calculation` of a project's rows already made."""
    book = EconomyBook(spill=False)
    book.add_entry(entry)
    return book.to_bytes()


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
    book = EconomyBook()
    for path in discover(input_folder):
        book.add(check_file(path))
    write_atomically(output_file, book.to_bytes())
    return 1 if book.errors else 0


__all__ = ["CALCULATION_FILE", "ECONOMY_FILE", "BookEntry", "EconomyBook", "book_entry",
           "calculation_of", "economy_workbook",
           "project_calculation", "write_economy"]
