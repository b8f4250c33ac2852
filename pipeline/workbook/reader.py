"""Read a workbook's cells with their real addresses.

Every zip member is decompressed once, which also checks each one's CRC as
`ZipFile.testzip` does. python-calamine then reads the values of the sheets the contract
names (fast, and it gives formula cells their cached value). It cannot say whether a cell
holds a formula, so the members are scanned for formula elements and, where there are
any, those sheets' XML for formula cells without a cached value: those are reported,
never trusted.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
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


@cache
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
FORMULA_NAME_END = re.compile(rb"f[\s>/]")
"""A fast first look for FORMULA_ELEMENT (it starts with a literal): where one matches,
this matches at its f, right after a < or a :."""


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
    trimmed = without_blank_tails(parts)
    if trimmed is not None:
        with contextlib.suppress(WorkbookUnreadable):  # then as the file is, for the message
            return read_with_calamine(trimmed, parts)
    return read_with_calamine(data, parts)


SHEET_DATA, SHEET_DATA_END, ROW_END = b"<sheetData>", b"</sheetData>", b"</row>"
VALUE_LETTERS = (b"v", b"f", b"i")
"""Every element of a sheet that holds a cell's value has one of these letters in its
name: <v> (a value, a shared string's number), <f> (a formula), <is> (an inline string).
Rows, empty cells and their attributes as Excel, LibreOffice and openpyxl write them
(`<row r="60" spans="1:15">`, `<c r="A60" s="4"/>`) have none."""
WORTH_TRIMMING = 32 * 1024
"""Bytes of blank rows below which the workbook goes to calamine as it is (trimming
rewrites the zip, about 0.4 ms)."""


def without_blank_tails(parts: dict[str, bytes]) -> bytes | None:
    """The workbook as an uncompressed zip whose worksheets end at their last row that can
    hold a value; None when that would leave out too little to be worth it.

    A blank workbook from `new` has 200 formatted input rows per table: about 15,000
    empty styled cells, most of what calamine parsed, and of its time. What is left out
    is only rows after the last letter v, f or i of the sheet's data (`VALUE_LETTERS`):
    rows that cannot hold a value, so the values calamine gives and their addresses are
    the same."""
    trimmed = dict(parts)
    removed = 0
    for name, xml in parts.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            trimmed[name] = without_blank_tail(xml)
            removed += len(xml) - len(trimmed[name])
    if removed < WORTH_TRIMMING:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in trimmed.items():
            archive.writestr(name, content)
    return out.getvalue()


def without_blank_tail(xml: bytes) -> bytes:
    """A worksheet's XML without the rows after the last one that can hold a value (the
    XML as it is where its sheet data is not written as `without_blank_tails` expects)."""
    start = xml.find(SHEET_DATA)
    end = xml.rfind(SHEET_DATA_END)
    if start < 0 or end < start:
        return xml
    start += len(SHEET_DATA)
    last = max(xml.rfind(letter, start, end) for letter in VALUE_LETTERS)
    if last < 0:
        return xml[:start] + xml[end:]
    cut = xml.find(ROW_END, last, end)
    if cut < 0:
        return xml
    return xml[:cut + len(ROW_END)] + xml[end:]


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
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [archive.getinfo(info.filename) for info in archive.filelist]
    except (zipfile.BadZipFile, EOFError) as exc:
        raise WorkbookUnreadable(BROKEN) from exc
    parts: dict[str, bytes] = {}
    for info in members:
        content = sound_member(data, info)
        if content is None:
            return unzip_member_by_member(data)
        parts[info.filename] = content
    return parts


BROKEN = "filen är skadad eller ofullständig (avbruten kopiering?)"
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
"""A member's local file header, as zipfile reads it (zipfile.structFileHeader)."""
UNSUPPORTED_FLAGS = 0x1 | 0x20 | 0x40
"""Encrypted, compressed patched data, strong encryption: left to zipfile to refuse."""
UTF8_NAME = 0x800


def sound_member(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The member's content if it is stored or deflated, whole and of the right CRC; None
    for anything else, which `unzip_member_by_member` then reads (and names) as before.

    One slice and one `zlib.decompress` per member, without zipfile's file objects."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
            or info.flag_bits & UNSUPPORTED_FLAGS:
        return None
    start = info.header_offset
    header = data[start:start + LOCAL_HEADER.size]
    if len(header) != LOCAL_HEADER.size:
        return None
    signature, _, _, flags, _, _, _, _, _, _, name_length, extra_length = \
        LOCAL_HEADER.unpack(header)
    name_start = start + LOCAL_HEADER.size
    begin = name_start + name_length + extra_length
    raw = data[begin:begin + info.compress_size]
    if signature != ZIP_MAGIC or len(raw) != info.compress_size:
        return None
    try:
        name = data[name_start:name_start + name_length].decode(
            "utf-8" if flags & UTF8_NAME else "cp437")
        content = zlib.decompress(raw, -15) if info.compress_type == zipfile.ZIP_DEFLATED \
            else raw
    except (UnicodeDecodeError, zlib.error):
        return None
    if name != info.orig_filename or len(content) != info.file_size \
            or zlib.crc32(content) != info.CRC:
        return None
    return content


def unzip_member_by_member(data: bytes) -> dict[str, bytes]:
    """zipfile's own reading of every member, for a zip `sound_member` does not vouch for:
    it says which member is broken, or how."""
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
        raise WorkbookUnreadable(BROKEN) from exc
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
    for match in FORMULA_NAME_END.finditer(xml):
        at = match.start()
        if at and xml[at - 1] in b"<:":
            return FORMULA_ELEMENT.search(xml) is not None
    return False


def find_uncached_formulas(parts: dict[str, bytes], names: Any = None
                           ) -> dict[str, set[tuple[int, int]]]:
    """Per sheet name (of `names`, or all), the cells holding a formula whose result was
    never saved."""
    with_formulas = {member for member, xml in parts.items() if has_formula(xml)}
    if not with_formulas:
        return {}  # the usual case: no need to read which member is which sheet
    found: dict[str, set[tuple[int, int]]] = {}
    for name, part in sheet_parts(parts).items():
        if (names is not None and name not in names) or part not in with_formulas:
            continue
        xml = parts[part]
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


def read_path(path: Path) -> bytes:
    """The workbook's bytes, read once: a file saved while we run is read whole or not at all."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookUnreadable(f"filen kan inte öppnas ({exc.strerror})") from exc
