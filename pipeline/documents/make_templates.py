"""Writes the five shipped templates (templates/*.docx) with python-docx.

    python -m pipeline.documents.make_templates [FOLDER]

The templates are ordinary Word documents holding docxtpl tags: `{{ field }}`,
`{%tr for %}` table row loops and `{%p if %}` paragraphs. A municipality may edit them
in Word, or change this script and run it again; `projektmodell templates check` tells
whether an edited template names only fields the documents have.

Layout, so that a document is filed as it is written:

- every table column has a width that fits what it holds (`Column`): a name, role, date,
  status or amount column is wide enough for its longest word in DejaVu Sans 9 pt (the
  widest of the fonts LibreOffice falls back to for Calibri), and the free-text columns
  share what remains and wrap at spaces; numbers are right-aligned;
- a table's header row is marked (`w:tblHeader`: repeated on each page and read as the
  header by screen readers), no row is split across pages (`w:cantSplit`), a heading and
  a paragraph introducing a table keep with what follows, and the paragraph after a table
  has space before it;
- the language is sv-SE in the styles' defaults, in every run and in the settings;
  headings are Word's built-in Heading 1 and 2;
- every part is valid against the ECMA-376 transitional schemas: the traffic-light cell's
  shading is written in the cell properties' order (`w:shd` after `w:tcW`), and the
  `w:zoom` without `w:percent` of python-docx's default template is removed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

HEADER_FILL = "DCE6F0"
LABEL_FILL = "F2F2F2"
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)
LANGUAGE = "sv-SE"
TABLE_TEXT = Pt(9)
TABLE_GAP = Pt(8)
"""Space between a table and the paragraph after it."""

PAGE_WIDTH_CM = 16.6
"""A4 less the margins: every data table is this wide."""
CELL_MARGIN_CM = 0.1
"""Left and right padding of a table cell (Word's default is 0.19 cm)."""

# Column widths in cm: each the longest word its column is made for, in DejaVu Sans 9 pt
# (bold in a header or totals row), plus the cell's padding.
AMOUNT = 2.9
"""`99 999 999 kr` in bold (a totals row)."""
SHORT_AMOUNT = 2.4
"""An amount with no totals row: `9 999 999 kr`; the heading `Timkostnad`."""
PERCENT = 2.3
"""`-100,0 %`; the heading `Avvikelse %`."""
DATE = 2.1
"""`2011-01-15`: a date never breaks at its hyphens."""
PERIOD = 2.6
"""`2011-01-15` over `– 2012-01-15`."""
YEAR = 1.3
COUNT = 1.7
"""Hours: `12 345`, the heading `Timmar`."""
SCALE = 0.7
"""The risk scale's 1–5 under the headings S and K."""
RISK_VALUE = 2.1
"""The heading `Riskvärde`."""
NAME = 2.4
"""A person's name, wrapping at its spaces and hyphens: `Gustafsson`, `Christoffer`; the
heading `Ansvarig`."""
RESOURCE_GIVER = 2.6
"""A name under the heading `Resursgivare`."""
ROLE = 2.7
"""`Projektmedlem`, `Referensgrupp`."""
UNIT = 5.1
"""A Förvaltning/enhet: `Kommunstyrelseförvaltningen`."""
CHOICE = 1.8
"""A status, form or answer: `Hanterad`, `Försenad`, `Arbetstid`, `aktuellt`."""
FUNDER_TYPE = 2.0
"""`Kommunal`, `Regional`."""
BENEFIT_TYPE = 2.5
"""`Omfördelning`."""
ITEM_ID = 1.1
LABEL = 4.6
"""The label column of a two-column table of labels and values."""
FREE_MINIMUM = 3.0
"""The narrowest a free-text column may be: `Gruppledarkompetens` needs 3.8."""


@dataclass(frozen=True)
class Column:
    """One column of a table with a row per item: its heading, the item's field, its
    width (cm; 0 for free text, which shares what the fixed columns leave by `share`) and
    whether it holds a number (right-aligned)."""

    heading: str
    field: str
    width: float = 0.0
    number: bool = False
    share: float = 1.0
    notes: tuple[tuple[str, str], ...] = ()
    """(label or "", field) of the values written under the field's, in the same cell,
    each in a paragraph of its own if it has a value."""


def free(heading: str, field: str, share: float = 1.0,
         notes: tuple[tuple[str, str], ...] = ()) -> Column:
    return Column(heading, field, share=share, notes=notes)


def fixed(heading: str, field: str, width: float) -> Column:
    return Column(heading, field, width)


def numeric(heading: str, field: str, width: float = AMOUNT) -> Column:
    return Column(heading, field, width, number=True)


def column_widths(columns: Sequence[Column]) -> list[float]:
    """Each column's width in cm: the fixed ones as declared, the free ones sharing the
    rest of the page by their shares."""
    rest = PAGE_WIDTH_CM - sum(c.width for c in columns)
    shares = sum(c.share for c in columns if not c.width)
    if rest < 0 or (shares and rest * min(c.share for c in columns if not c.width) / shares
                    < FREE_MINIMUM):
        raise ValueError(f"the columns {[c.heading for c in columns]} do not fit the page")
    return [c.width or rest * c.share / shares for c in columns]


# ---------------------------------------------------------------- building blocks

def new_document(title: str) -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(10.5)
    styles["Footer"].font.size = Pt(8)
    for name, size, before, after in (("Title", 24, 0, 4), ("Heading 1", 14, 16, 4),
                                      ("Heading 2", 12, 10, 3)):
        style = styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = ACCENT
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = True
    subtitle(doc)
    properties = doc.core_properties
    properties.title, properties.language = title, LANGUAGE
    properties.author = properties.comments = properties.last_modified_by = ""
    header(doc)
    footer(doc)
    return doc


def subtitle(doc: DocxDocument) -> None:
    """The built-in Subtitle style (the project's name under the title): bold, upright,
    and without the numbering level python-docx's default template gives it."""
    style = doc.styles["Subtitle"]
    style.font.italic = False
    style.font.bold = True
    style.font.size = Pt(14)
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.paragraph_format.space_after = Pt(10)
    for numbering in style.element.findall(f"{qn('w:pPr')}/{qn('w:numPr')}"):
        numbering.getparent().remove(numbering)


def header(doc: DocxDocument) -> None:
    part = doc.sections[0].header
    table = part.add_table(rows=1, cols=2, width=Cm(PAGE_WIDTH_CM))
    left, right = table.rows[0].cells
    write(left, "{{ kommun }}", bold=True, size=Pt(12))
    left.add_paragraph("{{ projekt.forvaltning }}").runs[0].font.size = Pt(9)
    write(right, "{{ dokument.titel }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    status = right.add_paragraph()
    status.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = status.add_run("{{ dokument.status }}")
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0xA0, 0x1C, 0x1C)
    set_widths(table, (PAGE_WIDTH_CM / 2, PAGE_WIDTH_CM / 2))
    part.paragraphs[0].text = ""


def footer(doc: DocxDocument) -> None:
    part = doc.sections[0].footer
    paragraph = part.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("{{ projekt.projektnamn }} · {{ projekt.projekt_id }}"
                      "{% if projekt.diarienummer %} · Dnr {{ projekt.diarienummer }}"
                      "{% endif %} · Sida ").font.size = Pt(8)
    element = part.part.element.find(qn("w:p"))
    page_field(element, "PAGE")
    paragraph.add_run(" av ").font.size = Pt(8)
    page_field(element, "NUMPAGES")


FIELD_PARTS = ('<w:fldChar w:fldCharType="begin"/>',
               '<w:instrText xml:space="preserve"> {instruction} </w:instrText>',
               '<w:fldChar w:fldCharType="separate"/>', "<w:t>1</w:t>",
               '<w:fldChar w:fldCharType="end"/>')
"""A field's runs: begin, instruction, separator, the shown value until updated, end."""


def page_field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when shown,
    appended to the paragraph element in 8 pt runs."""
    for part in FIELD_PARTS:
        paragraph.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="16"/></w:rPr>'
                                   f"{part.format(instruction=instruction)}</w:r>"))


def write(cell: BlockItemContainer, text: str, bold: bool = False, size: Length | None = None,
          align: int | None = None) -> Paragraph:
    """The text in a run of the cell's first paragraph."""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = size
    if align is not None:
        paragraph.alignment = align
    return paragraph


def shading(fill: str) -> Any:
    """A cell's background; its fill may be a Jinja field (`{{ r.farg }}`)."""
    element = OxmlElement("w:shd")
    element.set(qn("w:val"), "clear")
    element.set(qn("w:color"), "auto")
    element.set(qn("w:fill"), fill)
    return element


def grid(doc: DocxDocument, cols: int, borders: bool = True) -> tuple[Table, Any]:
    """A new table at the end of the body, and its w:tbl element."""
    table = doc.add_table(rows=0, cols=cols)
    if borders:
        table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table, doc.element.find(qn("w:body")).findall(qn("w:tbl"))[-1]


def set_widths(table: Table, cm: Sequence[float]) -> None:
    """Fixed column widths: the grid, every cell and the table's own width."""
    table.autofit = False
    for column, width in zip(table.columns, cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, cm, strict=True):
            cell.width = Cm(width)


def lay_out(table: Table, tbl: Any, widths: Sequence[float], numbers: Sequence[bool] = (),
            header: bool = False, caption: str = "") -> None:
    """The table's fixed widths, its number columns right-aligned, rows that do not split
    across pages, a marked (repeated) header row, and a caption for screen readers."""
    set_widths(table, widths)
    for row in table.rows:
        for cell, number in zip(row.cells, numbers, strict=False):
            if number:
                for paragraph in cell.paragraphs:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    properties = tbl.find(qn("w:tblPr"))
    total = properties.find(qn("w:tblW"))
    total.set(qn("w:type"), "dxa")
    total.set(qn("w:w"), str(sum(Cm(w).twips for w in widths)))
    properties.insert_element_before(cell_margins(), "w:tblLook", "w:tblCaption",
                                     "w:tblDescription", "w:tblPrChange")
    if caption:
        element = OxmlElement("w:tblCaption")
        element.set(qn("w:val"), caption)
        properties.insert_element_before(element, "w:tblDescription", "w:tblPrChange")
    for index, tr in enumerate(tbl.findall(qn("w:tr"))):
        row_properties(tr, header=header and index == 0)
    if header:
        for cell in table.rows[0].cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def cell_margins() -> Any:
    margins = OxmlElement("w:tblCellMar")
    for side, cm in (("top", CELL_MARGIN_CM / 2), ("left", CELL_MARGIN_CM),
                     ("bottom", CELL_MARGIN_CM / 2), ("right", CELL_MARGIN_CM)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(Cm(cm).twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    return margins


def row_properties(tr: Any, header: bool) -> None:
    """A row never splits across pages; a header row repeats on each page."""
    properties = tr.find(qn("w:trPr"))
    if properties is None:
        properties = OxmlElement("w:trPr")
        tr.insert(0, properties)
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def title(doc: DocxDocument, name: str) -> None:
    doc.add_paragraph(name, style="Title")
    doc.add_paragraph("{{ projekt.projektnamn }}", style="Subtitle")


def introduces(paragraph: Paragraph) -> Paragraph:
    """The paragraph stays on the page of the table it introduces."""
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def after_table(doc: DocxDocument, text: str) -> Paragraph:
    """A paragraph right after a table, with space between them."""
    paragraph = doc.add_paragraph(text)
    paragraph.paragraph_format.space_before = TABLE_GAP
    return paragraph


def key_values(doc: DocxDocument, pairs: Sequence[tuple[str, str]]) -> None:
    """A two-column table of labels and values (the basfakta)."""
    table, tbl = grid(doc, 2)
    for label, value in pairs:
        left, right = table.add_row().cells
        write(left, label, bold=True)
        left.width = Cm(LABEL)
        tc_properties(tbl, -1, 0).append(shading(LABEL_FILL))
        write(right, value)
    lay_out(table, tbl, (LABEL, PAGE_WIDTH_CM - LABEL))


def tc_properties(tbl: Any, row: int, column: int) -> Any:
    """The w:tcPr of a cell of the table element (python-docx gives every cell one)."""
    return tbl.findall(qn("w:tr"))[row].findall(qn("w:tc"))[column].find(qn("w:tcPr"))


def loop_table(doc: DocxDocument, items: str, columns: Sequence[Column],
               totals: Sequence[str] | None = None, caption: str = "",
               empty: str = "Inga rader.") -> None:
    """A table with a header row and one row per item of the list `items` ({%tr for %})."""
    widths = column_widths(columns)
    table, tbl = grid(doc, len(columns))
    heading = table.add_row().cells
    for index, (cell, column) in enumerate(zip(heading, columns, strict=True)):
        write(cell, column.heading, bold=True, size=TABLE_TEXT)
        cell.width = Cm(widths[index])
        tc_properties(tbl, 0, index).append(shading(HEADER_FILL))
    table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr for r in {items} %}}")
    for cell, column in zip(table.add_row().cells, columns, strict=True):
        write(cell, f"{{{{ r.{column.field} }}}}", size=TABLE_TEXT)
        for label, field in column.notes:
            noted(cell, label, field)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if totals is not None:
        for cell, value in zip(table.add_row().cells, totals, strict=True):
            write(cell, value, bold=True, size=TABLE_TEXT)
    lay_out(table, tbl, widths, [c.number for c in columns], header=True, caption=caption)
    doc.add_paragraph(f"{{%p if not {items} %}}")
    after_table(doc, empty).runs[0].italic = True
    doc.add_paragraph("{%p endif %}")


def noted(cell: BlockItemContainer, label: str, field: str) -> None:
    """The row's field (`label: value` if labelled, in italics) in a paragraph of its own,
    if the field has a value."""
    cell.add_paragraph(f"{{%p if r.{field} %}}")
    run = cell.add_paragraph().add_run(f"{label}: {{{{ r.{field} }}}}" if label
                                       else f"{{{{ r.{field} }}}}")
    run.italic = bool(label)
    run.font.size = TABLE_TEXT
    cell.add_paragraph("{%p endif %}")


def section(doc: DocxDocument, heading: str, value: str, level: int = 1) -> None:
    doc.add_heading(heading, level=level)
    doc.add_paragraph(value)


def checklist_section(doc: DocxDocument) -> None:
    doc.add_heading("Checklista inför {{ checklista.beslutspunkt }}", level=1)
    introduces(doc.add_paragraph("{{ checklista.beslutspunkt }}: {{ checklista.innebord }}. "
                                 "Öppna kontrollpunkter: {{ checklista.oppna }}."))
    loop_table(doc, "checklista.rader", CHECKLIST, caption="Checklista")


def decision_section(doc: DocxDocument) -> None:
    doc.add_heading("Beslut", level=1)
    doc.add_paragraph("{%p if checklista.beslut.beslut %}")
    doc.add_paragraph("{{ checklista.beslutspunkt }}: {{ checklista.beslut.beslut }} "
                      "{{ checklista.beslut.datum }}, {{ checklista.beslut.beslutsfattare }}.")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Styrgruppen har ännu inte fattat beslut vid "
                      "{{ checklista.beslutspunkt }}.")
    doc.add_paragraph("{%p endif %}")
    signature(doc, ("Beställare", "{{ projekt.bestallare }}"),
              ("Projektledare", "{{ projekt.projektledare }}"))


