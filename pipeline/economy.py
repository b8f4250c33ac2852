"""The economists' workbook (ekonomi.xlsx) and each project's Kostnads- och nyttokalkyl.

Values only, never formulas: every figure comes from pipeline.figures. Each sheet holds one
Excel table (filters, frozen header, SEK format) in long format, so that a pivot table works.
Text copied from a project workbook is always written as a text cell (no formula injection).

EconomyBook takes one project at a time: its rows are pickled to a temporary file (in memory
while small), and only a sort key and a file position per project stay in memory, with the
running totals. The workbook is then streamed in openpyxl's write-only mode, so memory does
not grow with the number of projects.
"""

from __future__ import annotations

import functools
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import IO, Any, ClassVar
from xml.sax.saxutils import escape as xml_escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.reference import DummyWorksheet
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.xml.functions import tostring

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
WIDTH_ROWS = 500  # column widths are fitted to the first rows of each sheet
SPOOL_BYTES = 4 * 1024 * 1024  # the pickled rows stay in memory up to this size


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


def display_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "sek":
        return len(f"{value:,.0f}") + 3
    if kind == "date":
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# --- column widths ---------------------------------------------------------------------

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
        for row in rows:
            if counted and self.full:
                return
            self.seen += counted
            for i, (kind, value) in enumerate(zip(self.kinds, row, strict=True)):
                self.widest[i] = max(self.widest[i], display_width(value, kind))

    def widths(self) -> list[int]:
        return [min(max(w + 2, MIN_WIDTH), MAX_WIDTH) for w in self.widest]


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


# --- where the rows wait until the workbook is written -----------------------------------

class MemoryRows:
    """Every project's rows in memory: for one project, or a few."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str, str], ProjectRows]] = []

    def put(self, key: tuple[str, str], rows: ProjectRows) -> None:
        self.items.append((key, rows))

    def ordered(self) -> Iterator[ProjectRows]:
        for _, rows in sorted(self.items, key=lambda item: item[0]):
            yield rows


class SpilledRows:
    """Every project's rows pickled to a temporary file; a key and a position in memory."""

    def __init__(self) -> None:
        # open as long as the book: closed (and deleted) when it is garbage collected
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_BYTES)
        self.index: list[tuple[tuple[str, str], int, int]] = []

    def put(self, key: tuple[str, str], rows: ProjectRows) -> None:
        data = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self.file.seek(0, os.SEEK_END)
        self.file.write(data)
        self.index.append((key, offset, len(data)))

    def ordered(self) -> Iterator[ProjectRows]:
        """In key order; projects with the same key in the order they were added."""
        for _, offset, size in sorted(self.index):
            self.file.seek(offset)
            yield pickle.loads(self.file.read(size))


# --- the workbook ----------------------------------------------------------------------

class EconomyBook:
    """ekonomi.xlsx built one project at a time.

    Memory does not grow with the number of projects: add() keeps the running totals and
    spills the project's rows to a temporary file; to_bytes() streams the sheets.
    """

    def __init__(self, spill: bool = True) -> None:
        self.store: MemoryRows | SpilledRows = SpilledRows() if spill else MemoryRows()
        self.totals = OverviewTotals()
        self.errors = 0  # projects whose workbook has errors

    def add(self, checked: Checked) -> None:
        rows = project_rows(checked)
        self.totals.add(rows[0][0])
        self.errors += has_errors(checked)
        self.store.put(project_key(checked), rows)

    def widths(self, totals: Row) -> list[list[int]]:
        """Fitted to each sheet's first rows in key order (only as many are read)."""
        fitted = [Widths(spec) for spec in SHEETS]
        for rows in self.store.ordered():
            if all(w.full for w in fitted):
                break
            for widths, lines in zip(fitted, rows, strict=True):
                widths.fit(lines)
        fitted[0].fit([totals], counted=False)
        return [w.widths() for w in fitted]

    def to_bytes(self) -> bytes:
        totals = self.totals.row()
        widths = self.widths(totals)

        def sheet(number: int, spec: SheetSpec, out: IO[bytes]) -> int:
            writer = SheetXml(out, spec, widths[number - 1])
            for rows in self.store.ordered():
                writer.append(rows[number - 1])
            return writer.finish(totals if number == 1 else None)

        buffer = BytesIO()
        with ZipFile(buffer, "w", ZIP_DEFLATED) as zf:
            write_package(zf, sheet, max(self.totals.count, 1))
        return buffer.getvalue()


