"""Fastställd means fixed: approved documents archived once (PDF/A with LibreOffice), never
rewritten, and what changed after approval reported, on real workbooks and real files."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from pipeline.archive import ARCHIVE_FOLDER, MANIFEST, note_pending, write_once
from pipeline.batch.atomic import TEMP_PREFIX
from pipeline.batch.state import STATE_FOLDER
from pipeline.cli import main
from pipeline.example import checklist, decisions
from tests.conftest import EXAMPLE_PATH, ROOT, WorkbookFactory, require_tool
from tests.golden import docx_text
from tests.test_build import with_id

FOLDER = "KS-2011-01 Föräldrastöd"
DIRECTIVE = "Projektdirektiv BP1 2011-01-15"
EXAMPLE_ARCHIVE = [DIRECTIVE, "Projektplan BP2 2011-03-01", "Statusrapport 01 2011-06-07",
                   "Statusrapport 02 2011-09-06", "Statusrapport 03 2011-12-05"]


def build(input_folder: Path, output: Path, *extra: str) -> Result:
    result = CliRunner().invoke(main, ["build", str(input_folder), str(output), "--jobs", "1",
                                       *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def archive_of(output: Path, folder: str = FOLDER) -> Path:
    return output / folder / ARCHIVE_FOLDER


def manifest(output: Path, folder: str = FOLDER) -> list[dict[str, Any]]:
    return json.loads((archive_of(output, folder) / MANIFEST).read_text("utf-8"))["filer"]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def archived_files(output: Path, folder: str = FOLDER) -> dict[str, bytes]:
    """Every archived document (arkiv.json aside), by name, with its bytes."""
    folder_path = archive_of(output, folder)
    return {p.name: p.read_bytes() for p in sorted(folder_path.iterdir())
            if p.name != MANIFEST and not p.name.startswith(TEMP_PREFIX)}


def findings(output: Path, folder: str = FOLDER) -> list[str]:
    return (output / folder / "Kontrollrapport.txt").read_text("utf-8").splitlines()


def label_cell(workbook: Path, sheet: str, label: str) -> str:
    """The cell a person fills for a label of a key/value sheet (column B of its row)."""
    rows = load_workbook(workbook, read_only=True)[sheet].iter_rows(values_only=True)
    row = next(n for n, values in enumerate(rows, 1) if values and values[0] == label)
    return f"B{row}"


def column_cell(workbook: Path, sheet: str, column: str, value: Any) -> str:
    """The cell of a table sheet under a header `column` in the row holding `value`."""
    rows = list(load_workbook(workbook, read_only=True)[sheet].iter_rows(values_only=True))
    header = next(n for n, values in enumerate(rows) if column in values)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rows[header].index(column)]
    row = next(n for n, values in enumerate(rows, 1) if value in values)
    return f"{letter}{row}"


# --- PDF/A: one build without LibreOffice, then one with it ---------------------------------

@pytest.fixture(scope="module")
def pdfa_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    """The example built without LibreOffice, then again with it (the one LibreOffice run
    of this module): the output and the first run's result."""
    soffice = require_tool("soffice")
    work = tmp_path_factory.mktemp("pdfa")
    (work / "in").mkdir()
    (work / "in" / EXAMPLE_PATH.name).write_bytes(EXAMPLE_PATH.read_bytes())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROJEKTMODELL_SOFFICE", "")
        without = build(work / "in", work / "out")
        patch.setenv("PROJEKTMODELL_SOFFICE", soffice)
        with_libreoffice = build(work / "in", work / "out")
    assert with_libreoffice.exit_code == 0, with_libreoffice.output
    yield work / "out", without


def test_without_libreoffice_the_docx_is_archived_and_the_run_says_so_once(
        pdfa_build: tuple[Path, Result]) -> None:
    _output, without = pdfa_build
    assert without.exit_code == 0
    notes = [line for line in without.output.splitlines() if "PDF/A" in line]
    assert notes == ["Obs: 5 arkiverade dokument finns bara som .docx, utan PDF/A "
                     "(LibreOffice hittades inte); en senare körning med LibreOffice lägger "
                     "till PDF/A-filerna."]