def signature(doc: DocxDocument, *signers: tuple[str, str]) -> None:
    table, tbl = grid(doc, len(signers), borders=False)
    lines = [table.add_row().cells for _ in range(3)]
    for i, (role, name) in enumerate(signers):
        write(lines[0][i], "Ort och datum: ______________________")
        write(lines[1][i], "\n\n______________________________")
        write(lines[2][i], f"{role}\n{name}")
    together(table)
    lay_out(table, tbl, [PAGE_WIDTH_CM / len(signers)] * len(signers))


def together(table: Table) -> None:
    """The table's rows stay on one page (each keeps with the next)."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


BASFAKTA: tuple[tuple[str, str], ...] = (
    ("Projektnamn", "{{ projekt.projektnamn }}"),
    ("Projekt-ID", "{{ projekt.projekt_id }}"),
    ("Diarienummer", "{{ projekt.diarienummer }}"),
    ("Förvaltning", "{{ projekt.forvaltning }}"),
    ("Verksamhet", "{{ projekt.verksamhet }}"),
    ("Beställare", "{{ projekt.bestallare }}"),
    ("Projektledare", "{{ projekt.projektledare }}"),
    ("Projektperiod", "{{ projekt.period }}"),
    ("Aktuell fas", "{{ projekt.aktuell_fas }}"),
    ("Fond/program", "{{ projekt.fond_program }}"),
)

ORGANISATION: tuple[Column, ...] = (
    fixed("Roll", "roll", ROLE),
    free("Namn, befattning och e-post", "namn", notes=(("", "befattning"), ("", "epost"))),
    fixed("Förvaltning/enhet", "enhet", UNIT))
"""The befattning and e-post are written under the name, in its cell: an e-post address
(`christoffer.gustafsson@harnosand.se`) has no place a line may break, and a column of its
own would leave too little for the others."""
RISKS: tuple[Column, ...] = (
    free("Risk", "risk"), numeric("S", "sannolikhet", SCALE),
    numeric("K", "konsekvens", SCALE), numeric("Riskvärde", "riskvarde", RISK_VALUE),
    free("Åtgärd", "atgard"), fixed("Ansvarig", "ansvarig", NAME),
    fixed("Status", "status", CHOICE))
COST_COLUMNS: tuple[Column, ...] = (
    numeric("Budget", "budget"), numeric("Utfall", "utfall"), numeric("Prognos", "prognos"))
COST_TOTALS = ("{{ kostnader.totalt.budget }}", "{{ kostnader.totalt.utfall }}",
               "{{ kostnader.totalt.prognos }}")
FUNDING: tuple[Column, ...] = (
    free("Finansiär", "finansiar"), fixed("Typ", "typ", FUNDER_TYPE),
    fixed("Form", "form", CHOICE), numeric("År", "ar", YEAR), numeric("Belopp", "belopp"),
    fixed("Status", "status", CHOICE))
BENEFITS: tuple[Column, ...] = (
    free("Nytta och indikator", "nytta", notes=(("Indikator", "indikator"),)),
    fixed("Typ", "typ", BENEFIT_TYPE),
    numeric("Värde per år", "varde_per_ar", SHORT_AMOUNT), numeric("Från år", "fran_ar", YEAR),
    numeric("Antal år", "antal_ar", YEAR), numeric("Totalt", "totalt"))
"""The indikator is written under the nytta, in its cell: seven columns
would leave the free-text ones too narrow for a word like `Gruppledarkompetens`."""
ACTIVITIES: tuple[Column, ...] = (
    free("Aktivitet", "aktivitet"), free("Leverans/milstolpe", "leverans"),
    fixed("Ansvarig", "ansvarig", NAME), fixed("Start", "start", DATE),
    fixed("Slut", "slut", DATE), fixed("Status", "status", CHOICE))
CHECKLIST: tuple[Column, ...] = (
    fixed("ID", "id", ITEM_ID), free("Kontrollpunkt", "kontrollpunkt", 1.5),
    fixed("Svar", "svar", CHOICE), free("Kommentar", "kommentar"),
    fixed("Status", "klar", CHOICE))
RESOURCES: tuple[Column, ...] = (
    free("Projektmedlem", "projektmedlem"), numeric("Timmar", "timmar", COUNT),
    fixed("Period", "period", PERIOD),
    fixed("Resursgivare", "resursgivare", RESOURCE_GIVER),
    numeric("Timkostnad", "timkostnad", SHORT_AMOUNT), numeric("Kostnad", "kostnad"))
FINAL_COSTS: tuple[Column, ...] = (
    free("Kostnadsslag", "kostnadsslag"), numeric("Budget", "budget"),
    numeric("Utfall", "utfall"), numeric("Avvikelse", "avvikelse"),
    numeric("Avvikelse %", "avvikelse_procent", PERCENT))


def organisation(doc: DocxDocument) -> None:
    doc.add_heading("Organisation", level=1)
    loop_table(doc, "organisation", ORGANISATION, caption="Projektorganisation")


def costs_by_kind(doc: DocxDocument) -> None:
    loop_table(doc, "kostnader.per_slag", (free("Kostnadsslag", "kostnadsslag"), *COST_COLUMNS),
               ("Summa", *COST_TOTALS), caption="Kostnader per kostnadsslag")


def costs_by_kind_and_year(doc: DocxDocument) -> None:
    loop_table(doc, "kostnader.per_slag_och_ar",
               (free("Kostnadsslag", "kostnadsslag"), numeric("År", "ar", YEAR),
                *COST_COLUMNS),
               ("Summa", "", *COST_TOTALS), caption="Budget per kostnadsslag och år")
    doc.add_heading("Kostnader per år", level=2)
    loop_table(doc, "kostnader.per_ar", (free("År", "ar"), *COST_COLUMNS),
               ("Summa", *COST_TOTALS), caption="Kostnader per år")


def funding(doc: DocxDocument) -> None:
    doc.add_heading("Finansiering", level=2)
    loop_table(doc, "finansiering.rader", FUNDING,
               ("Summa", "", "", "", "{{ finansiering.totalt }}", ""), caption="Finansiering")
    after_table(doc, "Varav EU-medel {{ finansiering.eu_andel }}, varav medfinansiering i "
                     "arbetstid {{ finansiering.arbetstid }}. {{ finansiering.tackning }}")


def risks(doc: DocxDocument, heading: str) -> None:
    doc.add_heading(heading, level=1)
    introduces(doc.add_paragraph("Riskvärde = sannolikhet (S) × konsekvens (K), skala 1–5. "
                                 "Högst riskvärde först."))
    loop_table(doc, "risker", RISKS, caption="Risker")


# ---------------------------------------------------------------- the five documents

def projektdirektiv() -> DocxDocument:
    doc = new_document("Projektdirektiv")
    title(doc, "Projektdirektiv")
    key_values(doc, BASFAKTA)
    section(doc, "Bakgrund", "{{ projekt.bakgrund }}")
    section(doc, "Syfte", "{{ projekt.syfte }}")
    section(doc, "Koppling till verksamhetens mål", "{{ projekt.koppling_till_mal }}")
    section(doc, "Effektmål", "{{ projekt.effektmal }}")
    section(doc, "Projektmål", "{{ projekt.projektmal }}")
    section(doc, "Avgränsningar", "{{ projekt.avgransningar }}")
    section(doc, "Tidsram", "Projektet genomförs {{ projekt.period }}.")
    organisation(doc)
    doc.add_heading("Ekonomisk ram", level=1)
    doc.add_heading("Kostnader per kostnadsslag", level=2)
    costs_by_kind(doc)
    funding(doc)
    risks(doc, "Övergripande risker")
    doc.add_heading("Nyttokalkyl i korthet", level=1)
    introduces(doc.add_paragraph("Beräknad ekonomisk nytta {{ nytta.totalt }}; nettonytta "
                                 "(nytta − budget) {{ nytta.nettonytta }}."))
    loop_table(doc, "nytta.rader", BENEFITS, caption="Nyttokalkyl")
    checklist_section(doc)
    decision_section(doc)
    return doc


def projektplan() -> DocxDocument:
    doc = new_document("Projektplan")
    title(doc, "Projektplan")
    key_values(doc, BASFAKTA)
    doc.add_heading("Mål", level=1)
    section(doc, "Effektmål", "{{ projekt.effektmal }}", level=2)
    section(doc, "Projektmål", "{{ projekt.projektmal }}", level=2)
    section(doc, "Avgränsningar", "{{ projekt.avgransningar }}")
    section(doc, "Målgrupp och intressenter", "{{ projekt.malgrupp }}")
    organisation(doc)
    doc.add_heading("Resursplan", level=1)
    introduces(doc.add_paragraph("Projektmedlemmarnas medverkan enligt personkontrakten: "
                                 "{{ resurser.timmar }} timmar, {{ resurser.kostnad }}."))
    loop_table(doc, "resurser.rader", RESOURCES, caption="Resursplan")
    doc.add_heading("Aktiviteter och milstolpar", level=1)
    loop_table(doc, "aktiviteter", ACTIVITIES, caption="Aktiviteter och milstolpar")
    doc.add_heading("Budget", level=1)
    doc.add_heading("Budget per kostnadsslag och år", level=2)
    costs_by_kind_and_year(doc)
    funding(doc)
    risks(doc, "Riskanalys")
    section(doc, "Kommunikation och information", "{{ projekt.kommunikation }}")
    section(doc, "Rapportering", "Statusrapporter lämnas till styrgruppen "
            "{{ projekt.rapporteringsintervall|lower }}.")
    section(doc, "Överlämning och mottagare", "{{ projekt.overlamning }}")
    section(doc, "Uppföljning av effektmål", "{{ projekt.uppfoljning_effektmal }}")
    checklist_section(doc)
    decision_section(doc)
    return doc


def statusrapport() -> DocxDocument:
    doc = new_document("Statusrapport")
    title(doc, "Statusrapport {{ rapport.rapport_nr }}")
    key_values(doc, (
        ("Projekt", "{{ projekt.projektnamn }} ({{ projekt.projekt_id }})"),
        ("Projektledare", "{{ projekt.projektledare }}"),
        ("Rapportperiod", "{{ rapport.period }}"),
        ("Rapportdatum", "{{ rapport.rapportdatum }}"),
        ("Aktuell fas", "{{ projekt.aktuell_fas }}")))
    doc.add_heading("Läget", level=1)
    traffic_lights(doc)
    section(doc, "Sammanfattning", "{{ rapport.sammanfattning }}")
    section(doc, "Genomfört under perioden", "{{ rapport.genomfort }}")
    section(doc, "Planerat nästa period", "{{ rapport.planerat }}")
    section(doc, "Avvikelser och åtgärder", "{{ rapport.avvikelser }}")
    section(doc, "Risker och problem", "{{ rapport.risker }}")
    section(doc, "Beslut som behövs", "{{ rapport.beslut_som_behovs }}")
    doc.add_heading("Ekonomi", level=1)
    doc.add_paragraph("Upparbetad kostnad {{ rapport.upparbetad_kostnad }} av budget "
                      "{{ rapport.budget }}{% if rapport.andel_av_budget %} "
                      "({{ rapport.andel_av_budget }}){% endif %}. Kostnadsläge enligt "
                      "budgettoleransen: {{ rapport.kostnadsljus.ord }}.")
    doc.add_heading("Försenade aktiviteter", level=1)
    loop_table(doc, "rapport.sena_aktiviteter", ACTIVITIES, caption="Försenade aktiviteter",
               empty="Inga försenade aktiviteter.")
    return doc


def traffic_lights(doc: DocxDocument) -> None:
    """Område and Bedömning, one row per light: the word printed in bold on its colour
    (never colour alone), the colour a field of the cell's shading (`{{ r.farg }}`),
    written where the schema wants it, after the cell's width."""
    table, tbl = grid(doc, 2)
    heading = table.add_row().cells
    for index, label in enumerate(("Område", "Bedömning")):
        write(heading[index], label, bold=True)
        heading[index].width = Cm(LABEL)
        tc_properties(tbl, 0, index).append(shading(HEADER_FILL))
    table.add_row().cells[0].paragraphs[0].add_run("{%tr for r in rapport.ljus %}")
    name, word = table.add_row().cells
    write(name, "{{ r.namn }}")
    write(word, "{{ r.ord }}", bold=True)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    lay_out(table, tbl, (LABEL, PAGE_WIDTH_CM - LABEL), header=True, caption="Läget")
    tc_properties(tbl, 2, 1).append(shading("{{ r.farg }}"))


