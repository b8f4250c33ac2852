"""Documents a municipality files as they are: every word of every table cell whole on the
page, header rows that repeat, and .docx and .xlsx files valid against the ECMA-376
schemas, so that Word and Excel open them without repair.

One build writes the example and a project of long values (long names, roles, units,
e-mail addresses, URLs, big amounts, a risk table longer than a page); one LibreOffice
process turns all its documents into PDFs, read back with `pdftotext -layout`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import etree

from pipeline.batch import BuildOptions, build
from pipeline.example import EXAMPLE_FILE, checklist, decisions, example_fill
from pipeline.workbook.writer import build_workbook, write_new
from tests.conftest import (
    EXAMPLE_PATH,
    ooxml_validation,
    require_tool,
    soffice_convert,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LONG_NAME = "Långa värden"
LONG_ID = "KS-2024-99"
MANY_RISKS = 30
"""Enough rows for the risk table to run onto a second page."""
EMAIL = "karl-johan.wikstrom-andersson@harnosand.se"
URL = "https://www.harnosand.se/kommun-och-politik/projekt/foraldrastod-och-familjestod"


def long_values_fill() -> dict[str, Any]:
    """The example in phase Avslut (all five kinds of document) with the longest values
    each column is made for, and more risks than a page holds."""
    fill = example_fill()
    projekt = fill["Projekt"]
    projekt.update(projekt_id=LONG_ID, projektnamn=LONG_NAME, aktuell_fas="Avslut",
                   forvaltning="Kommunstyrelseförvaltningen",
                   bestallare="Karl-Johan Wikström-Andersson",
                   fond_program=f"Europeiska socialfonden, se {URL}")
    fill["Organisation"] = [
        {"roll": "Referensgrupp", "namn": "Karl-Johan Wikström-Andersson",
         "befattning": "Kommunikationsstrateg", "enhet": "Kommunstyrelseförvaltningen",
         "epost": EMAIL},
        {"roll": "Projektmedlem", "namn": "Christoffer Gustafsson",
         "befattning": "Verksamhetsutvecklare", "enhet": "Samhällsförvaltningen",
         "epost": "christoffer.gustafsson@harnosand.se"},
        {"roll": "Mottagare", "namn": "Individ- och familjeomsorgen"},
    ]
    fill["Personkontrakt"][0].update(
        projektmedlem="Christoffer Gustafsson", befattning="Verksamhetsutvecklare",
        timmar=12345.5, timkostnad=1250, resursgivare="Karl-Johan Wikström-Andersson",
        enhet="Kommunstyrelseförvaltningen")
    fill["Risker"] = [
        {"risk": f"Risk {n}: gruppledarkompetensen försvinner ur organisationen",
         "sannolikhet": 1 + n % 5, "konsekvens": 1 + (n * 3) % 5,
         "atgard": f"Dokumentera arbetssättet på {URL}",
         "ansvarig": "Christoffer Gustafsson", "status": ("Öppen", "Hanterad", "Stängd")[n % 3]}
        for n in range(1, MANY_RISKS + 1)]
    for activity in fill["Aktiviteter"]:
        activity.update(ansvarig="Karl-Johan Wikström-Andersson",
                        leverans=f"Överlämningsplan, publicerad på {URL}")
    for cost in fill["Kostnader"]:
        cost.update(budget=cost["budget"] * 41, prognos=cost["budget"] * 41,
                    utfall=cost.get("utfall", 0) * 45)
    fill["Finansiering"][0].update(finansiar="Europeiska socialfonden, programområde 2",
                                   belopp=9876543)
    fill["Nytta"][0].update(varde_per_ar=1234567, antal_ar=10,
                            indikator="Antal placeringar per år enligt socialförvaltningens "
                                      "verksamhetssystem")
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse", "Planering",
                                     "Genomförande"))
    fill["Beslut"] = decisions(("BP1", "BP2", "BP3"))
    fill["Slutrapport"] = {
        "sammanfattning": "Projektet nådde 113 av 120 föräldrar.",
        "maluppfyllelse_projektmal": "113 föräldrar utbildade, 10 gruppledare.",
        "maluppfyllelse_effektmal": "Mäts 2013.",
        "leveranser": f"Föräldrastöd som permanent verksamhet, beskrivet på {URL}",
        "mottagare": "Individ- och familjeomsorgen",
        "erfarenheter": "Rekrytera via förskolan tidigt.",
        "ekonomi_kommentar": "Materialkostnaden blev högre.",
        "uppfoljning": "2013-12-31, Karl-Johan Wikström-Andersson"}
    return fill


@dataclass(frozen=True)
class Page:
    """A document as written and as LibreOffice lays it out."""

    path: Path
    text: str
    """`pdftotext -layout` of its PDF, pages separated by form feeds."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build's output folder for the example and the project of long values."""
    work = tmp_path_factory.mktemp("layout")
    source = work / "input"
    source.mkdir()
    shutil.copy(EXAMPLE_PATH, source / EXAMPLE_FILE)
    build_workbook(LONG_NAME, LONG_ID, long_values_fill()).save(source / "långa.xlsx")
    assert build(BuildOptions(source, work / "output", jobs=1)).exit_code == 0
    return work / "output"


