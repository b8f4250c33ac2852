"""The blank contract-v1 workbook, written from the contract (and optionally filled), for
an organisation: its departments in the Förvaltning dropdown and the instructions, its
checklist items in its wording (pipeline.settings).

What a project leader sees: the cells to fill in are coloured (orange: required, yellow:
optional, grey: filled in from the project model), every value cell and table column shows
an input message when selected and validates what is typed, long text wraps in taller
rows, one named font throughout, and every sheet prints on A4 fitted to the page width.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import contract
from pipeline.contract import CONTRACT_VERSION, Field, Kind, Need, Sheet
from pipeline.model import PHASES, DocKind
from pipeline.settings import DEFAULTS, Settings
from pipeline.workbook.coerce import is_year, span
from pipeline.workbook.reader import RawWorkbook, SheetCells

LAST_ROW = 1_048_576
"""Excel's last row: a table's validations cover every row below its header, as its column
formats do."""

FONT_NAME = "Calibri"
"""The one font family of the workbook: Excel's default (so the workbook's default font,
which openpyxl writes as Calibri 11, is the same), as in the economy workbooks and the
documents' templates; LibreOffice substitutes the metric-compatible Carlito where it is
installed and Calibri is not."""


def font(size: float = 11, **style: Any) -> Font:
    """A font of the workbook's family: never one without a name, which LibreOffice would
    show in a serif font."""
    return Font(name=FONT_NAME, size=size, **style)


TITLE_FONT = font(16, bold=True)
HEADING_FONT = font(12, bold=True)
LABEL_FONT = font(bold=True)
BODY_FONT = font()
HEADER_FONT = font(bold=True, color="FFFFFF")
HELP_FONT = font(italic=True, color="595959")
FOOTER_FONT = f"{FONT_NAME},Regular"

REQUIRED, OPTIONAL, PREFILLED = "Obligatorisk", "Indata", "Förifylld"
"""The three looks of a cell to fill in, the first word of its named cell style."""
LOOK_COLOURS = {REQUIRED: "F8CBAD", OPTIONAL: "FFF2CC", PREFILLED: "E7E6E6"}
"""Light orange, light yellow, light grey: black text on each has a contrast above 12:1."""
LOOK_NAMES = {REQUIRED: "Orange", OPTIONAL: "Gul", PREFILLED: "Grå"}
HEADER_COLOURS = {REQUIRED: "843C0C", OPTIONAL: "1F4E78"}
"""Dark brown over required columns, dark blue over optional ones (white text: 8:1)."""
TOP = Alignment(vertical="top")
WRAP = Alignment(vertical="top", wrap_text=True)
TITLE, HEADING, LABEL, BODY, HINT = "Titel", "Mellanrubrik", "Etikett", "Brödtext", "Anvisning"
"""Named styles of the text around the cells to fill in."""
TEXT_STYLES = {TITLE: (TITLE_FONT, TOP), HEADING: (HEADING_FONT, TOP), LABEL: (LABEL_FONT, WRAP),
               BODY: (BODY_FONT, WRAP), HINT: (HELP_FONT, WRAP)}
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

NUMBER_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.AMOUNT: '#,##0 "kr"',
    Kind.NUMBER: "#,##0.##",
    Kind.PERCENT: "0",
    Kind.INTEGER: "0",
}
WIDTHS = {Kind.TEXT: 18, Kind.LONGTEXT: 34, Kind.DATE: 13, Kind.AMOUNT: 15, Kind.NUMBER: 10,
          Kind.INTEGER: 10, Kind.PERCENT: 10, Kind.EMAIL: 28}
"""A column's width by what it holds (in Excel's widths of a digit)."""
WRAPPED = frozenset({Kind.TEXT, Kind.LONGTEXT, Kind.EMAIL})
"""Kinds whose text wraps in its cell rather than be cut off at the column's edge."""
BOLD_CHARACTER = 1.15
"""The width of a bold header letter, in digit widths (with room for wide letters)."""
BODY_CHARACTER = 0.8
"""The width of a letter of running text, in digit widths (a little more than most fonts
need: an estimated row rather be a little tall than cut its text)."""
FILTER_BUTTON = 3.0
"""What the filter button (or a dropdown's arrow) covers at a cell's right edge."""
WIDEST_HEADER = 26.0
"""A longer header label wraps onto a second line rather than widen its column further."""
LINE_HEIGHT = 15.0
"""Points per line of 11 pt text, for rows of wrapped text."""
MAX_ROW_HEIGHT = 409.0
"""Excel's tallest row, in points."""

