"""Bad input gives a clear finding naming file, sheet and cell; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.styles import PatternFill

from pipeline import contract
from pipeline.check import check_file, discover
from pipeline.cli import main
from pipeline.workbook.reader import MAX_MEMBERS, MAX_UNPACKED_BYTES
from tests.fills import QUIET_DAY


def test_text_file_renamed_xlsx_is_one_finding_and_others_are_still_checked(
        tmp_path: Path, make_workbook) -> None:
    csv = tmp_path / "export.xlsx"
    csv.write_text("Projekt-ID;Projektnamn\nKS-1;Test\n", encoding="utf-8")
    good = make_workbook()
    result = CliRunner().invoke(main, ["check", str(csv), str(good)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "export.xlsx" in result.output and "text- eller CSV-fil" in result.output
    assert f"{good.name} (Föräldrastöd): OK" in result.output


def test_truncated_workbook(tmp_path: Path, make_workbook) -> None:
    data = make_workbook().read_bytes()
    truncated = tmp_path / "avbruten.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    report = check_file(truncated).report
    assert report.flatten() == [("workbook-unreadable", "fel", "")]
    assert "skadad eller ofullständig" in report.findings[0].message


def test_password_protected_workbook(tmp_path: Path, make_workbook) -> None:
    plain = make_workbook()
    encrypted = tmp_path / "hemlig.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        OOXMLFile(source).encrypt("hemligt", target)
    report = check_file(encrypted).report
    assert report.flatten() == [("workbook-unreadable", "fel", "")]
    assert "lösenordsskyddad" in report.findings[0].message


def edit(path: Path, change) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_missing_sheet_blocks_the_documents_it_feeds(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: book.remove(book["Risker"]))
    report = check_file(path, today=QUIET_DAY).report
    assert report.flatten() == [("sheet-missing", "fel", "Risker"),
                                *[f for f in report.flatten() if f[0] == "checklist-open"],
                                ("document-blocked", "varning", ""),
                                ("document-blocked", "varning", "")]
    assert report.errors[0].blocks == ("projektdirektiv", "projektplan")
    assert report.errors[0].stops == ("Projektdirektiv", "Projektplan")
    assert [f.message for f in report.findings if f.code == "document-blocked"] == [
        "Projektdirektiv skapas inte; rätta bladet Risker så skapas den.",
        "Projektplan skapas inte; rätta bladet Risker så skapas den."]


def test_renamed_required_header(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: setattr(book["Risker"]["B1"], "value",
                                                      "Sannolikhet (1-5)"))
    report = check_file(path).report
    errors = [f for f in report.errors]
    assert [(f.code, f.location) for f in errors] == [("column-missing", "Risker!B1")]
    assert errors[0].message == (
        "Kolumnen 'Sannolikhet' saknas i rubrikraden (rad 1) på bladet 'Risker'; rubriken "
        "'Sannolikhet (1-5)' i B1 är troligen den. Skriv rubriken exakt så.")


def test_renamed_optional_header_is_a_warning_and_nothing_else_breaks(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: setattr(book["Risker"]["F1"], "value", "Läge"))
    report = check_file(path).report
    assert report.ok
    assert ("column-missing", "varning", "Risker!A1:F1") in report.flatten()


def test_deleted_checklist_row(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: book["Checklistor"].delete_rows(10))  # F2
    report = check_file(path).report
    assert [(f.code, f.value) for f in report.errors] == [("checklist-item-missing", "F2")]


def test_formula_without_cached_value(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: setattr(book["Personkontrakt"]["E2"], "value",
                                                      "=20*2"))
    report = check_file(path).report
    assert ("formula-without-value", "fel", "Personkontrakt!E2") in report.flatten()
    finding = next(f for f in report.errors if f.code == "formula-without-value")
    assert finding.blocks == ("personkontrakt:2",)


def test_merged_cells_are_reported(make_workbook) -> None:
    path = edit(make_workbook(), lambda book: book["Risker"].merge_cells("D2:E2"))
    report = check_file(path).report
    assert ("merged-cells", "varning", "Risker!D2") in report.flatten()
    assert "D2:E2" in next(f.message for f in report.findings if f.code == "merged-cells")


def test_dates_and_numbers_typed_as_swedish_text(make_workbook, fill) -> None:
    fill["Personkontrakt"][0].update(fran="15/1/2011", till="15 jan 2012", timmar="40 tim",
                                     timkostnad="1 234,50")
    fill["Projekt"].update(budgettolerans="25 %", startdatum=40558)
    fill["Kostnader"][0].update(budget="240 000 kr")
    checked = check_file(make_workbook(fill))
    assert checked.report.ok
    nisse = checked.project.personkontrakt[0]
    assert (nisse.fran, nisse.till, nisse.timmar, nisse.timkostnad) == (
        date(2011, 1, 15), date(2012, 1, 15), Decimal(40), Decimal("1234.50"))
    assert checked.project.info.budgettolerans == 25
    assert checked.project.info.startdatum == date(2011, 1, 15)
    assert checked.project.kostnader[0].budget == 240000


def test_values_that_cannot_be_read_name_their_cell(make_workbook, fill) -> None:
    fill["Personkontrakt"][0].update(fran="snart", timmar="fyrtio")
    fill["Risker"][1].update(konsekvens=7)
    fill["Kostnader"][0].update(kostnadsslag="Fika")
    report = check_file(make_workbook(fill)).report
    invalid = {f.location: f for f in report.errors if f.code == "invalid-value"}
    assert set(invalid) == {"Personkontrakt!F2", "Personkontrakt!E2", "Risker!C3",
                            "Kostnader!A2"}
    assert "snart" in invalid["Personkontrakt!F2"].message
    assert invalid["Risker!C3"].message == ("'Konsekvens': värdet 7 ska vara ett heltal "
                                            "mellan 1 och 5.")
    assert "Personal, Externa tjänster" in invalid["Kostnader!A2"].message


def test_stray_whitespace_and_line_breaks(make_workbook, fill) -> None:
    fill["Personkontrakt"][0].update(projektmedlem="  Nisse \n Berg  ",
                                     resursgivare="Bo  Andersson ")
    fill["Risker"][0].update(status=" öppen ")
    fill["Projekt"].update(bakgrund="  Rad ett. \n\n\n\n  Rad två.  ")
    checked = check_file(make_workbook(fill))
    assert checked.report.ok
    nisse = checked.project.personkontrakt[0]
    assert (nisse.projektmedlem, nisse.resursgivare) == ("Nisse Berg", "Bo Andersson")
    assert checked.project.risker[0].status == "Öppen"
    assert checked.project.info.bakgrund == "Rad ett.\n\nRad två."


def test_ten_thousand_formatted_empty_rows(make_workbook) -> None:
    def format_rows(book):
        sheet = book["Kostnader"]
        fill = PatternFill("solid", fgColor="FFFF00")
        for row in range(2, 10_002):
            sheet.cell(row, 1).fill = fill
            sheet.cell(row, 4).number_format = "0.00"
    path = edit(make_workbook(), format_rows)
    checked = check_file(path)
    assert checked.report.ok
    assert [line.row for line in checked.project.kostnader] == list(range(2, 9))


def test_lock_files_are_skipped(tmp_path: Path, make_workbook) -> None:
    good = make_workbook(name="Projekt.xlsx")
    (tmp_path / "~$Projekt.xlsx").write_bytes(b"\x00" * 165)
    assert discover(tmp_path) == [good]
    result = CliRunner().invoke(main, ["check", str(tmp_path / "~$Projekt.xlsx"), str(good)])
    assert result.exit_code == 0 and "~$" not in result.output


def test_other_contract_version_is_one_finding(make_workbook, fill) -> None:
    fill["Projekt"]["mallversion"] = "2"
    report = check_file(make_workbook(fill)).report
    assert report.errors[0].code == "contract-version"
    assert report.flatten() == [("contract-version", "fel", "Projekt"),
                                *[("document-blocked", "varning", "")] * 3]


def test_header_below_a_title_with_extra_and_reordered_columns(make_workbook) -> None:
    def rearrange(book):
        sheet = book["Risker"]
        sheet.insert_rows(1, amount=2)
        sheet["A1"] = "Riskanalys för Föräldrastöd"
        sheet.move_range("A3:A6", cols=8)  # Risk moves to column I
        sheet["A3"] = "Anteckningar"
    checked = check_file(edit(make_workbook(), rearrange))
    assert checked.report.ok
    risk = checked.project.risker[0]
    assert (risk.row, risk.risk, risk.sannolikhet) == (4, "För få föräldrar anmäler sig", 3)
    assert checked.project.cell(contract.RISKER, "risk", 4) == "I4"


def rezip(path: Path, target: Path, compression: int = zipfile.ZIP_DEFLATED,
          change: Callable[[str, bytes], bytes] = lambda name, content: content) -> Path:
    """The workbook's members, each changed by `change`, written again as a new zip."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", compression) as copy:
        for info in source.infolist():
            copy.writestr(info.filename, change(info.filename, source.read(info)))
    return target


