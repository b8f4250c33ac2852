"""Read a workbook's cells with their real addresses.

zipfile reads every member once, checking its CRC, within bounds on what a workbook may
unpack to (`MAX_MEMBERS`, `MAX_UNPACKED_BYTES`). python-calamine then reads the values of
the sheets the contract names (it gives formula cells their cached value; its zip reader
refuses a member that unpacks to more than the size the zip declares, and those sizes
are within the bounds). It cannot say whether a cell holds a formula, and it reads an
error value (#REF!, #DIV/0!) as an empty string, so the sheets' XML is searched for
formula cells without a cached value and for error values: those are reported, never
trusted.
"""

from __future__ import annotations

import errno
import io
import re
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import python_calamine
from defusedxml import DefusedXmlException, ElementTree

from pipeline import contract
from pipeline.errors import WorkbookUnreadable, os_reason

MAX_MEMBERS = 4096
"""Members (files inside the zip) a workbook may hold. One from `new` has 21; pictures,
comments and charts add a few each, so a project workbook stays far below this."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Bytes all members together may unpack to. A filled project workbook unpacks to a few
hundred kB, with pictures a few MB. A small zip can unpack to gigabytes: such a file is
refused before it fills the memory, and nothing is decompressed beyond this bound."""
READ_CHUNK = 1024 * 1024
"""Bytes decompressed per read of a member: the most held beyond what the bound allows."""

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PACKAGE_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
"""The only ways an Office Open XML package may compress a member (ECMA-376 part 2)."""
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CHECKED_SHEETS = frozenset(sheet.name for sheet in contract.SHEETS)
"""The sheets the check reads; others (Instruktioner, a user's own) are never parsed."""
BROKEN = "filen är skadad eller ofullständig (avbruten kopiering?)"


class WorkbookTooLarge(WorkbookUnreadable):
    """The workbook holds more than MAX_MEMBERS members or unpacks to more than
    MAX_UNPACKED_BYTES."""


@dataclass(frozen=True)
class CellError:
    """An error value the cell shows (#REF!, #DIV/0!, #N/A ...), typed or a formula's
    result; it stands in the sheet's rows where calamine gives an empty string."""

    text: str

    def __str__(self) -> str:
        return self.text


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


@dataclass
class RawWorkbook:
    sheets: dict[str, SheetCells]
    names: list[str] = field(default_factory=list)
    """Every sheet's name, in the workbook's order (read or not): a renamed sheet is
    recognised among them."""


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
ERROR_CELL = re.compile(rb"\st=[\"']e[\"']")
"""A cell of type `e`: it holds an error value."""


