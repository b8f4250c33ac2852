"""The five documents as a project leader and a steering group read them: real .docx files."""

from __future__ import annotations

import io
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docxtpl import DocxTemplate
from lxml import etree

from pipeline.check import Checked, check_file
from pipeline.documents import TEMPLATES_DIR, Produced, load_templates, plan, produce
from pipeline.documents.context import build_context
from pipeline.documents.render import clean, strict_environment
from pipeline.example import checklist, decisions
from pipeline.model import DocKind
from pipeline.settings import Settings
from tests.conftest import WorkbookFactory, require_tool, soffice_convert

SLUTRAPPORT_FILL = {
    "sammanfattning": "Projektet nådde 113 av 120 föräldrar.",
    "maluppfyllelse_projektmal": "113 föräldrar utbildade, 10 gruppledare.",
    "maluppfyllelse_effektmal": "Mäts 2013.",
    "leveranser": "Föräldrastöd som permanent verksamhet.",
    "mottagare": "Individ- och familjeomsorgen",
    "erfarenheter": "Rekrytera via förskolan tidigt.",
    "uppfoljning": "2013-12-31, Eva Sjöberg",
}


@pytest.fixture(scope="module")
def templates() -> Any:
    return load_templates()


def document_text(data: bytes) -> str:
    """Everything a reader sees: paragraphs, table cells (nested), headers and footers."""
    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []
    for section in document.sections:
        for part in (section.header, section.footer):
            parts.extend(block_text(part))
    parts.extend(block_text(document))
    return "\n".join(parts)


def block_text(container: Any) -> list[str]:
    texts = [p.text for p in container.paragraphs]
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(block_text(cell))
    return texts


def header_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(t for s in document.sections for t in block_text(s.header))


def footer_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(t for s in document.sections for t in block_text(s.footer))


def produced_for(path: Path, templates: Any) -> tuple[Checked, Produced]:
    checked = check_file(path)
    assert checked.project is not None
    return checked, produce(checked.project, checked.report, templates)


def files_by_name(produced: Produced) -> dict[str, bytes]:
    return {f.name: f.data for f in produced.files}


def in_avslut(fill: dict[str, Any], approved: tuple[str, ...]) -> dict[str, Any]:
    fill["Projekt"]["aktuell_fas"] = "Avslut"
    answered = ("Relevans", "Förberedelse", "Planering", "Genomförande")
    if "BP4" in approved:
        answered += ("Avslut",)
    fill["Checklistor"] = checklist(answered)
    fill["Beslut"] = decisions(approved)
    fill["Slutrapport"] = dict(SLUTRAPPORT_FILL)
    return fill


def test_example_plan_genomforande(checked_example: Checked) -> None:
    planned = plan(checked_example.project, checked_example.report.findings)
    summary = [(d.kind, d.name, d.final, d.blocked) for d in planned]
    assert summary == [
        (DocKind.PROJEKTDIREKTIV, "Projektdirektiv.docx", True, False),
        (DocKind.PROJEKTPLAN, "Projektplan.docx", True, False),
        (DocKind.STATUSRAPPORT, "Statusrapport 01.docx", True, False),
        (DocKind.STATUSRAPPORT, "Statusrapport 02.docx", True, False),
        (DocKind.STATUSRAPPORT, "Statusrapport 03.docx", True, False),
        (DocKind.PERSONKONTRAKT, "Personkontrakt Nisse Berg.docx", True, False),
        (DocKind.PERSONKONTRAKT, "Personkontrakt Lena Holm.docx", True, False),
    ]


