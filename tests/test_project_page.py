"""A project's own page, OUTPUT/<project folder>/projekt.html, as a build writes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from pipeline.batch import BuildOptions, build
from pipeline.batch.build import Status
from pipeline.batch.state import STATE_FOLDER
from pipeline.example import decisions, example_fill
from pipeline.formatting import day, kr
from tests import fills
from tests.fills import QUIET_DAY
from tests.pages import PageText, read_page

FOLDER = "KS-2011-01 Föräldrastöd"


def build_from(make_workbook: Callable[..., Path], tmp_path: Path,
               *fills_: dict[str, Any], today: date = QUIET_DAY) -> Path:
    """Build the workbooks made from the fills (on a day when nothing is late, unless told
    otherwise); OUTPUT."""
    folder = tmp_path / "input"
    if not folder.exists():
        for number, fill in enumerate(fills_):
            make_workbook(fill, name=f"projekt-{number}.xlsx", folder=folder)
    output = tmp_path / "output"
    build(BuildOptions(folder, output, jobs=1, today=today))
    return output


def page_of(output: Path, folder: str = FOLDER) -> PageText:
    return read_page((output / folder / "projekt.html").read_text(encoding="utf-8"))


@pytest.fixture
def example_output(make_workbook: Callable[..., Path], tmp_path: Path) -> Path:
    return build_from(make_workbook, tmp_path, example_fill())


def test_each_built_project_has_its_page_listed_in_its_record_and_linked_from_index(
        example_output: Path) -> None:
    report = json.loads((example_output / ".projektmodell" / "run-report.json").read_text())
    assert f"{FOLDER}/projekt.html" in report["projects"][0]["files"]
    index = read_page((example_output / "index.html").read_text(encoding="utf-8"))
    links = dict((text, href) for href, text in index.sections["projects-heading"].links)
    assert unquote(links["Föräldrastöd"]) == f"{FOLDER}/projekt.html"
    back = dict((text, href) for href, text in page_of(example_output).sections[""].links)
    assert back["← Projektbanken"] == "../index.html"


def test_the_page_shows_facts_phase_decisions_and_the_timeline(example_output: Path) -> None:
    fill = example_fill()["Projekt"]
    page = page_of(example_output)

    facts = page.sections["facts"].text
    for label, key in (("Projektledare", "projektledare"), ("Beställare", "bestallare"),
                       ("Diarienummer", "diarienummer"),
                       ("Rapporteringsintervall", "rapporteringsintervall")):
        assert f"{label} {fill[key]}" in facts
    assert f"Startdatum {day(fill['startdatum'])} Slutdatum {day(fill['slutdatum'])}" in facts
    assert "Fas 3: Genomförande (till BP3) – aktuell fas" in page.sections["phase"].text
    decisions = page.sections["decisions"].rows
    assert decisions[1:5] == [
        ["BP1", "Projektet är värt att genomföra, förutsättningarna är riktiga", "Godkänt",
         "2011-01-15"],
        ["BP2", "Projektplanen leder till projektets mål", "Godkänt", "2011-03-01"],
        ["BP3", "Projektets leverans överensstämmer med målet", "Ej fattat", ""],
        ["BP4", "Styrgruppen avslutar projektet", "Ej fattat", ""]]
    assert decisions[6] == ["KS-2011-01 Föräldrastöd", day(fill["startdatum"]),
                            "2011-01-15 (Godkänt)", "2011-03-01 (Godkänt)", "", "",
                            day(fill["slutdatum"])]


def test_the_page_shows_every_reports_lights_and_cost_against_the_budget(
        example_output: Path) -> None:
    fill = example_fill()
    page = page_of(example_output)
    reports = fill["Statusrapporter"]
    assert page.sections["reports"].rows[1:] == [
        [f"Rapport {r['rapport_nr']}", f"{day(r['period_fran'])} – {day(r['period_till'])}",
         day(r["rapportdatum"]), r["helhet"], r["tid"], r["kostnad"], r["kvalitet"],
         kr(r["upparbetad_kostnad"])] for r in reports]

    budget = sum(Decimal(line["budget"]) for line in fill["Kostnader"])
    costs = page.sections["costs"]
    assert costs.rows[1:] == [
        [f"Rapport {r['rapport_nr']}", day(r["period_till"]), kr(r["upparbetad_kostnad"]),
         f"{round(r['upparbetad_kostnad'] / budget * 100)}\u00a0%"] for r in reports]
    assert f"Budget {kr(budget)}" in costs.text
    assert 'aria-labelledby="cost-chart-title cost-chart-desc"' in (
        example_output / FOLDER / "projekt.html").read_text(encoding="utf-8")


def test_the_page_lists_open_items_and_every_finding_with_its_cell(
        example_output: Path) -> None:
    page = page_of(example_output)
    checklist = page.sections["checklist"]
    assert checklist.text.startswith("Öppna kontrollpunkter inför BP3")
    assert [row[0] for row in checklist.rows[1:]] == ["G1", "G2", "G3", "G4", "G5", "G6"]
    assert checklist.rows[1][2:] == ["obesvarad", "Checklistor!D24"]
    kontrollrapport = (example_output / FOLDER / "Kontrollrapport.txt").read_text()
    findings = page.sections["findings"].rows[1:]
    assert len(findings) == 6
    for severity, place, message in findings:
        assert severity == "varning" and place.startswith("Checklistor!D")
        assert message in kontrollrapport


def test_the_page_links_every_document_written_beside_it(example_output: Path) -> None:
    links = page_of(example_output).sections["documents"].links
    written = sorted(p.name for p in (example_output / FOLDER).iterdir()
                     if p.is_file() and p.name != "projekt.html")
    documents = [(href, text) for href, text in links if not href.startswith("Arkiv/")]
    assert sorted(unquote(href) for href, _ in documents) == written
    assert all(unquote(href) == text for href, text in documents)


def test_the_page_lists_the_archive_as_arkiv_json_does(example_output: Path) -> None:
    manifest = json.loads((example_output / FOLDER / "Arkiv" / "arkiv.json").read_text())
    archived = [entry["fil"] for entry in manifest["filer"]]
    assert "Projektdirektiv BP1 2011-01-15.docx" in archived
    links = [(unquote(href), text) for href, text in
             page_of(example_output).sections["documents"].links if href.startswith("Arkiv/")]
    assert links == [("Arkiv/", "mappen Arkiv"), *((f"Arkiv/{name}", name) for name in archived)]
    assert all((example_output / FOLDER / href).exists() for href, _ in links)


def test_a_document_archived_in_a_build_is_on_the_page_that_build_writes(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    """Before BP1 there is no archive; the build after BP1 is approved archives the
    Projektdirektiv and its page lists it."""
    fill = example_fill()
    fill["Projekt"]["aktuell_fas"] = "Relevans/Förberedelse"
    fill["Beslut"] = decisions(())
    fill["Statusrapporter"] = []
    output = build_from(make_workbook, tmp_path, fill)
    assert "Arkiv" not in page_of(output).sections["documents"].text

    fill["Beslut"] = decisions(("BP1",))
    make_workbook(fill, name="projekt-0.xlsx", folder=tmp_path / "input")
    build_from(make_workbook, tmp_path)
    links = page_of(output).sections["documents"].links
    assert ("Arkiv/Projektdirektiv%20BP1%202011-01-15.docx",
            "Projektdirektiv BP1 2011-01-15.docx") in links


def test_a_project_without_reports_says_so_and_draws_no_cost_chart(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    output = build_from(make_workbook, tmp_path, fills.planning_fill())
    page = page_of(output, "AF-2024-02 Unga till jobb")
    assert page.sections["reports"].text == "Statusrapporter Inga statusrapporter än."
    assert page.sections["costs"].text == ("Upparbetad kostnad mot budget Ingen statusrapport "
                                           "anger upparbetad kostnad än.")
    assert page.sections["checklist"].text.startswith("Öppna kontrollpunkter inför BP2")


def test_hostile_text_stays_text_on_the_page(make_workbook: Callable[..., Path],
                                             tmp_path: Path) -> None:
    hostile = fills.hostile_fill()
    hostile["Projekt"]["projektnamn"] = '<script>alert("x")</script>'
    output = build_from(make_workbook, tmp_path, hostile)
    (page_file,) = output.glob("*/projekt.html")
    html = page_file.read_text(encoding="utf-8")
    assert "<script" not in html
    assert read_page(html).sections["facts"].text.startswith(
        'Basfakta Projekt-ID KS-2024-66 Projektnamn <script>alert("x")</script>')


def test_the_page_moves_with_its_project(make_workbook: Callable[..., Path],
                                         tmp_path: Path) -> None:
    """A renamed project's folder changes: its old page is tidied like its documents."""
    output = build_from(make_workbook, tmp_path, example_fill())
    renamed = example_fill()
    renamed["Projekt"]["projektnamn"] = "Föräldrastöd i hela länet"
    make_workbook(renamed, name="projekt-0.xlsx", folder=tmp_path / "input")
    build_from(make_workbook, tmp_path)
    assert not (output / FOLDER / "projekt.html").exists()  # its archive stays
    assert page_of(output, "KS-2011-01 Föräldrastöd i hela länet").sections["facts"].text


