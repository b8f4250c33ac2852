"""Nothing good is removed because of an error: a document held back keeps its last good
file (byte for byte) and its PDF, and its finding says which file stays and what to fix;
tidy removes only what the workbook no longer asks for."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import WorkbookFactory

FOLDER = "KS-2011-01 Föräldrastöd"


def build(input_folder: Path, output: Path, *extra: str) -> Any:
    result = CliRunner().invoke(main, ["build", str(input_folder), str(output), "--jobs", "1",
                                       *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def contents(folder: Path, suffix: str = ".docx") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(f"*{suffix}"))}


def report(folder: Path) -> list[str]:
    return (folder / "Kontrollrapport.txt").read_text(encoding="utf-8").splitlines()


def today() -> str:
    return date.today().isoformat()


def test_a_build_after_an_error_keeps_the_earlier_documents_byte_for_byte(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    """The issue's case: in Genomförande a cost row without År is added. Projektdirektiv and
    Projektplan (approved) stay as they were; nothing is removed; the finding names the file,
    its date and the cell to fix; once fixed, the documents are made again."""
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER
    before = contents(folder)
    assert {"Projektdirektiv.docx", "Projektplan.docx"} <= set(before)

    fill["Kostnader"].append({"kostnadsslag": "Resor", "beskrivning": "Studiebesök",
                              "budget": 5000})
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    after = contents(folder)
    assert set(after) == set(before)
    assert after["Projektdirektiv.docx"] == before["Projektdirektiv.docx"]
    assert after["Projektplan.docx"] == before["Projektplan.docx"]
    assert "borttagen" not in result.output and "borttagna" not in result.output
    lines = report(folder)
    assert "    FEL C9: 'År' saknas. Fyll i cellen. [stoppar: Projektdirektiv, Projektplan]" \
        in lines
    assert lines[-3:] == [
        "  Dokument:",
        f"    VARNING Projektdirektiv.docx är från {today()} och görs inte om; fyll i "
        "Kostnader!C9 så görs den om.",
        f"    VARNING Projektplan.docx är från {today()} och görs inte om; fyll i "
        "Kostnader!C9 så görs den om."]
    # the kept files are the project's: a build with nothing changed leaves them in place
    again = build(tmp_path / "in", tmp_path / "out")
    assert "projekt.xlsx: oförändrad" in again.output
    assert contents(folder) == after

    fill["Kostnader"][-1]["ar"] = 2011
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    assert build(tmp_path / "in", tmp_path / "out").exit_code == 0
    assert not any("görs inte om" in line for line in report(folder))


def test_a_risk_value_of_7_keeps_the_documents_it_holds_back(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER
    before = contents(folder)

    fill["Risker"][1]["konsekvens"] = 7
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    build(tmp_path / "in", tmp_path / "out")

    assert contents(folder) == before
    lines = report(folder)
    assert ("    FEL C3: 'Konsekvens': värdet 7 ska vara ett heltal mellan 1 och 5. "
            "[stoppar: Projektdirektiv, Projektplan]") in lines
    assert (f"    VARNING Projektplan.docx är från {today()} och görs inte om; rätta "
            "Risker!C3 så görs den om.") in lines


def test_an_unknown_phase_keeps_every_document_and_says_why(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    """An invalid Aktuell fas: the program cannot know which documents the project gets,
    so it makes none and removes none, and says so for each."""
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER
    before = contents(folder)
    assert len(before) == 7

    fill["Projekt"]["aktuell_fas"] = "Genomförandefas"
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    build(tmp_path / "in", tmp_path / "out")

    assert contents(folder) == before
    lines = report(folder)
    phase = next(line for line in lines if line.startswith("    FEL B9:"))
    assert phase.startswith(
        "    FEL B9: 'Aktuell fas': värdet 'Genomförandefas' är inget av de tillåtna värdena "
        "(Relevans/Förberedelse, Planering, Genomförande, Avslut). Menade du Genomförande? "
        "[stoppar: Projektdirektiv, Projektplan, Statusrapport 1, Statusrapport 2, ")
    documents = lines[lines.index("  Dokument:") + 1:]
    assert documents[0] == (
        f"    VARNING Projektdirektiv.docx är från {today()} och görs inte om eftersom "
        "projektets fas är okänd; rätta Projekt!B9 så görs den om.")
    assert documents[1] == (
        f"    VARNING Projektplan.docx är från {today()} och görs inte om eftersom "
        "projektets fas är okänd; rätta Projekt!B9.")
    assert ("    VARNING Slutrapport skapas inte eftersom projektets fas är okänd; rätta "
            "Projekt!B9.") in documents  # one per document it may get, the 7 made and this
    assert len(documents) == 8


def test_a_misspelt_decision_keeps_the_approved_document_instead_of_a_draft(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    """'Godkänd' for BP2 would make Projektplan a draft: it is held back (the approved
    one stays), and the typo is one finding with the nearest choice."""
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER
    before = contents(folder)

    fill["Beslut"][1]["beslut"] = "Godkänd"
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    build(tmp_path / "in", tmp_path / "out")

    assert contents(folder)["Projektplan.docx"] == before["Projektplan.docx"]
    lines = report(folder)
    errors = [line for line in lines if line.startswith("    FEL")]
    assert errors == [
        "    FEL C3: 'Beslut': värdet 'Godkänd' är inget av de tillåtna värdena (Godkänt, Ej "
        "godkänt). Menade du Godkänt? [stoppar: Projektplan]"]


def test_tidy_still_removes_what_the_workbook_no_longer_asks_for(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    """A renamed member and a removed status row go, while an error holds another
    document back (which stays)."""
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER

    fill["Personkontrakt"][1]["projektmedlem"] = "Lena Holmgren"
    fill["Statusrapporter"] = fill["Statusrapporter"][:2]
    fill["Projekt"]["syfte"] = None  # holds the projektdirektiv back
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    result = build(tmp_path / "in", tmp_path / "out")

    names = set(contents(folder))
    assert "Projektdirektiv.docx" in names
    assert "Personkontrakt Lena Holm.docx" not in names
    assert "Statusrapport 03.docx" not in names
    assert "Personkontrakt Lena Holmgren.docx" in names
    assert "2 inaktuella filer borttagna" in result.output


def test_a_pdf_stays_until_its_document_changes(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory,
        libreoffice: str) -> None:
    """Built with --pdf, then without: the PDFs of unchanged and held-back documents stay,
    the PDF of a document written anew goes; --pdf then converts only that one."""
    fill["Projekt"]["aktuell_fas"] = "Relevans/Förberedelse"  # three documents
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out", "--pdf")
    folder = tmp_path / "out" / FOLDER
    pdfs = contents(folder, ".pdf")
    assert set(pdfs) == {"Projektdirektiv.pdf", "Personkontrakt Nisse Berg.pdf",
                         "Personkontrakt Lena Holm.pdf"}

    fill["Personkontrakt"][0]["timmar"] = 60  # Nisse's contract changes
    fill["Projekt"]["bakgrund"] = None  # the projektdirektiv is held back
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    result = build(tmp_path / "in", tmp_path / "out")

    assert contents(folder, ".pdf") == {name: data for name, data in pdfs.items()
                                        if name != "Personkontrakt Nisse Berg.pdf"}
    assert "1 inaktuell fil borttagen" in result.output
    lena = (folder / "Personkontrakt Lena Holm.pdf").stat()

    build(tmp_path / "in", tmp_path / "out", "--pdf", "--force")

    assert set(contents(folder, ".pdf")) == set(pdfs)
    again = (folder / "Personkontrakt Lena Holm.pdf").stat()
    assert (again.st_ino, again.st_mtime_ns) == (lena.st_ino, lena.st_mtime_ns)
