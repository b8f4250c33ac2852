"""One install for two municipalities: projektmodell.toml (CONFIG.md) as an organisation uses it.

Two input folders are built once for the module: Härnösand's with no settings file (the
defaults), and Sundsvall's with its own name, a logo, three departments, a default hourly
rate of 500 kr, an added checklist item P9 in Planering and its own wording of R3. Each
folder holds a project in Genomförande with BP1 and BP2 approved, a project in Planering
and a blank workbook from `projektmodell new`.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from lxml import etree

from pipeline.check import Checked
from pipeline.cli import main
from pipeline.documents import load_templates, produce
from pipeline.example import decisions, example_fill
from pipeline.model import CHECKLIST_ITEMS, PHASES
from pipeline.settings import (
    DEFAULT_DEPARTMENTS,
    DEFAULTS,
    SETTINGS_FILE,
    Settings,
    read_settings,
)
from pipeline.workbook.writer import build_workbook
from tests.conftest import require_tool, soffice_convert

SUNDSVALL = "Sundsvalls kommun"
SUNDSVALL_DEPARTMENTS = ["Barn- och utbildningsförvaltningen", "Socialtjänsten",
                         "Stadsbyggnadskontoret"]
P9_TEXT = "Informationssäkerhetsklassning är gjord"
R3_WORDING = "Omvärldsanalys är gjord (liknande projekt i länet)"
SUNDSVALL_TOML = f"""\
config_version = 1

[organisation]
name = "{SUNDSVALL}"            # document headers, index.html
logo = "logga.png"
departments = {json.dumps(SUNDSVALL_DEPARTMENTS, ensure_ascii=False)}

[economy]
default_hourly_rate = 500

[[checklist]]
id = "P9"
phase = "Planering"
text = "{P9_TEXT}"

[checklist_wording]
R3 = "{R3_WORDING}"
"""
FOLDER = "KS-2011-01 Föräldrastöd"
PLANNING_FOLDER = "SU-2024-02 Bredband"
IMAGE_RELATIONSHIP = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                      "image")
NAMESPACES = {"wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
              "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


def png(width: int = 120, height: int = 60, colour: tuple[int, int, int] = (20, 60, 120)
        ) -> bytes:
    """A small PNG of one colour, written with zlib and struct."""
    row = b"\x00" + bytes(colour) * width

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def checklist_rows(added: list[dict[str, str]], answered: tuple[str, ...]) -> list[dict[str, Any]]:
    """The model's items in the model's wording (a workbook made before any rewording), each
    added item after its phase's last; items of the answered phases answered Ja, added ones
    left open."""
    rows: list[dict[str, Any]] = []
    for phase in PHASES:
        for item in CHECKLIST_ITEMS:
            if item.checklist in phase.checklists:
                row: dict[str, Any] = {"fas": item.checklist, "id": item.id,
                                       "kontrollpunkt": item.text}
                if phase.name in answered:
                    row.update(svar="Ja", ansvarig="Karin Lund", datum=date(2011, 1, 10))
                rows.append(row)
        rows += [{"fas": a["phase"], "id": a["id"], "kontrollpunkt": a["text"]}
                 for a in added if a["phase"] == phase.name]
    return rows


ADDED = [{"id": "P9", "phase": "Planering", "text": P9_TEXT}]
EARLY_PHASES = ("Relevans/Förberedelse", "Planering")


def genomforande_fill(department: str, added: list[dict[str, str]]) -> dict[str, Any]:
    """The example in Genomförande, BP1 and BP2 approved, the added items unanswered."""
    fill = example_fill()
    fill["Projekt"]["forvaltning"] = department
    fill["Checklistor"] = checklist_rows(added, EARLY_PHASES)
    return fill


def planning_fill(department: str, added: list[dict[str, str]]) -> dict[str, Any]:
    """A project in Planering with BP1 approved and the model's Planering items done."""
    fill = genomforande_fill(department, added)
    fill["Projekt"].update(projekt_id="SU-2024-02", projektnamn="Bredband",
                           aktuell_fas="Planering")
    fill["Beslut"] = decisions(("BP1",))
    fill["Statusrapporter"] = []
    return fill


@dataclass
class Organisation:
    name: str
    input: Path
    output: Path
    build_code: int
    build_output: str

    def document(self, folder: str, name: str) -> Path:
        return self.output / folder / name