def slutrapport() -> DocxDocument:
    doc = new_document("Slutrapport")
    title(doc, "Slutrapport")
    section(doc, "Sammanfattning", "{{ slutrapport.sammanfattning }}")
    doc.add_heading("Basfakta", level=1)
    key_values(doc, BASFAKTA)
    doc.add_heading("Måluppfyllelse", level=1)
    section(doc, "Projektmål", "{{ projekt.projektmal }}", level=2)
    doc.add_paragraph("{{ slutrapport.maluppfyllelse_projektmal }}")
    section(doc, "Effektmål", "{{ projekt.effektmal }}", level=2)
    doc.add_paragraph("{{ slutrapport.maluppfyllelse_effektmal }}")
    section(doc, "Leveranser och överlämning", "{{ slutrapport.leveranser }}")
    doc.add_paragraph("Mottagare: {{ slutrapport.mottagare }}")
    section(doc, "Avvikelser från plan", "{{ slutrapport.avvikelser }}")
    doc.add_heading("Ekonomi: budget mot utfall (efterkalkyl)", level=1)
    loop_table(doc, "kostnader.per_slag", FINAL_COSTS,
               ("Summa", "{{ kostnader.totalt.budget }}", "{{ kostnader.totalt.utfall }}",
                "{{ kostnader.totalt.avvikelse }}", "{{ kostnader.totalt.avvikelse_procent }}"),
               caption="Efterkalkyl per kostnadsslag")
    after_table(doc, "{{ slutrapport.ekonomi_kommentar }}")
    funding(doc)
    section(doc, "Restlista", "{{ slutrapport.restlista }}")
    section(doc, "Erfarenheter och lärdomar", "{{ slutrapport.erfarenheter }}")
    section(doc, "Förslag till fortsatt arbete", "{{ slutrapport.fortsatt_arbete }}")
    section(doc, "Uppföljning av effektmål", "{{ slutrapport.uppfoljning }}")
    checklist_section(doc)
    decision_section(doc)
    return doc


