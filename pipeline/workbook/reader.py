"""Read a workbook's cells with their real addresses.

Every zip member is decompressed once, which also checks each one's CRC as
`ZipFile.testzip` does. The sheets the contract names are then read straight from
their XML when they hold only the plain shapes Excel, LibreOffice and openpyxl write
for typed-in values: numbers, shared and inline strings, and numbers in a date-only
format. A workbook with anything else in those sheets (a formula, a boolean, a time,
rich text with phonetic runs, the 1904 date system, a namespace prefix, ...) is read
whole by python-calamine instead, which gives formula cells their cached value; it
cannot say whether a cell holds a formula, so on that path the sheets' XML is also
scanned for formula cells without a cached value: those are reported, never trusted.
Both paths give the same cells (tests/test_new_and_check.py compares them).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import python_calamine
from defusedxml import ElementTree

from pipeline import contract
from pipeline.errors import WorkbookUnreadable

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CHECKED_SHEETS = frozenset(sheet.name for sheet in contract.SHEETS)
"""The sheets the check reads; others (Instruktioner, a user's own) are never parsed."""


@dataclass
class SheetCells:
    """One sheet: values by 1-based (row, column), as Excel numbers them."""

    name: str
    rows: list[list[Any]]
    merged: list[str] = field(default_factory=list)
    uncached_formulas: set[tuple[int, int]] = field(default_factory=set)

    def value(self, row: int, column: int) -> Any:
        if row < 1 or row > len(self.rows):
            return None
        cells = self.rows[row - 1]
        if column < 1 or column > len(cells):
            return None
        value = cells[column - 1]
        return None if value == "" else value

    @property
    def height(self) -> int:
        return len(self.rows)


@dataclass
class RawWorkbook:
    sheets: dict[str, SheetCells]


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def address(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


CELL_REF = re.compile(r"([A-Z]+)(\d+)")
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
"""An <f> element (a formula), with or without a prefix; not <formula1> of a validation."""
FORMULA_PLAIN = re.compile(rb"<f[\s>/]")
FORMULA_PREFIXED = re.compile(rb":f[\s>/]")
"""Together a fast first look for FORMULA_ELEMENT: each starts with a literal."""


def parse_address(ref: str) -> tuple[int, int]:
    m = CELL_REF.fullmatch(ref)
    if not m:
        raise ValueError(ref)
    column = 0
    for ch in m[1]:
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def read_workbook(data: bytes) -> RawWorkbook:
    """The contract's sheets: values, merged ranges and uncached formulas.

    Raises WorkbookUnreadable."""
    parts = unzip(data)
    plain = read_plain(parts)
    if plain is not None:
        return plain
    return read_with_calamine(data, parts)


def unzip(data: bytes) -> dict[str, bytes]:
    """Every member of the workbook's zip, each checked as `ZipFile.testzip` checks it."""
    if data.startswith(OLE_MAGIC):
        raise WorkbookUnreadable(
            "filen är lösenordsskyddad (krypterad) eller i det gamla .xls-formatet; "
            "spara den som en vanlig .xlsx-arbetsbok utan lösenord"
        )
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookUnreadable(
            "filen är ingen Excel-arbetsbok (.xlsx), kanske en text- eller CSV-fil "
            "med fel filändelse"
        )
    parts: dict[str, bytes] = {}
    broken = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.filelist:
                try:
                    with archive.open(info.filename, "r") as member:
                        parts[info.filename] = member.read()
                except zipfile.BadZipFile:
                    broken = info.filename
                    break
    except (zipfile.BadZipFile, EOFError) as exc:
        raise WorkbookUnreadable("filen är skadad eller ofullständig (avbruten kopiering?)") \
            from exc
    if broken:
        raise WorkbookUnreadable(f"filen är skadad ({broken} går inte att läsa)")
    return parts


def read_with_calamine(data: bytes, parts: dict[str, bytes]) -> RawWorkbook:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {name: read_sheet(book, name) for name in book.sheet_names
                  if name in CHECKED_SHEETS}
    except Exception as exc:  # calamine raises its own, undocumented error types
        raise WorkbookUnreadable(f"filen kan inte läsas som en Excel-arbetsbok ({exc})") from exc
    for name, cells in find_uncached_formulas(parts, sheets.keys()).items():
        sheets[name].uncached_formulas = cells
    return RawWorkbook(sheets)


def read_sheet(book: python_calamine.CalamineWorkbook, name: str) -> SheetCells:
    sheet = book.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=False) if sheet.start is not None else []
    merged = [f"{address(r1 + 1, c1 + 1)}:{address(r2 + 1, c2 + 1)}"
              for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    return SheetCells(name, rows, merged)


def has_formula(xml: bytes) -> bool:
    return bool((FORMULA_PLAIN.search(xml) or FORMULA_PREFIXED.search(xml))
                and FORMULA_ELEMENT.search(xml))


def find_uncached_formulas(parts: dict[str, bytes], names: Any = None
                           ) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name (of `names`, or all), the cells holding a formula whose result was
    never saved."""
    found: dict[str, set[tuple[int, int]]] = {}
    for name, part in sheet_parts(parts).items():
        if names is not None and name not in names:
            continue
        xml = parts.get(part)
        if xml is None or not has_formula(xml):
            continue
        cells = set()
        for _, element in ElementTree.iterparse(io.BytesIO(xml)):
            if element.tag == f"{NS_MAIN}c":
                formula = element.find(f"{NS_MAIN}f")
                cached = element.find(f"{NS_MAIN}v")
                if formula is not None and (cached is None or not (cached.text or "")):
                    cells.add(parse_address(element.get("r", "")))
                element.clear()
        if cells:
            found[name] = cells
    return found


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{NS_PKG_REL}Relationship")}
    names = {}
    for sheet in book.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{NS_REL}id"), "")
        names[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") \
            else f"xl/{target}"
    return names


# The plain reader. Anything it does not know raises NotPlain, and python-calamine
# reads the workbook instead: a shape added here needs a case in the comparison test.

class NotPlain(Exception):
    """The workbook holds something the plain reader leaves to python-calamine."""


ROOT = re.compile(rb"(?:\xef\xbb\xbf)?(?:<\?xml ([^>]*)\?>\s*)?<worksheet[\s>]")
UTF8 = re.compile(rb"""encoding=["']utf-8["']""", re.IGNORECASE)
CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: s="([0-9]{1,6})")?'
                  rb'(?: t="(n|s|inlineStr)")?>(?:<v>([^<]*)</v>'
                  rb'|(<is>)<t(?: xml:space="preserve")?>([^<]*)</t></is>)')
"""A cell with a value: column, row, format, type, then <v> text or (<is>, text)."""
FORMULA_START = re.compile(rb"<f")
NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})'
                   rb'([1-9][0-9]{0,6})"\s*/>')