PAGE_WIDTH = {"portrait": 95.0, "landscape": 140.0}
"""How many digit widths of columns fit across an A4 page at 100 % (narrow margins)."""
SMALLEST_SCALE = 0.6
"""A wide table prints over more pages across rather than shrink below 60 %."""

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
EXAMPLES = {Kind.DATE: "2024-03-15", Kind.AMOUNT: "12500", Kind.NUMBER: "12,5",
            Kind.PERCENT: "10", Kind.INTEGER: "3"}
"""An example of a value of each checked kind, for the validations' error messages."""
FIRST_DAY = date(int(contract.YEAR["minimum"]), 1, 1)
LAST_DAY = date(int(contract.YEAR["maximum"]), 12, 31)
EXCEL_EPOCH = date(1899, 12, 30)
NO_BOUND = 999_999_999_999
"""The bounds a decimal validation needs when the contract sets none: any number passes."""

PROMPT_TITLE_LIMIT, PROMPT_LIMIT = 32, 255
"""Excel's limits on an input message's title and text (and an error message's)."""


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
    if is_year(field):
        return f"årtal{span(field)}"
    return KIND_TEXTS[field.kind] + span(field)


def look(field: Field, prefilled: bool = False) -> str:
    """How a value cell of the field looks: required, optional or prefilled."""
    if prefilled:
        return PREFILLED
    return REQUIRED if field.required else OPTIONAL


def build_workbook(name: str, project_id: str | None = None, fill: Fill | None = None,
                   settings: Settings = DEFAULTS) -> Workbook:
    """A contract-v1 workbook: every sheet and label, validations, formats, instructions,
    print setup."""
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


# --- Instruktioner ---

INSTRUCTION_WIDTHS = (34.0, 62.0, 30.0)


def instruction_sections() -> list[tuple[str, list[str]]]:
    """The instructions' headings and paragraphs, for a project leader who has the workbook
    and the shared folder, not a terminal."""
    colours = ", ".join(f"{LOOK_NAMES[x].lower()}" for x in (REQUIRED, OPTIONAL, PREFILLED))
    return [
        ("Så fyller du i arbetsboken", [
            f"Skriv i de färgade cellerna ({colours}); se förklaringen nedan. Varje blad "
            "har sitt eget ämne; listan längst ned säger vad som ska stå i varje fält.",
            "Markera en cell så visas en ruta som säger vad som ska stå där. Celler med en "
            "pil har en lista att välja i. Tal, årtal och datum kontrolleras när du skriver: "
            "skriv belopp utan 'kr' och datum som 2024-03-15.",
            "I tabellbladen skriver du en rad per sak under rubrikraden; fler rader går bra. "
            "Byt inte namn på bladen, etiketterna eller kolumnrubrikerna. Du får lägga till "
            "egna kolumner till höger och skriva anteckningar.",
        ]),
        ("Vad händer med arbetsboken", [
            "Spara arbetsboken i projektkontorets gemensamma mapp för arbetsböcker. Varje natt "
            "läser projektkontorets program alla arbetsböcker där och gör projektets "
            "dokument: projektdirektiv, projektplan, statusrapporter, slutrapport och "
            "personkontrakt, och en kostnads- och nyttokalkyl. Arbetsboken ändras inte.",
            "Resultatet hamnar i den gemensamma mappen, i projektets egen mapp som heter som "
            "projektet, med Projekt-ID först (t.ex. 'KS-2011-01 Föräldrastöd'). Där finns "
            "också Kontrollrapport.txt: vad som saknas eller är fel, med blad och cell "
            "(t.ex. Kostnader!C9), och vad som återstår före nästa beslutspunkt.",
            "Projektkontorets översikt index.html, överst i den gemensamma mappen, visar alla "
            "projekt med fas, beslut, fel och länkar till dokumenten och "
            "Kontrollrapporten.",
            "Ett dokument görs när de celler det behöver är ifyllda. Det är ett utkast tills "
            "styrgruppens beslut är godkänt och daterat på bladet Beslut och fasens "
            "kontrollpunkter är besvarade. Rätta det som Kontrollrapporten tar upp och spara, "
            "så görs dokumenten om nästa natt.",
        ]),
    ]