RESPONSIBILITIES = (
    "Bedöma förutsättningarna för att genomföra arbetsuppgiften (kalendertid, resurs/kostnad, "
    "egen/gruppens kompetens/vilja).",
    "Överenskomma med projektledaren om förutsättningarna för arbetsuppgiften före start.",
    "Medverka på fastställda projektmöten (vid eventuellt förhinder rapporteras detta till "
    "projektledare).",
    "Rapportera tid.",
    "Ansvara för mina personliga resultat, meddela avvikelser och problem.",
    "Bedöma resultat och återstående tid.",
)


def personkontrakt() -> DocxDocument:
    doc = new_document("Personkontrakt")
    doc.add_paragraph("Personkontrakt", style="Title")
    key_values(doc, (
        ("Aktuellt projekt", "{{ projekt.projektnamn }} ({{ projekt.projekt_id }})"),
        ("Berörd person", "{{ kontrakt.projektmedlem }}"),
        ("Befattning", "{{ kontrakt.befattning }}"),
        ("Förvaltning/enhet", "{{ kontrakt.enhet }}"),
        ("Roll och arbetsuppgifter", "{{ kontrakt.arbetsuppgifter }}")))
    doc.add_heading("Resursgivardelen", level=1)
    key_values(doc, (
        ("Projektmedverkan i antal timmar", "{{ kontrakt.timmar }} tim"),
        ("Under perioden", "{{ kontrakt.fran }}—{{ kontrakt.till }}"),
        ("Resursgivare ({{ kontrakt.resursgivare_befattning|lower }})",
         "{{ kontrakt.resursgivare }}"),
        ("Finansiering av tiden", "{{ kontrakt.tidsfinansiering }}")))
    doc.add_heading("Projektmedlems ansvar och åtagande", level=1)
    doc.add_paragraph(
        "Som projektmedlem har jag ett allmänt projektansvar. I ansvaret ingår att jobba mot "
        "projektets mål som är uppställda i direktiv/uppdrag, att ha ett aktivt deltagande och "
        "att tala positivt om projektet. Att arbeta i projekt innebär att du bidrar med "
        "engagemang, samarbetar och att humor och glädje medverkat till ett gott resultat.")
    doc.add_paragraph("Som projektmedlem i detta projekt ansvarar jag för att:")
    for item in RESPONSIBILITIES:
        doc.add_paragraph(item, style="List Bullet")
    doc.add_heading("Särskild kompetens", level=2)
    doc.add_paragraph("{{ kontrakt.sarskild_kompetens }}")
    doc.add_heading("Befogenheter", level=2)
    doc.add_paragraph("Mina befogenheter är att: {{ kontrakt.befogenheter }}")
    introduces(doc.add_paragraph("Jag accepterar min medverkan enligt ovan och "
                                 "arbetsformerna enligt projektdirektiv."))
    signature_lines(doc)
    return doc


