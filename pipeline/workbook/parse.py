"""Cells -> Project + findings, by the contract: labels and headers found by text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from pipeline import catalogue, contract
from pipeline.contract import CONTRACT_VERSION, Field, Need, Sheet
from pipeline.findings import Finding, Severity
from pipeline.model import DOCUMENTS, DocKind, phase_by_name
from pipeline.project import MODELS, Project, attribute, empty_project
from pipeline.settings import DEFAULTS, Settings
from pipeline.workbook.coerce import ValueProblem, converter, is_blank, normalise_label
from pipeline.workbook.reader import RawWorkbook, SheetCells, address, column_letter

HEADER_SEARCH_ROWS = 50


@cache
def documents_in_phase(phase: int) -> tuple[DocKind, ...]:
    return tuple(d.kind for d in DOCUMENTS if d.from_phase <= phase)


ColumnPlan = tuple[Field, str, bool, Callable[[Any], Any]]
"""A table field as the row loop needs it: field, key, required, converter."""


SheetPlan = tuple[dict[str, str], frozenset[str], tuple[ColumnPlan, ...]]


@cache
def sheet_plan(sheet: Sheet) -> SheetPlan:
    """Worked out once per process from the contract: the sheet's normalised column labels
    (-> key), its required keys, and per field what reading a cell needs."""
    wanted = {normalise_label(f.label): f.key for f in sheet.fields}
    required = frozenset(f.key for f in sheet.fields if f.required)
    columns = tuple((f, f.key, f.required, converter(f)) for f in sheet.fields)
    return wanted, required, columns


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
            value=str(version)))
        return empty_project(source), findings

    phase_cell = label_value(projekt, "Aktuell fas")
    phase = phase_by_name(str(phase_cell).strip()) if phase_cell else None
    produced = documents_in_phase(phase.number if phase else 1)

    for sheet in contract.sheets_for(settings.departments):
        cells_of_sheet = raw.sheets.get(sheet.name)
        if cells_of_sheet is None:
            findings.append(missing_sheet(sheet, produced))
            values[attribute(sheet)] = [] if sheet.table else MODELS[sheet.name]()
            continue
        findings.extend(merged_cell_findings(cells_of_sheet))
        if sheet.table:
            rows, where, found = parse_table(sheet, cells_of_sheet, produced)
            values[attribute(sheet)] = rows
        else:
            row_values, where, found = parse_key_values(sheet, cells_of_sheet, produced)
            values[attribute(sheet)] = MODELS[sheet.name](**row_values)
        cells[sheet.name] = where
        findings.extend(found)
    return Project(source=source, cells=cells, **values), findings


def missing_sheet(sheet: Sheet, produced: tuple[DocKind, ...]) -> Finding:
    blocks = produced if sheet is contract.PROJEKT else blocked_by(sheet, None, produced)
    return catalogue.SHEET_MISSING(sheet=sheet.name, blocks=tuple(str(b) for b in blocks))


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
    sheet: Sheet, cells: SheetCells, produced: tuple[DocKind, ...]
) -> tuple[dict[str, Any], dict[str, str], list[Finding]]:
    rows_by_label: dict[str, int] = {}
    for row, line in enumerate(cells.rows, 1):
        label = normalise_label(line[0]) if line else ""
        if label:
            rows_by_label.setdefault(label, row)
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    findings: list[Finding] = []
    for (field, key, _, convert), blocks in zip(sheet_plan(sheet)[2],
                                                blocks_of_fields(sheet, produced), strict=True):
        row = rows_by_label.get(normalise_label(field.label))
        if row is None:
            findings.append(catalogue.LABEL_MISSING(
                label=field.label, sheet=sheet.name, blocks=blocks,
                severity=Severity.ERROR if blocks else Severity.WARNING))
            continue
        where[key] = address(row, 2)
        value, found = read_cell(sheet, field, convert, cells, row, 2, blocks)
        findings.extend(found)
        values[key] = value
    return values, where, findings


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
    sheet: Sheet, field: Field, convert: Callable[[Any], Any], cells: SheetCells, row: int,
    column: int, blocks: tuple[str, ...],
) -> tuple[Any, list[Finding]]:
    """One cell's value as its field's type (by `convert`, the field's converter), with the
    findings it gives rise to."""
    raw = cells.value(row, column)
    if (row, column) in cells.uncached_formulas:
        return None, [uncached_formula(sheet, field, address(row, column), blocks)]
    if is_blank(raw):
        if blocks:
            return None, [missing_value(sheet, field, address(row, column), blocks)]
        return None, []
    try:
        value = convert(raw)
    except ValueProblem as problem:
        return None, [invalid_value(sheet, field, address(row, column), raw, problem,
                                    blocks if field.required else ())]
    return value, []


def uncached_formula(sheet: Sheet, field: Field, cell: str, blocks: tuple[str, ...]) -> Finding:
    return catalogue.FORMULA_WITHOUT_VALUE(label=field.label, sheet=sheet.name, cell=cell,
                                           blocks=blocks)


def missing_value(sheet: Sheet, field: Field, cell: str, blocks: tuple[str, ...]) -> Finding:
    return catalogue.MISSING_VALUE(label=field.label, sheet=sheet.name, cell=cell, blocks=blocks)


def invalid_value(sheet: Sheet, field: Field, cell: str, raw: Any, problem: ValueProblem,
                  blocks: tuple[str, ...]) -> Finding:
    return catalogue.INVALID_VALUE(label=field.label, value=shown(raw), problem=problem,
                                   sheet=sheet.name, cell=cell, blocks=blocks)


def shown(raw: Any) -> str:
    text = str(raw)
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
    findings = list(missing_columns(sheet, columns, header_row, produced))
    where = {key: column_letter(column) for key, column in columns.items()}
    validate = MODELS[sheet.name].model_validate
    plan = [(field, key, required, convert, columns[key] - 1)
            for field, key, required, convert in sheet_plan(sheet)[2] if key in columns]
    indexes = [column - 1 for column in columns.values()]
    uncached = cells.uncached_formulas
    rows = []
    for row, line in enumerate(cells.rows[header_row:], header_row + 1):
        width = len(line)
        for index in indexes:  # a row blank in every column read is no row
            if index < width:
                raw = line[index]
                if raw is not None and (not isinstance(raw, str) or raw.strip()):
                    break
        else:
            continue
        blocks: tuple[str, ...] | None = None
        values: dict[str, Any] = {"row": row}
        for field, key, required, convert, index in plan:
            raw = line[index] if index < width else None
            if uncached and (row, index + 1) in uncached:
                if blocks is None:
                    blocks = blocked_by(sheet, row, produced)
                values[key] = None
                findings.append(uncached_formula(sheet, field, address(row, index + 1),
                                                 blocks if required else ()))
            elif raw is None or (isinstance(raw, str) and not raw.strip()):
                values[key] = None
                if required:
                    if blocks is None:
                        blocks = blocked_by(sheet, row, produced)
                    findings.append(missing_value(sheet, field, address(row, index + 1),
                                                  blocks))
            else:
                try:
                    values[key] = convert(raw)
                except ValueProblem as problem:
                    if blocks is None:
                        blocks = blocked_by(sheet, row, produced)
                    values[key] = None
                    findings.append(invalid_value(sheet, field, address(row, index + 1), raw,
                                                  problem, blocks if required else ()))
        rows.append(validate(values))
    return rows, where, findings


def missing_columns(
    sheet: Sheet, columns: dict[str, int], header_row: int, produced: tuple[DocKind, ...]
) -> Iterator[Finding]:
    for field in sheet.fields:
        if field.key in columns:
            continue
        yield catalogue.COLUMN_MISSING(
            label=field.label, row=header_row, sheet=sheet.name, cell=f"{header_row}:{header_row}",
            unread="" if field.required else " Värdena i kolumnen läses inte.",
            severity=Severity.ERROR if field.required else Severity.WARNING,
            blocks=blocked_by(sheet, None, produced) if field.required else ())