LOOK_LEGEND = (
    (REQUIRED, "Måste fyllas i: obligatoriskt, eller behövs för ett dokument (vilket står i "
               "rutan som visas och i listan nedan). I tabellbladen har sådana kolumner en "
               "brun rubrik."),
    (OPTIONAL, "Frivilligt: fyll i det som gäller projektet. I tabellbladen har sådana "
               "kolumner en blå rubrik."),
    (PREFILLED, "Ifyllt från projektmodellen: ändra inte."),
)


def write_instructions(ws: Worksheet, sheets: Sequence[Sheet] = contract.SHEETS) -> None:
    ws.title = contract.INSTRUCTIONS_SHEET
    for column, width in enumerate(INSTRUCTION_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws["A1"] = "Projektarbetsbok, mallversion " + CONTRACT_VERSION
    ws["A1"].style = TITLE
    ws.row_dimensions[1].height = 24
    for number, (heading, paragraphs) in enumerate(instruction_sections()):
        write_heading(ws, heading)
        for text in paragraphs:
            write_paragraph(ws, text)
        if number == 0:
            write_legend(ws)
    write_heading(ws, "Bladen och fälten")
    write_field_list(ws, sheets)
    set_up_printing(ws)


def write_heading(ws: Worksheet, text: str) -> None:
    row = ws.max_row + 2
    ws.cell(row, 1, text).style = HEADING
    ws.row_dimensions[row].height = 20


def write_paragraph(ws: Worksheet, text: str) -> None:
    """A paragraph over the sheet's three columns, wrapped in a row tall enough for it."""
    row = ws.max_row + 1
    ws.cell(row, 1, text).style = BODY
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    fit_row_height(ws, row, [(text, sum(INSTRUCTION_WIDTHS))])


def write_legend(ws: Worksheet) -> None:
    for name, meaning in LOOK_LEGEND:
        row = ws.max_row + 1
        ws.cell(row, 1, LOOK_NAMES[name]).style = style_name(Kind.TEXT, name)
        ws.cell(row, 2, meaning).style = BODY
        fit_row_height(ws, row, [(meaning, INSTRUCTION_WIDTHS[1])])


def write_field_list(ws: Worksheet, sheets: Sequence[Sheet]) -> None:
    """Every sheet and field: what goes there and whether it must be filled in, the need
    in the colour its cells have."""
    row = ws.max_row + 1
    for column, text in enumerate(("Blad och fält", "Vad som ska stå där", "Måste fyllas i?"),
                                  start=1):
        ws.cell(row, column, text).style = header_style(REQUIRED if column == 3 else OPTIONAL)
    for sheet in sheets:
        row = ws.max_row + 1
        ws.cell(row, 1, sheet.name).style = LABEL
        ws.cell(row, 2, sheet.help or None).style = BODY
        fit_row_height(ws, row, [(sheet.help, INSTRUCTION_WIDTHS[1])])
        for field in sheet.fields:
            row += 1
            what = " ".join(x for x in (capital(kind_text(field)) + ".", field.help) if x)
            ws.cell(row, 1, f"   {field.label}").style = BODY
            ws.cell(row, 2, what).style = BODY
            ws.cell(row, 3, need_text(field)).style = style_name(Kind.TEXT, look(field))
            fit_row_height(ws, row, [(field.label, INSTRUCTION_WIDTHS[0]),
                                     (what, INSTRUCTION_WIDTHS[1])])


# --- Key/value sheets (Projekt, Slutrapport) ---

KEY_VALUE_WIDTHS = (30.0, 56.0, 46.0)


def write_key_values(ws: Worksheet, sheet: Sheet, values: Mapping[str, Any]) -> None:
    """Title, then per field: the label in A, the value cell in B (coloured by its need,
    with its input message and validation), a hint in C."""
    ws["A1"] = sheet.name
    ws["A1"].style = TITLE
    ws.row_dimensions[1].height = 24
    for column, width in enumerate(KEY_VALUE_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    for i, field in enumerate(sheet.fields, start=3):
        value = values.get(field.key)
        hint = " · ".join(x for x in (need_text(field), kind_text(field), field.help) if x)
        ws.cell(i, 1, field.label).style = LABEL
        put_value(ws.cell(i, 2), value)
        ws.cell(i, 2).style = style_name(field.kind, look(field, field.key in PREFILLED_KEYS))
        ws.cell(i, 3, hint).style = HINT
        add_input_rules(ws, field, f"B{i}")
        fit_row_height(ws, i, [(field.label, KEY_VALUE_WIDTHS[0]), (hint, KEY_VALUE_WIDTHS[2]),
                               (value if field.kind in WRAPPED else None, KEY_VALUE_WIDTHS[1])])
    ws.freeze_panes = "A3"
    set_up_printing(ws, one_page=sheet.name == contract.PROJEKT.name)


# --- Table sheets ---

def write_table(ws: Worksheet, sheet: Sheet, rows: Sequence[Mapping[str, Any]]) -> None:
    """The header, the rows given, and for every row a user adds below them the input look,
    number format, input message and validation: as column formats and validations over
    whole columns, not as empty cells."""
    prefilled = sheet.name in (contract.CHECKLISTOR.name, contract.BESLUT.name)
    widths = [column_width(field) for field in sheet.fields]
    for column, field in enumerate(sheet.fields, start=1):
        ws.cell(1, column, field.label).style = header_style(look(field))
        format_column(ws, column, field)
        cell_look = look(field, prefilled and field.key in PREFILLED_KEYS)
        for r, values in enumerate(rows, start=2):
            cell = ws.cell(r, column)
            put_value(cell, values.get(field.key))
            cell.style = style_name(field.kind, cell_look)
        letter = get_column_letter(column)
        add_input_rules(ws, field, f"{letter}2:{letter}{LAST_ROW}")
    fit_row_height(ws, 1, [(f.label, w - FILTER_BUTTON) for f, w in zip(
        sheet.fields, widths, strict=True)], BOLD_CHARACTER)
    wrapped = [(f.key, w) for f, w in zip(sheet.fields, widths, strict=True)
               if f.kind in WRAPPED]
    for r, values in enumerate(rows, start=2):
        fit_row_height(ws, r, [(values.get(key), width) for key, width in wrapped])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.fields))}1"
    set_up_printing(ws, title_rows="1:1")


