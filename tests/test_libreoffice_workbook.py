"""A real office program reads what `new` writes, and we read what it saves."""

from __future__ import annotations

from pathlib import Path

from pipeline.check import check_file
from pipeline.workbook.writer import write_new
from tests.conftest import EXAMPLE_PATH
from tests.conftest import soffice_convert as convert_with_libreoffice


def soffice_convert(source: Path, target_format: str, outdir: Path) -> Path:
    return convert_with_libreoffice([source], target_format, outdir)[0]


def without_source(project) -> dict:
    return project.model_dump(exclude={"source"})


def test_example_saved_by_libreoffice_reads_back_the_same_project(tmp_path: Path) -> None:
    saved = soffice_convert(EXAMPLE_PATH, "xlsx", tmp_path)
    original, roundtrip = check_file(EXAMPLE_PATH), check_file(saved)
    assert roundtrip.report.errors == []
    assert without_source(roundtrip.project) == without_source(original.project)
    assert roundtrip.report.flatten() == original.report.flatten()


def test_blank_workbook_opens_in_libreoffice(tmp_path: Path) -> None:
    blank = write_new(tmp_path / "Tom.xlsx", "Tom", "T-1")
    saved = soffice_convert(blank, "ods", tmp_path / "ods")
    assert saved.stat().st_size > 0
    back = soffice_convert(saved, "xlsx", tmp_path / "back")
    assert check_file(back).report.flatten() == check_file(blank).report.flatten()
