"""Cells -> Project + findings, by the contract: labels and headers found by text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from pipeline import catalogue, contract
from pipeline.contract import CONTRACT_VERSION, Field, Kind, Need, Sheet
from pipeline.findings import Finding, Severity
from pipeline.model import DOCUMENTS, DocKind, phase_by_name
from pipeline.project import MODELS, Project, attribute, empty_project
from pipeline.settings import DEFAULTS, Settings
from pipeline.workbook.coerce import (
    NUMBER_KINDS,
    ValueProblem,
    ambiguous_number,
    as_typed,
    converter,
    is_blank,
    normalise_label,
    text_date,
)
from pipeline.workbook.guess import probable
from pipeline.workbook.reader import CellError, RawWorkbook, SheetCells, address, column_letter

HEADER_SEARCH_ROWS = 50


@cache
def documents_in_phase(phase: int) -> tuple[DocKind, ...]:
    return tuple(d.kind for d in DOCUMENTS if d.from_phase <= phase)


Note = Callable[[Sheet, Field, str, str], Finding | None]
"""How a value read from text may be misread: (sheet, field, cell, text) -> a warning."""
ColumnPlan = tuple[Field, str, bool, Callable[[Any], Any], Note | None]
"""A table field as the row loop needs it: field, key, required, converter, note."""


SheetPlan = tuple[dict[str, str], frozenset[str], tuple[ColumnPlan, ...]]


@cache
def sheet_plan(sheet: Sheet) -> SheetPlan:
    """Worked out once per process from the contract: the sheet's normalised column labels
    (-> key), its required keys, and per field what reading a cell needs."""
    wanted = {normalise_label(f.label): f.key for f in sheet.fields}
    required = frozenset(f.key for f in sheet.fields if f.required)
    columns = tuple((f, f.key, f.required, converter(f), note_for(f)) for f in sheet.fields)
    return wanted, required, columns


def note_for(field: Field) -> Note | None:
    """The warning a field's value read from text may need (dates and numbers)."""
    if field.kind is Kind.DATE:
        return date_note
    return number_note if field.kind in NUMBER_KINDS else None


def date_note(sheet: Sheet, field: Field, cell: str, text: str) -> Finding:
    """Every date read from text is reported with the date it was read as; one whose day
    and month could be swapped says so."""
    from pipeline.formatting import long_day

    day, swapped = text_date(text)
    fields = {"label": field.label, "value": shown(text), "reading": long_day(day),
              "iso": day.isoformat(), "sheet": sheet.name, "cell": cell}
    if swapped is not None:
        return catalogue.AMBIGUOUS_DATE(other=long_day(swapped), **fields)
    return catalogue.DATE_FROM_TEXT(**fields)


def number_note(sheet: Sheet, field: Field, cell: str, text: str) -> Finding | None:
    """`12.000` and `12,000` are read as 12 000, with a warning naming both readings."""
    readings = ambiguous_number(text)
    if readings is None:
        return None
    from pipeline.formatting import number

    reading, other = readings
    return catalogue.AMBIGUOUS_NUMBER(label=field.label, value=shown(text),
                                      reading=number(reading), other=number(other),
                                      sheet=sheet.name, cell=cell)


def parse_project(raw: RawWorkbook, source: str, settings: Settings = DEFAULTS
                  ) -> tuple[Project, list[Finding]]:
    """The project the workbook describes, and every problem found on the way (Förvaltning
    read against the organisation's departments)."""
    findings: list[Finding] = []
    values: dict[str, Any] = {}
    cells: dict[str, dict[str, str]] = {}

    projekt = raw.sheets.get(contract.PROJEKT.name)
    if projekt is None:
        findings.append(missing_sheet(contract.PROJEKT, documents_in_phase(4)))
        return empty_project(source), findings
    version = label_value(projekt, "Mallversion")
    if version is not None and normalise_label(version) not in (CONTRACT_VERSION, "1.0"):
        findings.append(catalogue.CONTRACT_VERSION(
            version=version, expected=CONTRACT_VERSION, sheet=contract.PROJEKT.name,
            value=str(version), blocks=tuple(str(kind) for kind in documents_in_phase(4))))
        return empty_project(source), findings

    phase_cell = label_value(projekt, "Aktuell fas")
    phase = phase_by_name(str(phase_cell).strip()) if phase_cell else None
    produced = documents_in_phase(phase.number if phase else 1)
    # An unknown phase holds back every document the workbook may ask for (documents.plan
    # plans them all), so that none of them is taken for one it no longer asks for.
    unknown_phase = {} if phase else {"aktuell_fas": tuple(str(d.kind) for d in DOCUMENTS)}
    renamed = renamed_sheets(raw)

    for sheet in contract.sheets_for(settings.departments):
        cells_of_sheet = raw.sheets.get(sheet.name)
        if cells_of_sheet is None:
            findings.append(missing_sheet(sheet, produced, renamed.get(sheet.name)))
            values[attribute(sheet)] = [] if sheet.table else MODELS[sheet.name]()
            continue
        findings.extend(merged_cell_findings(cells_of_sheet))
        if sheet.table:
            rows, where, found = parse_table(sheet, cells_of_sheet, produced)
            values[attribute(sheet)] = rows
        else:
            row_values, where, found = parse_key_values(
                sheet, cells_of_sheet, produced,
                unknown_phase if sheet.name == contract.PROJEKT.name else {})
            values[attribute(sheet)] = MODELS[sheet.name](**row_values)
        cells[sheet.name] = where
        findings.extend(found)
    unread = frozenset(f.location for f in findings if f.code in UNREAD_CODES)
    return Project(source=source, cells=cells, unread=unread, **values), findings


