"""Shared fixtures: workbooks the tests build through the project's own writer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pipeline.check import Checked, check_file
from pipeline.example import EXAMPLE_FILE, example_fill
from pipeline.workbook.writer import build_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PATH = ROOT / "input" / EXAMPLE_FILE
SHARED_VALIDATOR = ROOT.parent / "shared" / "ooxml" / "validate.py"
OOXML_VALIDATOR = Path(os.environ.get("OOXML_VALIDATE") or (
    SHARED_VALIDATOR if SHARED_VALIDATOR.is_file()
    else ROOT / "tests" / "ooxml" / "validate.py"))
"""The ECMA-376 validator (`validate.py FILE...`, beside its schemas): OOXML_VALIDATE, else
the team's shared/ooxml beside the checkout, else the copy of it in tests/ooxml/ (so that a
checkout alone runs the test)."""

WorkbookFactory = Callable[..., Path]


def require_tool(name: str) -> str:
    """The tool's path; skips when absent locally, fails in CI (PROJEKTMODELL_REQUIRE_TOOLS)."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("PROJEKTMODELL_REQUIRE_TOOLS"):
        pytest.fail(f"{name} is required in CI but not installed")
    pytest.skip(f"{name} is not installed")


def soffice_convert(sources: Sequence[Path], target_format: str, outdir: Path,
                    timeout: float = 240) -> list[Path]:
    """Convert files with a real LibreOffice, in one process with a private profile; the
    converted files, each asserted to exist (LibreOffice could open its source)."""
    soffice = require_tool("soffice")
    profile = outdir.parent / f"{outdir.name}-lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=timeout)
    converted = [outdir / f"{Path(s).stem}.{target_format.split(':')[0]}" for s in sources]
    for path in converted:
        assert path.is_file(), f"LibreOffice could not open {path.stem}"
    return converted


def ooxml_validation(paths: Iterable[Path]) -> subprocess.CompletedProcess[str]:
    """The validator's run over the files (exit code 0: every part of every file valid);
    skips when the validator is absent locally, fails in CI."""
    if not OOXML_VALIDATOR.is_file():
        if os.environ.get("PROJEKTMODELL_REQUIRE_TOOLS"):
            pytest.fail(f"the OOXML validator is required in CI: {OOXML_VALIDATOR}")
        pytest.skip(f"no OOXML validator at {OOXML_VALIDATOR}")
    return subprocess.run([sys.executable, str(OOXML_VALIDATOR), *map(str, paths)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(autouse=True, scope="session")
def private_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' own cache of prepared templates (pipeline.private_cache), never the
    user's; subprocesses the tests start inherit it."""
    folder = tmp_path_factory.mktemp("cache") / "projektmodell"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROJEKTMODELL_CACHE", str(folder))
        yield


@pytest.fixture(autouse=True)
def without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds run without LibreOffice (PROJEKTMODELL_SOFFICE empty), as on a machine that
    has none: the archive keeps its .docx and no test waits for a LibreOffice it does not
    need. A test that converts asks for `libreoffice`."""
    monkeypatch.setenv("PROJEKTMODELL_SOFFICE", "")


@pytest.fixture
def libreoffice(monkeypatch: pytest.MonkeyPatch) -> str:
    """The build's LibreOffice, for a test that makes PDFs (skips or fails as require_tool)."""
    path = require_tool("soffice")
    monkeypatch.setenv("PROJEKTMODELL_SOFFICE", path)
    return path


@pytest.fixture
def fill() -> dict[str, Any]:
    """The example project's values by sheet; a test changes what its case needs."""
    return example_fill()


@pytest.fixture
def make_workbook(tmp_path: Path) -> WorkbookFactory:
    """Write a workbook from a fill (sheet -> values) and return its path."""
    counter = iter(range(1_000_000))

    def make(fill: dict[str, Any] | None = None, name: str | None = None,
             folder: Path | None = None) -> Path:
        values = fill if fill is not None else example_fill()
        projekt = values.get("Projekt", {})
        book = build_workbook(projekt.get("projektnamn", "Test"), projekt.get("projekt_id"),
                              values)
        target = (folder or tmp_path) / (name or f"projekt-{next(counter)}.xlsx")
        target.parent.mkdir(parents=True, exist_ok=True)
        book.save(target)
        return target

    return make


@pytest.fixture
def checked_example() -> Checked:
    return check_file(EXAMPLE_PATH)
