"""Custom templates and `projektmodell templates check`."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.documents import TEMPLATES_DIR, template_problems
from pipeline.documents.make_templates import write_templates


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