UNREAD_CODES = frozenset((catalogue.INVALID_VALUE.code, catalogue.FORMULA_WITHOUT_VALUE.code,
                          catalogue.ERROR_VALUE.code))
"""Findings about a cell whose value could not be read: the value is None in the project,
and no rule reports it missing as well."""


def renamed_sheets(raw: RawWorkbook) -> dict[str, str]:
    """Missing contract sheet -> the workbook's sheet it probably is (`Nytta` -> `Nyttor`),
    each of the workbook's other sheets named for one at most."""
    others = [n for n in raw.names
              if n not in contract.SHEETS_BY_NAME and n != contract.INSTRUCTIONS_SHEET]
    found: dict[str, str] = {}
    for sheet in contract.SHEETS:
        if sheet.name not in raw.sheets and others:
            guess = probable(sheet.name, others)
            if guess is not None:
                found[sheet.name] = guess
                others.remove(guess)
    return found


def missing_sheet(sheet: Sheet, produced: tuple[DocKind, ...], renamed: str | None = None
                  ) -> Finding:
    blocks = (produced if sheet.name == contract.PROJEKT.name
              else blocked_by(sheet, None, produced))
    if renamed is not None:
        guess, remedy = (f" Bladet '{renamed}' är troligen det{how_renamed(sheet, renamed)}.",
                         f"Byt tillbaka namnet till '{sheet.name}'.")
    else:
        guess, remedy = "", ("Lägg tillbaka det (kopiera det från en ny, tom arbetsbok) utan "
                             "att byta namn på det.")
    return catalogue.SHEET_MISSING(sheet=sheet.name, guess=guess, remedy=remedy,
                                   value=renamed, blocks=tuple(str(b) for b in blocks))


def how_renamed(sheet: Sheet, renamed: str) -> str:
    """What a person cannot see in a sheet's tab: spaces around its name, or its case."""
    if renamed.strip() != renamed and renamed.strip().casefold() == sheet.name.casefold():
        return "; namnet har mellanslag före eller efter"
    if renamed.casefold() == sheet.name.casefold():
        return "; namnet ska ha samma stora och små bokstäver"
    return ""


def blocked_by(sheet: Sheet, row: int | None, produced: tuple[DocKind, ...]) -> tuple[str, ...]:
    """Documents a broken required value of this sheet (row) keeps from being produced."""
    if sheet.per_row is not None:
        if sheet.per_row not in produced:
            return ()
        return (document_id(sheet.per_row, row),)
    return tuple(str(kind) for kind in sheet.feeds if kind in produced)


def document_id(kind: DocKind, row: int | None = None) -> str:
    """A document's id: its kind, and for per-row documents the Excel row."""
    return str(kind) if row is None else f"{kind}:{row}"


def label_value(sheet: SheetCells, label: str) -> Any:
    wanted = normalise_label(label)
    for row, line in enumerate(sheet.rows, 1):
        if (normalise_label(line[0]) if line else "") == wanted:
            return sheet.value(row, 2)
    return None


def merged_cell_findings(sheet: SheetCells) -> Iterator[Finding]:
    for cell_range in sheet.merged:
        yield catalogue.MERGED_CELLS(cells=cell_range, sheet=sheet.name,
                                     cell=cell_range.split(":")[0])