def test_example_documents_carry_the_workbook(checked_example: Checked, templates: Any) -> None:
    produced = produce(checked_example.project, checked_example.report, templates)
    files = files_by_name(produced)
    assert produced.findings == []
    direktiv = document_text(files["Projektdirektiv.docx"])
    assert "Härnösands kommun" in direktiv
    assert "Fastställd: BP1 Godkänt 2011-01-15" in direktiv
    assert "Föräldrastöd" in direktiv and "KS 2010/123" in direktiv
    assert "250\u00a0000\u00a0kr" in direktiv  # Personal 240 000 + 10 000, summed by kind
    assert "431\u00a0000\u00a0kr" in direktiv  # the total budget
    plan_text = document_text(files["Projektplan.docx"])
    assert "Fastställd: BP2 Godkänt 2011-03-01" in plan_text
    risks = [line for line in plan_text.splitlines() if line in ("12", "10", "6")]
    assert risks == ["12", "10", "6"]  # sorted by riskvärde
    rapport = document_text(files["Statusrapport 03.docx"])
    assert "Röd" in rapport and "Föräldragrupper höst" in rapport
    kontrakt = document_text(files["Personkontrakt Nisse Berg.docx"])
    for text in ("Nisse Berg", "40 tim", "2011-01-15—2012-01-15", "Bo Andersson",
                 "Rapportera tid.", "Underskrift av projektmedlem",
                 "Underskrift av resursgivare", "Härnösand"):
        assert text in kontrakt


def test_traffic_light_cell_is_coloured(checked_example: Checked, templates: Any) -> None:
    produced = produce(checked_example.project, checked_example.report, templates)
    xml = docx.Document(io.BytesIO(files_by_name(produced)["Statusrapport 03.docx"]))
    fills = xml.element.xml
    assert 'w:fill="FFC7CE"' in fills  # Tid: Röd
    assert 'w:fill="FFEB9C"' in fills  # Helhet: Gul


def test_avslut_with_bp3_adds_slutrapport_draft(fill: dict[str, Any],
                                               make_workbook: WorkbookFactory,
                                               templates: Any) -> None:
    path = make_workbook(in_avslut(fill, ("BP1", "BP2", "BP3")))
    _, produced = produced_for(path, templates)
    files = files_by_name(produced)
    assert "Slutrapport.docx" in files
    header = header_text(files["Slutrapport.docx"])
    assert "UTKAST – 7 öppna kontrollpunkter inför BP4" in header
    assert "Projektet nådde 113 av 120 föräldrar." in document_text(files["Slutrapport.docx"])


def test_bp4_makes_slutrapport_final(fill: dict[str, Any], make_workbook: WorkbookFactory,
                                     templates: Any) -> None:
    path = make_workbook(in_avslut(fill, ("BP1", "BP2", "BP3", "BP4")))
    checked, produced = produced_for(path, templates)
    assert checked.report.errors == []
    header = header_text(files_by_name(produced)["Slutrapport.docx"])
    assert "Fastställd: BP4 Godkänt 2012-01-13" in header
    assert "UTKAST" not in header


def test_planering_gives_a_projektplan_draft(fill: dict[str, Any],
                                             make_workbook: WorkbookFactory,
                                             templates: Any) -> None:
    fill["Projekt"]["aktuell_fas"] = "Planering"
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse"))
    fill["Beslut"] = decisions(("BP1",))
    _, produced = produced_for(make_workbook(fill), templates)
    files = files_by_name(produced)
    assert sorted(files) == ["Personkontrakt Lena Holm.docx", "Personkontrakt Nisse Berg.docx",
                             "Projektdirektiv.docx", "Projektplan.docx"]
    assert "UTKAST – 8 öppna kontrollpunkter inför BP2" in header_text(files["Projektplan.docx"])


HOSTILE = 'Barn & föräldrar <b>fet</b> "citat" \'enkla\' 🎈👨‍👩‍👧'