def parse_address(ref: str) -> tuple[int, int]:
    m = CELL_REF.fullmatch(ref)
    if not m:
        raise ValueError(ref)
    column = 0
    for ch in m[1]:
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def read_workbook(data: bytes, names: Collection[str] = CHECKED_SHEETS) -> RawWorkbook:
    """The contract's sheets (or those named): values, merged ranges and uncached formulas.

    Raises WorkbookUnreadable (WorkbookTooLarge when it would unpack to too much)."""
    parts = unzip(data)
    sheets, every_name = read_with_calamine(data, names)
    try:
        unread = find_unread_cells(parts, sheets.keys())
    except (KeyError, ValueError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise WorkbookUnreadable(f"filen kan inte läsas som en Excel-arbetsbok ({exc})") from exc
    for name, (uncached, errors) in unread.items():
        sheets[name].uncached_formulas = uncached
        put_errors(sheets[name], errors)
    return RawWorkbook(sheets, every_name)


def put_errors(sheet: SheetCells, errors: dict[tuple[int, int], str]) -> None:
    """Each error value in the sheet's rows as a CellError, where calamine left ''."""
    for (row, column), text in errors.items():
        if row <= len(sheet.rows) and column <= len(sheet.rows[row - 1]):
            sheet.rows[row - 1][column - 1] = CellError(text)


def unzip(data: bytes) -> dict[str, bytes]:
    """Every member of the workbook's zip by name, CRC-checked, within the bounds."""
    refuse_other_formats(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError) as exc:
        raise WorkbookUnreadable(BROKEN) from exc
    with archive:
        members = archive.infolist()
        refuse_too_large(members)
        parts: dict[str, bytes] = {}
        left = MAX_UNPACKED_BYTES
        for info in members:
            content = read_member(archive, info, left)
            left -= len(content)
            parts[info.filename] = content
    return parts


def refuse_other_formats(data: bytes) -> None:
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


def refuse_too_large(members: list[zipfile.ZipInfo]) -> None:
    """Raises WorkbookTooLarge when the members, by what the zip says of them, are too
    many or too big (read_member bounds what they really unpack to)."""
    if len(members) > MAX_MEMBERS:
        raise WorkbookTooLarge(
            f"den består av {swedish_number(len(members))} delar, och gränsen är "
            f"{swedish_number(MAX_MEMBERS)}")
    if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES:
        raise too_large()


def too_large() -> WorkbookTooLarge:
    return WorkbookTooLarge(
        f"uppackad blir den större än {MAX_UNPACKED_BYTES // 2**20} MB, som är gränsen. "
        "Ta bort stora bilder och inbäddade filer, eller dela upp den")


def swedish_number(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, at_most: int) -> bytes:
    """The member's content, its CRC checked by zipfile. Decompressed a chunk at a time:
    WorkbookTooLarge as soon as it holds more than `at_most` bytes, whatever its size in
    the zip claims."""
    broken = WorkbookUnreadable(f"filen är skadad ({info.filename} går inte att läsa)")
    if info.compress_type not in PACKAGE_COMPRESSIONS:
        raise broken
    chunks, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                size += len(chunk)
                if size > at_most:
                    raise too_large()
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError) as exc:
        raise broken from exc  # a wrong CRC or local header, bad data, an encrypted member
    return b"".join(chunks)


def read_with_calamine(data: bytes, names: Collection[str] = CHECKED_SHEETS
                       ) -> tuple[dict[str, SheetCells], list[str]]:
    """The named sheets' values and merged ranges, as calamine reads them, and the names
    of all sheets."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        every_name = list(book.sheet_names)
        return ({name: read_sheet(book, name) for name in every_name if name in names},
                every_name)
    except Exception as exc:  # CalamineError, and for some broken XML others of calamine's
        raise WorkbookUnreadable(f"filen kan inte läsas som en Excel-arbetsbok ({exc})") from exc


def read_sheet(book: python_calamine.CalamineWorkbook, name: str) -> SheetCells:
    sheet = book.get_sheet_by_name(name)
    rows = sheet.to_python(skip_empty_area=False) if sheet.start is not None else []
    merged = [f"{address(r1 + 1, c1 + 1)}:{address(r2 + 1, c2 + 1)}"
              for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
    return SheetCells(name, rows, merged)


UnreadCells = tuple[set[tuple[int, int]], dict[tuple[int, int], str]]
"""A sheet's formula cells without a saved result, and its error values by cell."""


def find_unread_cells(parts: dict[str, bytes], names: Collection[str]
                      ) -> dict[str, UnreadCells]:
    """Per sheet name of `names`, the cells holding a formula whose result was never
    saved, and those showing an error value (#REF!)."""
    found: dict[str, UnreadCells] = {}
    for name, part in sheet_parts(parts).items():
        xml = parts.get(part, b"")
        if name not in names or not (
                FORMULA_ELEMENT.search(xml) or ERROR_CELL.search(xml)):
            continue
        uncached, errors = set(), {}
        for _, element in ElementTree.iterparse(io.BytesIO(xml)):
            if element.tag == f"{NS_MAIN}c":
                formula = element.find(f"{NS_MAIN}f")
                cached = element.find(f"{NS_MAIN}v")
                text = "" if cached is None else (cached.text or "")
                if formula is not None and not text:
                    uncached.add(parse_address(element.get("r", "")))
                elif element.get("t") == "e" and text:
                    errors[parse_address(element.get("r", ""))] = text
                element.clear()
        if uncached or errors:
            found[name] = uncached, errors
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
        reason = ("den är en länk till en fil som inte finns"
                  if exc.errno == errno.ENOENT and path.is_symlink() else os_reason(exc))
        raise WorkbookUnreadable(f"filen kan inte öppnas ({reason})") from exc