def test_member_with_a_wrong_checksum_is_named(tmp_path: Path, make_workbook) -> None:
    stored = rezip(make_workbook(), tmp_path / "lagrad.xlsx", zipfile.ZIP_STORED)
    with zipfile.ZipFile(stored) as archive:
        member = next(name for name in archive.namelist() if b"Riskanalys" in archive.read(name))
    data = bytearray(stored.read_bytes())
    at = data.index(b"Riskanalys")  # a text's first letter: the zip opens, the CRC is wrong
    data[at] = ord("r")
    broken = tmp_path / "skadad.xlsx"
    broken.write_bytes(bytes(data))
    report = check_file(broken).report
    assert report.flatten() == [("workbook-unreadable", "fel", "")]
    assert report.findings[0].message == (
        f"Arbetsboken kan inte läsas: filen är skadad ({member} går inte att läsa).")


def test_stored_and_deflated_members_read_alike(tmp_path: Path, make_workbook) -> None:
    original = make_workbook()
    stored = rezip(original, tmp_path / "lagrad.xlsx", zipfile.ZIP_STORED)
    expected, checked = check_file(original), check_file(stored)
    assert checked.report.ok and checked.report.flatten() == expected.report.flatten()
    assert checked.project.model_dump(exclude={"source"}) == \
        expected.project.model_dump(exclude={"source"})


