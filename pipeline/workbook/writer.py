"""The blank contract-v1 workbook, written from the contract (and optionally filled), for
an organisation: its departments in the Förvaltning dropdown and the instructions, its
checklist items in its wording (pipeline.settings)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import contract
from pipeline.contract import CONTRACT_VERSION, Field, Kind, Need, Sheet
from pipeline.model import PHASES, DocKind
from pipeline.settings import DEFAULTS, Settings
from pipeline.workbook.reader import RawWorkbook, SheetCells

LAST_ROW = 1_048_576
"""Excel's last row: a table's dropdowns cover every row below its header, as its column
formats do."""

LABEL_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
PREFILLED_FILL = PatternFill("solid", fgColor="EDEDED")
HELP_FONT = Font(italic=True, color="666666")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMBER_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.AMOUNT: '#,##0 "kr"',
    Kind.NUMBER: "#,##0.##",
    Kind.PERCENT: "0",
    Kind.INTEGER: "0",
}
WIDTHS = {Kind.LONGTEXT: 45, Kind.DATE: 13, Kind.AMOUNT: 15, Kind.NUMBER: 10,
          Kind.INTEGER: 10, Kind.PERCENT: 10, Kind.EMAIL: 28}

Fill = Mapping[str, Any]
"""Values to put in: sheet name -> {key: value} (key/value sheets) or [{key: value}] (tables)."""


NEEDED_FOR = {DocKind.PROJEKTDIREKTIV: "projektdirektivet", DocKind.PROJEKTPLAN: "projektplanen",
              DocKind.STATUSRAPPORT: "statusrapporten", DocKind.SLUTRAPPORT: "slutrapporten",
              DocKind.PERSONKONTRAKT: "personkontraktet"}
KIND_TEXTS = {
    Kind.TEXT: "kort text (en rad)",
    Kind.LONGTEXT: "text, flera rader går bra",
    Kind.EMAIL: "e-postadress",
    Kind.DATE: "datum (ÅÅÅÅ-MM-DD)",
    Kind.AMOUNT: "belopp i kronor",
    Kind.NUMBER: "tal (decimaler går bra)",
    Kind.INTEGER: "heltal",
    Kind.PERCENT: "procent",
}


def need_text(field: Field) -> str:
    """When the field must be filled in, as the instructions say it."""
    if field.need is Need.ALWAYS:
        return "Obligatorisk"
    if isinstance(field.need, DocKind):
        return f"Behövs för {NEEDED_FOR[field.need]}"
    return "Frivillig"


def kind_text(field: Field) -> str:
    """What the field takes, in words: its type, its bounds, its choices."""
    if field.kind is Kind.CHOICE:
        return "välj i listan: " + ", ".join(field.choices)
    low, high = field.minimum, field.maximum
    if low is not None and high is not None:
        return f"{KIND_TEXTS[field.kind]} mellan {low:g} och {high:g}"
    if low is not None:
        return f"{KIND_TEXTS[field.kind]}, minst {low:g}"
    if high is not None:
        return f"{KIND_TEXTS[field.kind]}, högst {high:g}"
    return KIND_TEXTS[field.kind]


def build_workbook(name: str, project_id: str | None = None, fill: Fill | None = None,
                   settings: Settings = DEFAULTS) -> Workbook:
    """A contract-v1 workbook: every sheet and label, dropdowns, formats, instructions."""
    fill = complete_fill(name, project_id, fill, settings)
    sheets = contract.sheets_for(settings.departments)
    book = Workbook()
    register_styles(book)
    write_instructions(book.active, sheets)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        if sheet.table:
            write_table(ws, sheet, fill.get(sheet.name, []))
        else:
            write_key_values(ws, sheet, fill.get(sheet.name, {}))
    return book


def complete_fill(name: str, project_id: str | None, fill: Fill | None,
                  settings: Settings = DEFAULTS) -> dict[str, Any]:
    """The fill with what every new workbook has: name, ID, phase 1, version, the
    organisation's checklist items and the decision points."""
    fill = dict(fill or {})
    projekt = {"projektnamn": name, "projekt_id": project_id, "aktuell_fas": PHASES[0].name,
               "mallversion": CONTRACT_VERSION, **fill.get(contract.PROJEKT.name, {})}
    fill[contract.PROJEKT.name] = projekt
    fill.setdefault(contract.CHECKLISTOR.name, default_checklist(settings))
    fill.setdefault(contract.BESLUT.name, default_decisions())
    return fill


def raw_workbook(name: str, project_id: str | None = None, fill: Fill | None = None,
                 settings: Settings = DEFAULTS) -> RawWorkbook:
    """The values build_workbook writes, as the reader would return them, without a file:
    a sample project in milliseconds."""
    fill = complete_fill(name, project_id, fill, settings)
    sheets = {}
    for sheet in contract.SHEETS:
        values = fill.get(sheet.name, [] if sheet.table else {})
        if sheet.table:
            rows = [[f.label for f in sheet.fields],
                    *([row.get(f.key) for f in sheet.fields] for row in values)]
        else:
            rows = [[sheet.name], [], *([f.label, values.get(f.key)] for f in sheet.fields)]
        sheets[sheet.name] = SheetCells(sheet.name, rows)
    return RawWorkbook(sheets)


def default_checklist(settings: Settings = DEFAULTS) -> list[dict[str, Any]]:
    """The organisation's checklist items in its wording, an added item after the last
    item of its phase (its Fas is the phase's name)."""
    return [{"fas": item.checklist, "id": item.id, "kontrollpunkt": item.text}
            for item in settings.checklist_items]


