"""The batch's parts on their own: safe names, atomic writes, the lock, the stored state."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.batch.atomic import TEMP_PREFIX, remove_leftover_temps, write_atomic
from pipeline.batch.lock import BuildLock
from pipeline.batch.names import project_folder_name, safe_file_name, safe_name, unique_names
from pipeline.batch.state import STATE_FOLDER, State, content_hash
from pipeline.check import check_file
from pipeline.cli import main
from pipeline.errors import OutputLocked
from pipeline.paths import TEMPLATES_DIR
from pipeline.portfolio import ProjectSummary, summarize
from tests.conftest import EXAMPLE_PATH
from tests.fills import (
    QUIET_DAY,
    closing_fill,
    erroneous_fill,
    hostile_fill,
    planning_fill,
)


@pytest.mark.parametrize(("name", "safe"), [
    ("KS-2011-01 Föräldrastöd", "KS-2011-01 Föräldrastöd"),
    ("../../x", "_.._x"),
    ("..", "Projekt"),
    ("a:b*?", "a_b__"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("LPT9", "_LPT9"),
    ("Projekt. ", "Projekt"),
    (" .dold", "dold"),
    ('x\ty\x00z"<>|', "x_y_z____"),
    ("", "Projekt"),
])
def test_safe_name_is_one_windows_safe_path_component(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_safe_names_are_length_limited_at_a_word_and_stable() -> None:
    long = "Ett mycket långt projektnamn " * 10
    folder = project_folder_name("KS-2024-01", long, "x.xlsx")
    assert len(folder) <= 80 and folder == folder.strip(" .")
    assert folder == project_folder_name("KS-2024-01", long, "x.xlsx")
    assert project_folder_name(None, None, "Mitt projekt.xlsx") == "Mitt projekt"


def test_a_file_name_keeps_its_extension() -> None:
    assert safe_file_name("Personkontrakt A/B: Berg.docx") == "Personkontrakt A_B_ Berg.docx"
    assert safe_file_name("CON.docx") == "_CON.docx"
    assert safe_file_name("x" * 300 + ".docx").endswith(".docx")
    assert len(safe_file_name("x" * 300 + ".docx")) <= 120


def test_names_that_clash_on_a_windows_share_are_numbered() -> None:
    assert unique_names(["Rapport.docx", "rapport.docx", "RAPPORT.docx"]) == [
        "Rapport.docx", "rapport (2).docx", "RAPPORT (3).docx"]


def test_an_atomic_write_leaves_no_temp_file_and_a_readable_mode(tmp_path: Path) -> None:
    target = tmp_path / "dokument.docx"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["dokument.docx"]
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_leftover_temps_are_found_in_every_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / f"{TEMP_PREFIX}1").write_bytes(b"")
    (tmp_path / f"{TEMP_PREFIX}2").write_bytes(b"")
    (tmp_path / "a" / "keep.docx").write_bytes(b"")
    assert remove_leftover_temps(tmp_path) == 2
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["keep.docx"]


def test_a_live_lock_is_refused_and_released_on_exit(tmp_path: Path) -> None:
    with BuildLock(tmp_path) as lock, pytest.raises(OutputLocked, match="En annan körning"):
        BuildLock(tmp_path).__enter__()
    assert not lock.path.exists()


def test_an_empty_lock_just_written_is_respected(tmp_path: Path) -> None:
    (tmp_path / "lock").write_bytes(b"")
    with pytest.raises(OutputLocked):
        BuildLock(tmp_path).__enter__()


@pytest.mark.parametrize("fill_of", [planning_fill, closing_fill, erroneous_fill, hostile_fill])
def test_what_index_html_shows_of_a_project_round_trips_through_its_record(
        fill_of: Any, make_workbook: Any) -> None:
    summary = summarize(check_file(make_workbook(fill_of())))
    stored = json.loads(json.dumps(summary.to_dict()))
    assert ProjectSummary.from_dict(stored) == summary


def rezipped(data: bytes, change: Callable[[str, bytes], bytes],
             when: tuple[int, ...] = (2030, 1, 1, 0, 0, 0)) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            new.writestr(zipfile.ZipInfo(info.filename, when),
                         change(info.filename, old.read(info)), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_template_saved_again_hashes_the_same_and_an_edited_one_does_not() -> None:
    template = (TEMPLATES_DIR / "projektplan.docx").read_bytes()

    saved_again = rezipped(template, lambda _name, content: content)
    edited = rezipped(template, lambda name, content: content.replace(b"Projektplan",
                                                                      b"Projektplam")
                      if name == "word/document.xml" else content)

    assert saved_again != template and content_hash(saved_again) == content_hash(template)
    assert edited != saved_again and content_hash(edited) != content_hash(template)


def built_example(tmp_path: Path) -> tuple[list[str], Path]:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.xlsx").write_bytes(EXAMPLE_PATH.read_bytes())
    arguments = ["build", str(tmp_path / "in"), str(tmp_path / "out"), "--jobs", "1",
                 "--today", str(QUIET_DAY)]
    assert CliRunner().invoke(main, arguments).exit_code == 0
    return arguments, tmp_path / "out" / STATE_FOLDER


def test_an_unchanged_project_reports_the_findings_of_the_run_that_built_it(
        tmp_path: Path) -> None:
    arguments, state = built_example(tmp_path)
    first = json.loads((state / "run-report.json").read_text(encoding="utf-8"))
    second = CliRunner().invoke(main, arguments)
    again = json.loads((state / "run-report.json").read_text(encoding="utf-8"))
    assert "0 byggda, 1 oförändrad" in second.output
    assert "p.xlsx: oförändrad -> KS-2011-01 Föräldrastöd, 0 fel, 6 varningar" in second.output
    assert again["projects"][0]["status"] == "unchanged"
    assert again["projects"][0]["report"] == first["projects"][0]["report"]
    assert [f["code"] for f in again["projects"][0]["report"]["findings"]] == [
        "checklist-open"] * 6


@pytest.mark.parametrize("edit", [
    {"report": '{"findings": 1}'},
    {"files": ["../../etc/passwd"]},
    {"errors": "inga"},
    {"format": 3},
    {"valid_until": "snart"},
], ids=["report", "files-outside", "counts", "earlier-format", "validity"])
def test_an_edited_record_only_means_a_rebuild(tmp_path: Path, edit: dict[str, Any]) -> None:
    arguments, state = built_example(tmp_path)
    for record in (state / "projects").iterdir():
        data = json.loads(record.read_text(encoding="utf-8"))
        record.write_text(json.dumps({**data, **edit}), encoding="utf-8")
    second = CliRunner().invoke(main, arguments)
    assert second.exit_code == 0
    assert "1 byggd, 0 oförändrade" in second.output
    assert State(tmp_path / "out").load("p.xlsx").report["errors"] == 0


def test_a_record_that_is_not_json_means_a_rebuild(tmp_path: Path) -> None:
    arguments, state = built_example(tmp_path)
    for record in (state / "projects").iterdir():
        record.write_bytes(record.read_bytes()[:100])
    second = CliRunner().invoke(main, arguments)
    assert second.exit_code == 0
    assert "p.xlsx: byggd" in second.output


def test_pdf_without_libreoffice_is_one_message_and_the_documents_are_written(
        tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.xlsx").write_bytes(EXAMPLE_PATH.read_bytes())
    runner = CliRunner(env={"PATH": str(tmp_path)})
    result = runner.invoke(main, ["build", str(tmp_path / "in"), str(tmp_path / "out"),
                                  "--jobs", "1", "--pdf"])
    assert result.exit_code == 1
    assert result.output.count("LibreOffice (soffice) hittades inte") == 1
    folder = tmp_path / "out" / "KS-2011-01 Föräldrastöd"
    assert list(folder.glob("*.docx")) and not list(folder.glob("*.pdf"))
    record = State(tmp_path / "out").load("p.xlsx")
    assert not [f for f in record.files if f.endswith(".pdf")]


@pytest.mark.parametrize(("args", "message"), [
    (["saknas", "ut"], "Indatamappen saknas finns inte"),
    (["in", "ut", "--templates", "inga-mallar"], "Mallmappen inga-mallar finns inte"),
    (["in", "ut", "--jobs", "0"], "--jobs"),
])
def test_usage_and_configuration_errors_exit_2_before_anything_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.xlsx").write_bytes(EXAMPLE_PATH.read_bytes())
    result = CliRunner().invoke(main, ["build", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "ut").exists()


NOTHING_CHANGED_RUN = """
import sys
from datetime import date
from pathlib import Path
from pipeline.batch.build import BuildOptions, Status, build
result = build(BuildOptions(Path(sys.argv[1]), Path(sys.argv[2]), jobs=1,
                            today=date.fromisoformat(sys.argv[3])))