def parse_key_values(
    sheet: Sheet, cells: SheetCells, produced: tuple[DocKind, ...],
    more_blocks: dict[str, tuple[str, ...]] | None = None,
) -> tuple[dict[str, Any], dict[str, str], list[Finding]]:
    """The sheet's values by key, their cells, and the findings; more_blocks: key ->
    documents a problem with that field holds back besides its own."""
    rows_by_label: dict[str, int] = {}
    for row, line in enumerate(cells.rows, 1):
        label = normalise_label(line[0]) if line else ""
        if label:
            rows_by_label.setdefault(label, row)
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    findings: list[Finding] = []
    missing: list[tuple[Field, tuple[str, ...]]] = []
    for (field, key, _, convert, note), blocks in zip(
            sheet_plan(sheet)[2], blocks_of_fields(sheet, produced), strict=True):
        if more_blocks and key in more_blocks:
            blocks = tuple(dict.fromkeys(blocks + more_blocks[key]))
        row = rows_by_label.get(normalise_label(field.label))
        if row is None:
            missing.append((field, blocks))
            continue
        where[key] = address(row, 2)
        values[key], found = read_cell(sheet, field, convert, cells.value(row, 2), where[key],
                                       (row, 2) in cells.uncached_formulas, blocks,
                                       bool(blocks), note)
        findings.extend(found)
    findings.extend(missing_labels(sheet, cells, rows_by_label, missing))
    return values, where, findings


def missing_labels(sheet: Sheet, cells: SheetCells, rows_by_label: dict[str, int],
                   missing: list[tuple[Field, tuple[str, ...]]]) -> Iterator[Finding]:
    """A finding per missing label, naming the label in column A it probably is."""
    if not missing:
        return
    wanted = sheet_plan(sheet)[0]
    others = {cells.value(row, 1): row for label, row in rows_by_label.items()
              if label not in wanted}
    for field, blocks in missing:
        renamed = probable(field.label, [str(o) for o in others])
        row = next((r for o, r in others.items() if str(o) == renamed), None)
        if renamed is not None:
            others = {o: r for o, r in others.items() if str(o) != renamed}
        yield catalogue.LABEL_MISSING(
            label=field.label, sheet=sheet.name, blocks=blocks,
            cell=None if row is None else address(row, 1),
            guess="" if row is None else f" Raden '{renamed}' är troligen den.",
            severity=Severity.ERROR if blocks else Severity.WARNING)


@cache
def blocks_of_fields(sheet: Sheet, produced: tuple[DocKind, ...]) -> tuple[tuple[str, ...], ...]:
    """`field_blocks` of each of the sheet's fields, worked out once per process."""
    return tuple(field_blocks(field, produced) for field in sheet.fields)


def field_blocks(field: Field, produced: tuple[DocKind, ...]) -> tuple[str, ...]:
    if field.need is Need.ALWAYS:
        return tuple(str(k) for k in produced)
    if isinstance(field.need, DocKind) and field.need in produced:
        return (str(field.need),)
    return ()


def read_cell(
    sheet: Sheet, field: Field, convert: Callable[[Any], Any], raw: Any, cell: str,
    uncached: bool, blocks: tuple[str, ...], required: bool, note: Note | None = None,
) -> tuple[Any, list[Finding]]:
    """One cell's value as its field's type (by `convert`, the field's converter), with the
    findings it gives rise to; blocks: what a problem with it holds back; required: a blank
    is a finding."""
    if uncached:
        return None, [uncached_formula(sheet, field, cell, blocks)]
    if raw.__class__ is CellError:
        return None, [error_value(sheet, field, cell, raw, blocks)]
    if is_blank(raw):
        return None, [missing_value(sheet, field, cell, blocks)] if required else []
    try:
        value = convert(raw)
    except ValueProblem as problem:
        return None, [invalid_value(sheet, field, cell, raw, problem, blocks)]
    if note is not None and raw.__class__ is str:
        found = note(sheet, field, cell, raw)
        return value, [] if found is None else [found]
    return value, []


def uncached_formula(sheet: Sheet, field: Field, cell: str, blocks: tuple[str, ...]) -> Finding:
    return catalogue.FORMULA_WITHOUT_VALUE(label=field.label, sheet=sheet.name, cell=cell,
                                           blocks=blocks)


def error_value(sheet: Sheet, field: Field, cell: str, raw: CellError,
                blocks: tuple[str, ...]) -> Finding:
    return catalogue.ERROR_VALUE(label=field.label, sheet=sheet.name, cell=cell,
                                 value=raw.text, blocks=blocks)