def test_hostile_values_render_as_written(fill: dict[str, Any], make_workbook: WorkbookFactory,
                                          templates: Any) -> None:
    fill["Projekt"]["projektnamn"] = HOSTILE
    fill["Projekt"]["bakgrund"] = "Rad ett & <i>två</i>\nRad tre 🎈"
    fill["Organisation"][0]["namn"] = "Eva <Sjöberg> & Co"
    fill["Risker"][0]["risk"] = "Risk <script>alert('x')</script> & mer"
    fill["Personkontrakt"][0]["projektmedlem"] = "Nisse \"Nisse\" Berg & <b>"
    hostile_name = Settings(name="Kommun & <Förbund> \"AB\" 🏛")
    _, produced = produced_for(make_workbook(fill), replace(templates, settings=hostile_name))
    files = files_by_name(produced)
    direktiv = document_text(files["Projektdirektiv.docx"])
    assert "Kommun & <Förbund> \"AB\" 🏛" in header_text(files["Projektdirektiv.docx"])
    assert HOSTILE in footer_text(files["Projektdirektiv.docx"])
    assert HOSTILE in direktiv
    assert "Rad ett & <i>två</i>\nRad tre 🎈" in direktiv  # the line break is a line break
    assert "Eva <Sjöberg> & Co" in direktiv
    assert "Risk <script>alert('x')</script> & mer" in direktiv
    kontrakt = next(name for name in files if name.startswith("Personkontrakt Nisse"))
    assert "Nisse \"Nisse\" Berg & <b>" in document_text(files[kontrakt])
    assert HOSTILE in document_text(files["Statusrapport 01.docx"])


