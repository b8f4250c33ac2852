"""The economy workbooks written from a prototype that openpyxl wrote once per process.

openpyxl writes every part of a prototype workbook (styles, theme, workbook.xml, content
types, the tables, the chart, frozen panes) with the same sheets, tables and chart as the
real books, and one sample row of every kind of cell. A real book copies the parts that do
not vary as bytes (deflated once) and produces only what varies: each sheet's <dimension>,
column widths and <sheetData> rows, the tables' refs, the chart's ranges and size, and the
time stamps. The style indexes (s="N") are read from the prototype's cells, so they always
match the styles.xml openpyxl wrote.

Cells are written as openpyxl's write-only mode writes them: a str is an inline string (a
text cell, never a formula) with the characters an .xlsx cannot hold removed, numbers as
"%.16g", dates as Excel serial numbers, None as no cell.

A project's data rows are rendered once, with ROW where the row number goes (`render_rows`):
its Kostnads- och nyttokalkyl and ekonomi.xlsx number the same rendered rows, so the run's
end only numbers and deflates rows its workers rendered.
"""

from __future__ import annotations

import functools
import re
import struct
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import repeat
from math import isfinite
from typing import IO, Any, Protocol
from xml.sax.saxutils import escape as escape_text

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.units import cm_to_EMU

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
FLUSH_ROWS = 256  # rows numbered before they are deflated
TEXT_CACHE = 4096  # distinct texts kept rendered (cleared when full)
SMALL_PARTS = 1024  # small varying parts kept deflated (cleared when full)
# characters lxml refuses in XML text (openpyxl fails on them too): never written silently
NOT_XML_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")
ROW = "\0"  # where a rendered row's number goes: no text cell can hold it (it is illegal)


class ColumnLike(Protocol):
    @property
    def kind(self) -> str: ...


class SpecLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def columns(self) -> Sequence[ColumnLike]: ...


# --- cells -----------------------------------------------------------------------------

def as_number(value: Decimal | int | float) -> int | float:
    """Decimal to int or float, as openpyxl writes numbers (the same as economy.as_number)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def number_text(value: int | float) -> str:
    """openpyxl's safe_string: "%.16g", and nothing for NaN and infinity."""
    if isinstance(value, float) and not isfinite(value):
        return ""
    return f"{value:.16g}"


@functools.lru_cache(maxsize=4096)
def date_text(value: date) -> str:
    return f"{to_excel(value):.16g}"


def escape(text: str) -> str:
    text = escape_text(text)
    if "\r" in text:  # a literal CR would be read back as LF
        text = text.replace("\r", "&#13;")
    return text


def text_tail(value: str, style: str = "") -> str:
    """The rest of a text cell after `<c r="A1`: an inline string, never a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if NOT_XML_RE.search(value):
        raise ValueError(f"Texten kan inte skrivas i en arbetsbok: {value!r}")
    if not value:
        return f'"{style} t="inlineStr"/>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


TEXTS: dict[str, str] = {}  # text -> text_tail(text), shared by every book of the process


def text_cell(value: str) -> str:
    """text_tail, kept for the next time the same text comes."""
    if len(TEXTS) >= TEXT_CACHE:
        TEXTS.clear()
    tail = TEXTS[value] = text_tail(value)
    return tail


def value_tail(value: Any, style: str, date_style: str, text_style: str = "") -> str:
    """Any value the sheets hold, as the rest of its cell after `<c r="A1`."""
    if isinstance(value, str):
        return text_tail(value, text_style)
    if isinstance(value, bool):
        return f'"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'"{style} t="n"><v>{number_text(as_number(value))}</v></c>'
    if isinstance(value, date):  # datetime too
        return f'"{style or date_style} t="n"><v>{date_text(value)}</v></c>'
    raise ValueError(f"Cannot convert {value!r} to Excel")


# --- the prototype ---------------------------------------------------------------------

@dataclass(frozen=True)
class SheetTemplate:
    """One table sheet of the prototype, cut where a book's own parts go."""

    title: str
    part: str
    head: str  # up to where <dimension> goes
    views: str  # sheet views and format, up to where <cols> goes
    between: str  # whatever openpyxl wrote between </cols> and <sheetData>
    header: str  # row 1, as openpyxl wrote it
    tail: str  # after </sheetData>: margins, table parts
    letters: tuple[str, ...]
    typed: tuple[str, ...]  # ' s="N"' of a number or date in a data row, per column
    total: tuple[str, ...]  # of a number in the bold totals row
    blank: tuple[str, ...]  # of an empty cell of the totals row
    bold: str  # of a text in the header or totals row
    table_part: str
    table: tuple[str, ...]  # the table's XML split where its ref goes