def signature_lines(doc: DocxDocument) -> None:
    """Place and date, then the two signatures, kept on one page."""
    table, tbl = grid(doc, 2, borders=False)
    rows = [table.add_row().cells for _ in range(4)]
    write(rows[0][0], "Ort", bold=True)
    write(rows[0][1], "Datum", bold=True)
    write(rows[1][0], "{{ kontrakt.ort }}")
    write(rows[1][1], "{{ kontrakt.datum }}")
    write(rows[2][0], "\n\n______________________________")
    write(rows[2][1], "\n\n______________________________")
    write(rows[3][0], "Underskrift av projektmedlem\n{{ kontrakt.projektmedlem }}")
    write(rows[3][1], "Underskrift av resursgivare\n{{ kontrakt.resursgivare }}, "
                      "{{ kontrakt.resursgivare_befattning }}")
    together(table)
    lay_out(table, tbl, (PAGE_WIDTH_CM / 2, PAGE_WIDTH_CM / 2))


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    "projektdirektiv": projektdirektiv,
    "projektplan": projektplan,
    "statusrapport": statusrapport,
    "slutrapport": slutrapport,
    "personkontrakt": personkontrakt,
}


# ---------------------------------------------------------------- the whole package

def in_swedish(doc: DocxDocument) -> DocxDocument:
    """sv-SE as the styles' default language, in every run of the body, header and
    footer, and as the settings' theme font language."""
    defaults = doc.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    defaults.set(qn("w:val"), LANGUAGE)
    section = doc.sections[0]
    for story in (doc.element, section.header.part.element, section.footer.part.element):
        for run in story.iter(qn("w:r")):
            run_language(run)
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    theme.set(qn("w:val"), LANGUAGE)
    return doc