# --- the .xlsx package, written directly -----------------------------------------------
# openpyxl costs about 17 ms for an empty workbook of six sheets, more than all the rows of
# a project; the few parts this workbook needs are written here as XML. Only the chart and
# its drawing are serialised by openpyxl (once per number of projects).

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CONTENT = "application/vnd.openxmlformats-officedocument."
CHART_SHEET = "Diagram"
FORMATS = (SEK_FORMAT, PERCENT_FORMAT, NUMBER_FORMAT, DATE_FORMAT)  # custom ids 164…
FORMAT_IDS = {None: 0, "0": 1, **{f: 164 + i for i, f in enumerate(FORMATS)}}
STYLES = [(fmt, bold) for bold in (False, True) for fmt in FORMAT_IDS]  # index = style id
STYLE_IDS = {style: i for i, style in enumerate(STYLES)}
BOLD_TEXT = STYLE_IDS[(None, True)]


def attr(value: str) -> str:
    return xml_escape(value, {'"': "&quot;"})


def styles_xml() -> str:
    formats = "".join(f'<numFmt numFmtId="{FORMAT_IDS[f]}" formatCode="{attr(f)}"/>'
                      for f in FORMATS)
    xfs = "".join(f'<xf numFmtId="{FORMAT_IDS[fmt]}" fontId="{int(bold)}" fillId="0" '
                  f'borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'
                  for fmt, bold in STYLES)
    return (f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            f'<numFmts count="{len(FORMATS)}">{formats}</numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(STYLES)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>")


def relationships(targets: Iterable[tuple[str, str]]) -> str:
    """(type, target) pairs as a .rels part, ids rId1…"""
    items = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/{kind}" Target="{target}"/>'
                    for i, (kind, target) in enumerate(targets, start=1))
    return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">{items}</Relationships>'


