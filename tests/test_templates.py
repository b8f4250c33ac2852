"""Custom templates and `projektmodell templates check`."""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from lxml import etree

from pipeline.check import Checked
from pipeline.cli import main
from pipeline.documents import TEMPLATES_DIR, load_templates, produce, template_problems
from pipeline.documents.make_templates import write_templates
from pipeline.settings import Settings


def custom_templates(folder: Path, kind: str, *added: str) -> Path:
    """A copy of the shipped templates where one template gets paragraphs added."""
    target = folder / "mallar"
    shutil.copytree(TEMPLATES_DIR, target)
    path = target / f"{kind}.docx"
    document = docx.Document(str(path))
    for text in added:
        document.add_paragraph(text)
    document.save(str(path))
    return target


def test_shipped_templates_have_no_problems() -> None:
    assert template_problems() == []


def test_every_unknown_field_is_listed_at_once(tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "statusrapport", "{{ rapport.vader }}",
                              "{{ okant_falt }}", "{% for r in risker %}{{ r.farg }}{% endfor %}")
    problems = template_problems(folder)
    assert problems == [
        "statusrapport.docx: fältet 'okant_falt' finns inte bland dokumentets värden.",
        "statusrapport.docx: fältet 'rapport.vader' finns inte bland dokumentets värden.",
        "statusrapport.docx: fältet 'risker.farg' finns inte bland dokumentets värden.",
    ]


def test_a_field_of_another_document_is_unknown(tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "projektdirektiv", "{{ kontrakt.timmar }}")
    assert template_problems(folder) == [
        "projektdirektiv.docx: fältet 'kontrakt' finns inte bland dokumentets värden."]


def test_cli_templates_check(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["templates", "check"])
    assert ok.exit_code == 0, ok.output
    assert "inga problem" in ok.output
    folder = custom_templates(tmp_path, "personkontrakt", "{{ kontrakt.skostorlek }}")
    bad = runner.invoke(main, ["templates", "check", "--templates", str(folder)])
    assert bad.exit_code == 1
    assert "personkontrakt.docx: fältet 'kontrakt.skostorlek'" in bad.output
    missing = runner.invoke(main, ["templates", "check", "--templates", str(tmp_path / "nej")])
    assert missing.exit_code == 2


def test_missing_template_is_a_problem(tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "projektplan")
    (folder / "slutrapport.docx").unlink()
    assert [p for p in template_problems(folder) if "slutrapport.docx" in p] == [
        f"slutrapport.docx: mallen saknas i {folder}."]


def test_committed_templates_match_the_script(tmp_path: Path) -> None:
    """The templates are reviewable: the committed files are what the script writes."""
    for written in write_templates(tmp_path):
        committed = TEMPLATES_DIR / written.name
        for part in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
            with zipfile.ZipFile(written) as new, zipfile.ZipFile(committed) as old:
                assert new.read(part) == old.read(part), f"{written.name} {part}"


