"""Hostile input: no traceback, an exit code the README documents, and a Swedish message
naming the file and, where it applies, the sheet and cell; nothing lost, nothing
half-written. One parametrised test per family; each case is named after what it shows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference

from pipeline import contract
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.settings import LARGEST_LOGO
from tests.conftest import require_tool, soffice_convert
from tests.fills import QUIET_DAY

FOLDER = "KS-2011-01 Föräldrastöd"
"""The example's project folder in OUTPUT."""


def run(*args: str | Path) -> tuple[int, str]:
    """The command as a user runs it: its exit code and everything it printed; a
    traceback fails the test."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def build(input_folder: Path, output: Path, *more: str | Path) -> tuple[int, str]:
    return run("build", input_folder, output, "--jobs", "1", "--today", QUIET_DAY, *more)


def edit(path: Path, change: Callable[[openpyxl.Workbook], Any]) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def cell_of(book: openpyxl.Workbook, sheet_name: str, label: str, row: int = 1) -> str:
    """The address of a field's cell: beside its label on a key/value sheet, else in its
    column's `row`-th data row."""
    sheet = contract.SHEETS_BY_NAME[sheet_name]
    cells = book[sheet_name]
    if not sheet.table:
        found = next(r for r in cells.iter_rows(max_col=1) if r[0].value == label)
        return f"B{found[0].row}"
    header = next(r for r in cells.iter_rows() if any(c.value == label for c in r))
    column = next(c for c in header if c.value == label)
    return f"{column.column_letter}{column.row + row}"


# --- files that are no workbook ---------------------------------------------------------

def zero_bytes(folder: Path) -> Path:
    (path := folder / "tom.xlsx").write_bytes(b"")
    return path


def text_named_xlsx(folder: Path) -> Path:
    (path := folder / "export.xlsx").write_text("Projekt-ID;Projektnamn\n", encoding="utf-8")
    return path


