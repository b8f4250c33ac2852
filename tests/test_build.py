"""The nightly build on real workbooks and real folders: incremental, atomic, isolated, locked.

Workbooks are variants of the shipped example: the Projekt-ID is swapped in the sheet XML
(same length), which is much faster than writing a workbook per project.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from pipeline.batch.atomic import TEMP_PREFIX
from pipeline.batch.lock import BuildLock
from pipeline.batch.state import RUN_REPORT, STATE_FOLDER
from pipeline.cli import main
from pipeline.example import EXAMPLE_ID
from tests.conftest import EXAMPLE_PATH, ROOT, WorkbookFactory

FOLDER = "KS-2011-01 Föräldrastöd"


def with_id(target: Path, project_id: str, source: Path = EXAMPLE_PATH) -> Path:
    """A copy of a workbook whose Projekt-ID (same length as the example's) is replaced."""
    assert len(project_id) == len(EXAMPLE_ID)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(EXAMPLE_ID.encode(), project_id.encode())
            new.writestr(item, data)
    return target


def corpus(folder: Path, count: int) -> list[Path]:
    return [with_id(folder / f"projekt-{n:02d}.xlsx", f"KS-2024-{n:02d}") for n in range(count)]


def build(input_folder: Path, output: Path, *extra: str, jobs: int = 1) -> Any:
    result = CliRunner().invoke(main, ["build", str(input_folder), str(output),
                                       "--jobs", str(jobs), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run_report(output: Path) -> dict[str, Any]:
    return json.loads((output / STATE_FOLDER / RUN_REPORT).read_text(encoding="utf-8"))


def statuses(output: Path) -> dict[str, str]:
    return {p["workbook"]: p["status"] for p in run_report(output)["projects"]}


def user_files(output: Path) -> dict[str, tuple[int, int]]:
    """Every file outside the state folder: relative path -> (inode, mtime)."""
    return {p.relative_to(output).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(output.rglob("*"))
            if p.is_file() and STATE_FOLDER not in p.relative_to(output).parts}


def docx_text(path: Path) -> list[str]:
    document = Document(str(path))
    text = [p.text for p in document.paragraphs]
    for table in document.tables:
        text += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        text += [p.text for p in section.header.paragraphs]
    return text


def xlsx_values(path: Path) -> list[list[Any]]:
    book = load_workbook(path, read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book]


def comparable(output: Path) -> dict[str, object]:
    """Each file's name and content, timestamps aside (index.html and the run report hold
    the time of the run; pickles and records are compared by name)."""
    tree: dict[str, object] = {}
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        name = path.relative_to(output).as_posix()
        if path.suffix == ".docx":
            tree[name] = docx_text(path)
        elif path.suffix == ".xlsx":
            tree[name] = xlsx_values(path)
        elif path.suffix == ".txt":
            tree[name] = path.read_text(encoding="utf-8")
        else:
            tree[name] = None
    return tree


# --- incremental ---------------------------------------------------------------------------

def test_a_second_run_with_nothing_changed_rebuilds_and_rewrites_nothing(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 2)
    first = build(tmp_path / "in", tmp_path / "out")
    assert first.exit_code == 0, first.output
    before = user_files(tmp_path / "out")

    second = build(tmp_path / "in", tmp_path / "out")

    assert second.exit_code == 0
    assert run_report(tmp_path / "out")["summary"] | {} == {
        "workbooks": 2, "built": 0, "unchanged": 2, "not_built": 0, "failed": 0,
        "with_errors": 0}
    assert user_files(tmp_path / "out") == before
    assert "0 byggda, 2 oförändrade, 0 med fel, 0 misslyckade" in second.output


def test_a_changed_workbook_rebuilds_only_its_project(tmp_path: Path) -> None:
    first, _second = corpus(tmp_path / "in", 2)
    build(tmp_path / "in", tmp_path / "out")
    before = user_files(tmp_path / "out")

    with zipfile.ZipFile(first, "a") as archive:  # new bytes, same project
        archive.writestr("docProps/custom-note.xml", "<ny/>")
    build(tmp_path / "in", tmp_path / "out")

    assert statuses(tmp_path / "out") == {"projekt-00.xlsx": "built",
                                          "projekt-01.xlsx": "unchanged"}
    after = user_files(tmp_path / "out")
    other = [n for n in before if n.startswith("KS-2024-01")]
    assert other and all(after[n] == before[n] for n in other)
    # its documents come out the same, so they are not written again (their date is the
    # date of their last change, and a PDF made of them stays); the archive is written once
    documents = [n for n in before if n.startswith("KS-2024-00") and n.endswith(".docx")]
    assert documents and all(after[n] == before[n] for n in documents)
    archived = [n for n in before if n.startswith("KS-2024-00") and "/Arkiv/" in n]
    assert archived and all(after[n] == before[n] for n in archived if n.endswith(".docx"))
    overview = xlsx_values(tmp_path / "out" / "ekonomi.xlsx")[0]
    assert {"KS-2024-00", "KS-2024-01"} <= {row[0] for row in overview}
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "KS-2024-01%20F%C3%B6r%C3%A4ldrast%C3%B6d/Projektdirektiv.docx" in page


def test_force_rebuilds_everything(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 2)
    build(tmp_path / "in", tmp_path / "out")
    build(tmp_path / "in", tmp_path / "out", "--force")
    assert set(statuses(tmp_path / "out").values()) == {"built"}


# --- atomic writes and kill -9 -------------------------------------------------------------

def start_build(input_folder: Path, output: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "build", str(input_folder),
                             str(output), "--jobs", "2"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_projects(output: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    """Until `count` projects are finished (their records written), more are on their way."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(list((output / STATE_FOLDER / "projects").glob("*.json"))) >= count:
            return
        time.sleep(0.02)
    pytest.fail("the build ended, or wrote no documents, before it could be killed")


def test_kill_9_in_the_middle_then_a_rebuild_gives_the_uninterrupted_output(
        tmp_path: Path) -> None:
    corpus(tmp_path / "in", 12)
    process = start_build(tmp_path / "in", tmp_path / "killed")
    wait_for_projects(tmp_path / "killed", 2, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = (tmp_path / "killed" / STATE_FOLDER / RUN_REPORT).exists()
    assert not finished, "the build finished before the kill"

    again = build(tmp_path / "in", tmp_path / "killed", jobs=2)
    clean = build(tmp_path / "in", tmp_path / "clean", jobs=2)

    assert again.exit_code == clean.exit_code == 0, again.output
    assert not [p for p in (tmp_path / "killed").rglob(f"{TEMP_PREFIX}*")]
    assert not (tmp_path / "killed" / STATE_FOLDER / "lock").exists()
    assert comparable(tmp_path / "killed") == comparable(tmp_path / "clean")
    assert 0 < run_report(tmp_path / "killed")["summary"]["built"] < 12


def test_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 1)
    build(tmp_path / "in", tmp_path / "out")
    leftover = tmp_path / "out" / "KS-2024-00 Föräldrastöd" / f"{TEMP_PREFIX}abc123"
    leftover.write_bytes(b"half a document")
    build(tmp_path / "in", tmp_path / "out")
    assert not leftover.exists()


# --- locking -------------------------------------------------------------------------------

def test_a_second_build_while_one_runs_is_refused_with_exit_2(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 1)
    with BuildLock(tmp_path / "out" / STATE_FOLDER):
        result = build(tmp_path / "in", tmp_path / "out")
    assert result.exit_code == 2
    assert "En annan körning bygger redan" in result.output
    assert f"process {os.getpid()}" in result.output
    assert not (tmp_path / "out" / FOLDER).exists()


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = tmp_path / "out" / STATE_FOLDER / "lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname(),
                                "started": "2026-01-01 02:00:00"}))

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 0, result.output
    assert not lock.exists()


def test_a_lock_held_by_another_host_is_respected(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 1)
    lock = tmp_path / "out" / STATE_FOLDER / "lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": 1, "host": "annan-server", "started": "i natt"}))
    result = build(tmp_path / "in", tmp_path / "out")
    assert result.exit_code == 2
    assert "annan-server" in result.output


# --- stale outputs -------------------------------------------------------------------------

def test_a_removed_status_row_removes_its_statusrapport_and_nothing_else(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    build(tmp_path / "in", tmp_path / "out")
    folder = tmp_path / "out" / FOLDER
    own_note = folder / "Mina anteckningar.docx"
    own_note.write_bytes(b"not ours")
    before = {p.name for p in folder.iterdir()}
    assert "Statusrapport 03.docx" in before

    fill["Statusrapporter"] = fill["Statusrapporter"][:2]
    make_workbook(fill, name=workbook.name, folder=workbook.parent)
    result = build(tmp_path / "in", tmp_path / "out")

    assert {p.name for p in folder.iterdir()} == before - {"Statusrapport 03.docx"}
    assert own_note.read_bytes() == b"not ours"
    assert run_report(tmp_path / "out")["removed"] == [f"{FOLDER}/Statusrapport 03.docx"]
    assert "1 inaktuell fil borttagen" in result.output
    # its record, saved again without the stale file, still holds its report
    assert "projekt.xlsx: oförändrad" in build(tmp_path / "in", tmp_path / "out").output


def test_a_deleted_workbook_removes_what_was_written_for_it_but_not_a_users_file(
        tmp_path: Path) -> None:
    first, second = corpus(tmp_path / "in", 2)
    build(tmp_path / "in", tmp_path / "out")
    own = tmp_path / "out" / "KS-2024-01 Föräldrastöd" / "protokoll.pdf"
    own.write_bytes(b"a user's file")
    second.unlink()

    build(tmp_path / "in", tmp_path / "out")

    assert sorted(p.name for p in own.parent.iterdir()) == ["Arkiv", "protokoll.pdf"]
    assert (tmp_path / "out" / "KS-2024-00 Föräldrastöd" / "Projektdirektiv.docx").exists()
    assert list(statuses(tmp_path / "out")) == [first.name]


def test_a_renamed_project_moves_to_its_new_folder(tmp_path: Path) -> None:
    (workbook,) = corpus(tmp_path / "in", 1)
    build(tmp_path / "in", tmp_path / "out")
    with_id(workbook, "KS-2024-77")
    build(tmp_path / "in", tmp_path / "out")
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert folders == [STATE_FOLDER, "KS-2024-00 Föräldrastöd", "KS-2024-77 Föräldrastöd"]
    # only the archive stays in the old folder: it is never moved or removed
    assert [p.name for p in (tmp_path / "out" / folders[1]).iterdir()] == ["Arkiv"]


# --- isolation -----------------------------------------------------------------------------

def test_unreadable_workbooks_are_reported_and_every_good_project_is_built(
        tmp_path: Path) -> None:
    corpus(tmp_path / "in", 2)
    (tmp_path / "in" / "text.xlsx").write_text("det här är ingen arbetsbok")
    good = EXAMPLE_PATH.read_bytes()
    (tmp_path / "in" / "trasig.xlsx").write_bytes(good[: len(good) // 2])
    (tmp_path / "in" / "~$projekt-00.xlsx").write_bytes(b"Excel's lock file")

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    assert statuses(tmp_path / "out") == {
        "projekt-00.xlsx": "built", "projekt-01.xlsx": "built",
        "text.xlsx": "failed", "trasig.xlsx": "failed"}
    assert "text.xlsx: misslyckad" in result.output
    assert "trasig.xlsx: misslyckad" in result.output
    assert "2 byggda, 0 oförändrade, 0 med fel, 2 misslyckade" in result.output
    reasons = {p["workbook"]: p["reason"] for p in run_report(tmp_path / "out")["projects"]}
    assert "kan inte läsas" in reasons["trasig.xlsx"]
    assert "index.html" in os.listdir(tmp_path / "out")


def test_two_workbooks_with_the_same_projekt_id_are_neither_built_nor_overwrite(
        tmp_path: Path) -> None:
    with_id(tmp_path / "in" / "a.xlsx", "KS-2024-01")
    build(tmp_path / "in", tmp_path / "out")
    built = user_files(tmp_path / "out")
    with_id(tmp_path / "in" / "b.xlsx", "KS-2024-01")

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    assert statuses(tmp_path / "out") == {"a.xlsx": "not_built", "b.xlsx": "not_built"}
    report = {p["workbook"]: p["report"] for p in run_report(tmp_path / "out")["projects"]}
    for workbook, other in (("a.xlsx", "b.xlsx"), ("b.xlsx", "a.xlsx")):
        first = report[workbook]["findings"][0]
        assert (first["code"], first["severity"]) == ("duplicate-project-id", "fel")
        assert other in first["message"]
    after = user_files(tmp_path / "out")
    assert {n: after[n] for n in built if "/" in n} == {n: v for n, v in built.items() if "/" in n}


# --- names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("project_id", ["../../x", "CON", "a:b*?", "..", "NUL.txt", " . "])
def test_a_hostile_projekt_id_stays_inside_output_with_a_safe_name(
        tmp_path: Path, fill: dict[str, Any], make_workbook: WorkbookFactory,
        project_id: str) -> None:
    fill["Projekt"]["projekt_id"] = project_id
    fill["Projekt"]["projektnamn"] = ""
    make_workbook(fill, name="CON.xlsx", folder=tmp_path / "work" / "in")
    output = tmp_path / "work" / "out"

    build(tmp_path / "work" / "in", output)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["in", "out"]
    folders = [p for p in output.iterdir() if p.is_dir() and p.name != STATE_FOLDER]
    assert len(folders) == 1
    name = folders[0].name
    assert not set(name) & set('\\/:*?"<>|') and name == name.strip(" .")
    assert name.split(".")[0].upper() not in {"CON", "NUL", "PRN", "AUX"}
    assert (folders[0] / "Kontrollrapport.txt").exists()


# --- PDF -----------------------------------------------------------------------------------

def test_pdf_writes_a_pdf_beside_each_document_in_one_libreoffice_run(
        tmp_path: Path, libreoffice: str) -> None:
    corpus(tmp_path / "in", 1)
    result = build(tmp_path / "in", tmp_path / "out", "--pdf")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "KS-2024-00 Föräldrastöd"
    documents = sorted(p.stem for p in folder.glob("*.docx"))
    assert documents and sorted(p.stem for p in folder.glob("*.pdf")) == documents
    assert all(p.read_bytes().startswith(b"%PDF") for p in folder.glob("*.pdf"))
    record = run_report(tmp_path / "out")["projects"][0]
    assert f"KS-2024-00 Föräldrastöd/{documents[0]}.pdf" in record["files"]


def test_a_project_whose_files_cannot_be_written_fails_alone(tmp_path: Path) -> None:
    corpus(tmp_path / "in", 3)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "KS-2024-01 Föräldrastöd").write_text("a file where the folder goes")

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    assert statuses(tmp_path / "out") == {"projekt-00.xlsx": "built",
                                          "projekt-01.xlsx": "failed",
                                          "projekt-02.xlsx": "built"}
    assert "projekt-01.xlsx: misslyckad" in result.output
    assert "Filerna kunde inte skrivas" in result.output
    assert (tmp_path / "out" / "KS-2024-01 Föräldrastöd").read_text() == (
        "a file where the folder goes")


def test_a_template_with_an_unknown_field_fails_only_its_documents(tmp_path: Path) -> None:
    from tests.test_templates import custom_templates

    templates = custom_templates(tmp_path, "statusrapport", "{{ rapport.vader }}")
    input_folder = tmp_path / "in"
    corpus(input_folder, 1)

    result = build(input_folder, tmp_path / "out", "--templates", str(templates))

    assert result.exit_code == 1
    folder = next(p for p in (tmp_path / "out").iterdir() if p.name.startswith("KS-2024-00"))
    names = {p.name for p in folder.iterdir()}
    assert {"Projektdirektiv.docx", "Projektplan.docx", "Personkontrakt Nisse Berg.docx"} <= names
    assert not any(name.startswith("Statusrapport") for name in names)
    report = (folder / "Kontrollrapport.txt").read_text(encoding="utf-8")
    assert "statusrapport.docx" in report and "rapport.vader" in report


def test_a_failing_calculation_or_ekonomi_xlsx_never_stops_the_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure inside the economy code (as a library upgrade could cause) is reported
    with its reason and exit 1; every document, and index.html, is still written."""
    import pipeline.economy

    def broken(*_args: Any) -> bytes:
        raise ValueError("ändrad layout")

    monkeypatch.setattr(pipeline.economy, "calculation_bytes", broken)
    monkeypatch.setattr(pipeline.economy, "economy_bytes", broken)
    corpus(tmp_path / "in", 2)

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    assert set(statuses(tmp_path / "out").values()) == {"built"}
    for folder in ("KS-2024-00 Föräldrastöd", "KS-2024-01 Föräldrastöd"):
        names = {p.name for p in (tmp_path / "out" / folder).iterdir()}
        assert {"Projektdirektiv.docx", "Projektplan.docx", "Kontrollrapport.txt"} <= names
        assert "Kostnads- och nyttokalkyl.xlsx" not in names
        assert (f"Obs: {folder}/Kostnads- och nyttokalkyl.xlsx kunde inte skapas: "
                "ValueError: ändrad layout") in result.output
    assert "Obs: ekonomi.xlsx kunde inte skapas: ValueError: ändrad layout" in result.output
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "out" / "ekonomi.xlsx").exists()

    monkeypatch.undo()
    again = build(tmp_path / "in", tmp_path / "out")
    assert again.exit_code == 0, again.output
    assert "2 byggda" in again.output  # a project whose calculation failed is built again
    assert (tmp_path / "out" / "ekonomi.xlsx").is_file()


def test_an_index_html_that_cannot_be_written_is_reported_and_the_rest_is_written(
        tmp_path: Path) -> None:
    corpus(tmp_path / "in", 1)
    (tmp_path / "out" / "index.html").mkdir(parents=True)  # something in the way

    result = build(tmp_path / "in", tmp_path / "out")

    assert result.exit_code == 1
    assert "Obs: index.html kunde inte skapas" in result.output
    assert (tmp_path / "out" / "ekonomi.xlsx").is_file()
    assert (tmp_path / "out" / FOLDER.replace("2011-01", "2024-00") / "Projektplan.docx").exists()


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_a_build_is_the_same_whatever_way_its_workers_start(tmp_path: Path, method: str) -> None:
    from pipeline.batch import BuildOptions
    from pipeline.batch import build as run_build

    corpus(tmp_path / "in", 3)
    with_id(tmp_path / "in" / "kopia.xlsx", "KS-2024-02")
    (tmp_path / "in" / "text.xlsx").write_text("ingen arbetsbok")

    one = run_build(BuildOptions(tmp_path / "in", tmp_path / "one", jobs=1))
    two = run_build(BuildOptions(tmp_path / "in", tmp_path / method, jobs=2,
                                 start_method=method))

    assert one.exit_code == two.exit_code == 1
    assert statuses(tmp_path / method) == statuses(tmp_path / "one") == {
        "kopia.xlsx": "not_built", "projekt-00.xlsx": "built", "projekt-01.xlsx": "built",
        "projekt-02.xlsx": "not_built", "text.xlsx": "failed"}
    assert comparable(tmp_path / method) == comparable(tmp_path / "one")


def test_an_exact_copy_of_a_workbook_is_reported_by_its_shared_projekt_id(
        tmp_path: Path) -> None:
    with_id(tmp_path / "in" / "a.xlsx", "KS-2024-01")
    with_id(tmp_path / "in" / "a - kopia.xlsx", "KS-2024-01")

    build(tmp_path / "in", tmp_path / "out")

    findings = {p["workbook"]: p["report"]["findings"][0]
                for p in run_report(tmp_path / "out")["projects"]}
    assert findings["a.xlsx"]["code"] == "duplicate-project-id"
    assert findings["a.xlsx"]["message"].startswith(
        "Arbetsboken har samma Projekt-ID (KS-2024-01) som a - kopia.xlsx;")
    assert findings["a - kopia.xlsx"]["message"].startswith(
        "Arbetsboken har samma Projekt-ID (KS-2024-01) som a.xlsx;")


def test_check_of_workbooks_sharing_a_projekt_id_says_what_the_build_says(
        tmp_path: Path) -> None:
    with_id(tmp_path / "in" / "a.xlsx", "KS-2024-01")
    with_id(tmp_path / "in" / "a - kopia.xlsx", "KS-2024-01")
    with_id(tmp_path / "in" / "b.xlsx", "KS-2024-02")
    paths = [str(tmp_path / "in" / name) for name in ("a.xlsx", "a - kopia.xlsx", "b.xlsx")]

    checked = CliRunner().invoke(main, ["check", "--json", *paths])
    build(tmp_path / "in", tmp_path / "out")

    assert checked.exit_code == 1
    firsts = {r["file"]: r["findings"][0] for r in json.loads(checked.output)}
    built = {p["workbook"]: p["report"]["findings"][0]
             for p in run_report(tmp_path / "out")["projects"]}
    for name in ("a.xlsx", "a - kopia.xlsx"):
        assert firsts[name]["code"] == "duplicate-project-id"
        assert (firsts[name]["message"], firsts[name]["cell"]) == (
            built[name]["message"], built[name]["cell"])
    assert firsts["a.xlsx"]["message"].startswith(
        "Arbetsboken har samma Projekt-ID (KS-2024-01) som a - kopia.xlsx;")
    assert all(f["code"] != "duplicate-project-id" for f in
               next(r for r in json.loads(checked.output) if r["file"] == "b.xlsx")["findings"])
    one_alone = CliRunner().invoke(main, ["check", "--json", paths[0]])
    assert all(f["code"] != "duplicate-project-id"
               for f in json.loads(one_alone.output)[0]["findings"])