PREFILLED_KEYS = frozenset({"fas", "id", "kontrollpunkt", "beslutspunkt", "innebord",
                            "mallversion"})
"""Columns of Checklistor and Beslut, and Projekt's Mallversion, that `new` fills in from
the model (grey, not orange or yellow)."""


def column_width(field: Field) -> float:
    """Wide enough for what the column holds (a choice with its dropdown arrow) and for its
    header label beside the filter button; a long label wraps instead."""
    if field.kind is Kind.CHOICE:
        content = max(len(c) for c in field.choices) * 1.1 + FILTER_BUTTON
    else:
        content = WIDTHS[field.kind]
    header = min((len(field.label) + 1) * BOLD_CHARACTER + FILTER_BUTTON, WIDEST_HEADER)
    return round(max(content, header), 1)


def format_column(ws: Worksheet, column: int, field: Field) -> None:
    """The column's width, and the input look and number format a cell typed in it gets
    (openpyxl's column style: Excel and LibreOffice give it to cells created there)."""
    dimension = ws.column_dimensions[get_column_letter(column)]
    dimension.width = column_width(field)
    style = input_style(field.kind, look(field))
    dimension.font, dimension.fill, dimension.border = style.font, style.fill, style.border
    dimension.alignment, dimension.number_format = style.alignment, style.number_format