def make_organisation(root: Path, name: str, department: str, added: list[dict[str, str]],
                      settings_text: str | None, jobs: int) -> Organisation:
    folder = root / "in"
    folder.mkdir(parents=True)
    if settings_text is not None:
        (folder / SETTINGS_FILE).write_text(settings_text, encoding="utf-8")
        (folder / "logga.png").write_bytes(png())
    settings = read_settings(folder / SETTINGS_FILE) if settings_text else DEFAULTS
    for file_name, fill in (("exempel.xlsx", genomforande_fill(department, added)),
                            ("planering.xlsx", planning_fill(department, added))):
        projekt = fill["Projekt"]
        build_workbook(projekt["projektnamn"], projekt["projekt_id"], fill,
                       settings).save(folder / file_name)
    assert run("new", "Tom", "--id", "NY-1", "--dir", folder)[0] == 0
    code, output = run("build", folder, root / "out", "--jobs", str(jobs))
    return Organisation(name, folder, root / "out", code, output)


@pytest.fixture(scope="module")
def harnosand(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    return make_organisation(tmp_path_factory.mktemp("harnosand"), DEFAULTS.name,
                             "Socialförvaltningen", [], None, jobs=1)


@pytest.fixture(scope="module")
def sundsvall(tmp_path_factory: pytest.TempPathFactory) -> Organisation:
    return make_organisation(tmp_path_factory.mktemp("sundsvall"), SUNDSVALL, "Socialtjänsten",
                             ADDED, SUNDSVALL_TOML, jobs=2)


def header_text(path: Path) -> str:
    document = Document(str(path))
    lines = []
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs]
        lines += [cell.text for table in section.header.tables for row in table.rows
                  for cell in row.cells]
    return "\n".join(lines)


def document_text(path: Path) -> str:
    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    lines += [cell.text for table in document.tables for row in table.rows
              for cell in row.cells]
    return "\n".join(lines)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A sheet's rows as dicts by header (the rows of its table, up to the first blank)."""
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    return [dict(zip(header, row, strict=True)) for row in body if any(v is not None
                                                                        for v in row)]


# --- name and logo -------------------------------------------------------------------------

def test_each_organisations_documents_carry_its_name(harnosand: Organisation,
                                                     sundsvall: Organisation) -> None:
    for organisation, other in ((harnosand, sundsvall), (sundsvall, harnosand)):
        documents = sorted((organisation.output / FOLDER).glob("*.docx"))
        assert len(documents) == 7  # direktiv, plan, three status reports, two contracts
        for document in documents:
            header = header_text(document)
            assert organisation.name in header and other.name not in header, document.name