@dataclass(frozen=True)
class RowCells:
    """The start of each column's cell in a data row, up to its value, with ROW for the row."""

    texts: tuple[str, ...]  # `<c r="A` ROW: a text's tail follows
    numbers: tuple[str, ...]  # up to a number's text in <v>
    dates: tuple[str, ...]  # up to a date's serial number in <v>
    typed: tuple[str, ...]  # the sheet's ' s="N"' per column, for any other value
    date_style: str

    @classmethod
    def of(cls, template: SheetTemplate, date_style: str) -> RowCells:
        texts = tuple(f'<c r="{letter}{ROW}' for letter in template.letters)
        return cls(texts=texts,
                   numbers=tuple(f'{start}"{style} t="n"><v>'
                                 for start, style in zip(texts, template.typed, strict=True)),
                   dates=tuple(f'{start}"{style or date_style} t="n"><v>'
                               for start, style in zip(texts, template.typed, strict=True)),
                   typed=template.typed, date_style=date_style)


def render_rows(cells: RowCells, rows: Iterable[Sequence[Any]]) -> list[str]:
    """Each row's XML with ROW where its number goes (`SheetStream.append` numbers it)."""
    texts, numbers, dates = cells.texts, cells.numbers, cells.dates
    rendered = []
    for values in rows:
        out = [f'<row r="{ROW}">']
        for i, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                tail = TEXTS.get(value)
                if tail is None:
                    tail = text_cell(value)
                out.append(texts[i] + tail)
            elif kind is Decimal:
                if value == value.to_integral_value():
                    out.append(f"{numbers[i]}{int(value):.16g}</v></c>")
                else:
                    out.append(f"{numbers[i]}{number_text(float(value))}</v></c>")
            elif kind is int:
                out.append(f"{numbers[i]}{value:.16g}</v></c>")
            elif kind is date:
                out.append(f"{dates[i]}{date_text(value)}</v></c>")
            elif kind is float:
                out.append(f"{numbers[i]}{number_text(value)}</v></c>")
            else:
                out.append(texts[i] + value_tail(value, cells.typed[i], cells.date_style))
        out.append("</row>")
        rendered.append("".join(out))
    return rendered


@dataclass(frozen=True)
class Prototype:
    names: tuple[str, ...]  # every part, in the prototype's order
    fixed: dict[str, tuple[int, int, bytes]]  # unchanged parts: crc, size, deflated
    sheets: tuple[SheetTemplate, ...]
    cells: tuple[RowCells, ...]  # of each table sheet's data rows
    date_style: str
    core_part: str
    core: tuple[str, ...]  # split where the two time stamps go
    chart_part: str
    chart: tuple[str, ...]  # split where the ranges go: text, column, text, column ...
    drawing_part: str
    drawing: tuple[str, ...]  # split where the chart's width goes
    small: dict[tuple[str, str], tuple[int, int, bytes]] = field(
        default_factory=dict, compare=False, repr=False)  # the varying small parts, deflated

    def deflated(self, name: str, key: str, make: Callable[[], str]) -> tuple[int, int, bytes]:
        """A table, the chart, the drawing or the core properties as one book has them:
        deflated once per distinct ref, count or time stamp."""
        part = self.small.get((name, key))
        if part is None:
            if len(self.small) >= SMALL_PARTS:
                self.small.clear()
            part = self.small[name, key] = deflate(make().encode("utf-8"))
        return part


def style_attr(cell: ET.Element) -> str:
    style = cell.get("s", "0")
    return f' s="{style}"' if style != "0" else ""


def part_path(base: str, target: str) -> str:
    """A relationship's target as a name in the archive."""
    if target.startswith("/"):
        return target[1:]
    folder = base.rsplit("/", 1)[0] if "/" in base else ""
    parts: list[str] = []
    for piece in f"{folder}/{target}".split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def relations(archive: dict[str, str], part: str) -> dict[str, str]:
    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels not in archive:
        return {}
    root = ET.fromstring(archive[rels])
    return {r.get("Id", ""): part_path(part, r.get("Target", ""))
            for r in root.iter(f"{{{PACKAGE_REL}}}Relationship")}