def put_value(cell: Any, value: Any) -> None:
    """A value as written: a text starting with `=` stays text, never becomes a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


# --- Styles ---

def style_name(kind: Kind, cell_look: str = OPTIONAL) -> str:
    """The named cell style of a value cell: its look (Obligatorisk, Indata, Förifylld)
    and kind."""
    return f"{cell_look} {kind}"


def header_style(cell_look: str) -> str:
    """The named style of a column header over required or optional columns."""
    return f"Kolumnrubrik {cell_look}"


def input_style(kind: Kind, cell_look: str = OPTIONAL) -> NamedStyle:
    return NamedStyle(style_name(kind, cell_look), font=BODY_FONT,
                      fill=PatternFill("solid", fgColor=LOOK_COLOURS[cell_look]), border=BOX,
                      alignment=WRAP if kind in WRAPPED else TOP,
                      number_format=NUMBER_FORMATS.get(kind, "General"))


def register_styles(book: Workbook) -> None:
    """The named styles every cell written uses: setting one is one assignment, and a user
    sees the same names in Excel's and LibreOffice's list of styles."""
    for cell_look in LOOK_COLOURS:
        for kind in Kind:
            book.add_named_style(input_style(kind, cell_look))
    for name, (text_font, alignment) in TEXT_STYLES.items():
        book.add_named_style(NamedStyle(name, font=text_font, alignment=alignment))
    for cell_look, colour in HEADER_COLOURS.items():
        book.add_named_style(NamedStyle(header_style(cell_look), font=HEADER_FONT,
                                        fill=PatternFill("solid", fgColor=colour),
                                        alignment=WRAP))


# --- Row heights ---

@lru_cache(maxsize=4096)  # the model's checklist, hints and instructions recur in every book
def text_height(text: str, width: float, character: float = BODY_CHARACTER) -> float:
    """Points a text needs when wrapped at words in a column `width` digits wide, with
    letters `character` digits wide (an estimate: fonts differ)."""
    per_line = max(4, int((width - 1) / character))
    lines = sum(len(textwrap.wrap(part, per_line)) or 1 for part in text.split("\n"))
    return lines * LINE_HEIGHT


def fit_row_height(ws: Worksheet, row: int, texts: Sequence[tuple[Any, float]],
                   character: float = BODY_CHARACTER) -> None:
    """Make a row tall enough for its wrapped texts, each given with its column's width
    (less what a button covers): LibreOffice shows a row one line high unless the file
    says otherwise, and Excel refits only the rows a user edits."""
    needed = max((text_height(str(text), width, character) for text, width in texts
                  if text is not None), default=LINE_HEIGHT)
    if needed > LINE_HEIGHT:
        ws.row_dimensions[row].height = min(needed + 4, MAX_ROW_HEIGHT)


# --- Input messages and validations ---

def add_input_rules(ws: Worksheet, field: Field, cells: str) -> None:
    """What Excel and LibreOffice show and check in the field's cells: a dropdown for a
    choice, the kind's validation otherwise, and an input message either way."""
    if field.kind is Kind.CHOICE:
        add_dropdown(ws, field, cells)
    else:
        add_validation(ws, field, cells)


def add_dropdown(ws: Worksheet, field: Field, cells: str) -> None:
    choices = ", ".join(field.choices)
    validation = DataValidation(type="list", formula1='"' + ",".join(field.choices) + '"',
                                error=limited("Välj ett av värdena i listan: " + choices))
    add_rule(ws, validation, field, cells)


def add_validation(ws: Worksheet, field: Field, cells: str) -> None:
    """Dates, whole numbers (years, 1–5 scales) and decimals (hours, amounts, percent) are
    checked within the contract's bounds; text only gets its input message."""
    validation = typed_validation(field)
    if validation.type is not None:
        example = "2024" if is_year(field) else EXAMPLES[field.kind]
        validation.error = limited(f"Skriv {what_to_type(field)}, t.ex. {example}.")
    add_rule(ws, validation, field, cells)