def content_types(sheets: int) -> str:
    parts = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
             ("/xl/styles.xml", "spreadsheetml.styles+xml"),
             *((f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml")
               for i in range(1, sheets + 2)),
             *((f"/xl/tables/table{i}.xml", "spreadsheetml.table+xml")
               for i in range(1, sheets + 1)),
             ("/xl/drawings/drawing1.xml", "drawing+xml"),
             ("/xl/charts/chart1.xml", "drawingml.chart+xml")]
    overrides = "".join(f'<Override PartName="{name}" ContentType="{CONTENT}{kind}"/>'
                        for name, kind in parts)
    return (f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/>{overrides}</Types>')


def workbook_xml(titles: Sequence[str]) -> str:
    sheets = "".join(f'<sheet name="{attr(t)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, t in enumerate(titles, start=1))
    return (f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews>'
            f'<workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>')


def table_xml(number: int, spec: SheetSpec, last: int) -> str:
    ref = f"A1:{get_column_letter(len(spec.columns))}{last}"
    columns = "".join(f'<tableColumn id="{i}" name="{attr(c.header)}"/>'
                      for i, c in enumerate(spec.columns, start=1))
    return (f'{XML_HEAD}<table xmlns="{MAIN_NS}" id="{number}" name="{spec.table_name}" '
            f'displayName="{spec.table_name}" ref="{ref}"><autoFilter ref="{ref}"/>'
            f'<tableColumns count="{len(spec.columns)}">{columns}</tableColumns>'
            f'<tableStyleInfo name="{TABLE_STYLE.name}" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>')


def cell_xml(ref: str, value: Any, style: int) -> str:
    """One cell; a string is an inline text cell, never a formula."""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return (f'<c r="{ref}" t="inlineStr"{styled}><is><t xml:space="preserve">'
                f"{xml_escape(as_text(value) or '')}</t></is></c>")
    if isinstance(value, Decimal):
        value = as_number(value)
    elif isinstance(value, date):
        value = to_excel(value)
    if isinstance(value, float):
        return f'<c r="{ref}"{styled}><v>{value:.16g}</v></c>'  # as openpyxl writes a float
    return f'<c r="{ref}"{styled}><v>{value}</v></c>'


class SheetXml:
    """Streams one worksheet's XML: header, rows, the table's data row if none, totals."""

    def __init__(self, out: IO[bytes], spec: SheetSpec, widths: list[int]) -> None:
        self.out, self.spec, self.rows = out, spec, 1
        self.letters = [get_column_letter(i) for i in range(1, len(spec.columns) + 1)]
        self.styles = [STYLE_IDS[(c.number_format, False)] for c in spec.columns]
        self.bold = [STYLE_IDS[(c.number_format, True)] for c in spec.columns]
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(widths, start=1))
        split = f'xSplit="{column_index_from_string(spec.freeze[0]) - 1}" ySplit="1"'
        self.write(f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetViews>'
                   f'<sheetView workbookViewId="0"><pane {split} topLeftCell="{spec.freeze}" '
                   'activePane="bottomRight" state="frozen"/><selection pane="bottomRight" '
                   f'activeCell="{spec.freeze}" sqref="{spec.freeze}"/></sheetView>'
                   f'</sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
                   "<sheetData>")
        self.row([c.header for c in spec.columns], self.bold, BOLD_TEXT)

    def write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def row(self, values: Row, styles: list[int], text_style: int = 0) -> None:
        r = self.rows
        cells = "".join(cell_xml(f"{letter}{r}", v, text_style if isinstance(v, str) else s)
                        for letter, v, s in zip(self.letters, values, styles, strict=True)
                        if v is not None)
        self.write(f'<row r="{r}">{cells}</row>')
        self.rows += 1

    def append(self, rows: Iterable[Row]) -> None:
        for values in rows:
            self.row(values, self.styles)

    def finish(self, totals: Row | None = None) -> int:
        """Closes the sheet; the table's last row."""
        if self.rows == 2:
            self.write('<row r="2"/>')  # a table needs one data row
            self.rows += 1
        last = self.rows - 1
        if totals is not None:
            self.row(totals, self.bold, BOLD_TEXT)
        self.write('</sheetData><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
                   "</worksheet>")
        return last


def budget_chart(count: int) -> BarChart:
    """Budget against utfall per project, on its own sheet."""
    chart = BarChart()
    chart.type = "col"
    chart.title = "Budget och utfall per projekt"
    chart.y_axis.title = "kr"
    chart.x_axis.title = "Projekt"
    chart.y_axis.numFmt = SEK_FORMAT
    headers = [c.header for c in OVERVIEW_COLUMNS]
    first = headers.index("Budget (kr)") + 1
    overview = DummyWorksheet(SHEETS[0].title)
    data = Reference(overview, min_col=first, max_col=first + 1, min_row=1, max_row=count + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(overview, min_col=1, min_row=2, max_row=count + 1))
    chart.width, chart.height = max(16, 2 + 1.6 * count), 10
    chart.anchor = "A1"
    return chart


@functools.lru_cache(maxsize=4)
def chart_parts(count: int) -> tuple[bytes, bytes, bytes]:
    """The chart, its drawing and the drawing's relationships, as openpyxl writes them."""
    chart = budget_chart(count)
    drawing = SpreadsheetDrawing()
    drawing._id = 1
    drawing.charts.append(chart)
    return (tostring(chart._write()), tostring(drawing._write()),
            tostring(drawing._write_rels()))


def write_package(zf: ZipFile, sheets: Callable[[int, SheetSpec, IO[bytes]], int],
                  count: int) -> None:
    """Every part of the workbook; sheets(number, spec, stream) writes one sheet."""
    titles = [s.title for s in SHEETS]
    zf.writestr("[Content_Types].xml", content_types(len(SHEETS)))
    zf.writestr("_rels/.rels", relationships([("officeDocument", "xl/workbook.xml")]))
    zf.writestr("xl/workbook.xml", workbook_xml([*titles, CHART_SHEET]))
    zf.writestr("xl/_rels/workbook.xml.rels", relationships(
        [*(("worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(SHEETS) + 2)),
         ("styles", "styles.xml")]))
    zf.writestr("xl/styles.xml", styles_xml())
    for number, spec in enumerate(SHEETS, start=1):
        with zf.open(f"xl/worksheets/sheet{number}.xml", "w") as out:
            last = sheets(number, spec, out)
        zf.writestr(f"xl/tables/table{number}.xml", table_xml(number, spec, last))
        zf.writestr(f"xl/worksheets/_rels/sheet{number}.xml.rels",
                    relationships([("table", f"/xl/tables/table{number}.xml")]))
    chart, drawing, drawing_rels = chart_parts(count)
    diagram = len(SHEETS) + 1
    zf.writestr(f"xl/worksheets/sheet{diagram}.xml",
                f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData/>'
                '<drawing r:id="rId1"/></worksheet>')
    zf.writestr(f"xl/worksheets/_rels/sheet{diagram}.xml.rels",
                relationships([("drawing", "/xl/drawings/drawing1.xml")]))
    zf.writestr("xl/drawings/drawing1.xml", drawing)
    zf.writestr("xl/drawings/_rels/drawing1.xml.rels", drawing_rels)
    zf.writestr("xl/charts/chart1.xml", chart)


# --- the library API -------------------------------------------------------------------

def economy_workbook(projects: Iterable[Checked]) -> bytes:
    """ekonomi.xlsx: every project's figures, projects with errors included and marked."""
    book = EconomyBook()
    for checked in projects:
        book.add(checked)
    return book.to_bytes()


def project_calculation(checked: Checked) -> bytes:
    """Kostnads- och nyttokalkyl.xlsx: the same sheets for one project alone."""
    book = EconomyBook(spill=False)
    book.add(checked)
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


__all__ = ["CALCULATION_FILE", "ECONOMY_FILE", "EconomyBook", "economy_workbook",
           "project_calculation", "write_economy"]