def test_a_later_run_with_libreoffice_adds_a_pdfa_beside_each_archived_docx(
        pdfa_build: tuple[Path, Result]) -> None:
    output, _ = pdfa_build
    files = archived_files(output)
    assert sorted(files) == sorted([f"{s}.docx" for s in EXAMPLE_ARCHIVE]
                                   + [f"{s}.pdf" for s in EXAMPLE_ARCHIVE])
    entries = {e["fil"]: e for e in manifest(output)}
    assert sorted(entries) == sorted(files)
    for name, data in files.items():
        assert entries[name]["sha256"] == hashlib.sha256(data).hexdigest()
    pdf = entries[f"{DIRECTIVE}.pdf"]
    assert (pdf["format"], pdf["källa"], pdf["beslutspunkt"], pdf["datum"]) == (
        "PDF/A-2b", f"{DIRECTIVE}.docx", "BP1", "2011-01-15")
    assert pdf["beslutsfattare"] == "Styrgruppen, ordf. Eva Sjöberg"


def pdfinfo(path: Path, *options: str) -> str:
    return subprocess.run([require_tool("pdfinfo"), *options, str(path)], check=True,
                          capture_output=True, text=True).stdout


def test_the_archived_pdf_claims_pdfa_2b_in_its_xmp_metadata(
        pdfa_build: tuple[Path, Result]) -> None:
    output, _ = pdfa_build
    for stem in EXAMPLE_ARCHIVE:
        xmp = pdfinfo(archive_of(output) / f"{stem}.pdf", "-meta")
        assert re.search(r"<pdfaid:part>2</pdfaid:part>", xmp), stem
        assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp), stem


def test_every_font_of_the_archived_pdf_is_embedded(pdfa_build: tuple[Path, Result]) -> None:
    output, _ = pdfa_build
    pdffonts = require_tool("pdffonts")
    for stem in EXAMPLE_ARCHIVE:
        lines = subprocess.run([pdffonts, str(archive_of(output) / f"{stem}.pdf")], check=True,
                               capture_output=True, text=True).stdout.splitlines()[2:]
        assert lines, f"{stem}: no fonts"
        # columns: name type encoding emb sub uni object ID; `emb` is the 4th from the end
        assert all(line.split()[-4] == "yes" for line in lines), "\n".join(lines)


