"""Custom templates and `projektmodell templates check`."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.documents import TEMPLATES_DIR, sample_contexts, template_problems
from pipeline.documents.fast import CompiledTemplate
from pipeline.documents.make_templates import write_templates
from pipeline.documents.render import strict_environment, template_source, unknown_fields
from pipeline.model import DocKind


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
    "nothing added": (),
    "unknown names and attributes": ("{{ okant_falt }}", "{{ rapport.vader }} {{ projekt.x }}"),
    "in a loop": ("{% for r in risker %}{{ r.farg }}{{ r.risk }}{{ loop.index }}{% endfor %}",),
    "in a branch not taken": ("{% if not kommun %}{{ projekt.saknas }}{% endif %}{{ nytt }}",),
    "filters": ('{{ okand|default("-") }} {{ projekt.projektnamn|upper }} {{ x.y|length }}',),
    "an error stops the check": ("{{ projekt.a }}", "{{ kommun - 1 }}", "{{ projekt.b }}"),
    "attribute of a text": ("{{ projekt.projektnamn.foo }} {{ kommun.bar }}",),
}


@pytest.mark.parametrize("case", sorted(FIELD_CASES))
@pytest.mark.parametrize("kind", ["statusrapport", "personkontrakt"])
def test_field_check_from_the_compiled_template_equals_rendering_the_source(
        tmp_path: Path, kind: str, case: str) -> None:
    """Loading checks a template from its compiled parts; the fields, their order and
    where an error stops the check are those of rendering its whole source."""
    folder = custom_templates(tmp_path, kind, *FIELD_CASES[case])
    data = (folder / f"{kind}.docx").read_bytes()
    sample = sample_contexts()[DocKind(kind)]
    fields = CompiledTemplate(data, strict_environment()).checked_fields(sample)
    assert fields is not None
    assert fields == unknown_fields(template_source(data), sample)
    if case != "nothing added":
        assert fields


def test_a_template_the_compiled_check_does_not_cover_is_checked_from_its_source(
        tmp_path: Path) -> None:
    folder = custom_templates(tmp_path, "projektplan", "{% set x = kommun %}{{ x.namn }}",
                              "{{ okant|safe }}")
    data = (folder / "projektplan.docx").read_bytes()
    assert CompiledTemplate(data, strict_environment()).checked_fields({}) is None
    assert template_problems(folder) == [
        "projektplan.docx: fältet 'okant' finns inte bland dokumentets värden.",
        "projektplan.docx: fältet 'namn' finns inte bland dokumentets värden."]
