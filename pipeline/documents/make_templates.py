"""Writes the five shipped templates (templates/*.docx) with python-docx.

    python -m pipeline.documents.make_templates [FOLDER]

The templates are ordinary Word documents holding docxtpl tags: `{{ field }}`,
`{%tr for %}` table row loops and `{%p if %}` paragraphs. A municipality may edit them
in Word, or change this script and run it again; `projektmodell templates check` tells
whether an edited template names only fields the documents have.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

HEADER_FILL = "DCE6F0"
LABEL_FILL = "F2F2F2"
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)

Column = tuple[str, str]  # (heading, field of the loop row)
PAGE_WIDTH_CM = 16.6
WIDE_FIELDS = {"risk": 3.0, "atgard": 2.5, "aktivitet": 2.0, "leverans": 2.0,
               "kontrollpunkt": 4.0, "kommentar": 2.5, "nytta": 2.5, "indikator": 2.0,
               "namn": 1.6, "finansiar": 2.5, "projektmedlem": 1.6, "enhet": 1.8,
               "epost": 2.2, "kostnadsslag": 1.6, "period": 2.0, "resursgivare": 1.4,
               "befattning": 1.5, "id": 0.6, "sannolikhet": 0.5, "konsekvens": 0.5,
               "start": 1.5, "slut": 1.5, "ansvarig": 1.4, "status": 1.2, "riskvarde": 1.0}
TABLE_TEXT = Pt(9)


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
    for name, size in (("Title", 24), ("Heading 1", 14), ("Heading 2", 12)):
        styles[name].font.name = "Calibri"
        styles[name].font.size = Pt(size)
        styles[name].font.color.rgb = ACCENT
    doc.core_properties.title = title
    doc.core_properties.language = "sv-SE"
    header(doc)
    footer(doc)
    return doc


def header(doc: DocxDocument) -> None:
    part = doc.sections[0].header
    table = part.add_table(rows=1, cols=2, width=Cm(16.6))
    left, right = table.rows[0].cells
    write(left, "{{ kommun }}", bold=True, size=12)
    left.add_paragraph("{{ projekt.forvaltning }}").runs[0].font.size = Pt(9)
    write(right, "{{ dokument.titel }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    status = right.add_paragraph()
    status.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = status.add_run("{{ dokument.status }}")
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor(0xA0, 0x1C, 0x1C)
    part.paragraphs[0].text = ""


def footer(doc: DocxDocument) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    small(paragraph.add_run("{{ projekt.projektnamn }} · {{ projekt.projekt_id }}"
                            "{% if projekt.diarienummer %} · Dnr {{ projekt.diarienummer }}"
                            "{% endif %} · Sida "))
    page_field(paragraph, "PAGE")
    small(paragraph.add_run(" av "))
    page_field(paragraph, "NUMPAGES")


def small(run: object) -> None:
    run.font.size = Pt(8)  # type: ignore[attr-defined]


def page_field(paragraph: object, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when shown."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    run.font.size = Pt(8)
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None),
                       (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == "1":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def write(cell: _Cell, text: str, bold: bool = False, size: float | None = None,
          align: int | None = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align


def shade(cell: _Cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def grid(doc: DocxDocument, cols: int) -> Table:
    table = doc.add_table(rows=0, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def title(doc: DocxDocument, name: str) -> None:
    doc.add_paragraph(name, style="Title")
    subtitle = doc.add_paragraph()
    run = subtitle.add_run("{{ projekt.projektnamn }}")
    run.bold = True
    run.font.size = Pt(14)


def key_values(doc: DocxDocument, pairs: Sequence[Column]) -> None:
    """A two-column table of labels and values (the basfakta)."""
    table = grid(doc, 2)
    for label, value in pairs:
        left, right = table.add_row().cells
        write(left, label, bold=True)
        shade(left, LABEL_FILL)
        write(right, value)
    widths(table, (5.0, 11.6))
    doc.add_paragraph()


def widths(table: Table, cm: Sequence[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, cm, strict=False):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, cm, strict=False):
            cell.width = Cm(width)


def loop_table(doc: DocxDocument, items: str, columns: Sequence[Column],
               totals: Sequence[str] | None = None, empty: str = "Inga rader.") -> None:
    """A table with a header row and one row per item of the list `items` ({%tr for %})."""
    table = grid(doc, len(columns))
    heading = table.add_row().cells
    for cell, (label, _) in zip(heading, columns, strict=True):
        write(cell, label, bold=True, size=9)
        shade(cell, HEADER_FILL)
    table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr for r in {items} %}}")
    for cell, (_, key) in zip(table.add_row().cells, columns, strict=True):
        write(cell, f"{{{{ r.{key} }}}}", size=9)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if totals is not None:
        for cell, value in zip(table.add_row().cells, totals, strict=True):
            write(cell, value, bold=True, size=9)
    weights = [WIDE_FIELDS.get(key, 1.0) for _, key in columns]
    widths(table, [PAGE_WIDTH_CM * w / sum(weights) for w in weights])
    doc.add_paragraph(f"{{%p if not {items} %}}")
    doc.add_paragraph(empty).runs[0].italic = True
    doc.add_paragraph("{%p endif %}")


def section(doc: DocxDocument, heading: str, value: str, level: int = 1) -> None:
    doc.add_heading(heading, level=level)
    doc.add_paragraph(value)


def checklist_section(doc: DocxDocument) -> None:
    doc.add_heading("Checklista inför {{ checklista.beslutspunkt }}", level=1)
    doc.add_paragraph("{{ checklista.beslutspunkt }}: {{ checklista.innebord }}. "
                      "Öppna kontrollpunkter: {{ checklista.oppna }}.")
    loop_table(doc, "checklista.rader", (("ID", "id"), ("Kontrollpunkt", "kontrollpunkt"),
                                         ("Svar", "svar"), ("Kommentar", "kommentar"),
                                         ("Status", "klar")))


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


def signature(doc: DocxDocument, *signers: Column) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=3, cols=len(signers))
    for i, (role, name) in enumerate(signers):
        write(table.cell(0, i), "Ort och datum: ______________________")
        write(table.cell(1, i), "\n\n______________________________")
        write(table.cell(2, i), f"{role}\n{name}")


BASFAKTA: tuple[Column, ...] = (
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
    ("Roll", "roll"), ("Namn", "namn"), ("Befattning", "befattning"),
    ("Förvaltning/enhet", "enhet"), ("E-post", "epost"))
RISKS: tuple[Column, ...] = (
    ("Risk", "risk"), ("S", "sannolikhet"), ("K", "konsekvens"), ("Riskvärde", "riskvarde"),
    ("Åtgärd", "atgard"), ("Ansvarig", "ansvarig"), ("Status", "status"))
COST_COLUMNS: tuple[Column, ...] = (
    ("Budget", "budget"), ("Utfall", "utfall"), ("Prognos", "prognos"))
COST_TOTALS = ("{{ kostnader.totalt.budget }}", "{{ kostnader.totalt.utfall }}",
               "{{ kostnader.totalt.prognos }}")
FUNDING: tuple[Column, ...] = (
    ("Finansiär", "finansiar"), ("Typ", "typ"), ("Form", "form"), ("År", "ar"),
    ("Belopp", "belopp"), ("Status", "status"))
BENEFITS: tuple[Column, ...] = (
    ("Nytta", "nytta"), ("Typ", "typ"), ("Indikator", "indikator"),
    ("Värde per år", "varde_per_ar"), ("Från år", "fran_ar"), ("Antal år", "antal_ar"),
    ("Totalt", "totalt"))
ACTIVITIES: tuple[Column, ...] = (
    ("Aktivitet", "aktivitet"), ("Leverans/milstolpe", "leverans"), ("Ansvarig", "ansvarig"),
    ("Start", "start"), ("Slut", "slut"), ("Status", "status"))


def organisation(doc: DocxDocument) -> None:
    doc.add_heading("Organisation", level=1)
    loop_table(doc, "organisation", ORGANISATION)


def costs_by_kind(doc: DocxDocument) -> None:
    loop_table(doc, "kostnader.per_slag", (("Kostnadsslag", "kostnadsslag"), *COST_COLUMNS),
               ("Summa", *COST_TOTALS))


def costs_by_kind_and_year(doc: DocxDocument) -> None:
    loop_table(doc, "kostnader.per_slag_och_ar",
               (("Kostnadsslag", "kostnadsslag"), ("År", "ar"), *COST_COLUMNS),
               ("Summa", "", *COST_TOTALS))
    doc.add_heading("Kostnader per år", level=2)
    loop_table(doc, "kostnader.per_ar", (("År", "ar"), *COST_COLUMNS), ("Summa", *COST_TOTALS))


def funding(doc: DocxDocument) -> None:
    doc.add_heading("Finansiering", level=2)
    loop_table(doc, "finansiering.rader", FUNDING,
               ("Summa", "", "", "", "{{ finansiering.totalt }}", ""))
    doc.add_paragraph("Varav EU-medel {{ finansiering.eu_andel }}, varav medfinansiering i "
                      "arbetstid {{ finansiering.arbetstid }}. {{ finansiering.tackning }}")


def risks(doc: DocxDocument, heading: str) -> None:
    doc.add_heading(heading, level=1)
    doc.add_paragraph("Riskvärde = sannolikhet (S) × konsekvens (K), skala 1–5. "
                      "Högst riskvärde först.")
    loop_table(doc, "risker", RISKS)


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
    doc.add_paragraph("Beräknad ekonomisk nytta {{ nytta.totalt }}; nettonytta (nytta − "
                      "budget) {{ nytta.nettonytta }}.")
    loop_table(doc, "nytta.rader", BENEFITS)
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
    doc.add_paragraph("Projektmedlemmarnas medverkan enligt personkontrakten: "
                      "{{ resurser.timmar }} timmar, {{ resurser.kostnad }}.")
    loop_table(doc, "resurser.rader", (
        ("Projektmedlem", "projektmedlem"), ("Timmar", "timmar"), ("Period", "period"),
        ("Resursgivare", "resursgivare"), ("Timkostnad", "timkostnad"),
        ("Kostnad", "kostnad")))
    doc.add_heading("Aktiviteter och milstolpar", level=1)
    loop_table(doc, "aktiviteter", ACTIVITIES)
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
    table = grid(doc, 2)
    heading = table.add_row().cells
    write(heading[0], "Område", bold=True)
    write(heading[1], "Bedömning", bold=True)
    shade(heading[0], HEADER_FILL)
    shade(heading[1], HEADER_FILL)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr for r in rapport.ljus %}")
    name, word = table.add_row().cells
    write(name, "{{ r.namn }}")
    write(word, "{% cellbg r.farg %}{{ r.ord }}", bold=True)
    table.add_row().cells[0].paragraphs[0].add_run("{%tr endfor %}")
    widths(table, (5.0, 11.6))
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
    loop_table(doc, "rapport.sena_aktiviteter", ACTIVITIES, empty="Inga försenade aktiviteter.")
    return doc


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
    loop_table(doc, "kostnader.per_slag", (
        ("Kostnadsslag", "kostnadsslag"), ("Budget", "budget"), ("Utfall", "utfall"),
        ("Avvikelse", "avvikelse"), ("Avvikelse %", "avvikelse_procent")),
        ("Summa", "{{ kostnader.totalt.budget }}", "{{ kostnader.totalt.utfall }}",
         "{{ kostnader.totalt.avvikelse }}", "{{ kostnader.totalt.avvikelse_procent }}"))
    doc.add_paragraph("{{ slutrapport.ekonomi_kommentar }}")
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
    doc.add_paragraph("Jag accepterar min medverkan enligt ovan och arbetsformerna enligt "
                      "projektdirektiv.")
    places = doc.add_table(rows=2, cols=2)
    write(places.cell(0, 0), "Ort", bold=True)
    write(places.cell(0, 1), "Datum", bold=True)
    write(places.cell(1, 0), "{{ kontrakt.ort }}")
    write(places.cell(1, 1), "{{ kontrakt.datum }}")
    signature_lines(doc)
    return doc


def signature_lines(doc: DocxDocument) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=2, cols=2)
    write(table.cell(0, 0), "\n\n______________________________")
    write(table.cell(0, 1), "\n\n______________________________")
    write(table.cell(1, 0), "Underskrift av projektmedlem\n{{ kontrakt.projektmedlem }}")
    write(table.cell(1, 1), "Underskrift av resursgivare\n{{ kontrakt.resursgivare }}, "
                            "{{ kontrakt.resursgivare_befattning }}")


BUILDERS: dict[str, Callable[[], DocxDocument]] = {
    "projektdirektiv": projektdirektiv,
    "projektplan": projektplan,
    "statusrapport": statusrapport,
    "slutrapport": slutrapport,
    "personkontrakt": personkontrakt,
}


UNUSED_STYLE_FAMILIES = ("Light", "Medium", "Dark", "Colorful")
"""The first word of python-docx's default template's table styles no template uses."""


def slimmed(doc: DocxDocument) -> DocxDocument:
    """The document without what python-docx's default template carries and no template
    uses: 138 table styles (styles.xml 350 kB -> 39 kB) and stylesWithEffects.xml (Word
    2010's copy of the styles, 440 kB), which every document would otherwise repeat."""
    for style in list(doc.styles):
        if style.name.split()[0] in UNUSED_STYLE_FAMILIES:
            style.delete()
    for key, relationship in list(doc.part.rels.items()):
        if relationship.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(key)
    return doc


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in BUILDERS.items():
        path = folder / f"{name}.docx"
        slimmed(build()).save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for written in write_templates(Path(sys.argv[1] if len(sys.argv) > 1 else "templates")):
        print(written)