FIELD_CASES = {
    "nothing added": ((), []),
    "unknown names and attributes": (("{{ okant_falt }}", "{{ rapport.vader }} {{ projekt.x }}"),
                                     ["okant_falt", "rapport.vader", "projekt.x"]),
    "in a loop": (("{% for r in risker %}{{ r.farg }}{{ r.risk }}{{ loop.index }}{% endfor %}",),
                  ["risker.farg"]),
    # an attribute in a branch the sample project does not take is not found
    "in a branch not taken": (("{% if not kommun %}{{ projekt.saknas }}{% endif %}{{ nytt }}",),
                              ["nytt"]),
    "filters": (('{{ okand|default("-") }} {{ projekt.projektnamn|upper }} {{ x.y|length }}',),
                ["okand", "x"]),
    # the check renders the sample; an error ends it, but the names are all parsed
    "an error stops the check": (("{{ projekt.a }}", "{{ kommun - 1 }}", "{{ projekt.b }}",
                                  "{{ ny }}"), ["ny", "projekt.a"]),
    "attribute of a text": (("{{ projekt.projektnamn.foo }} {{ kommun.bar }}",),
                            ["foo", "bar"]),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
def test_the_check_lists_the_fields_the_documents_lack(tmp_path: Path, case: str) -> None:
    added, fields = FIELD_CASES[case]
    folder = custom_templates(tmp_path, "statusrapport", *added)
    assert template_problems(folder) == [
        f"statusrapport.docx: fältet '{field}' finns inte bland dokumentets värden."
        for field in fields]


def test_a_set_variable_is_checked_by_its_use(tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "projektplan", "{% set x = kommun %}{{ x.namn }}",
                              "{{ okant|safe }}")
    assert template_problems(folder) == [
        "projektplan.docx: fältet 'okant' finns inte bland dokumentets värden.",
        "projektplan.docx: fältet 'namn' finns inte bland dokumentets värden."]


def test_a_broken_template_is_a_problem(tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "statusrapport", "{% if projekt.projektnamn %}öppen")
    (folder / "personkontrakt.docx").write_bytes(b"inte en docx")
    problems = template_problems(folder)
    assert len(problems) == 2
    assert problems[0].startswith("statusrapport.docx: mallen har ett fel i en tagg: ")
    assert problems[1].startswith("personkontrakt.docx: mallen kan inte läsas som .docx: ")


def test_fields_in_the_document_properties_are_filled_in(checked_example: Checked,
                                                         tmp_path: Path) -> None:
    """A title, subject or author naming fields gets each document's values, as written;
    the properties the template leaves without fields are the document's own."""
    folder = custom_templates(tmp_path, "statusrapport")
    path = folder / "statusrapport.docx"
    template = docx.Document(str(path))
    template.core_properties.title = "{{ dokument.titel }}: {{ projekt.projektnamn }}"
    template.core_properties.subject = "{{ dokument.status }}"
    template.core_properties.author = "{{ kommun }}"
    template.save(str(path))
    templates = replace(load_templates(folder), settings=Settings(name="Kommun & <Förbund>"))
    produced = produce(checked_example.project, checked_example.report, templates)
    reports = {f.name: docx.Document(BytesIO(f.data)).core_properties
               for f in produced.files if f.name.startswith("Statusrapport")}
    assert sorted(reports) == ["Statusrapport 01.docx", "Statusrapport 02.docx",
                               "Statusrapport 03.docx"]
    for name, properties in reports.items():
        assert properties.title == "Statusrapport: Föräldrastöd"
        assert properties.subject.startswith(f"Rapport nr {int(name[-7:-5])}, ")
        assert properties.author == "Kommun & <Förbund>"
        assert properties.keywords.startswith("Statusrapport; Föräldrastöd; KS-2011-01")
        assert properties.language == "sv-SE"
    direktiv = next(f for f in produced.files if f.name == "Projektdirektiv.docx")
    held = docx.Document(BytesIO(direktiv.data)).core_properties
    assert (held.title, held.author) == ("Projektdirektiv: Föräldrastöd", "Kommun & <Förbund>")


FOOTNOTES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>\
</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">{text}\
</w:t></w:r></w:p></w:footnote></w:footnotes>"""
FOOTNOTE_TYPE = ('<Override PartName="/word/footnotes.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/>')
FOOTNOTE_RELATION = ('<Relationship Id="rIdFotnot" Type="http://schemas.openxmlformats.org/'
                     'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>')
FOOTNOTE_REFERENCE = ('<w:p><w:r><w:t>Se not</w:t></w:r>'
                      '<w:r><w:footnoteReference w:id="1"/></w:r></w:p>')


def with_footnote(path: Path, text: str) -> None:
    """The template at path given a footnote with the text, referenced from its body."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    changes = {"[Content_Types].xml": (b"</Types>", FOOTNOTE_TYPE),
               "word/_rels/document.xml.rels": (b"</Relationships>", FOOTNOTE_RELATION),
               "word/document.xml": (b"<w:sectPr", FOOTNOTE_REFERENCE)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename in changes:
                before, added = changes[info.filename]
                data = data.replace(before, added.encode() + before, 1)
            archive.writestr(info, data)
        archive.writestr("word/footnotes.xml", FOOTNOTES.format(text=text))


def test_fields_in_footnotes_are_filled_in_and_checked(checked_example: Checked,
                                                       tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "projektdirektiv")
    with_footnote(folder / "projektdirektiv.docx", "Källa: {{ projekt.projektnamn }} &amp; mer")
    produced = produce(checked_example.project, checked_example.report, load_templates(folder))
    direktiv = next(f for f in produced.files if f.name == "Projektdirektiv.docx")
    with zipfile.ZipFile(BytesIO(direktiv.data)) as archive:
        footnotes = etree.fromstring(archive.read("word/footnotes.xml"))
    assert "".join(footnotes.itertext()) == "Källa: Föräldrastöd & mer"
    assert "Se not" in "\n".join(p.text for p in docx.Document(BytesIO(direktiv.data)).paragraphs)

    with_footnote(folder / "projektplan.docx", "{{ projekt.kalla }}")
    assert template_problems(folder) == [
        "projektplan.docx: fältet 'projekt.kalla' finns inte bland dokumentets värden."]
