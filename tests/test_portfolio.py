"""index.html, the project office's page: its table, Att göra and timeline as a person reads
them (tests/test_pages_in_browser.py renders it in Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from pipeline.check import Checked, check_file
from pipeline.example import example_fill
from pipeline.portfolio import PortfolioEntry, index_html, summarize
from tests import fills
from tests.fills import QUIET_DAY, erroneous_fill, planning_fill
from tests.pages import PageText, read_page

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
    page = touch(output, f"{folder}/projekt.html") if project else None
    return PortfolioEntry(summarize(checked), folder, documents, report, page)


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


def index_page(output: Path) -> PageText:
    return read_page((output / "index.html").read_text(encoding="utf-8"))


def project_rows(page: PageText) -> list[list[str]]:
    """The rows of the table of all projects, its header row aside."""
    return page.sections["projects-heading"].rows[1:]


def test_page_lists_every_project_and_escapes_hostile_text(output_tree):
    output, entries = output_tree
    html = (output / "index.html").read_text(encoding="utf-8")
    page = read_page(html)
    rows = project_rows(page)
    assert len(rows) == len(entries)
    assert page.scripts == 1
    assert "&lt;script&gt;alert" in html and '<script>alert' not in html
    assert any(HOSTILE_NAME in cell for row in rows for cell in row)
    ids = [row[0] for row in rows]
    assert ids == ["AF-2024-02", "KS-2011-01", "KS-2024-66", "SK-2023-11", ""]
    for section in page.sections.values():
        for link, _ in section.links:
            assert not urlparse(link).scheme and not link.startswith("/"), link
    assert "http" not in html.replace("http://x", "")  # no external resource


def test_each_project_name_links_to_its_page(output_tree):
    output, entries = output_tree
    links = dict(index_page(output).sections["projects-heading"].links)
    pages = {e.summary.projektnamn: e.page for e in entries if e.page}
    assert len(pages) == 4
    for name, page in pages.items():
        href = next(h for h, text in links.items() if text == name)
        assert (output / unquote(href)).is_file() and unquote(href) == page


def test_rows_show_phase_decisions_checklists_findings_and_money(output_tree):
    output, _ = output_tree
    rows = {row[0]: row for row in project_rows(index_page(output))}
    example = rows["KS-2011-01"]
    assert example[3] == "Genomförande"
    assert example[4:8] == ["Godkänt", "Godkänt", "Ej fattat", "Ej fattat"]
    assert example[8] == "6"  # G1–G6 still open before BP3
    assert example[9].startswith("0 fel, 6 varningar")
    assert example[10] == "Rapport 3 Helhet: Gul Tid: Röd Kostnad: Gul Kvalitet: Grön"
    assert "404\u00a0025\u00a0kr av 431\u00a0000\u00a0kr" in example[11]
    assert rows["AF-2024-02"][3] == "Planering" and rows["AF-2024-02"][10] == "Ingen rapport"
    assert not rows["SK-2023-11"][9].startswith("0 fel")
    assert "trasig.xlsx" in rows[""][1]


def leaders_fills() -> list[dict[str, Any]]:
    """Three projects of Karin Lund (one with BP3 planned), one of Anders Ek, one without a
    projektledare."""
    planned = example_fill()
    planned["Projekt"].update(projekt_id="KS-2011-02", projektnamn="Familjecentral")
    planned["Beslut"][2]["datum"] = date(2011, 12, 15)  # BP3 planned, not yet decided
    other = planning_fill()
    other["Projekt"]["projektledare"] = "Anders Ek"
    nobody = erroneous_fill()
    nobody["Projekt"]["projektledare"] = None
    return [example_fill(), planned, other, nobody, hostile_fill()]


def test_att_gora_lists_each_leaders_projects_next_decision_and_open_items(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    entries = [entry_for(check_file(make_workbook(fill), today=QUIET_DAY), tmp_path)
               for fill in leaders_fills()]
    todo = read_page(index_html(entries, GENERATED)).sections["todo-heading"]

    assert todo.groups == [
        ("Anders Ek", ["AF-2024-02 Unga till jobb"]),
        ("Karin Lund", ["KS-2011-01 Föräldrastöd", "KS-2011-02 Familjecentral",
                        f"KS-2024-66 {HOSTILE_NAME}"]),
        ("Projektledare saknas", ["SK-2023-11 Läslyftet"])]
    text = todo.text
    assert ("KS-2011-01 Föräldrastöd · Kontrollrapport Nästa beslut BP3 – projektets leverans "
            "överensstämmer med målet (ej fattat).") in text
    assert "BP3 – projektets leverans överensstämmer med målet, planerat 2011-12-15" in text
    assert ("Öppna kontrollpunkter 6 inför BP3: G1 (Checklistor!D24) G2 (Checklistor!D25) "
            "G3 (Checklistor!D26)") in text
    assert ("Nästa beslut BP2 – projektplanen leder till projektets mål (ej fattat). Öppna "
            "kontrollpunkter 8 inför BP2: P1") in text
    # Läslyftet: no BP2, a budget that is not a number, no projektledare
    assert "Fel 3 fel i arbetsboken" in text
    links = dict((text, href) for href, text in todo.links)
    assert unquote(links["KS-2011-01 Föräldrastöd"]).endswith("/projekt.html")


SWEDISH_LEADERS = ["Örjan Ek", "Åsa Berg", "Anna Ström", "Zoran Ali", "ebba Lund", "Älva Holm",
                   "Émile Sand"]


def test_att_gora_lists_the_leaders_in_swedish_alphabetical_order(
        make_workbook: Callable[..., Path], tmp_path: Path) -> None:
    """a–z, then å, ä, ö; case aside; é with e (str.casefold put ä before å, é after å)."""
    entries = []
    for number, leader in enumerate(SWEDISH_LEADERS):
        fill = example_fill()
        fill["Projekt"].update(projekt_id=f"KS-2011-{number + 10}", projektledare=leader)
        entries.append(entry_for(check_file(make_workbook(fill), today=QUIET_DAY), tmp_path))
    todo = read_page(index_html(entries, GENERATED)).sections["todo-heading"]

    assert [leader for leader, _ in todo.groups] == [
        "Anna Ström", "ebba Lund", "Émile Sand", "Zoran Ali", "Åsa Berg", "Älva Holm",
        "Örjan Ek"]


def test_the_timeline_shows_each_project_from_start_to_end_with_its_decisions(output_tree):
    output, _ = output_tree
    html = (output / "index.html").read_text(encoding="utf-8")
    timeline = read_page(html).sections["timeline-heading"]
    start, end = (example_fill()["Projekt"][k].isoformat() for k in ("startdatum", "slutdatum"))
    rows = {row[0]: row[1:] for row in timeline.rows[1:]}
    assert timeline.rows[0] == ["Projekt", "Start", "BP1", "BP2", "BP3", "BP4", "Slut"]
    assert rows["KS-2011-01 Föräldrastöd"] == [
        start, "2011-01-15 (Godkänt)", "2011-03-01 (Godkänt)", "", "", end]
    assert len(rows) == 4  # the unreadable workbook has no dates
    assert 'role="img" aria-labelledby="timeline-title timeline-desc"' in html
    assert ("KS-2011-01 Föräldrastöd: 2011-01-15 till 2012-01-15; BP1 2011-01-15 (Godkänt); "
            "BP2 2011-03-01 (Godkänt).") in timeline.text