def test_formula_outside_the_checked_sheets_is_not_reported(tmp_path: Path,
                                                            make_workbook) -> None:
    def add_formula(book):
        book["Instruktioner"]["Z1"] = "=1+1"
        book["Personkontrakt"]["E2"] = "=20*2"
    path = edit(make_workbook(), add_formula)
    report = check_file(path).report
    assert [f.location for f in report.findings if f.code == "formula-without-value"] == [
        "Personkontrakt!E2"]

    def only_instructions(book):
        book["Instruktioner"]["Z1"] = "=1+1"
    assert check_file(edit(make_workbook(), only_instructions)).report.ok


def test_prose_keeps_its_lines_and_loses_stray_spaces(make_workbook, fill) -> None:
    fill["Projekt"].update(syfte="Rad ett.\nRad två.\n\nStycke två.",
                           bakgrund="\u00a0Rad ett. \n Rad två.\t")
    fill["Risker"][0].update(risk="  Färre\ngrupper  ", atgard="Ring\r\nfler")
    fill["Personkontrakt"][0].update(projektmedlem="Nisse\nBerg", resursgivare="Bo\u2007Ek")
    checked = check_file(make_workbook(fill))
    assert checked.report.ok
    info, risk, nisse = (checked.project.info, checked.project.risker[0],
                         checked.project.personkontrakt[0])
    assert (info.syfte, info.bakgrund) == ("Rad ett.\nRad två.\n\nStycke två.",
                                           "Rad ett.\nRad två.")
    assert (risk.risk, risk.atgard) == ("Färre\ngrupper", "Ring\nfler")
    assert (nisse.projektmedlem, nisse.resursgivare) == ("Nisse Berg", "Bo Ek")


def test_large_whole_numbers_read_as_excel_shows_them(make_workbook, fill) -> None:
    fill["Statusrapporter"][0].update(rapport_nr=float(2**60))
    fill["Kostnader"][0].update(ar=2011.0)
    checked = check_file(make_workbook(fill))
    assert checked.project.statusrapporter[0].rapport_nr == 1152921504606847000  # 16 digits
    assert checked.project.kostnader[0].ar == 2011