def test_sundsvalls_documents_hold_the_logo_as_an_image_part_of_the_header(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    logo = (sundsvall.input / "logga.png").read_bytes()
    for document in sorted((sundsvall.output / FOLDER).glob("*.docx")):
        with zipfile.ZipFile(document) as docx:
            relationships = etree.fromstring(docx.read("word/_rels/header1.xml.rels"))
            images = [r.get("Target") for r in relationships.iterfind("rel:Relationship",
                                                                       NAMESPACES)
                      if r.get("Type") == IMAGE_RELATIONSHIP]
            assert len(images) == 1, document.name
            assert docx.read(f"word/{images[0]}") == logo
            header = etree.fromstring(docx.read("word/header1.xml"))
            (picture,) = header.iterfind(".//wp:inline/wp:docPr", NAMESPACES)
            assert picture.get("descr") == SUNDSVALL
            (extent,) = header.iterfind(".//wp:inline/wp:extent", NAMESPACES)
            height_cm = int(extent.get("cy")) / 360000
            assert 0.5 < height_cm < 1.5  # the header's two lines of text, not the image's size
    with zipfile.ZipFile(harnosand.output / FOLDER / "Projektdirektiv.docx") as docx:
        assert not [n for n in docx.namelist() if n.startswith("word/media/")]


def test_a_name_that_looks_like_markup_or_a_template_field_shows_as_written(
        checked_example: Checked) -> None:
    name = 'Kommun {{ projekt.saknas }} {% if %} & "<Förbund>" 🏛'
    templates = load_templates(None, Settings(name=name, logo_bytes=png()))
    produced = produce(checked_example.project, checked_example.report, templates)
    assert not produced.findings and len(produced.files) == 7
    for document in produced.files:
        with zipfile.ZipFile(io.BytesIO(document.data)) as docx:
            header = etree.fromstring(docx.read("word/header1.xml"))
        (picture,) = header.iterfind(".//wp:inline/wp:docPr", NAMESPACES)
        assert picture.get("descr") == picture.get("title") == name
        assert name in "".join(header.itertext())


def test_libreoffice_shows_the_logo_in_sundsvalls_document(sundsvall: Organisation,
                                                           tmp_path: Path) -> None:
    pdfimages = require_tool("pdfimages")
    (pdf,) = soffice_convert([sundsvall.output / FOLDER / "Projektdirektiv.docx"], "pdf",
                             tmp_path / "pdf")
    listed = subprocess.run([pdfimages, "-list", str(pdf)], check=True, capture_output=True,
                            text=True).stdout.splitlines()[2:]
    pages = [int(line.split()[0]) for line in listed]
    assert pages and set(pages) == set(range(1, max(pages) + 1))  # on every page's header


def test_index_html_shows_each_organisations_name_and_sundsvalls_logo_inline(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    index = (sundsvall.output / "index.html").read_text(encoding="utf-8")
    logo = base64.b64encode((sundsvall.input / "logga.png").read_bytes()).decode()
    assert f'src="data:image/png;base64,{logo}" alt="{SUNDSVALL}"' in index
    assert f"<span>{SUNDSVALL}</span>" in index and DEFAULTS.name not in index
    harnosand_index = (harnosand.output / "index.html").read_text(encoding="utf-8")
    assert f"<span>{DEFAULTS.name}</span>" in harnosand_index
    assert "<img" not in harnosand_index and SUNDSVALL not in harnosand_index


# --- departments -----------------------------------------------------------------------------

def test_each_blank_workbooks_dropdown_holds_its_organisations_departments(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    for organisation, departments in ((harnosand, list(DEFAULT_DEPARTMENTS)),
                                      (sundsvall, SUNDSVALL_DEPARTMENTS)):
        book = openpyxl.load_workbook(organisation.input / "Tom.xlsx")
        projekt = book["Projekt"]
        cell = next(f"B{r}" for r in range(1, 40) if projekt[f"A{r}"].value == "Förvaltning")
        (dropdown,) = [dv for dv in projekt.data_validations.dataValidation if cell in dv.sqref]
        assert dropdown.formula1 == '"' + ",".join(departments) + '"'
        instructions = [row for row in book["Instruktioner"].iter_rows(values_only=True)
                        if row and row[0] and str(row[0]).strip() == "Förvaltning"]
        assert instructions[0][1] == "Välj i listan: " + ", ".join(departments) + "."


def test_a_workbook_of_another_organisation_gets_findings_never_a_crash(
        sundsvall: Organisation, tmp_path: Path) -> None:
    """Sundsvall's workbook under Härnösand's defaults, and the reverse."""
    defaults = tmp_path / "harnosand"
    defaults.mkdir()
    shutil.copy(sundsvall.input / "exempel.xlsx", defaults / "exempel.xlsx")
    code, output = run("check", defaults / "exempel.xlsx", "--json")
    (report,) = json.loads(output)
    by_code = {f["code"]: f for f in report["findings"]}
    assert code == 1
    assert by_code["invalid-value"]["cell"] == "B5"
    assert by_code["invalid-value"]["message"] == (
        "'Förvaltning': värdet 'Socialtjänsten' är inget av de tillåtna värdena ("
        + ", ".join(DEFAULT_DEPARTMENTS) + "). Menade du Socialförvaltningen?")
    # P9 is the project's own item here: kept, and checked by its Fas.
    assert by_code["checklist-blocks-decision"]["value"] == "P9"

    harnosand_workbook = tmp_path / "harnosand.xlsx"
    build_workbook("Föräldrastöd", "KS-2011-01", example_fill()).save(harnosand_workbook)
    code, output = run("check", harnosand_workbook, "--json", "--config",
                       sundsvall.input / SETTINGS_FILE)
    (report,) = json.loads(output)
    found = {(f["code"], f["cell"] or f["value"]) for f in report["findings"]
             if f["severity"] == "fel"}
    assert code == 1
    assert found == {("invalid-value", "B5"), ("checklist-item-missing", "P9")}


# --- added checklist items and wording ---------------------------------------------------------

def test_in_sundsvall_an_unanswered_p9_blocks_an_approved_bp2_on_its_svar_cell(
        sundsvall: Organisation) -> None:
    workbook = sundsvall.input / "exempel.xlsx"
    rows = checklist_rows(ADDED, EARLY_PHASES)
    p9_cell = f"D{[r['id'] for r in rows].index('P9') + 2}"

    code, output = run("check", workbook, "--json")  # projektmodell.toml beside it

    (report,) = json.loads(output)
    errors = [(f["code"], f["sheet"], f["cell"]) for f in report["findings"]
              if f["severity"] == "fel"]
    assert code == 1
    assert errors == [("checklist-blocks-decision", "Checklistor", p9_cell)]
    assert f"P9 ({P9_TEXT}) är obesvarad" in report["findings"][0]["message"]
    plan = header_text(sundsvall.document(FOLDER, "Projektplan.docx"))
    assert "UTKAST – 1 öppen kontrollpunkt inför BP2" in plan


def test_the_added_item_is_in_sundsvalls_blank_workbook_after_planerings_items(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    for organisation, added in ((harnosand, []), (sundsvall, ["P9"])):
        checklist = openpyxl.load_workbook(organisation.input / "Tom.xlsx")["Checklistor"]
        ids = [row[1] for row in checklist.iter_rows(min_row=2, values_only=True)]
        model = [item.id for item in CHECKLIST_ITEMS]
        after_p8 = model.index("P8") + 1
        assert ids == [*model[:after_p8], *added, *model[after_p8:]]
    blank = openpyxl.load_workbook(sundsvall.input / "Tom.xlsx")["Checklistor"]
    texts = {row[1]: (row[0], row[2]) for row in blank.iter_rows(min_row=2, values_only=True)}
    assert texts["P9"] == ("Planering", P9_TEXT)
    assert texts["R3"] == ("Relevans", R3_WORDING)


def test_the_added_item_counts_among_the_open_items_in_documents_and_index_html(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    plans = {o.name: header_text(o.document(PLANNING_FOLDER, "Projektplan.docx"))
             for o in (harnosand, sundsvall)}
    assert "UTKAST – 1 öppen kontrollpunkt inför BP2" in plans[SUNDSVALL]
    assert "UTKAST – 0 öppna kontrollpunkter inför BP2" in plans[DEFAULTS.name]
    plan_text = document_text(sundsvall.document(PLANNING_FOLDER, "Projektplan.docx"))
    assert f"P9\n{P9_TEXT}" in plan_text  # a row of the BP2 checklist table
    for organisation, open_items in ((harnosand, "0"), (sundsvall, "1")):
        index = (organisation.output / "index.html").read_text(encoding="utf-8")
        row = next(line for line in index.splitlines()
                   if line.startswith("<tr") and "SU-2024-02" in line)
        assert f'<td class="num" data-sort="{open_items}">{open_items}</td>' in row


def test_documents_print_the_organisations_wording_of_a_workbook_with_the_old_one(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    old = next(item.text for item in CHECKLIST_ITEMS if item.id == "R3")
    sundsvall_text = document_text(sundsvall.document(FOLDER, "Projektdirektiv.docx"))
    harnosand_text = document_text(harnosand.document(FOLDER, "Projektdirektiv.docx"))
    assert R3_WORDING in sundsvall_text and old not in sundsvall_text
    assert old in harnosand_text and R3_WORDING not in harnosand_text


# --- economy -------------------------------------------------------------------------------

def test_in_sundsvall_a_contract_without_timkostnad_is_costed_at_500_kr(
        harnosand: Organisation, sundsvall: Organisation) -> None:
    person = next(p for p in example_fill()["Personkontrakt"] if "timkostnad" not in p)
    for organisation, rate in ((harnosand, 450), (sundsvall, 500)):
        for path in (organisation.output / FOLDER / "Kostnads- och nyttokalkyl.xlsx",
                     organisation.output / "ekonomi.xlsx"):
            (line,) = [r for r in sheet_rows(path, "Personal")
                       if r["Projektmedlem"] == person["projektmedlem"]
                       and r["Projekt-ID"] == "KS-2011-01"]
            assert (line["Timkostnad (kr)"], line["Standardtimkostnad"]) == (rate, "Ja"), path
            assert line["Kostnad (kr)"] == person["timmar"] * rate
        plan = document_text(organisation.document(FOLDER, "Projektplan.docx"))
        assert f"{rate}\u00a0kr (standard)" in plan  # Babel: a no-break space


def test_economy_reads_the_settings_in_its_input_folder(sundsvall: Organisation,
                                                          tmp_path: Path) -> None:
    target = tmp_path / "ekonomi.xlsx"
    code, _ = run("economy", sundsvall.input, "-o", target)
    assert code == 1  # the blank workbook and the open P9 are errors
    (line,) = [r for r in sheet_rows(target, "Personal")
               if r["Projekt-ID"] == "KS-2011-01" and r["Standardtimkostnad"] == "Ja"]
    assert line["Timkostnad (kr)"] == 500


# --- rebuilds --------------------------------------------------------------------------------

def test_changing_the_settings_or_the_logo_rebuilds_and_nothing_else_does(
        sundsvall: Organisation, tmp_path: Path) -> None:
    from pipeline.batch import BuildOptions, build

    folder = tmp_path / "in"
    folder.mkdir()
    for name in (SETTINGS_FILE, "logga.png", "exempel.xlsx"):
        shutil.copy(sundsvall.input / name, folder / name)
    settings_file = folder / SETTINGS_FILE

    def statuses() -> list[str]:
        result = build(BuildOptions(folder, tmp_path / "out", jobs=2, start_method="spawn"))
        return [str(p.status) for p in result.projects]

    assert statuses() == ["byggd"]
    assert statuses() == ["oförändrad"]
    settings_file.write_text(settings_file.read_text(encoding="utf-8")
                             + "# en kommentar\n", encoding="utf-8")
    assert statuses() == ["oförändrad"]
    (folder / "logga.png").write_bytes(png(colour=(200, 30, 40)))
    assert statuses() == ["byggd"]
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace(
        SUNDSVALL, "Sundsvalls kommun, kommunstyrelsekontoret"), encoding="utf-8")
    assert statuses() == ["byggd"]
    header = header_text(tmp_path / "out" / FOLDER / "Projektdirektiv.docx")
    assert "Sundsvalls kommun, kommunstyrelsekontoret" in header
    with zipfile.ZipFile(tmp_path / "out" / FOLDER / "Projektdirektiv.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert [docx.read(n) for n in media] == [(folder / "logga.png").read_bytes()]
    settings_file.unlink()  # Härnösand's defaults: Socialtjänsten is no förvaltning there
    assert statuses() == ["byggd"]
    report = (tmp_path / "out" / FOLDER / "Kontrollrapport.txt").read_text(encoding="utf-8")
    assert "'Förvaltning': värdet 'Socialtjänsten' är inget av de tillåtna värdena" in report
    assert run("init", folder)[0] == 0  # the defaults, written out: the same settings
    assert statuses() == ["oförändrad"]


# --- init and broken settings --------------------------------------------------------------

def test_init_writes_the_commented_defaults_and_never_overwrites(tmp_path: Path) -> None:
    code, output = run("init", tmp_path / "kontoret")
    path = tmp_path / "kontoret" / SETTINGS_FILE
    assert code == 0 and f"Skapade {path}" in output
    text = path.read_text(encoding="utf-8")
    assert read_settings(path) == DEFAULTS
    for key in ("config_version", "[organisation]", "name", "logo", "departments",
                "[economy]", "default_hourly_rate", "[[checklist]]", "[checklist_wording]"):
        assert key in text
    path.write_text(text + "# egen rad\n", encoding="utf-8")
    code, output = run("init", tmp_path / "kontoret")
    assert code == 2 and "finns redan" in output
    assert path.read_text(encoding="utf-8").endswith("# egen rad\n")


BROKEN = {
    "TOML syntax": ('[organisation]\nname "Sundsvalls kommun"\n', 2, "organisation.name",
                    "filen är inte giltig TOML: ett '=' saknas efter nyckeln"),
    "an unknown key": ('[organisation]\nname = "Sundsvalls kommun"\nnamn = "Sundsvall"\n', 3,
                       "organisation.namn", "är ingen känd nyckel (menar du 'name'?)"),
    "a wrong type": ("[economy]\ndefault_hourly_rate = \"500 kr\"\n", 2,
                     "economy.default_hourly_rate",
                     'ska vara ett tal (kronor per timme), inte "500 kr"'),
    "a duplicate checklist ID": (
        '[[checklist]]\nid = "P9"\nphase = "Planering"\ntext = "A"\n\n'
        '[[checklist]]\nid = "P9"\nphase = "Avslut"\ntext = "B"\n', 7, "checklist[2].id",
        "'P9' finns redan i kontrollpunkt nummer 1"),
    "a checklist ID of the model": (
        '[[checklist]]\nid = "P1"\nphase = "Planering"\ntext = "A"\n', 2, "checklist[1].id",
        "'P1' är redan en av modellens kontrollpunkter"),
    "a phase that does not exist": (
        '[[checklist]]\nid = "P9"\nphase = "Förstudie"\ntext = "A"\n', 3,
        "checklist[1].phase", "fasen 'Förstudie' finns inte"),
    "a missing logo": ('[organisation]\nlogo = "saknas.png"\n', 2, "organisation.logo",
                       "saknas.png finns inte"),
    "a logo that is not an image": ('[organisation]\nlogo = "logga.png"\n', 2,
                                    "organisation.logo", "är ingen PNG- eller JPEG-bild"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_settings_file_is_one_message_and_exit_2_with_nothing_built(
        case: str, tmp_path: Path) -> None:
    text, line, key, problem = BROKEN[case]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / SETTINGS_FILE).write_text(text, encoding="utf-8")
    (folder / "logga.png").write_text("ingen bild", encoding="utf-8")
    build_workbook("Föräldrastöd", "KS-2011-01", example_fill()).save(folder / "exempel.xlsx")

    code, output = run("build", folder, tmp_path / "out")

    assert code == 2
    assert output.count("Fel:") == 1
    assert f"Inställningsfilen {folder / SETTINGS_FILE}, rad {line}, nyckeln '{key}'" in output
    assert problem in output
    assert not (tmp_path / "out").exists()


def test_every_command_refuses_a_broken_settings_file_and_writes_nothing(
        tmp_path: Path) -> None:
    broken = tmp_path / "annan.toml"
    broken.write_text('[economy]\ndefault_hourly_rate = "500 kr"\n', encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    workbook = folder / "exempel.xlsx"
    build_workbook("Föräldrastöd", "KS-2011-01", example_fill()).save(workbook)
    commands = {
        "new": ["new", "Ny", "--dir", folder, "--config", broken],
        "check": ["check", workbook, "--config", broken],
        "economy": ["economy", folder, "-o", tmp_path / "ekonomi.xlsx", "--config", broken],
        "templates check": ["templates", "check", "--config", broken],
        "build": ["build", folder, tmp_path / "out", "--config", broken],
    }
    for command, args in commands.items():
        code, output = run(*args)
        assert code == 2, command
        assert (f"Fel: Inställningsfilen {broken}, rad 2, nyckeln "
                f"'economy.default_hourly_rate'") in output, command
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["annan.toml", "exempel.xlsx", "in"]

    missing = tmp_path / "saknas.toml"
    code, output = run("check", workbook, "--config", missing)
    assert code == 2 and f"Inställningsfilen {missing} finns inte." in output


def test_a_logo_that_looks_like_a_png_but_does_not_read_is_named_by_templates_check(
        tmp_path: Path) -> None:
    """Only its leading bytes are checked when the settings are read (no image library is
    imported for that); python-docx, putting it into the templates, finds the rest."""
    (tmp_path / "logga.png").write_bytes(png()[:20])
    (tmp_path / SETTINGS_FILE).write_text('[organisation]\nlogo = "logga.png"\n',
                                          encoding="utf-8")
    code, output = run("templates", "check", "--config", tmp_path / SETTINGS_FILE)
    assert code == 1
    assert (f"projektdirektiv.docx: logotypen {tmp_path / 'logga.png'} kan inte läggas in i "
            "mallens sidhuvud") in output