def default_decisions() -> list[dict[str, Any]]:
    return [{"beslutspunkt": p.decision_point, "innebord": p.decides} for p in PHASES]


def write_instructions(ws: Worksheet, sheets: Sequence[Sheet] = contract.SHEETS) -> None:
    ws.title = contract.INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 24
    lines: list[tuple[Any, ...]] = [
        ("Projektarbetsbok, mallversion " + CONTRACT_VERSION,),
        ("Fyll i de gula cellerna. Byt inte namn på bladen, etiketterna eller kolumnrubrikerna;",),
        ("du får lägga till egna kolumner och anteckningar. Kontrollera arbetsboken med",),
        ("'projektmodell check ARBETSBOK.xlsx' före varje beslutsmöte.",),
        (),
    ]
    for sheet in sheets:
        lines.append((sheet.name, sheet.help))
        lines.extend((f"   {f.label}", kind_text(f), need_text(f)) for f in sheet.fields)
        lines.append(())
    for values in lines:
        ws.append(values)
        if len(values) >= 1 and values and not str(values[0]).startswith("   "):
            ws.cell(ws.max_row, 1).font = LABEL_FONT
    ws["A1"].font = Font(bold=True, size=14)


def write_key_values(ws: Worksheet, sheet: Sheet, values: Mapping[str, Any]) -> None:
    ws["A1"] = sheet.name
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 50
    for i, field in enumerate(sheet.fields, start=3):
        label, cell, hint = ws.cell(i, 1, field.label), ws.cell(i, 2), ws.cell(i, 3)
        label.font = LABEL_FONT
        label.alignment = Alignment(vertical="top")
        put_value(cell, values.get(field.key))
        cell.style = style_name(field.kind)
        hint.value = " · ".join(x for x in (need_text(field), kind_text(field), field.help) if x)
        hint.font = HELP_FONT
        if field.kind is Kind.CHOICE:
            add_dropdown(ws, field, f"B{i}")
    ws.freeze_panes = "A3"


def write_table(ws: Worksheet, sheet: Sheet, rows: Sequence[Mapping[str, Any]]) -> None:
    """The header, the rows given, and for every row a user adds below them the input look,
    number format and dropdown: as column formats and validations, not as empty cells."""
    prefilled = sheet in (contract.CHECKLISTOR, contract.BESLUT)
    for column, field in enumerate(sheet.fields, start=1):
        head = ws.cell(1, column, field.label)
        head.font, head.fill = HEADER_FONT, HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        format_column(ws, column, field)
        locked = prefilled and field.key in PREFILLED_KEYS
        for r, values in enumerate(rows, start=2):
            cell = ws.cell(r, column)
            put_value(cell, values.get(field.key))
            cell.style = style_name(field.kind, locked)
        if field.kind is Kind.CHOICE:
            letter = get_column_letter(column)
            add_dropdown(ws, field, f"{letter}2:{letter}{LAST_ROW}")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.fields))}1"


PREFILLED_KEYS = frozenset({"fas", "id", "kontrollpunkt", "beslutspunkt", "innebord"})
"""Columns of Checklistor and Beslut that `new` fills from the model (grey, not yellow)."""


def format_column(ws: Worksheet, column: int, field: Field) -> None:
    """The column's width, and the input look and number format a cell typed in it gets
    (openpyxl's column style: Excel and LibreOffice give it to cells created there)."""
    dimension = ws.column_dimensions[get_column_letter(column)]
    dimension.width = WIDTHS.get(field.kind, max(14, len(field.label) + 2))
    look = input_style(field.kind)
    dimension.fill, dimension.border = look.fill, look.border
    dimension.alignment, dimension.number_format = look.alignment, look.number_format


def put_value(cell: Any, value: Any) -> None:
    """A value as written: a text starting with `=` stays text, never becomes a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def style_name(kind: Kind, prefilled: bool = False) -> str:
    """The named cell style of an input cell."""
    return f"{'Förifylld' if prefilled else 'Indata'} {kind}"


def input_style(kind: Kind, prefilled: bool = False) -> NamedStyle:
    return NamedStyle(style_name(kind, prefilled),
                      fill=PREFILLED_FILL if prefilled else INPUT_FILL, border=BOX,
                      alignment=Alignment(wrap_text=kind is Kind.LONGTEXT, vertical="top"),
                      number_format=NUMBER_FORMATS.get(kind, "General"))


def register_styles(book: Workbook) -> None:
    for prefilled in (False, True):
        for kind in Kind:
            book.add_named_style(input_style(kind, prefilled))


def add_dropdown(ws: Worksheet, field: Field, cells: str) -> None:
    validation = DataValidation(type="list", formula1='"' + ",".join(field.choices) + '"',
                                allow_blank=True, showErrorMessage=True,
                                errorTitle="Ogiltigt värde",
                                error="Välj ett av värdena i listan: " + ", ".join(field.choices))
    ws.add_data_validation(validation)
    validation.add(cells)


def write_new(path: Path, name: str, project_id: str | None = None,
              fill: Fill | None = None, settings: Settings = DEFAULTS) -> Path:
    """Write a workbook to a new file; never overwrites (FileExistsError)."""
    book = build_workbook(name, project_id, fill, settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        book.save(temporary)
        os.link(temporary, path)  # fails if path exists: never overwrite
    finally:
        temporary.unlink(missing_ok=True)
    return path