def test_what_is_late_is_among_the_pages_findings_and_under_att_gora(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    """Built on a day after the example's Slutdatum: its time-based findings, each with its
    cell, on the project's page and under its leader in index.html."""
    output = build_from(make_workbook, tmp_path, example_fill(), today=date(2012, 3, 20))
    rows = page_of(output).sections["findings"].rows[1:]
    findings = {place: message for _, place, message in rows}
    assert findings["Projekt!B11"].startswith("Slutdatum 2012-01-15 har passerat, men BP4")
    assert findings["Statusrapporter!C4"].startswith("En statusrapport är försenad")
    assert findings["Personkontrakt!G3"].startswith("Personkontraktet för Lena Holm gällde "
                                                    "till 2011-12-31")

    todo = read_page((output / "index.html").read_text(encoding="utf-8")).sections["todo-heading"]
    assert todo.groups == [("Karin Lund", ["KS-2011-01 Föräldrastöd"])]
    late = [f"Försenat {message} ({place})" for place, message in findings.items()
            if not place.startswith("Checklistor")]
    assert len(late) == 6
    for item in late:
        assert item in todo.text


def test_documents_kept_from_an_earlier_build_stay_on_the_page(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    """A cost row without År holds back Projektdirektiv and Projektplan: their earlier files
    stay, and so do their links."""
    fill = example_fill()
    output = build_from(make_workbook, tmp_path, fill)
    fill["Kostnader"].append({"kostnadsslag": "Resor", "beskrivning": "Studiebesök",
                              "budget": 5000})
    make_workbook(fill, name="projekt-0.xlsx", folder=tmp_path / "input")
    build_from(make_workbook, tmp_path)

    links = dict((text, href) for href, text in page_of(output).sections["documents"].links)
    for kept in ("Projektdirektiv.docx", "Projektplan.docx"):
        assert (output / FOLDER / unquote(links[kept])).is_file()
    assert "Kostnader!C9" in page_of(output).sections["findings"].text


# --- PDFs: on the page from the build that makes them -----------------------------------

def files_of(output: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file in OUTPUT but the build's own state: (inode, mtime, bytes) by path."""
    return {p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns,
                                               p.read_bytes())
            for p in sorted(output.rglob("*"))
            if p.is_file() and STATE_FOLDER not in p.relative_to(output).parts}


def pdfs_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.pdf"))


def linked_files(output: Path) -> list[str]:
    """The files the page's Dokument section links, in the order it lists them."""
    return [unquote(href) for href, _ in page_of(output).sections["documents"].links
            if not href.endswith("/")]


def test_one_build_with_pdf_lists_every_pdf_and_pdfa_and_the_next_rewrites_nothing(
        make_workbook: Callable[..., Path], tmp_path: Path, libreoffice: str) -> None:
    make_workbook(example_fill(), name="projekt-0.xlsx", folder=tmp_path / "input")
    options = BuildOptions(tmp_path / "input", tmp_path / "output", jobs=1, pdf=True,
                           today=QUIET_DAY)
    result = build(options)

    assert result.exit_code == 0, result.problems
    output = options.output
    pdfs = pdfs_in(output / FOLDER)
    assert len(pdfs) == 7 + 5  # beside each document, and a PDF/A of each archived one
    linked = linked_files(output)
    assert sorted(f for f in linked if f.endswith(".pdf")) == pdfs
    for pdf in pdfs:  # each right after the document it was made from
        assert linked[linked.index(pdf) - 1] == f"{pdf.removesuffix('.pdf')}.docx"
    before = files_of(output)

    again = build(options)

    assert again.count(Status.UNCHANGED) == 1 and again.exit_code == 0
    assert files_of(output) == before


def test_pdfa_made_later_is_on_the_page_and_the_project_is_not_built_again(
        make_workbook: Callable[..., Path], tmp_path: Path, libreoffice: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Built without LibreOffice, the archive holds .docx only; the next build, with it,
    adds the PDF/A files and lists them, the project's documents untouched."""
    monkeypatch.setenv("PROJEKTMODELL_SOFFICE", "")
    output = build_from(make_workbook, tmp_path, example_fill())
    assert pdfs_in(output / FOLDER) == []
    before = files_of(output)
    monkeypatch.setenv("PROJEKTMODELL_SOFFICE", libreoffice)

    result = build(BuildOptions(tmp_path / "input", output, jobs=1, today=QUIET_DAY))

    assert result.count(Status.UNCHANGED) == 1 and result.exit_code == 0
    pdfs = pdfs_in(output / FOLDER)
    assert len(pdfs) == 5 and all(p.startswith("Arkiv/") for p in pdfs)
    assert sorted(f for f in linked_files(output) if f.endswith(".pdf")) == pdfs
    after = files_of(output)
    changed = sorted(path for path in before if after[path] != before[path])
    assert changed == [f"{FOLDER}/Arkiv/arkiv.json", f"{FOLDER}/projekt.html"]


def test_pdfs_an_earlier_build_made_stay_on_the_page_of_a_project_built_again(
        make_workbook: Callable[..., Path], tmp_path: Path, libreoffice: str) -> None:
    """A changed contract loses its PDF; the PDFs of the documents that stay as they were
    are kept, and listed."""
    fill = example_fill()
    make_workbook(fill, name="projekt-0.xlsx", folder=tmp_path / "input")
    options = BuildOptions(tmp_path / "input", tmp_path / "output", jobs=1, pdf=True,
                           today=QUIET_DAY)
    build(options)
    fill["Personkontrakt"][0]["timmar"] = 60  # Nisse's contract changes
    make_workbook(fill, name="projekt-0.xlsx", folder=tmp_path / "input")

    result = build(BuildOptions(options.input, options.output, jobs=1, today=QUIET_DAY))

    assert result.count(Status.BUILT) == 1
    live = [p for p in pdfs_in(options.output / FOLDER) if not p.startswith("Arkiv/")]
    assert "Personkontrakt Nisse Berg.pdf" not in live
    assert {"Projektdirektiv.pdf", "Personkontrakt Lena Holm.pdf"} <= set(live)
    linked = linked_files(options.output)
    assert sorted(f for f in linked if f.endswith(".pdf") and "/" not in f) == live


def test_the_page_made_again_from_the_record_is_the_page_the_build_wrote(
        example_output: Path) -> None:
    """Without PDFs the page written at the end of a run would be the pool's, byte for
    byte: nothing is rewritten for nothing."""
    from pipeline.batch.pages import page_from_record
    from pipeline.batch.state import State
    from pipeline.settings import DEFAULTS

    (record,) = (State(example_output).load(w) for w in State(example_output).heads())
    assert record is not None
    assert page_from_record(record, example_output, DEFAULTS) == (
        example_output / FOLDER / "projekt.html").read_bytes()