def split_once(text: str, marker: str, what: str) -> tuple[str, str]:
    if text.count(marker) != 1:
        raise ValueError(f"prototype: {what} not found once")
    before, _, after = text.partition(marker)
    return before, after


def cut(text: str, start: str, end: str, what: str) -> tuple[str, str, str]:
    before, rest = split_once(text, start, what)
    inside, after = split_once(rest, end, what)
    return before, inside, after


def parse_sheet(archive: dict[str, str], title: str, part: str, spec: SpecLike
                ) -> SheetTemplate:
    xml = archive[part]
    if "<dimension" in xml:
        raise ValueError("prototype: a sheet already has a dimension")
    head, rest = split_once(xml, "<sheetViews", "sheet views")
    views, _, rest = cut("<sheetViews" + rest, "<cols>", "</cols>", "columns")
    between, sheet_data, tail = cut(rest, "<sheetData>", "</sheetData>", "sheet data")
    rows = ET.fromstring(f'<sheetData xmlns="{MAIN}">{sheet_data}</sheetData>')
    cells = [list(row) for row in rows]
    width = len(spec.columns)
    if len(cells) != 4 or any(len(row) != width for row in cells):
        raise ValueError(f"prototype: {title} does not hold the four sample rows")
    header_end = sheet_data.index("</row>") + len("</row>")
    bold = {style_attr(c) for c in cells[0]}
    if len(bold) != 1:
        raise ValueError(f"prototype: {title} has more than one header style")
    table_part = next(t for t in relations(archive, part).values()
                      if t.startswith("xl/tables/"))
    table_xml = archive[table_part]
    ref = ET.fromstring(table_xml).get("ref", "")
    table = tuple(table_xml.split(f'ref="{ref}"'))
    if len(table) != 3:  # the table and its autoFilter
        raise ValueError(f"prototype: the table of {title} has no ref")
    return SheetTemplate(
        title=title, part=part, head=head, views=views, between=between,
        header=sheet_data[:header_end], tail=tail,
        letters=tuple(get_column_letter(i) for i in range(1, width + 1)),
        typed=tuple(map(style_attr, cells[1])), total=tuple(map(style_attr, cells[2])),
        blank=tuple(map(style_attr, cells[3])), bold=bold.pop(),
        table_part=table_part, table=table)


def deflate(data: bytes) -> tuple[int, int, bytes]:
    """A part that is the same in every workbook, deflated once per process as openpyxl
    does (the default level)."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush()


def parse_prototype(data: bytes, specs: Sequence[SpecLike], chart_count: int,
                    chart_width: float) -> Prototype:
    """Cut the prototype openpyxl wrote: `chart_count` projects in the chart's ranges,
    `chart_width` centimetres wide; every table sheet holds the four sample rows (header,
    typed cells, the totals row with numbers, the totals row empty)."""
    with zipfile.ZipFile(BytesIO(data)) as archive_file:
        names = tuple(archive_file.namelist())
        raw = {name: archive_file.read(name) for name in names}
    archive = {name: content.decode("utf-8") for name, content in raw.items()}
    workbook = ET.fromstring(archive["xl/workbook.xml"])
    by_id = relations(archive, "xl/workbook.xml")
    sheet_parts = {s.get("name"): by_id[s.get(f"{{{REL}}}id", "")]
                   for s in workbook.iter(f"{{{MAIN}}}sheet")}
    sheets = tuple(parse_sheet(archive, spec.title, sheet_parts[spec.title], spec)
                   for spec in specs)
    date_style = next(sheet.typed[i] for sheet, spec in zip(sheets, specs, strict=True)
                      for i, column in enumerate(spec.columns) if column.kind == "date")

    core_part = "docProps/core.xml"
    core = tuple(re.split(r"(?<=>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ(?=<)", archive[core_part]))
    if len(core) != 3:
        raise ValueError("prototype: core properties without two time stamps")
    chart_part = next(n for n in names if n.startswith("xl/charts/"))
    chart = tuple(re.split(rf"\$([A-Z]+)\$2:\$\1\${chart_count + 1}(?=<)", archive[chart_part]))
    if len(chart) < 3:
        raise ValueError("prototype: the chart has no ranges")
    drawing_part = next(n for n in names
                        if n.startswith("xl/drawings/") and n.endswith(".xml"))
    drawing = tuple(archive[drawing_part].split(f'cx="{cm_to_EMU(chart_width)}"'))
    if len(drawing) != 2:
        raise ValueError("prototype: the chart's width is not in the drawing")

    varying = {core_part, chart_part, drawing_part,
               *(s.part for s in sheets), *(s.table_part for s in sheets)}
    fixed = {name: deflate(raw[name]) for name in names if name not in varying}
    return Prototype(names=names, fixed=fixed, sheets=sheets,
                     cells=tuple(RowCells.of(sheet, date_style) for sheet in sheets),
                     date_style=date_style,
                     core_part=core_part, core=core, chart_part=chart_part, chart=chart,
                     drawing_part=drawing_part, drawing=drawing)


ROWS_LEVEL = 1
"""zlib level of the parts holding a project's rows, made for every workbook: level 1
took a Kostnads- och nyttokalkyl from about 1.7 to 1.45 ms and made it about 5 % larger
(20.5 kB against 19.5 kB), as the documents' parts (`documents.fast.COMPRESS_LEVEL`)."""