def test_the_archived_pdf_is_tagged_with_its_title_and_language(
        pdfa_build: tuple[Path, Result]) -> None:
    output, _ = pdfa_build
    path = archive_of(output) / f"{DIRECTIVE}.pdf"
    info = pdfinfo(path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Projektdirektiv\b", info, re.M)
    data = path.read_bytes()
    assert b"/StructTreeRoot" in data
    assert re.search(rb"/Lang\s*\(sv-SE\)", data), re.findall(rb"/Lang\s*\([^)]*\)", data)


def test_the_archived_pdf_names_the_organisation_the_projekt_id_and_the_diarienummer(
        pdfa_build: tuple[Path, Result]) -> None:
    output, _ = pdfa_build
    info = pdfinfo(archive_of(output) / f"{DIRECTIVE}.pdf")
    assert re.search(r"^Author:\s+Härnösands kommun$", info, re.M), info
    subject = " ".join(re.findall(r"^(?:Subject|Keywords):\s+(.*)$", info, re.M))
    assert "KS-2011-01" in subject and "KS 2010/123" in subject, info


def test_a_pdfa_conformance_checker_finds_the_archived_pdfs_conformant(
        pdfa_build: tuple[Path, Result]) -> None:
    import page  # page-validation, from PyPI: a PDF/A and PDF/UA validator

    output, _ = pdfa_build
    for stem in EXAMPLE_ARCHIVE:
        report = page.validate_pdf(archive_of(output) / f"{stem}.pdf", profile="2b")
        failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
        assert report.is_compliant and not failures, (stem, failures)
        assert report.rules.total > 100  # it did check the PDF/A-2b rules


# --- never rewritten ----------------------------------------------------------------------

def test_the_archive_survives_force_an_edit_of_syfte_and_a_deleted_workbook(
        tmp_path: Path, make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    workbook = make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    assert build(tmp_path / "in", tmp_path / "out").exit_code == 0
    files, entries = archived_files(tmp_path / "out"), manifest(tmp_path / "out")
    assert sorted(files) == sorted(f"{s}.docx" for s in EXAMPLE_ARCHIVE)
    assert {e["fil"]: e["sha256"] for e in entries} == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items()}

    build(tmp_path / "in", tmp_path / "out", "--force")
    assert archived_files(tmp_path / "out") == files
    assert manifest(tmp_path / "out") == entries

    fill["Projekt"]["syfte"] = "Ett annat syfte än det styrgruppen godkände."
    make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    result = build(tmp_path / "in", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert archived_files(tmp_path / "out") == files
    assert manifest(tmp_path / "out") == entries

    workbook.unlink()
    build(tmp_path / "in", tmp_path / "out")
    assert archived_files(tmp_path / "out") == files
    assert manifest(tmp_path / "out") == entries
    assert [p.name for p in (tmp_path / "out" / FOLDER).iterdir()] == [ARCHIVE_FOLDER]


def test_an_edit_of_syfte_after_bp1_is_a_warning_in_build_and_check_and_the_header_says_so(
        tmp_path: Path, make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    fill["Projekt"]["syfte"] = "Ett annat syfte än det styrgruppen godkände."
    workbook = make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    cell = label_cell(workbook, "Projekt", "Syfte")
    expected = (f"VARNING {cell}: Syfte har ändrats efter att BP1 fastställdes 2011-01-15 "
                f"(Projekt!{cell}). Den fastställda versionen finns i "
                f"Arkiv/{DIRECTIVE}.docx.")

    checked = CliRunner().invoke(main, ["check", str(workbook), "--output",
                                        str(tmp_path / "out")])
    assert checked.exit_code == 0
    assert expected in [line.strip() for line in checked.output.splitlines()]

    build(tmp_path / "in", tmp_path / "out")
    assert expected in [line.strip() for line in findings(tmp_path / "out")]
    live = docx_text(tmp_path / "out" / FOLDER / "Projektdirektiv.docx")
    assert "Projektdirektiv / Ändrad efter fastställande (BP1 2011-01-15)" in live
    assert "Fastställd" not in live
    plan = docx_text(tmp_path / "out" / FOLDER / "Projektplan.docx")  # it does not show Syfte
    assert "Fastställd: BP2 Godkänt 2011-03-01" in plan
    page = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "Ändrad efter fastställande: BP1 2011-01-15" in page


def test_the_warnings_name_the_cells_that_changed(
        tmp_path: Path, make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    risk = fill["Risker"][0]
    risk["atgard"] = "En annan åtgärd."
    fill["Kostnader"][1]["budget"] += 1000
    fill["Statusrapporter"][1]["sammanfattning"] = "Omskriven efteråt."
    fill["Organisation"].append({"roll": "Referensgrupp", "namn": "Ny Person"})
    fill["Kostnader"][0]["utfall"] = 1  # moves on as the project runs: not compared
    workbook = make_workbook(fill, "Föräldrastöd.xlsx", tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")

    report = json.loads((tmp_path / "out" / STATE_FOLDER / "run-report.json").read_text())
    found = sorted((f["code"], f"{f['sheet']}!{f['cell']}") for f in
                   report["projects"][0]["report"]["findings"] if f["code"].startswith("changed"))
    budget = column_cell(workbook, "Kostnader", "Budget (kr)", fill["Kostnader"][1]["budget"])
    expected = [
        *[("changed-after-approval", f"Kostnader!{budget}")] * 2,  # BP1 and BP2 show budgets
        *[("changed-after-approval", "Organisation!" + column_cell(
            workbook, "Organisation", "Roll", "Referensgrupp"))] * 2,
        *[("changed-after-approval", "Organisation!" + column_cell(
            workbook, "Organisation", "Namn", "Ny Person"))] * 2,
        *[("changed-after-approval",
           "Risker!" + column_cell(workbook, "Risker", "Åtgärd", "En annan åtgärd."))] * 2,
        ("changed-after-report", "Statusrapporter!" + column_cell(
            workbook, "Statusrapporter", "Sammanfattning", "Omskriven efteråt.")),
    ]
    assert found == sorted(expected)
    assert any("Sammanfattning i Statusrapport 02 har ändrats efter att den arkiverades "
               "2011-09-06" in line for line in findings(tmp_path / "out"))
    status = docx_text(tmp_path / "out" / FOLDER / "Statusrapport 02.docx")
    assert "Rapport nr 2, 2011-09-06 – ändrad efter arkivering" in status


def phase_one_fill(fill: dict[str, Any], beslut: str | None, day: date | None
                   ) -> dict[str, Any]:
    """A project in Relevans/Förberedelse whose BP1 is as given, its checklist done."""
    fill["Projekt"]["aktuell_fas"] = "Relevans/Förberedelse"
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse"))
    fill["Beslut"] = decisions(())
    fill["Beslut"][0].update(beslut=beslut, datum=day,
                             beslutsfattare="Styrgruppen, ordf. Eva Sjöberg" if beslut else None)
    fill["Statusrapporter"] = []
    return fill


def test_a_bp_approved_withdrawn_and_approved_again_on_a_new_date_leaves_two_versions(
        tmp_path: Path, make_workbook: WorkbookFactory, fill: dict[str, Any]) -> None:
    first, again = date(2011, 1, 15), date(2011, 2, 1)
    make_workbook(phase_one_fill(fill, "Godkänt", first), "p.xlsx", tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    original = archived_files(tmp_path / "out")
    assert list(original) == [f"{DIRECTIVE}.docx"]

    workbook = make_workbook(phase_one_fill(fill, "Ej godkänt", first), "p.xlsx", tmp_path / "in")
    assert build(tmp_path / "in", tmp_path / "out").exit_code == 0
    cell = column_cell(workbook, "Beslut", "Beslut", "Ej godkänt")
    assert (f"VARNING {cell}: BP1 fastställdes 2011-01-15 men är nu Ej godkänt. Den fastställda "
            f"versionen finns kvar i Arkiv/{DIRECTIVE}.docx; ett nytt godkännande arkiveras "
            "som en ny version bredvid den.") in [x.strip() for x in findings(tmp_path / "out")]
    assert archived_files(tmp_path / "out") == original
    assert "Projektdirektiv / UTKAST" in docx_text(tmp_path / "out" / FOLDER /
                                                   "Projektdirektiv.docx")

    workbook = make_workbook(phase_one_fill(fill, "Godkänt", again), "p.xlsx", tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    assert any("BP1 har fått ett nytt datum (2011-02-01) men fastställdes 2011-01-15" in x
               for x in findings(tmp_path / "out"))
    files = archived_files(tmp_path / "out")
    assert sorted(files) == [f"{DIRECTIVE}.docx", "Projektdirektiv BP1 2011-02-01.docx"]
    assert files[f"{DIRECTIVE}.docx"] == original[f"{DIRECTIVE}.docx"]
    assert [e["datum"] for e in manifest(tmp_path / "out")] == ["2011-01-15", "2011-02-01"]

    result = build(tmp_path / "in", tmp_path / "out", "--force")  # the new version stands
    assert not [x for x in findings(tmp_path / "out") if "BP1" in x and "VARNING" in x]
    assert result.exit_code == 0


def test_an_arkiv_json_the_program_cannot_read_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / EXAMPLE_PATH.name).write_bytes(EXAMPLE_PATH.read_bytes())
    build(tmp_path / "in", tmp_path / "out")
    edited = archive_of(tmp_path / "out") / MANIFEST
    edited.write_text("inte json", encoding="utf-8")
    result = build(tmp_path / "in", tmp_path / "out", "--force")
    assert edited.read_text(encoding="utf-8") == "inte json"
    assert result.exit_code == 1
    assert "Inget arkiverades" in result.output


# --- kill -9 ------------------------------------------------------------------------------

def start_build(input_folder: Path, output: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "build", str(input_folder),
                             str(output), "--jobs", "2", *extra], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def kill_when(process: subprocess.Popen[bytes], ready: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.005)
    if process.poll() is not None:
        pytest.fail("the build ended before it could be killed")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def consistent(output: Path) -> dict[str, dict[str, str]]:
    """Each project's archive, asserted whole: every entry's file is there with its
    sha256, and every file there is a whole .docx; folder -> file -> sha256."""
    archives = {}
    for folder in sorted(p for p in output.iterdir() if (p / ARCHIVE_FOLDER).is_dir()):
        files = archived_files(output, folder.name)
        for name in files:
            with zipfile.ZipFile(archive_of(output, folder.name) / name) as document:
                assert document.testzip() is None, name
        path = archive_of(output, folder.name) / MANIFEST
        entries = manifest(output, folder.name) if path.exists() else []
        for entry in entries:
            assert entry["fil"] in files, f"an entry without its file: {entry['fil']}"
            assert entry["sha256"] == hashlib.sha256(files[entry["fil"]]).hexdigest()
        archives[folder.name] = {name: hashlib.sha256(d).hexdigest() for name, d in files.items()}
    return archives


def test_kill_9_during_archiving_leaves_no_partial_file_nor_an_entry_without_its_file(
        tmp_path: Path) -> None:
    for n in range(8):
        with_id(tmp_path / "in" / f"p{n}.xlsx", f"KS-2024-{n:02d}")
    assert build(tmp_path / "in", tmp_path / "clean").exit_code == 0
    clean = consistent(tmp_path / "clean")
    assert len(clean) == 8

    # the first archive files appear, then the build is killed while the others are written
    process = start_build(tmp_path / "in", tmp_path / "killed")
    kill_when(process, lambda: any((tmp_path / "killed").glob(f"*/{ARCHIVE_FOLDER}/*.docx")))
    interrupted = consistent(tmp_path / "killed")
    assert len(interrupted) < 8, "the build archived everything before it was killed"
    for folder, files in interrupted.items():
        assert all(clean[folder][name] == digest for name, digest in files.items())

    assert build(tmp_path / "in", tmp_path / "killed").exit_code == 0
    assert not list((tmp_path / "killed").rglob(f"{TEMP_PREFIX}*"))
    assert consistent(tmp_path / "killed") == clean
    for folder, files in interrupted.items():  # what was archived before the kill stayed
        assert all(sha(archive_of(tmp_path / "killed", folder) / n) == d
                   for n, d in files.items())

    # a killed --force run never touches an archive that is complete
    before = {f: archived_files(tmp_path / "killed", f) for f in clean}
    process = start_build(tmp_path / "in", tmp_path / "killed", "--force")
    time.sleep(1.5)  # well into the run (or past it: the archive stays the same either way)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert {f: archived_files(tmp_path / "killed", f) for f in clean} == before


def test_an_entry_a_killed_run_left_pending_is_completed_from_its_note(tmp_path: Path) -> None:
    """The kill between linking a file and listing it, made exactly: the file is in place,
    its entry only in the note."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / EXAMPLE_PATH.name).write_bytes(EXAMPLE_PATH.read_bytes())
    build(tmp_path / "in", tmp_path / "out")
    folder = archive_of(tmp_path / "out")
    entries = manifest(tmp_path / "out")
    last = entries[-1]
    data = (folder / last["fil"]).read_bytes()
    # as a run killed after its link: the manifest without the entry, the note with it
    (folder / last["fil"]).unlink()  # (a test may remove it; the program never does)
    (folder / MANIFEST).write_text(json.dumps({"format": 1, "filer": entries[:-1]}), "utf-8")
    note_pending(tmp_path / "out" / STATE_FOLDER,
                 f"{FOLDER}/{ARCHIVE_FOLDER}/{last['fil']}", last)
    assert write_once(folder / last["fil"], data)
    assert not write_once(folder / last["fil"], b"another document")

    build(tmp_path / "in", tmp_path / "out", "--force")

    assert manifest(tmp_path / "out") == entries  # the note's entry, exactly
    assert not list((tmp_path / "out" / STATE_FOLDER / "archive-pending").iterdir())
    assert (folder / last["fil"]).read_bytes() == data