MODEST_MEMORY = 300 * 1024 * 1024
"""Peak resident memory `projektmodell check` stays below on a workbook that would unpack
to more than it may (it needs about 50 MB)."""
BIG_SHEET = "xl/worksheets/sheet7.xml"  # Risker
SHEET_START = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b"<sheetData>")


def with_huge_sheet(path: Path, target: Path, blank_megabytes: int) -> Path:
    """The workbook with its Risker sheet replaced by valid sheet XML holding that many MB
    of spaces: a zip bomb of a few hundred kB, built in a fraction of a second."""
    megabyte = b" " * 2**20
    with zipfile.ZipFile(path) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for info in source.infolist():
            if info.filename != BIG_SHEET:
                bomb.writestr(info.filename, source.read(info))
                continue
            with bomb.open(BIG_SHEET, "w") as sheet:
                sheet.write(SHEET_START)
                for _ in range(blank_megabytes):
                    sheet.write(megabyte)
                sheet.write(b"</sheetData></worksheet>")
    return target


def declaring_only_its_start(path: Path, member: str, size: int) -> Path:
    """The zip with `member` claiming (in its local and central headers, with the matching
    CRC) to unpack to its first `size` bytes, whatever it really unpacks to."""
    with zipfile.ZipFile(path) as archive, archive.open(member) as content:
        start = content.read(size)
    data, name = bytearray(path.read_bytes()), member.encode()
    local, central = data.index(name) - 30, data.rindex(name) - 46  # the zip format's layout
    for crc_at, size_at in ((local + 14, local + 22), (central + 16, central + 24)):
        data[crc_at:crc_at + 4] = zlib.crc32(start).to_bytes(4, "little")
        data[size_at:size_at + 4] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def check_in_a_process(path: Path) -> tuple[int, str, int]:
    """`projektmodell check path` as its own process: exit code, output, peak memory."""
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "check", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with process.stdout:
        output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, output, usage.ru_maxrss * 1024  # kB on Linux


def test_workbook_that_would_unpack_to_too_much_is_one_finding(tmp_path: Path,
                                                              make_workbook) -> None:
    bomb = with_huge_sheet(make_workbook(), tmp_path / "bomb.xlsx",
                           MAX_UNPACKED_BYTES // 2**20 + 16)
    assert bomb.stat().st_size < 2 * 2**20
    report = check_file(bomb).report
    assert report.flatten() == [("workbook-too-large", "fel", "")]
    assert report.findings[0].message.startswith("Arbetsboken är för stor: uppackad blir den "
                                                 "större än 256 MB")
    code, output, peak = check_in_a_process(bomb)
    assert code == 1 and "Arbetsboken är för stor" in output and "Traceback" not in output
    assert peak < MODEST_MEMORY


def test_member_unpacking_to_more_than_it_declares_is_never_unpacked(tmp_path: Path,
                                                                    make_workbook) -> None:
    bomb = with_huge_sheet(make_workbook(), tmp_path / "bomb.xlsx",
                           2 * MAX_UNPACKED_BYTES // 2**20)
    declaring_only_its_start(bomb, BIG_SHEET, 200)
    with zipfile.ZipFile(bomb) as archive:
        assert sum(info.file_size for info in archive.infolist()) < MAX_UNPACKED_BYTES
    report = check_file(bomb).report
    assert report.flatten() == [("workbook-unreadable", "fel", "")]
    code, output, peak = check_in_a_process(bomb)
    assert code == 1 and "Arbetsboken kan inte läsas" in output and "Traceback" not in output
    assert peak < MODEST_MEMORY


def test_workbook_of_too_many_members_is_one_finding(tmp_path: Path, make_workbook) -> None:
    crowded = tmp_path / "många.xlsx"
    crowded.write_bytes(make_workbook().read_bytes())
    with zipfile.ZipFile(crowded, "a") as archive:
        for number in range(MAX_MEMBERS + 1 - len(archive.infolist())):
            archive.writestr(f"xl/media/bild{number}.png", b"")
    report = check_file(crowded).report
    assert report.flatten() == [("workbook-too-large", "fel", "")]
    assert "4\u00a0097 delar, och gränsen är 4\u00a0096" in report.findings[0].message