TEXT = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')
ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));")
ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
NUMBER_FORMAT = re.compile(rb'<numFmt numFmtId="([0-9]+)" formatCode="([^"]*)"\s*/>')
XF = re.compile(rb"<xf\b([^>]*)>")
XF_FORMAT = re.compile(rb'\bnumFmtId="([0-9]+)"')
NUMBER_CODE = re.compile(r'(?:[0#?,.% ]|"[^"]*")+|General')
DATE_CODE = re.compile(r"[dmy]+(?:\\?[-/. ][dmy]+)*(?:;@)?", re.IGNORECASE)
NUMBER_FORMAT_IDS = frozenset({0, 1, 2, 3, 4, 9, 10, 11})
DATE_FORMAT_IDS = frozenset({14, 15, 16, 17})  # date only: no time of day
AS_NUMBER, AS_DATE = 0, 1
EXCEL_EPOCH = date(1899, 12, 30)
FIRST_TRUE_DAY, LAST_DAY = 61, 2958465  # 1900-03-01 (after Excel's 29 Feb 1900), 9999-12-31
COLUMNS: dict[bytes, int] = {}
TEXTS: dict[bytes, str] = {}
"""Texts met before: labels, choices and checklist items come back in every workbook."""
TEXTS_MAX = 50_000


def read_plain(parts: dict[str, bytes]) -> RawWorkbook | None:
    """The contract's sheets read from their XML, or None: calamine's work."""
    try:
        book = parts["xl/workbook.xml"]
        if b"date1904" in book:
            return None
        reader = PlainReader(parts)
        sheets = {name: reader.sheet(name, parts[part])
                  for name, part in sheet_parts(parts).items() if name in CHECKED_SHEETS}
    except (NotPlain, KeyError, IndexError, ValueError, ElementTree.ParseError):
        return None
    return RawWorkbook(sheets)