assert [p.status for p in result.projects] == [Status.UNCHANGED], result.projects
heavy = sorted(m for m in ("docxtpl", "jinja2", "openpyxl", "pydantic", "babel")
               if m in sys.modules)
print(" ".join(heavy) or "none")
"""


def test_a_run_with_nothing_changed_loads_neither_templates_nor_libraries(
        tmp_path: Path) -> None:
    built_example(tmp_path)
    run = subprocess.run([sys.executable, "-c", NOTHING_CHANGED_RUN, str(tmp_path / "in"),
                          str(tmp_path / "out"), str(QUIET_DAY)], capture_output=True,
                         text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "none"


def test_the_run_report_written_a_project_at_a_time_is_the_results_json(
        tmp_path: Path) -> None:
    from pipeline.batch.build import BuildOptions, build

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "p.xlsx").write_bytes(EXAMPLE_PATH.read_bytes())
    (tmp_path / "in" / "trasig.xlsx").write_bytes(b"inte en arbetsbok")
    result = build(BuildOptions(tmp_path / "in", tmp_path / "out", jobs=1))
    written = json.loads((tmp_path / "out" / STATE_FOLDER / "run-report.json").read_text())
    assert written["summary"] == result.head()["summary"]
    assert [p["report"]["errors"] for p in written["projects"]] == [0, 1]
    assert [p["status"] for p in written["projects"]] == ["built", "failed"]