def run_language(run: Any) -> None:
    properties = run.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run.insert(0, properties)
    if properties.find(qn("w:lang")) is None:
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), LANGUAGE)
        properties.insert_element_before(language, "w:eastAsianLayout", "w:specVanish",
                                         "w:oMath", "w:rPrChange")


UNUSED_STYLE_FAMILIES = ("Light", "Medium", "Dark", "Colorful")
"""The first word of python-docx's default template's table styles no template uses."""
UNUSED_RELATIONSHIPS = ("/stylesWithEffects", "/customXml")
UNUSED_PACKAGE_RELATIONSHIPS = ("/thumbnail",)


def slimmed(doc: DocxDocument) -> DocxDocument:
    """The document without what python-docx's default template carries and no template
    uses: 138 table styles (styles.xml 350 kB -> 39 kB), stylesWithEffects.xml (Word
    2010's copy of the styles, 440 kB), which every document would otherwise repeat, an
    empty bibliography (customXml) and the thumbnail of another document's page."""
    for style in list(doc.styles):
        if style.name.split()[0] in UNUSED_STYLE_FAMILIES:
            style.delete()
    for key, relationship in list(doc.part.rels.items()):
        if relationship.reltype.endswith(UNUSED_RELATIONSHIPS):
            doc.part.drop_rel(key)
    package_relationships = doc.part.package.rels
    for key, relationship in list(package_relationships.items()):
        if relationship.reltype.endswith(UNUSED_PACKAGE_RELATIONSHIPS):
            del package_relationships[key]
    return doc


def valid(doc: DocxDocument) -> DocxDocument:
    """Without the `w:zoom` python-docx's default settings carry without the `w:percent`
    the schema requires (Word then opens the document at its own zoom)."""
    settings = doc.settings.element
    for zoom in settings.findall(qn("w:zoom")):
        settings.remove(zoom)
    return doc


def finished(doc: DocxDocument) -> DocxDocument:
    return valid(in_swedish(slimmed(doc)))


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        path = folder / f"{name}.docx"
        finished(build()).save(path)
        written.append(path)
    return written


def main(arguments: Iterable[str]) -> None:
    for written in write_templates(Path(next(iter(arguments), "templates"))):
        print(written)


if __name__ == "__main__":
    main(sys.argv[1:])