def encrypted_container(folder: Path) -> Path:
    """What Excel saves with a password (and an old .xls): an OLE compound file."""
    (path := folder / "hemlig.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    return path


def old_xls(folder: Path) -> Path:
    (path := folder / "gammal.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\1" * 512)
    return path


def link_to_nowhere(folder: Path) -> Path:
    (path := folder / "länk.xlsx").symlink_to(folder / "borta.xlsx")
    return path


def folder_named_xlsx(folder: Path) -> Path:
    (path := folder / "x.xlsx").mkdir()
    return path


NOT_WORKBOOKS = {
    "zero-byte file": (zero_bytes, "ingen Excel-arbetsbok"),
    "text file named .xlsx": (text_named_xlsx, "text- eller CSV-fil"),
    "encrypted (OLE container)": (encrypted_container, "lösenordsskyddad"),
    "old .xls in INPUT": (old_xls, "gamla .xls-formatet"),
    "symlink to nowhere": (link_to_nowhere, "länk till en fil som inte finns"),
    "folder named x.xlsx": (folder_named_xlsx, "det är en mapp"),
}


@pytest.mark.parametrize("case", NOT_WORKBOOKS.values(), ids=NOT_WORKBOOKS.keys())
def test_a_file_that_is_no_workbook_is_named_and_the_others_are_built(
        case: tuple[Callable[[Path], Path], str], tmp_path: Path, make_workbook) -> None:
    make, reason = case
    input_folder = tmp_path / "in"
    make_workbook(name="Föräldrastöd.xlsx", folder=input_folder)
    bad = make(input_folder)

    code, output = build(input_folder, tmp_path / "out")
    assert code == 1
    line = next(line for line in output.splitlines() if line.startswith(bad.name))
    assert reason in line
    assert (tmp_path / "out" / FOLDER / "Projektdirektiv.docx").is_file()
    assert (tmp_path / "out" / "ekonomi.xlsx").is_file()

    code, output = run("economy", input_folder, "-o", tmp_path / "ekonomi.xlsx")
    assert code == 1 and (tmp_path / "ekonomi.xlsx").is_file()

    code, output = run("notify", input_folder, "--from", "pmo@kommun.se", "--dry-run",
                       tmp_path / "brev", "--today", QUIET_DAY)
    assert bad.name in output and reason in output

    if not bad.is_dir():  # check takes files; a folder is a usage error (exit 2)
        code, output = run("check", bad)
        assert code == 1 and f"{bad.name} (okänt projekt): FEL" in output and reason in output


def test_xlsm_and_upper_case_names_are_read_and_lock_files_skipped(tmp_path: Path,
                                                                   make_workbook) -> None:
    """A workbook saved with macros (.xlsm) is read as the workbook it is (its macros never
    run); `PROJEKT.XLSX` from a Windows share too; Excel's lock file and the metadata file
    a Mac writes beside a workbook on a share are no workbooks."""
    input_folder = tmp_path / "in"
    first = make_workbook(name="Föräldrastöd.xlsm", folder=input_folder)
    second = make_workbook(name="ANDRA.XLSX", folder=input_folder)
    edit(second, lambda book: setattr(book["Projekt"][cell_of(book, "Projekt", "Projekt-ID")],
                                      "value", "KS-2011-02"))
    (input_folder / "~$Föräldrastöd.xlsm").write_bytes(b"\0" * 165)
    (input_folder / "._ANDRA.XLSX").write_bytes(b"\0\x05\x16\x07" + b"\0" * 4092)

    code, output = build(input_folder, tmp_path / "out")
    assert code == 0, output
    assert f"{first.name}: byggd -> {FOLDER}" in output
    assert f"{second.name}: byggd -> KS-2011-02 Föräldrastöd" in output
    assert "~$" not in output and "._" not in output


# --- the workbook's sheets --------------------------------------------------------------

def chart_sheet_named(name: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book.remove(book[name])
        chart = BarChart()
        chart.add_data(Reference(book["Kostnader"], min_col=4, min_row=1, max_row=4))
        book.create_chartsheet(name).add_chart(chart)
    return change


def renamed(old: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        book[old].title = "tillfälligt"  # openpyxl numbers a name equal but for its case
        book["tillfälligt"].title = new
    return change


SHEET_CASES: dict[str, tuple[Callable[[openpyxl.Workbook], Any], list[tuple[str, str | None]],
                              str]] = {
    **{f"{sheet.name} deleted": (lambda book, s=sheet.name: book.remove(book[s]),
                                 [("sheet-missing", sheet.name)], f"Bladet '{sheet.name}' saknas")
       for sheet in contract.SHEETS},
    "Risker renamed with a trailing space": (
        renamed("Risker", "Risker "), [("sheet-missing", "Risker")],
        "Bladet 'Risker ' är troligen det; namnet har mellanslag före eller efter."),
    "Risker renamed in lower case": (
        renamed("Risker", "risker"), [("sheet-missing", "Risker")],
        "Bladet 'risker' är troligen det; namnet ska ha samma stora och små bokstäver."),
    "a chart sheet named Risker": (
        chart_sheet_named("Risker"), [("header-missing", "Risker")],
        "Rubrikraden saknas på bladet 'Risker'"),
}


@pytest.mark.parametrize("case", SHEET_CASES.values(), ids=SHEET_CASES.keys())
def test_a_broken_sheet_is_named_and_only_what_it_feeds_is_held_back(
        case: tuple[Callable[[openpyxl.Workbook], Any], list[tuple[str, str | None]], str],
        make_workbook) -> None:
    change, expected, message = case
    report = check_file(edit(make_workbook(), change), today=QUIET_DAY).report
    structural = [(f.code, f.sheet) for f in report.errors
                  if f.code in ("sheet-missing", "header-missing")]
    assert structural == expected
    assert any(message in f.message for f in report.errors)


HARMLESS_SHEET_CHANGES: dict[str, Callable[[openpyxl.Workbook], Any]] = {
    "sheets in reverse order": lambda book: book.move_sheet("Projekt", len(book.sheetnames)),
    "a hidden sheet": lambda book: setattr(book["Risker"], "sheet_state", "hidden"),
    "header row moved down one row": lambda book: book["Kostnader"].insert_rows(1),
    "an extra column before the others": lambda book: book["Aktiviteter"].insert_cols(1),
    "Instruktioner deleted": lambda book: book.remove(book[contract.INSTRUCTIONS_SHEET]),
}


@pytest.mark.parametrize("change", HARMLESS_SHEET_CHANGES.values(),
                         ids=HARMLESS_SHEET_CHANGES.keys())
def test_what_the_contract_leaves_free_changes_nothing(change, make_workbook) -> None:
    plain = check_file(make_workbook(), today=QUIET_DAY).report.flatten()
    changed = check_file(edit(make_workbook(), change), today=QUIET_DAY).report
    assert [f[0] for f in changed.flatten()] == [f[0] for f in plain]
    assert changed.ok


def test_merged_cells_over_values_are_a_warning_naming_the_range(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: book["Risker"].merge_cells("A2:B3"))
    report = check_file(path, today=QUIET_DAY).report
    merged = [f for f in report.findings if f.code == "merged-cells"]
    assert [(f.sheet, f.cell) for f in merged] == [("Risker", "A2")]
    assert "A2:B3" in merged[0].message


# --- every kind of typed cell given wrong values ----------------------------------------

TYPED_CELLS: dict[str, tuple[str, str, Any, str, str]] = {
    # case: (sheet, label, value, code, what the message says)
    "text in an amount": ("Kostnader", "Budget (kr)", "mycket", "invalid-value",
                          "'mycket' kan inte läsas som ett tal"),
    "a bool in a date": ("Aktiviteter", "Slut", True, "invalid-value", "SANT är inte ett datum"),
    "a bool in a choice": ("Risker", "Status", False, "invalid-value",
                           "FALSKT är inget av de tillåtna värdena"),
    "#REF! typed in an amount": ("Kostnader", "Budget (kr)", "#REF!", "error-value",
                                 "visar felvärdet #REF!"),
    "#DIV/0! in an optional amount": ("Kostnader", "Utfall (kr)", "#DIV/0!", "error-value",
                                      "visar felvärdet #DIV/0!"),
    "#N/A in a date": ("Projekt", "Startdatum", "#N/A", "error-value", "visar felvärdet #N/A"),
    "a formula without a cached value": ("Kostnader", "Budget (kr)", "=1+1",
                                         "formula-without-value", "formel utan sparat resultat"),
    "a date in 1900": ("Projekt", "Startdatum", date(1900, 1, 1), "invalid-value",
                       "1900-01-01 ligger inte mellan åren 1990 och 2100"),
    "a date in 9999 as Slutdatum": ("Projekt", "Slutdatum", date(9999, 12, 31), "invalid-value",
                                    "9999-12-31 ligger inte mellan åren 1990 och 2100"),
    "a date in 9999 as a contract's Till": ("Personkontrakt", "Till", date(9999, 12, 31),
                                            "invalid-value", "ligger inte mellan åren"),
    "a date in 9999 as an activity's Slut": ("Aktiviteter", "Slut", date(9999, 12, 31),
                                             "invalid-value", "ligger inte mellan åren"),
    "a date in 9999 as a report's Period till": ("Statusrapporter", "Period till",
                                                 date(9999, 12, 30), "invalid-value",
                                                 "ligger inte mellan åren"),
    "a negative amount where none may be": ("Finansiering", "Belopp (kr)", -5000,
                                            "invalid-value", "minst 0"),
    "1e308 as an amount": ("Kostnader", "Budget (kr)", 1e308, "invalid-value", "är för stort"),
    "10^30 as hours": ("Personkontrakt", "Timmar", 10**30, "invalid-value",
                       "är för stort"),
    "NaN as text": ("Kostnader", "Prognos (kr)", "NaN", "invalid-value",
                    "'NaN' kan inte läsas som ett tal"),
    "only spaces in a required cell": ("Projekt", "Projektnamn", "   ", "missing-value",
                                       "'Projektnamn' saknas"),
    "a leading apostrophe in a number": ("Risker", "Sannolikhet", "'3", "invalid-value",
                                         "''3' kan inte läsas som ett tal"),
    "line breaks and a tab in a number": ("Kostnader", "Budget (kr)", "tolv\r\ntusen\tkr",
                                          "invalid-value", "'tolv tusen kr' kan inte läsas"),
}


@pytest.mark.parametrize("case", TYPED_CELLS.values(), ids=TYPED_CELLS.keys())
def test_a_wrong_value_in_a_typed_cell_names_its_sheet_and_cell(
        case: tuple[str, str, Any, str, str], make_workbook) -> None:
    sheet, label, value, code, message = case
    path = make_workbook()
    where = cell_of(openpyxl.load_workbook(path), sheet, label)
    edit(path, lambda book: setattr(book[sheet][where], "value", value))
    report = check_file(path, today=QUIET_DAY).report
    found = [f for f in report.findings if (f.sheet, f.cell) == (sheet, where)]
    assert [f.code for f in found] == [code], [f.message for f in report.findings]
    assert f"'{label}'" in found[0].message and message in found[0].message


def test_every_wrong_value_at_once_builds_everything_else(tmp_path: Path, make_workbook) -> None:
    """Each case of TYPED_CELLS in a workbook of its own, and text that is odd but fine
    (40,000 characters, line breaks, tabs, emoji, right-to-left), built in one run: no
    traceback, exit 1, every project has its folder and its Kontrollrapport names the
    sheet and cell."""
    input_folder = tmp_path / "in"
    wheres = {}
    for number, (sheet, label, value, _, _) in enumerate(TYPED_CELLS.values()):
        path = make_workbook(name=f"fall-{number:02}.xlsx", folder=input_folder)
        book = openpyxl.load_workbook(path)
        wheres[number] = (sheet, cell_of(book, sheet, label))
        book[sheet][wheres[number][1]] = value
        book["Projekt"][cell_of(book, "Projekt", "Projekt-ID")] = f"KS-2099-{number:02}"
        book.save(path)
    odd = make_workbook(name="udda.xlsx", folder=input_folder)
    edit(odd, lambda book: (
        book["Projekt"].__setitem__(cell_of(book, "Projekt", "Bakgrund"), "Lång. " * 6700),
        book["Projekt"].__setitem__(cell_of(book, "Projekt", "Projektnamn"),
                                    "Föräldra\tstöd 😀\nשלום \u202eny rad " + "x" * 200)))

    code, _ = build(input_folder, tmp_path / "out")
    assert code == 1
    folders = {p.name: p for p in (tmp_path / "out").iterdir() if p.is_dir()}
    for number, (sheet, cell) in wheres.items():
        folder = next(p for name, p in folders.items() if name.startswith(f"KS-2099-{number:02}"))
        report = (folder / "Kontrollrapport.txt").read_text(encoding="utf-8")
        assert f"Blad {sheet}:" in report and f"FEL {cell}:" in report
    odd_folder = next(p for name, p in folders.items() if name.startswith("KS-2011-01"))
    assert len(odd_folder.name) <= 80 and "\t" not in odd_folder.name
    assert (odd_folder / "Projektdirektiv.docx").is_file()
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "ekonomi.xlsx").is_file()


def test_error_values_saved_by_libreoffice_are_named(tmp_path: Path, make_workbook) -> None:
    """A real editor's file: LibreOffice saves =1/0 with its cached result #DIV/0!, which
    calamine reads as an empty string."""
    path = make_workbook(name="räknad.xlsx")
    where = cell_of(openpyxl.load_workbook(path), "Kostnader", "Budget (kr)")
    edit(path, lambda book: setattr(book["Kostnader"][where], "value", "=1/0"))
    saved = soffice_convert([path], "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")[0]
    report = check_file(saved, today=QUIET_DAY).report
    assert [(f.code, f.cell) for f in report.findings if f.sheet == "Kostnader"] == [
        ("error-value", where)]


# --- across workbooks -------------------------------------------------------------------

def test_duplicated_projekt_id_and_names_windows_forbids(tmp_path: Path, make_workbook) -> None:
    input_folder = tmp_path / "in"
    make_workbook(name="a.xlsx", folder=input_folder)
    make_workbook(name="b.xlsx", folder=input_folder)
    odd = make_workbook(name='c<d>e|f?g*h"i.xlsx', folder=input_folder)
    edit(odd, lambda book: (
        book["Projekt"].__setitem__(cell_of(book, "Projekt", "Projekt-ID"), "KS/2011:03"),
        book["Projekt"].__setitem__(cell_of(book, "Projekt", "Projektnamn"), 'CON<>:"|?*')))

    code, output = build(input_folder, tmp_path / "out")
    assert code == 1
    for name in ("a.xlsx", "b.xlsx"):
        report = check_file(input_folder / name).report  # one workbook alone is fine
        assert report.ok
        line = next(line for line in output.splitlines() if line.startswith(name))
        assert "ej byggd" in line or "KS-2011-01" in line
    assert not (tmp_path / "out" / FOLDER).exists()
    assert (tmp_path / "out" / "KS_2011_03 CON_______").is_dir()


# --- the organisation's settings --------------------------------------------------------

SETTINGS_CASES: dict[str, tuple[str | bytes, str, str]] = {
    "config_version as text": ('config_version = "1"\n', "config_version",
                               'ska vara talet 1 utan citattecken, inte "1"'),
    "an unknown key": ('[organisation]\nnamn = "Sundsvall"\n', "organisation.namn",
                       "menar du 'name'?"),
    "a name of the wrong type": ("[organisation]\nname = 5\n", "organisation.name",
                                 "ska vara en text inom citattecken"),
    "a name of 40,000 characters": (f'[organisation]\nname = "{"x" * 40000}"\n',
                                    "organisation.name", "högst 200 tecken"),
    "a logo that is not an image": ('[organisation]\nlogo = "logga.png"\n', "organisation.logo",
                                    "är ingen PNG- eller JPEG-bild"),
    "a logo over 5 MB": ('[organisation]\nlogo = "stor.png"\n', "organisation.logo",
                         "stor.png är större än 5 MB, som är gränsen"),
    "a logo that is a folder": ('[organisation]\nlogo = "mapp"\n', "organisation.logo",
                                "det är en mapp"),
    "an hourly rate of 1e308": ("[economy]\ndefault_hourly_rate = 1e308\n",
                                "economy.default_hourly_rate", "från 0 till 100"),
    "not UTF-8": ('[organisation]\nname = "G\xf6teborg"\n'.encode("latin-1"), "",
                  "är inte sparad som UTF-8"),
}


@pytest.mark.parametrize("case", SETTINGS_CASES.values(), ids=SETTINGS_CASES.keys())
def test_a_broken_settings_file_stops_every_command_before_anything_is_written(
        case: tuple[str | bytes, str, str], tmp_path: Path, make_workbook) -> None:
    text, key, message = case
    workbook = make_workbook(name="Föräldrastöd.xlsx", folder=tmp_path / "in")
    settings = tmp_path / "conf" / "projektmodell.toml"
    settings.parent.mkdir()
    if isinstance(text, bytes):
        settings.write_bytes(text)
    else:
        settings.write_text(text, encoding="utf-8")
    (settings.parent / "logga.png").write_bytes(b"GIF89a" + b"\0" * 64)
    (settings.parent / "stor.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * LARGEST_LOGO)
    (settings.parent / "mapp").mkdir()
    before = sorted(tmp_path.rglob("*"))
    commands = {
        "check": ["check", workbook],
        "build": ["build", workbook.parent, tmp_path / "out"],
        "economy": ["economy", workbook.parent, "-o", tmp_path / "ekonomi.xlsx"],
        "new": ["new", "Nytt", "--dir", tmp_path / "nya"],
        "notify": ["notify", workbook.parent, "--from", "pmo@kommun.se", "--dry-run",
                   tmp_path / "brev"],
        "templates check": ["templates", "check"],
    }
    for command, args in commands.items():
        code, output = run(*args, "--config", settings)
        assert code == 2, command
        assert f"Fel: Inställningsfilen {settings}" in output, command
        assert (f"nyckeln '{key}'" in output) == bool(key) and message in output, output
    assert sorted(tmp_path.rglob("*")) == before


# --- an output folder that cannot be written --------------------------------------------

@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can work in (a test as root runs the build as nobody, since
    root may write in a read-only folder)."""
    folder = Path(tempfile.mkdtemp(prefix="projektmodell-ro-"))
    folder.chmod(0o777)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o777)
    shutil.rmtree(folder)


def build_as_a_user(input_folder: Path, output: Path, *more: str) -> tuple[int, str]:
    """`projektmodell build` as its own process, as an ordinary user: exit code, output."""
    command = [sys.executable, "-m", "pipeline", "build", str(input_folder), str(output),
               "--jobs", "1", "--today", QUIET_DAY.isoformat(), *more]
    if os.geteuid() == 0:
        setpriv = require_tool("setpriv")  # root may write in a read-only folder
        command = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          cwd=output.parent, env={**os.environ, "HOME": str(output.parent)})
    output_text = done.stdout + done.stderr
    assert "Traceback" not in output_text
    return done.returncode, output_text


def read_only(*paths: Path) -> None:
    for path in paths:
        path.chmod(0o555)


def writable_tree(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)


def test_a_read_only_output_folder_is_exit_2_and_nothing_is_half_written(
        shared_folder: Path, make_workbook) -> None:
    input_folder = shared_folder / "in"
    make_workbook(name="Föräldrastöd.xlsx", folder=input_folder)
    writable_tree(shared_folder)
    output = shared_folder / "out"
    output.mkdir()
    read_only(output)

    code, text = build_as_a_user(input_folder, output)
    assert code == 2
    assert f"Fel: Utdatamappen {output} kan inte skrivas: behörighet saknas. Inget byggdes." \
        in text
    assert list(output.iterdir()) == []


def test_a_read_only_project_folder_fails_that_project_and_the_rest_is_written(
        shared_folder: Path, make_workbook) -> None:
    input_folder = shared_folder / "in"
    make_workbook(name="Föräldrastöd.xlsx", folder=input_folder)
    other = make_workbook(name="Annat.xlsx", folder=input_folder)
    edit(other, lambda book: book["Projekt"].__setitem__(
        cell_of(book, "Projekt", "Projekt-ID"), "KS-2011-02"))
    writable_tree(shared_folder)
    output = shared_folder / "out"
    assert build_as_a_user(input_folder, output)[0] == 0
    edit(input_folder / "Föräldrastöd.xlsx", lambda book: book["Projekt"].__setitem__(
        cell_of(book, "Projekt", "Syfte"), "Ett nytt syfte."))  # its documents change
    writable_tree(shared_folder)
    before = sorted(p.name for p in (output / FOLDER).iterdir())
    read_only(output / FOLDER)

    code, text = build_as_a_user(input_folder, output, "--force")
    assert code == 1
    assert (f"Föräldrastöd.xlsx: misslyckad -> {FOLDER}" in text
            and f"Filerna kunde inte skrivas i {FOLDER}: behörighet saknas." in text)
    assert "Annat.xlsx: byggd -> KS-2011-02 Föräldrastöd" in text
    assert sorted(p.name for p in (output / FOLDER).iterdir()) == before  # no temp left
    assert (output / "KS-2011-02 Föräldrastöd" / "Projektdirektiv.docx").is_file()
    assert (output / "index.html").is_file() and (output / "ekonomi.xlsx").is_file()
