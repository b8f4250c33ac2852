"""The private cache of prepared templates (pipeline.private_cache): a run that takes them
from the cache gives what a run preparing them gives."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import docx
import pytest

from pipeline import private_cache
from pipeline.check import check_file
from pipeline.documents import (
    TEMPLATES_DIR,
    Templates,
    load_templates,
    produce,
    sample_contexts,
    template_file_name,
    template_problems,
)
from pipeline.documents.render import clean, render_clean_docx
from pipeline.model import DOCUMENTS
from tests.conftest import EXAMPLE_PATH

TRICKY = "\t& <b> \"citat\" 'x'\nny rad \x85 slut"
"""Appended to every text of a context: tabs and line breaks (docxtpl's listing), what
XML escapes, and a C1 control the direct writer leaves to the reference path."""


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PROJEKTMODELL_CACHE", str(folder))
    return folder


def tricky(value: Any) -> Any:
    if isinstance(value, str):
        return value + TRICKY
    if isinstance(value, dict):
        return {key: tricky(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [tricky(item) for item in value]
    return value


def outcome(templates: Templates, kind: str, context: dict[str, Any]) -> bytes | str:
    """The rendered document, or the error a render gives."""
    data = templates.by_kind[kind].data  # type: ignore[index]
    assert data is not None
    try:
        return render_clean_docx(data, clean(context), templates.env)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def renders(templates: Templates) -> dict[str, list[bytes | str]]:
    """Every template rendered with its sample context, plain and with tricky texts."""
    contexts = sample_contexts()
    return {kind: [outcome(templates, kind, contexts[kind]),
                   outcome(templates, kind, tricky(contexts[kind]))]
            for kind in contexts}


def example_documents(templates: Templates) -> list[tuple[str, bytes]]:
    checked = check_file(EXAMPLE_PATH)
    assert checked.project is not None
    produced = produce(checked.project, checked.report, templates)
    assert not produced.findings
    return [(f.name, f.data) for f in produced.files]


def entries(folder: Path) -> dict[str, int]:
    """The cache's files and their inodes (a rewritten entry gets a new one)."""
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def problems(templates: Templates) -> dict[str, tuple[Any, ...]]:
    return {kind: (t.data is not None, t.problems, t.unknown)
            for kind, t in templates.by_kind.items()}


def test_a_warm_load_renders_every_template_as_a_cold_one(cache_folder: Path) -> None:
    cold = load_templates()
    written = entries(cache_folder)
    assert len(written) == len(DOCUMENTS)
    warm = load_templates()
    assert entries(cache_folder) == written  # the entries were used, not written again
    assert problems(warm) == problems(cold)
    cold_renders = renders(cold)
    assert all(isinstance(r, bytes) for results in cold_renders.values() for r in results)
    assert renders(warm) == cold_renders
    assert example_documents(warm) == example_documents(cold)


def test_a_corrupted_entry_is_ignored_and_replaced(cache_folder: Path) -> None:
    cold = load_templates()
    expected = renders(cold)
    paths = sorted(cache_folder.iterdir())
    assert len(paths) == len(DOCUMENTS)
    damages = [
        lambda data: data[:len(data) // 2],                                # truncated
        lambda data: data[:-10] + bytes(b ^ 0xFF for b in data[-10:]),     # payload changed
        lambda data: b"",                                                  # empty
        lambda data: b"not a cache entry at all",
        lambda data: data[:30] + bytes([data[30] ^ 1]) + data[31:],        # another key
    ]
    for path, damage in zip(paths, damages, strict=True):
        path.write_bytes(damage(path.read_bytes()))
    corrupted = entries(cache_folder)

    again = load_templates()
    replaced = entries(cache_folder)
    assert all(replaced[name] != corrupted[name] for name in corrupted)
    assert renders(again) == expected
    assert problems(again) == problems(cold)
    load_templates()
    assert entries(cache_folder) == replaced  # the replacements are good entries


def test_a_cache_folder_others_can_write_is_not_used(cache_folder: Path) -> None:
    cache_folder.mkdir()
    cache_folder.chmod(0o777)
    templates = load_templates()
    assert list(cache_folder.iterdir()) == []
    cache_folder.chmod(0o700)
    assert renders(templates) == renders(load_templates())
    assert len(list(cache_folder.iterdir())) == len(DOCUMENTS)


def test_the_cache_folder_is_made_private(cache_folder: Path) -> None:
    load_templates()
    assert cache_folder.stat().st_mode & 0o777 == 0o700


def test_a_changed_template_is_prepared_again(cache_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mallar"
    shutil.copytree(TEMPLATES_DIR, folder)
    before = load_templates(folder)
    assert problems(before) == problems(load_templates(folder))
    path = folder / template_file_name("statusrapport")
    document = docx.Document(str(path))
    document.add_paragraph("Ändrad mall för {{ projekt.projektnamn }}")
    document.add_paragraph("{{ okant_falt }}")
    document.save(str(path))
    (folder / template_file_name("personkontrakt")).write_bytes(b"not a docx")

    changed = problems(load_templates(folder))
    assert changed == problems(load_templates(folder))  # cold and warm alike
    assert changed["statusrapport"][2] == ("okant_falt",)
    assert changed["personkontrakt"][0] is False
    assert template_problems(folder) == [p for _, found, _ in changed.values() for p in found]

    document.paragraphs[-1]._element.getparent().remove(document.paragraphs[-1]._element)
    document.save(str(path))
    templates = load_templates(folder)
    context = sample_contexts()["statusrapport"]
    rendered = outcome(templates, "statusrapport", context)
    assert isinstance(rendered, bytes)
    with zipfile.ZipFile(BytesIO(rendered)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "Ändrad mall för " + context["projekt"]["projektnamn"] in body


def test_a_warm_run_imports_neither_python_docx_nor_openpyxl(cache_folder: Path) -> None:
    """A process with the cache warm loads the templates without the libraries only
    preparing needs, and renders the example's documents without openpyxl."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from pipeline.check import check_file\n"
        "from pipeline.documents import load_templates, produce\n"
        "def imported():\n"
        "    return [m for m in ('docx', 'docxtpl', 'openpyxl') if m in sys.modules]\n"
        "templates = load_templates()\n"
        "loaded = imported()\n"
        f"checked = check_file(Path({str(EXAMPLE_PATH)!r}))\n"
        "produced = produce(checked.project, checked.report, templates)\n"
        "assert produced.files and not produced.findings\n"
        "print(loaded, 'openpyxl' in imported())\n")
    env = {**os.environ, "PROJEKTMODELL_CACHE": str(cache_folder)}

    def run() -> str:
        return subprocess.run([sys.executable, "-c", script], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()

    assert run() == "['docx', 'docxtpl', 'openpyxl'] True"  # cold: preparing needs them
    assert run() == "[] False"


def test_the_cache_keeps_a_bounded_number_of_entries(cache_folder: Path, tmp_path: Path
                                                     ) -> None:
    """Each templates folder gets its own entries; the oldest go beyond MAX_ENTRIES."""
    for index in range(private_cache.MAX_ENTRIES // len(DOCUMENTS) + 2):
        folder = tmp_path / f"mallar-{index}"
        shutil.copytree(TEMPLATES_DIR, folder)
        load_templates(folder)
    assert len(list(cache_folder.iterdir())) == private_cache.MAX_ENTRIES
    written = entries(cache_folder)
    load_templates(folder)  # the newest folder's entries are kept
    assert entries(cache_folder) == written