def canonical_part(data: bytes, member: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.tostring(etree.fromstring(archive.read(member)), method="c14n")


def test_documents_are_docxtpls_own_render(checked_example: Checked, templates: Any) -> None:
    """Each document's body, header and footer are what docxtpl's own
    `DocxTemplate.render` and `save` make of the same template and context, a value with a
    line break and a tab (Word's own break and tab) and values without them alike."""
    project = checked_example.project
    info = project.info.model_copy(update={"bakgrund": "Rad ett\nRad två\tflik"})
    project = project.model_copy(update={"projekt": info})
    produced = produce(project, checked_example.report, templates)
    made = [doc for doc in produced.planned if not doc.blocked]
    assert [doc.name for doc in made] == [f.name for f in produced.files]
    for doc, output in zip(made, produced.files, strict=True):
        template = templates.by_kind[doc.kind]
        own = DocxTemplate(TEMPLATES_DIR / template.file_name)
        own.render(clean(build_context(project, doc, templates.settings)),
                   strict_environment(), autoescape=True)
        saved = io.BytesIO()
        own.save(saved)
        for member in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
            assert canonical_part(output.data, member) == canonical_part(saved.getvalue(),
                                                                         member), doc.name
    body = canonical_part(files_by_name(produced)["Projektdirektiv.docx"],
                          "word/document.xml").decode()
    assert "Rad ett</w:t><w:br></w:br>" in body and "<w:tab></w:tab>" in body


def test_control_characters_are_removed(checked_example: Checked, templates: Any) -> None:
    """A bell pasted from another program (XML cannot hold it) never breaks a document;
    tabs, Windows line ends and other characters XML holds are kept as written."""
    project = checked_example.project
    info = project.info.model_copy(update={
        "bakgrund": "Före\x07efter\x0b & \x1fslut\tflik\r\nny rad\rtredje\x85 🦊",
        "projektnamn": "Föräldra\x07stöd"})
    hostile = project.model_copy(update={"projekt": info})
    produced = produce(hostile, checked_example.report, templates)
    assert produced.findings == []
    direktiv = document_text(files_by_name(produced)["Projektdirektiv.docx"])
    assert "Föreefter & slut\tflik\nny rad\ntredje\x85 🦊" in direktiv
    assert "Föräldrastöd ·" in footer_text(files_by_name(produced)["Projektdirektiv.docx"])


def test_missing_required_field_blocks_only_its_document(
        fill: dict[str, Any], make_workbook: WorkbookFactory, templates: Any) -> None:
    fill["Projekt"]["bakgrund"] = None
    fill["Personkontrakt"][1]["timmar"] = None
    checked, produced = produced_for(make_workbook(fill), templates)
    names = set(files_by_name(produced))
    assert "Projektdirektiv.docx" not in names
    assert "Personkontrakt Lena Holm.docx" not in names
    assert {"Projektplan.docx", "Statusrapport 01.docx", "Statusrapport 03.docx",
            "Personkontrakt Nisse Berg.docx"} <= names
    assert produced.findings == []  # why they are not made is the check's finding
    blocked = {f.blocks[0]: f.message for f in checked.report.findings
               if f.code == "document-blocked"}
    assert blocked == {
        "projektdirektiv": "Projektdirektiv skapas inte; fyll i Projekt!B14 så skapas den.",
        "personkontrakt:3": "Personkontrakt Lena Holm skapas inte; fyll i Personkontrakt!E3 "
                            "så skapas den."}


@pytest.mark.parametrize(("added", "problem"), [
    ("{{ rapport.vader }}", "fältet 'rapport.vader' finns inte"),
    ("{% for rad in risker %}{{ rad.risk }}", "mallen har ett fel i en tagg"),
])
def test_a_bad_template_fails_only_its_documents(checked_example: Checked, tmp_path: Path,
                                                 added: str, problem: str) -> None:
    from tests.test_templates import custom_templates

    folder = custom_templates(tmp_path, "statusrapport", added)
    produced = produce(checked_example.project, checked_example.report, load_templates(folder))
    names = set(files_by_name(produced))
    assert not any(name.startswith("Statusrapport") for name in names)
    assert {"Projektdirektiv.docx", "Projektplan.docx", "Personkontrakt Nisse Berg.docx"} <= names
    messages = [f.message for f in produced.findings if f.severity == "fel"]
    assert len(messages) == 3
    assert all("statusrapport.docx" in m and problem in m for m in messages)


def test_documents_open_in_libreoffice(checked_example: Checked, templates: Any,
                                       tmp_path: Path) -> None:
    pdftotext = require_tool("pdftotext")
    produced = produce(checked_example.project, checked_example.report, templates)
    sources = []
    for output in produced.files:
        path = tmp_path / output.name
        path.write_bytes(output.data)
        sources.append(path)
    pdf_dir = tmp_path / "pdf"
    soffice_convert(sources, "pdf", pdf_dir)
    texts = {}
    for output in produced.files:
        pdf = pdf_dir / output.name.replace(".docx", ".pdf")
        assert pdf.is_file(), f"LibreOffice could not open {output.name}"
        texts[output.name] = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True,
                                            capture_output=True, text=True).stdout
    assert len(texts) == 7
    direktiv = texts["Projektdirektiv.docx"]
    for value in ("Härnösands kommun", "Fastställd: BP1 Godkänt 2011-01-15", "Föräldrastöd",
                  "Eva Sjöberg", "Europeiska socialfonden", "Sida 1 av"):
        assert value in direktiv
    assert "Bo Andersson" in texts["Personkontrakt Nisse Berg.docx"]
    assert "Förlängning av sista gruppen" in texts["Statusrapport 03.docx"]
    assert date(2011, 12, 5).isoformat() in texts["Statusrapport 03.docx"]


def test_a_template_that_changes_its_values_does_not_change_the_next_document(
        checked_example: Checked, tmp_path: Path) -> None:
    """Each document sees the project's values as they are, whatever the template before
    it did with them (a call may change a list)."""
    import shutil

    folder = tmp_path / "mallar"
    shutil.copytree(TEMPLATES_DIR, folder)
    path = folder / "statusrapport.docx"
    template = docx.Document(str(path))
    template.add_paragraph("Risker: {{ risker|length }}{{ risker.pop() and '' }}")
    template.save(str(path))
    produced = produce(checked_example.project, checked_example.report, load_templates(folder))
    reports = [f for f in produced.files if f.name.startswith("Statusrapport")]
    assert len(reports) >= 2
    count = len(checked_example.project.risker)
    for report in reports:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(report.data)).paragraphs)
        assert f"Risker: {count}" in text