class PlainReader:
    """Shared strings and cell formats of one workbook, parsed when first needed."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self.parts = parts
        self._strings: list[str] | None = None
        self._formats: list[int] | None = None

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = shared_strings(self.parts["xl/sharedStrings.xml"])
        return self._strings

    @property
    def formats(self) -> list[int]:
        if self._formats is None:
            self._formats = cell_formats(self.parts["xl/styles.xml"])
        return self._formats

    def sheet(self, name: str, xml: bytes) -> SheetCells:
        root = ROOT.match(xml)
        if root is None or (root[1] and b"encoding" in root[1] and not UTF8.search(root[1])):
            raise NotPlain
        if not xml[-200:].rstrip().endswith(b"</worksheet>"):
            raise NotPlain
        start = xml.find(b"<sheetData>", root.end())
        if start < 0:
            if b"<sheetData/>" not in xml:
                raise NotPlain
            return SheetCells(name, [], merged_ranges(xml, 0))
        end = xml.rfind(b"</sheetData>", start)
        if end < 0:
            raise NotPlain
        # Every <v>…</v>, <is>…</is> and <f holds its letter: each ends at most 3 bytes
        # after the last v, i or f. Empty formatted cells (often hundreds of rows) hold
        # none of the three, and memrchr finds the last of each fast.
        used = min(end, max(xml.rfind(b"v", start, end), xml.rfind(b"i", start, end),
                            xml.rfind(b"f", start, end)) + 4)
        if FORMULA_START.search(xml, start, used):
            raise NotPlain
        cells: list[tuple[int, int, Any]] = []
        add = cells.append
        height = width = values = inline = 0
        formats: list[int] | None = None
        for letters, digits, style, kind, text, is_inline, inline_text in CELL.findall(
                xml, start, used):
            if is_inline:
                if kind != b"inlineStr":
                    raise NotPlain
                value: Any = TEXTS.get(inline_text) or xml_text(inline_text)
                inline += 1
            elif kind == b"s":
                value = self.strings[int(text)]
                values += 1
            elif kind == b"inlineStr" or NUMBER.fullmatch(text) is None:
                raise NotPlain
            else:
                value = float(text)
                if formats is None:
                    formats = self.formats
                if formats[int(style) if style else 0] != AS_NUMBER:
                    value = as_date(value, formats[int(style) if style else 0])
                values += 1
            row, column = int(digits), COLUMNS.get(letters) or column_number(letters)
            height, width = (row if row > height else height), (column if column > width else width)
            add((row, column, value))
        # Each <v and <is of the sheet must be one just read: any other shape is calamine's.
        if values != xml.count(b"<v", start, used) or inline != xml.count(b"<is", start, used):
            raise NotPlain
        rows: list[list[Any]] = [[""] * width for _ in range(height)]
        for row, column, value in cells:
            rows[row - 1][column - 1] = value
        return SheetCells(name, rows, merged_ranges(xml, end))


def as_date(number: float, kind: int) -> date:
    """A number in a date-only format: python-calamine's date for whole days."""
    if kind != AS_DATE or not number.is_integer() or not FIRST_TRUE_DAY <= number <= LAST_DAY:
        raise NotPlain
    return EXCEL_EPOCH + timedelta(days=int(number))