def missing_value(sheet: Sheet, field: Field, cell: str, blocks: tuple[str, ...]) -> Finding:
    return catalogue.MISSING_VALUE(label=field.label, sheet=sheet.name, cell=cell, blocks=blocks)


def invalid_value(sheet: Sheet, field: Field, cell: str, raw: Any, problem: ValueProblem,
                  blocks: tuple[str, ...]) -> Finding:
    value = shown(raw)
    end = "" if str(problem).endswith("?") else "."
    return catalogue.INVALID_VALUE(label=field.label, value=value, problem=problem, end=end,
                                   shown=f"'{value}'" if isinstance(raw, str) else value,
                                   sheet=sheet.name, cell=cell, blocks=blocks)


LINE_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")


def shown(raw: Any) -> str:
    """The value as the user typed it (7, not 7.0), on one line (its line breaks and tabs
    as spaces), at most 80 characters."""
    text = LINE_BREAKS.sub(" ", as_typed(raw))
    return text if len(text) <= 80 else text[:77] + "…"


def find_header(sheet: Sheet, cells: SheetCells) -> tuple[int, dict[str, int]] | None:
    """The first row holding the required column labels (or, failing that, the most labels)."""
    wanted, required, _ = sheet_plan(sheet)
    best: tuple[int, dict[str, int]] | None = None
    for row, line in enumerate(cells.rows[:HEADER_SEARCH_ROWS], 1):
        columns: dict[str, int] = {}
        for column, value in enumerate(line, 1):
            if value is None or value == "":
                continue
            key = wanted.get(normalise_label(value))
            if key is not None:
                columns.setdefault(key, column)
        if required <= columns.keys():
            return row, columns
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = row, columns
    return best


def parse_table(
    sheet: Sheet, cells: SheetCells, produced: tuple[DocKind, ...]
) -> tuple[list[Any], dict[str, str], list[Finding]]:
    header = find_header(sheet, cells)
    if header is None:
        return [], {}, [catalogue.HEADER_MISSING(
            columns=", ".join(f.label for f in sheet.fields), sheet=sheet.name,
            blocks=blocked_by(sheet, None, produced))]
    header_row, columns = header
    findings = list(missing_columns(sheet, cells, columns, header_row, produced))
    where = {key: column_letter(column) for key, column in columns.items()}
    validate = MODELS[sheet.name].model_validate
    plan = [(field, key, required, convert, columns[key] - 1, note)
            for field, key, required, convert, note in sheet_plan(sheet)[2] if key in columns]
    indexes = [column - 1 for column in columns.values()]
    rows = []
    for row, line in enumerate(cells.rows[header_row:], header_row + 1):
        width = len(line)
        if all(is_blank(line[index]) for index in indexes if index < width):
            continue  # a row blank in every column read is no row
        blocks = blocked_by(sheet, row, produced)
        values: dict[str, Any] = {"row": row}
        for field, key, required, convert, index, note in plan:
            values[key], found = read_cell(
                sheet, field, convert, line[index] if index < width else None,
                address(row, index + 1), (row, index + 1) in cells.uncached_formulas,
                blocks if required else (), required, note)
            findings.extend(found)
        rows.append(validate(values))
    return rows, where, findings


def missing_columns(
    sheet: Sheet, cells: SheetCells, columns: dict[str, int], header_row: int,
    produced: tuple[DocKind, ...],
) -> Iterator[Finding]:
    """A finding per missing column, at the header it probably is (`Budget` for `Budget
    (kr)`), else at the header row's cells (`A1:F1`)."""
    if len(columns) == len(sheet.fields):
        return
    line = cells.rows[header_row - 1]
    used = set(columns.values())
    others = {column: str(value) for column, value in enumerate(line, 1)
              if column not in used and not is_blank(value)}
    filled = [column for column, value in enumerate(line, 1) if not is_blank(value)]
    span = f"{address(header_row, filled[0])}:{address(header_row, filled[-1])}"
    for field in sheet.fields:
        if field.key in columns:
            continue
        renamed = probable(field.label, others.values())
        column = next((c for c, v in others.items() if v == renamed), None)
        guess = ""
        if column is not None:
            others.pop(column)
            guess = f"; rubriken '{renamed}' i {address(header_row, column)} är troligen den"
        yield catalogue.COLUMN_MISSING(
            label=field.label, row=header_row, sheet=sheet.name, guess=guess,
            cell=span if column is None else address(header_row, column), value=renamed,
            unread="" if field.required else " Värdena i kolumnen läses inte.",
            severity=Severity.ERROR if field.required else Severity.WARNING,
            blocks=blocked_by(sheet, None, produced) if field.required else ())