@pytest.fixture(scope="module")
def pages(built: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    """Every document of the build as a PDF's text, by `project folder/file name`."""
    pdftotext = require_tool("pdftotext")
    flat = tmp_path_factory.mktemp("flat")
    documents = sorted(built.glob("*/*.docx"))
    sources = []
    for index, path in enumerate(documents):  # names unique across projects
        sources.append(flat / f"{index:02d}.docx")
        shutil.copy(path, sources[-1])
    pdfs = soffice_convert(sources, "pdf", flat / "pdf")
    return {f"{path.parent.name}/{path.name}": Page(path, subprocess.run(
                [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True,
                text=True).stdout)
            for path, pdf in zip(documents, pdfs, strict=True)}


# ---------------------------------------------------------------- words on the page

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WORD_SPACE = re.compile(r"[ \t\n]+")
"""What separates words; a no-break space (in `431 000 kr`, `12,5 %`) does not."""


def table_words(path: Path) -> list[str]:
    """Every word of every cell of every table of the body, in order."""
    words = []
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                words += [w for w in WORD_SPACE.split(cell.text) if w]
    return words


def body_words(path: Path) -> Counter[str]:
    """How often each word occurs in the body: paragraphs and table cells."""
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows
              for cell in row.cells]
    return Counter(w for text in texts for w in WORD_SPACE.split(text) if w)


def breaks_allowed(word: str) -> list[int]:
    """Where a line may end inside the word: after a hyphen or slash (not in a date), and
    anywhere in an e-mail address or URL.

    The issue allows an address to break at `.`, `@` or `/`; LibreOffice 7.4 breaks one
    that does not fit its line wherever the line ends (`politik/projekt/foraldrast` over
    `od-och-familjestod`), as no break opportunity short of a zero-width space (which a
    reader copying the address would copy too) makes it do otherwise. An address must
    still be all there, in order.
    """
    if DATE.search(word):
        return []
    if "@" in word or "://" in word or word.startswith("www."):
        return list(range(1, len(word)))
    return [i + 1 for i, char in enumerate(word[:-1]) if char in "-/"]


def whole_count(word: str, text: str) -> int:
    """How often the word stands whole in the PDF's text (its no-break spaces as the
    spaces pdftotext writes)."""
    shown = re.escape(word.replace("\u00a0", " "))
    return len(re.findall(rf"(?<!\S){shown}(?!\S)", text))


def made_of_pieces(word: str, tokens: set[str]) -> bool:
    """Whether the word is a run of the PDF's tokens, split only where a line may end."""
    places = [0, *breaks_allowed(word), len(word)]
    reached = {0}
    for start in places:
        if start in reached:
            reached |= {end for end in places if end > start and word[start:end] in tokens}
    return len(word) in reached


def broken_words(path: Path, text: str) -> list[str]:
    """The table words not whole on the page: each word must stand whole as often as the
    body holds it, or, where a line may end inside it, be made of whole pieces."""
    text = text.replace("\u00a0", " ")
    tokens = set(text.split())
    counts = body_words(path)
    broken = []
    for word in dict.fromkeys(table_words(path)):
        if whole_count(word, text) >= counts[word]:
            continue
        if not made_of_pieces(word, tokens):
            broken.append(word)
    return broken


def test_every_word_of_every_table_cell_is_whole_on_the_page(pages: dict[str, Page]) -> None:
    assert len(pages) == 15  # the example's 7, the long project's 8
    broken = {name: words for name, page in pages.items()
              if (words := broken_words(page.path, page.text))}
    assert broken == {}


def test_the_check_finds_a_word_broken_across_lines(pages: dict[str, Page]) -> None:
    """The check itself: the words LibreOffice broke before the layout was fixed."""
    page = pages["KS-2011-01 Föräldrastöd/Projektdirektiv.docx"]
    text = page.text.replace("Familjebehandlare", "Familjebehandla\nre", 1)
    text = re.sub(r"431 000 kr(?=\s*\n)", "431 000 k\nr", text, count=1)
    assert broken_words(page.path, text) == ["Familjebehandlare", "431\u00a0000\u00a0kr"]
    assert made_of_pieces("Wikström-Andersson", {"Wikström-", "Andersson"})
    assert not made_of_pieces("Wikström-Andersson", {"Wikström-Anders", "son"})
    assert made_of_pieces(EMAIL, {"karl-johan.wikstrom-anders", "son@harnosand.se"})
    assert not made_of_pieces(EMAIL, {"karl-johan.wikstrom-anders", "son@harnosand"})
    assert not made_of_pieces("2011-01-15", {"2011-", "01-15"})


def test_a_header_row_repeats_on_every_page_its_table_runs_onto(
        pages: dict[str, Page]) -> None:
    plan = pages[f"{LONG_ID} {LONG_NAME}/Projektplan.docx"].text.split("\f")
    header = re.compile(r"^\s*Risk\s+S\s+K\s+Riskvärde\s+Åtgärd\s+Ansvarig\s+Status\s*$",
                        re.MULTILINE)
    with_rows = [n for n, text in enumerate(plan) if re.search(r"Risk \d+:", text)]
    assert len(with_rows) >= 2
    assert [n for n, text in enumerate(plan) if header.search(text)] == with_rows


def test_amounts_are_right_aligned(pages: dict[str, Page]) -> None:
    """The Budget column's amounts end where its heading ends, whatever their length
    (pdftotext places the text to a character or two)."""
    lines = pages["KS-2011-01 Föräldrastöd/Projektdirektiv.docx"].text.splitlines()
    heading = next(line for line in lines if re.match(r"\s*Kostnadsslag\s+Budget", line))
    rows = [line for line in lines if re.match(r"\s*(Personal|Resor|Summa)\s+\d", line)][:3]
    budget_end = heading.index("Budget") + len("Budget")
    ends = [row.index(" kr") + len(" kr") for row in rows]
    starts = [re.search(r"\d", row).start() for row in rows]
    assert all(abs(end - budget_end) <= 2 for end in ends), (ends, budget_end)
    assert starts[0] < starts[1]  # 250 000 kr starts left of 12 000 kr


# ---------------------------------------------------------------- the .docx as written

def parts(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.startswith("word/") and name.endswith(".xml")
                and "/_rels/" not in name}


def test_the_language_is_swedish_in_the_styles_and_every_run(built: Path) -> None:
    for path in sorted(built.glob("*/*.docx")):
        xml = parts(path)
        defaults = xml["word/styles.xml"].find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert defaults.get(f"{W}val") == "sv-SE", path.name
        assert xml["word/settings.xml"].find(f"{W}themeFontLang").get(f"{W}val") == "sv-SE"
        for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
            runs = list(xml[name].iter(f"{W}r"))
            languages = {r.find(f"{W}rPr/{W}lang").get(f"{W}val") for r in runs}
            assert runs and languages == {"sv-SE"}, (path.name, name)


def test_core_properties_name_the_document_project_and_organisation(built: Path) -> None:
    held = {path.name: docx.Document(str(path)).core_properties
            for path in built.glob("KS-2011-01 */*.docx")}
    report = held["Statusrapport 03.docx"]
    assert report.title == "Statusrapport 03: Föräldrastöd"
    assert report.subject == "Projekt-ID KS-2011-01, Diarienummer KS 2010/123"
    assert report.author == "Härnösands kommun"
    assert report.keywords == ("Statusrapport; Föräldrastöd; KS-2011-01; KS 2010/123; "
                               "Socialförvaltningen")
    assert held["Projektdirektiv.docx"].keywords.endswith("; BP1")
    assert {p.language for p in held.values()} == {"sv-SE"}
    assert held["Personkontrakt Nisse Berg.docx"].title == \
        "Personkontrakt Nisse Berg: Föräldrastöd"


def test_table_header_rows_are_marked_and_no_row_splits(built: Path) -> None:
    for path in sorted(built.glob("*/*.docx")):
        body = parts(path)["word/document.xml"]
        for table in body.iter(f"{W}tbl"):
            rows = table.findall(f"{W}tr")
            marked = [row.find(f"{W}trPr/{W}tblHeader") is not None for row in rows]
            captioned = table.find(f"{W}tblPr/{W}tblCaption") is not None
            assert marked == [captioned] + [False] * (len(rows) - 1), path.name
            assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
    plan = parts(built / "KS-2011-01 Föräldrastöd" / "Projektplan.docx")["word/document.xml"]
    headers = [["".join(tc.itertext()) for tc in table.find(f"{W}tr").findall(f"{W}tc")]
               for table in plan.iter(f"{W}tbl")
               if table.find(f"{W}tblPr/{W}tblCaption") is not None]
    assert headers[0] == ["Roll", "Namn, befattning och e-post", "Förvaltning/enhet"]
    assert len(headers) == 8


def test_headings_are_built_in_heading_styles(built: Path) -> None:
    document = docx.Document(str(built / "KS-2011-01 Föräldrastöd" / "Projektdirektiv.docx"))
    outline = [(p.style.name, p.text) for p in document.paragraphs
               if p.style.name.startswith(("Heading", "Title", "Subtitle"))]
    assert outline[:4] == [("Title", "Projektdirektiv"), ("Subtitle", "Föräldrastöd"),
                           ("Heading 1", "Bakgrund"), ("Heading 1", "Syfte")]
    assert ("Heading 2", "Finansiering") in outline
    assert {style for style, _ in outline} == {"Title", "Subtitle", "Heading 1", "Heading 2"}
    fake = [p.text for p in document.paragraphs
            if p.text.strip() and p.runs and all(r.bold for r in p.runs)]
    assert fake == []


# ---------------------------------------------------------------- valid for Word and Excel

def test_every_file_the_program_writes_is_valid_office_open_xml(built: Path,
                                                                 tmp_path: Path) -> None:
    """The documents, calculations and ekonomi.xlsx of the build, the blank workbook from
    `new` and the example's workbook validate against the transitional schemas."""
    blank = tmp_path / "Tom.xlsx"
    write_new(blank, "Tom", "KS-2024-01")
    written = sorted(built.glob("*/*.docx")) + sorted(built.glob("**/*.xlsx"))
    assert len(written) == 15 + 3
    result = ooxml_validation([*written, blank, EXAMPLE_PATH])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