# --- a sheet, rendered and deflated as the rows come ------------------------------------

class DeflatedPart:
    """A part's XML deflated as it is written; in memory, or spilled to a temporary file."""

    def __init__(self, spill: int | None) -> None:
        self.compressor = zlib.compressobj(ROWS_LEVEL, zlib.DEFLATED, -15)
        self.crc = self.size = 0
        self.out: IO[bytes] = (BytesIO() if spill is None else
                               tempfile.SpooledTemporaryFile(max_size=spill))  # noqa: SIM115

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.out.write(self.compressor.compress(data))

    def close(self) -> None:
        self.out.write(self.compressor.flush())


@functools.lru_cache(maxsize=1024)
def columns_xml(widths: tuple[int, ...]) -> str:
    return "".join(f'<col width="{number_text(w)}" customWidth="1" min="{i}" max="{i}"/>'
                   for i, w in enumerate(widths, start=1))


class SheetStream:
    """One table sheet: its head, the header row, data rows as they come, a totals row.

    The number of data rows is known before the first is written, for the <dimension>.
    """

    def __init__(self, template: SheetTemplate, widths: Sequence[int], lines: int,
                 totals: bool, date_style: str, spill: int | None) -> None:
        self.t, self.date_style, self.lines = template, date_style, lines
        self.body = DeflatedPart(spill)
        self.pending: list[str] = []
        self.row = 1  # the last row written
        self.starts = tuple(f'<c r="{letter}' for letter in template.letters)
        last = 1 + max(lines, 1) + totals
        cols = columns_xml(tuple(widths))
        self.body.write(f'{template.head}<dimension ref="A1:{template.letters[-1]}{last}"/>'
                        f"{template.views}<cols>{cols}</cols>{template.between}"
                        f"<sheetData>{template.header}")

    def append(self, rows: Sequence[str]) -> None:
        """Rows `render_rows` rendered, numbered from the next row on."""
        first = self.row + 1
        self.row += len(rows)
        self.pending.extend(map(str.replace, rows, repeat(ROW),
                                map(str, range(first, self.row + 1))))
        if len(self.pending) > FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.body.write("".join(self.pending))
            self.pending.clear()

    def finish(self, totals: Sequence[Any] | None) -> str:
        """Close the sheet; the table's ref."""
        t = self.t
        if self.row - 1 != self.lines:
            raise ValueError(f"{t.title}: {self.row - 1} rader, inte {self.lines}")
        if self.row == 1:  # the table needs one data row
            self.row = 2
            self.pending.append('<row r="2"/>')
        ref = f"A1:{t.letters[-1]}{self.row}"
        if totals is not None:
            self.row += 1
            r = str(self.row)
            cells = [f"{start}{r}" + (
                f'"{blank} t="n"/>' if value is None
                else value_tail(value, total, self.date_style, t.bold))
                for start, value, total, blank in zip(
                    self.starts, totals, t.total, t.blank, strict=True)]
            self.pending.append(f'<row r="{r}">{"".join(cells)}</row>')
        self.flush()
        self.body.write(f"</sheetData>{t.tail}")
        self.body.close()
        return ref


# --- the archive -----------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    name: str
    crc: int
    size: int
    data: bytes | IO[bytes]  # deflated


