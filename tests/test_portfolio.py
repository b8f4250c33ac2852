"""index.html, the project office's page: rendered in headless Chromium, every link resolved."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from pipeline.check import Checked, check_file
from pipeline.example import example_fill
from pipeline.portfolio import PortfolioEntry, index_html, summarize
from tests import fills
from tests.conftest import require_tool
from tests.fills import QUIET_DAY, erroneous_fill, planning_fill

HOSTILE_NAME = '<script>alert("x")</script> & =HYPERLINK("http://x";"klicka")'
GENERATED = datetime(2026, 11, 27, 6, 0)


def hostile_fill() -> dict[str, Any]:
    """A name that would be markup and a formula, were it not escaped."""
    fill = fills.hostile_fill()
    fill["Projekt"]["projektnamn"] = HOSTILE_NAME
    return fill


def touch(output: Path, relative: str) -> str:
    target = output / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"x")
    return relative


def entry_for(checked: Checked, output: Path) -> PortfolioEntry:
    """A project folder in OUTPUT with its documents and findings report, as the build makes."""
    project = checked.project
    folder = (f"{project.info.projekt_id} {project.info.projektnamn[:12]}".replace("/", "_")
              .replace("<", "_").replace(">", "_").replace('"', "_") if project
              else Path(checked.report.file).stem)
    names = ["Projektdirektiv.docx", "Personkontrakt Nisse Berg.docx"]
    if project and project.statusrapporter:
        names.append("Statusrapport 3 (2011-11-30).docx")
    documents = [touch(output, f"{folder}/{name}") for name in names]
    report = touch(output, f"{folder}/Kontrollrapport – fel och varningar.txt")
    return PortfolioEntry(summarize(checked), folder, documents, report)


@pytest.fixture
def output_tree(make_workbook: Callable[..., Path], tmp_path: Path) -> tuple[Path, list[Any]]:
    output = tmp_path / "OUTPUT med mellanslag"
    broken = tmp_path / "in" / "trasig.xlsx"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"not a workbook")
    paths = [make_workbook(make()) for make in
             (example_fill, planning_fill, erroneous_fill, hostile_fill)] + [broken]
    entries = [entry_for(check_file(p, today=QUIET_DAY), output) for p in paths]
    (output / "index.html").write_text(index_html(entries, GENERATED), encoding="utf-8")
    return output, entries


class Dom(HTMLParser):
    """Rows, links and script elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self.scripts = 0
        self.in_body = self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag == "td" and self.in_body:
            self.rows[-1].append("")
            self.in_cell = True
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "script":
            self.scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif tag == "td":
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        if self.in_body and self.in_cell and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def parse(html: str) -> Dom:
    dom = Dom()
    dom.feed(html)
    return dom


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    binary = require_tool("chromium")
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'chromium-profile'}", *arguments],
        capture_output=True, text=True, timeout=120, check=True)


def test_page_lists_every_project_and_escapes_hostile_text(output_tree):
    output, entries = output_tree
    html = (output / "index.html").read_text(encoding="utf-8")
    dom = parse(html)
    assert len(dom.rows) == len(entries)
    assert dom.scripts == 1
    assert "&lt;script&gt;alert" in html and '<script>alert' not in html
    ids = [row[0] for row in dom.rows]
    assert ids == ["AF-2024-02", "KS-2011-01", "KS-2024-66", "SK-2023-11", ""]
    for link in dom.links:
        assert not urlparse(link).scheme and not link.startswith("/"), link
    assert "http" not in html.replace("http://x", "")  # no external resource


def test_rows_show_phase_decisions_checklists_findings_and_money(output_tree):
    output, _ = output_tree
    rows = {row[0]: row for row in parse((output / "index.html").read_text()).rows}
    example = rows["KS-2011-01"]
    assert example[3] == "Genomförande"
    assert example[4:8] == ["Godkänt", "Godkänt", "Ej fattat", "Ej fattat"]
    assert example[8] == "6"  # G1–G6 still open before BP3
    assert example[9].startswith("0 fel, 6 varningar")
    assert example[10] == "Rapport 3Helhet: GulTid: RödKostnad: GulKvalitet: Grön"
    assert "404\u00a0025\u00a0kr av 431\u00a0000\u00a0kr" in example[11]
    assert rows["AF-2024-02"][3] == "Planering" and rows["AF-2024-02"][10] == "Ingen rapport"
    assert not rows["SK-2023-11"][9].startswith("0 fel")
    assert "trasig.xlsx" in rows[""][1]


def test_index_renders_in_chromium_and_every_link_resolves(output_tree, tmp_path):
    output, entries = output_tree
    index = output / "index.html"
    dom = parse(chromium(tmp_path, "--dump-dom", index.as_uri()).stdout)
    assert len(dom.rows) == len(entries)
    assert any(HOSTILE_NAME in cell for row in dom.rows for cell in row)
    assert len(dom.links) == sum(len(e.documents) + 1 for e in entries)
    for link in dom.links:
        target = output / unquote(link)
        assert target.is_file(), link
    screenshot = tmp_path / "index.png"
    chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1400,900", index.as_uri())
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
    printed = tmp_path / "index.pdf"
    chromium(tmp_path, f"--print-to-pdf={printed}", "--no-pdf-header-footer", index.as_uri())
    assert printed.read_bytes()[:5] == b"%PDF-"