def column_number(letters: bytes) -> int:
    number = COLUMNS.get(letters)
    if number is None:
        number = 0
        for ch in letters:
            number = number * 26 + ch - 64
        COLUMNS[letters] = number
    return number


def merged_ranges(xml: bytes, start: int) -> list[str]:
    ranges = []
    for c1, r1, c2, r2 in MERGE.findall(xml, start):
        if column_number(c1) > column_number(c2) or int(r1) > int(r2):
            raise NotPlain
        ranges.append(f"{c1.decode()}{int(r1)}:{c2.decode()}{int(r2)}")
    if len(ranges) != xml.count(b"<mergeCell ", start):
        raise NotPlain
    return ranges


def xml_text(raw: bytes) -> str:
    """An element's text: UTF-8 with XML's five entities and character references."""
    text = TEXTS.get(raw)
    if text is None:
        if len(TEXTS) >= TEXTS_MAX:
            TEXTS.clear()
        text = TEXTS[raw] = unescape(raw)
    return text


def unescape(raw: bytes) -> str:
    if b"\r" in raw or b"_x" in raw:  # raw line ends; Excel's _xHHHH_ escapes
        raise NotPlain
    text = raw.decode("utf-8")
    if "&" in text:
        text, count = ENTITY.subn(entity, text)
        if count != raw.count(b"&"):
            raise NotPlain
    return text


def entity(match: re.Match[str]) -> str:
    if match[1]:
        return ENTITIES[match[1]]
    code = int(match[2]) if match[2] else int(match[3], 16)
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF):
        raise NotPlain
    return chr(code)


def shared_strings(xml: bytes) -> list[str]:
    items = xml.split(b"<si>")[1:]
    if len(items) != xml.count(b"<si"):
        raise NotPlain
    strings = []
    for item in items:
        item = item[: item.find(b"</si>")]
        texts = TEXT.findall(item)
        if len(texts) != item.count(b"<t") or b"<rPh" in item or b"<phoneticPr" in item:
            raise NotPlain
        if not (len(texts) == 1 and item.startswith(b"<t")) and not item.startswith(b"<r>"):
            raise NotPlain
        strings.append("".join(xml_text(text) for text in texts))
    return strings


def cell_formats(xml: bytes) -> list[int]:
    """Per cell format (the s of a cell): AS_NUMBER or AS_DATE; NotPlain for any other."""
    codes = {int(number): code.decode() for number, code in NUMBER_FORMAT.findall(xml)}
    if len(codes) != xml.count(b"<numFmt "):
        raise NotPlain
    start = xml.find(b"<cellXfs")
    end = xml.find(b"</cellXfs>", start)
    if start < 0 or end < 0:
        raise NotPlain
    kinds = []
    for attributes in XF.findall(xml, start, end):
        number = XF_FORMAT.search(attributes)
        kinds.append(format_kind(int(number[1]) if number else 0, codes))
    return kinds


def format_kind(number: int, codes: dict[int, str]) -> int:
    code = codes.get(number)
    if code is None:
        if number in NUMBER_FORMAT_IDS:
            return AS_NUMBER
        if number in DATE_FORMAT_IDS:
            return AS_DATE
        return -1
    if number < 164:
        return -1
    code = xml_text(code.encode())
    if NUMBER_CODE.fullmatch(code):
        return AS_NUMBER
    if DATE_CODE.fullmatch(code):
        return AS_DATE
    return -1


def read_path(path: Path) -> bytes:
    """The workbook's bytes, read once: a file saved while we run is read whole or not at all."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookUnreadable(f"filen kan inte öppnas ({exc.strerror})") from exc