def typed_validation(field: Field) -> DataValidation:
    if field.kind is Kind.DATE:
        return DataValidation(type="date", operator="between", formula1=str(serial(FIRST_DAY)),
                              formula2=str(serial(LAST_DAY)))
    if field.kind in (Kind.INTEGER, Kind.AMOUNT, Kind.NUMBER, Kind.PERCENT):
        kind = "whole" if field.kind is Kind.INTEGER else "decimal"
        low, high = field.minimum, field.maximum
        if low is not None and high is None:
            return DataValidation(type=kind, operator="greaterThanOrEqual",
                                  formula1=f"{low:g}")
        if high is not None and low is None:
            return DataValidation(type=kind, operator="lessThanOrEqual", formula1=f"{high:g}")
        return DataValidation(type=kind, operator="between",
                              formula1=f"{low if low is not None else -NO_BOUND:g}",
                              formula2=f"{high if high is not None else NO_BOUND:g}")
    return DataValidation()


def what_to_type(field: Field) -> str:
    """The value a checked field takes, as the error message says it ("ett heltal mellan
    1 och 5")."""
    if field.kind is Kind.DATE:
        return f"ett datum mellan {FIRST_DAY.isoformat()} och {LAST_DAY.isoformat()}"
    if is_year(field):
        return f"ett årtal{span(field)}"
    what = {Kind.INTEGER: "ett heltal", Kind.AMOUNT: "ett belopp i kronor, bara siffror",
            Kind.NUMBER: "ett tal, bara siffror", Kind.PERCENT: "ett tal i procent"}[field.kind]
    return what + span(field)


def add_rule(ws: Worksheet, validation: DataValidation, field: Field, cells: str) -> None:
    title, message = input_message(field)
    validation.allow_blank = True
    validation.showInputMessage, validation.promptTitle, validation.prompt = True, title, message
    if validation.type is not None:
        validation.showErrorMessage = True
        validation.errorTitle = limited(f"Fel i {field.label}", PROMPT_TITLE_LIMIT)
    ws.add_data_validation(validation)
    validation.add(cells)


def input_message(field: Field) -> tuple[str, str]:
    """The input message's title (the label) and text: whether the field must be filled
    in, what it takes, and the contract's help, within Excel's limits."""
    title = limited(field.label, PROMPT_TITLE_LIMIT)
    lines = [field.label if title != field.label else "", need_text(field) + ".",
             capital(kind_text(field)) + ".", field.help]
    return title, limited("\n".join(line for line in lines if line))


def limited(text: str, limit: int = PROMPT_LIMIT) -> str:
    """The text, cut at a word with an ellipsis where it is longer than Excel allows."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(",.:;") + "…"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def serial(day: date) -> int:
    """The day as Excel's serial number, as date validations store their bounds."""
    return (day - EXCEL_EPOCH).days


# --- Printing ---

def set_up_printing(ws: Worksheet, title_rows: str | None = None, one_page: bool = False
                    ) -> None:
    """A4, landscape when the columns are wider than a portrait page, fitted to the page
    width (a very wide table to as many pages across as keep its text 60 % or larger, its
    first column repeated), the header row on every page, the sheet and page in the
    footer; `one_page` fits the whole sheet on one page."""
    width = sum(ws.column_dimensions[get_column_letter(c)].width
                for c in range(1, ws.max_column + 1))
    orientation = "portrait" if width <= PAGE_WIDTH["portrait"] else "landscape"
    page = PAGE_WIDTH[orientation]
    across = 1 if one_page else max(1, math.ceil(width * SMALLEST_SCALE / page))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = across
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3,
                                  footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    if across > 1:
        ws.print_title_cols = "A:A"
        ws.page_setup.pageOrder = "overThenDown"
    ws.oddFooter.center.text = "&A – sida &P av &N"
    ws.oddFooter.center.font, ws.oddFooter.center.size = FOOTER_FONT, 9


def project_name_typed(name: str) -> str:
    """The project's name as `new` was given it, without the `.xlsx` a user may type after
    it (`new Föräldrastöd.xlsx` makes Föräldrastöd.xlsx for the project Föräldrastöd)."""
    name = name.strip()
    return name[:-len(".xlsx")].rstrip() if name.lower().endswith(".xlsx") else name


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