def dos_time(now: float) -> tuple[int, int]:
    t = time.localtime(now)
    return (t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2,
            (t.tm_year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday)


@functools.lru_cache(maxsize=256)
def zip_headers(name: str, crc: int, size: int, compressed: int, stamp: int, day: int
                ) -> tuple[bytes, bytes, bytes]:
    """A part's local header, its central record up to its offset, and its name: the
    same for an unchanged part all through the same two seconds."""
    encoded = name.encode("ascii")
    common = struct.pack("<HHHHHIIIH", 20, 0, zipfile.ZIP_DEFLATED, stamp, day,
                         crc, compressed, size, len(encoded))
    return (b"PK\x03\x04" + common + b"\0\0" + encoded,
            b"PK\x01\x02" + struct.pack("<H", 3 << 8 | 20) + common
            + struct.pack("<HHHHI", 0, 0, 0, 0, 0o600 << 16), encoded)


def write_archive(entries: Iterable[Entry]) -> bytes:
    """A zip of deflated parts; the sizes and CRCs are known before each part is written."""
    stamp, day = dos_time(time.time())
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        if isinstance(entry.data, bytes):
            compressed = len(entry.data)
        else:
            compressed = entry.data.seek(0, 2)
            entry.data.seek(0)
        if max(offset, entry.size, compressed) >= 0xFFFFFFFF:
            raise ValueError("Arbetsboken blir för stor (över 4 GB).")
        local, record, name = zip_headers(entry.name, entry.crc, entry.size, compressed,
                                          stamp, day)
        out.append(local)
        if isinstance(entry.data, bytes):
            out.append(entry.data)
        else:
            while chunk := entry.data.read(1 << 20):
                out.append(chunk)
        central.append(record + struct.pack("<I", offset) + name)
        offset += len(local) + compressed
    records = b"".join(central)
    out.append(records)
    out.append(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(central), len(central),
                                            len(records), offset, 0))
    return b"".join(out)


# --- a book ----------------------------------------------------------------------------

def timestamp() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def chart_range(column: str, count: int) -> str:
    """As openpyxl's Reference writes it: one cell alone, else a range."""
    return f"${column}$2" if count == 1 else f"${column}$2:${column}${count + 1}"


def render_book(prototype: Prototype, widths: Sequence[Sequence[int]],
                lines: Sequence[int], projects: Iterable[Sequence[Sequence[str]]],
                totals: Sequence[Any], count: int, chart_width: float,
                spill: int | None) -> bytes:
    """The workbook: every project's rows (one list of rows per table sheet as
    `render_rows` rendered them, in order; `lines` rows in all per sheet), the totals row
    under the first sheet, the chart over
    `count` projects. With `spill`, a sheet larger than that many bytes (deflated) waits
    in a temporary file."""
    streams = [SheetStream(t, w, n, i == 0, prototype.date_style, spill)
               for i, (t, w, n) in enumerate(zip(prototype.sheets, widths, lines, strict=True))]
    for rows in projects:
        for stream, project_lines in zip(streams, rows, strict=True):
            stream.append(project_lines)
    refs = [stream.finish(totals if i == 0 else None) for i, stream in enumerate(streams)]

    varying: dict[str, Entry] = {}
    for stream, ref in zip(streams, refs, strict=True):
        t, body = stream.t, stream.body
        varying[t.part] = Entry(t.part, body.crc, body.size, body.out)
        varying[t.table_part] = Entry(t.table_part, *prototype.deflated(
            t.table_part, ref, lambda t=t, ref=ref: f'ref="{ref}"'.join(t.table)))
    now = timestamp()
    varying[prototype.core_part] = Entry(prototype.core_part, *prototype.deflated(
        prototype.core_part, now, lambda: now.join(prototype.core)))

    def chart() -> str:
        pieces = list(prototype.chart)
        for i in range(1, len(pieces), 2):
            pieces[i] = chart_range(pieces[i], count)
        return "".join(pieces)

    varying[prototype.chart_part] = Entry(prototype.chart_part, *prototype.deflated(
        prototype.chart_part, str(count), chart))
    varying[prototype.drawing_part] = Entry(prototype.drawing_part, *prototype.deflated(
        prototype.drawing_part, repr(chart_width),
        lambda: f'cx="{cm_to_EMU(chart_width)}"'.join(prototype.drawing)))

    def entries() -> Iterator[Entry]:
        for name in prototype.names:
            entry = varying.get(name)
            if entry is None:
                entry = Entry(name, *prototype.fixed[name])
            yield entry

    return write_archive(entries())
