"""index.html and every projekt.html of a build, in headless Chromium (one session for the
module): axe-core's WCAG 2.1 A and AA rules, the project table sorted from the keyboard,
every link resolving, nothing loaded from a network, and print on A4.

axe-core comes from npm (package.json at the repository's root, `npm ci`); Chromium and
ChromeDriver from Debian (chromium, chromium-driver). Without them the tests skip locally and
fail in CI (PROJEKTMODELL_REQUIRE_TOOLS).
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from pipeline.batch import BuildOptions, build
from pipeline.collation import swedish_key
from pipeline.example import example_fill
from pipeline.workbook.writer import build_workbook
from tests import fills
from tests.conftest import ROOT, require_tool
from tests.test_portfolio import HOSTILE_NAME

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LATE_DAY = date(2012, 3, 20)
WCAG_21_A_AND_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
   .then(function (result) { done(result.violations); },
         function (error) { done('axe failed: ' + error); });
"""


def axe_source() -> str:
    if AXE.is_file():
        return AXE.read_text(encoding="utf-8")
    if os.environ.get("PROJEKTMODELL_REQUIRE_TOOLS"):
        pytest.fail("axe-core is required in CI but not installed (npm ci)")
    pytest.skip("axe-core is not installed (npm ci)")


def varied_fills() -> dict[str, dict]:
    """The example and the tests' other projects, the hostile one with a name that would be
    markup; leaders differ so that Att göra has groups."""
    hostile = fills.hostile_fill()
    hostile["Projekt"]["projektnamn"] = HOSTILE_NAME
    planning = fills.planning_fill()
    planning["Projekt"].update(projektledare="Anders Ek", projektnamn="Åby unga till jobb")
    closing = fills.closing_fill()
    closing["Projekt"]["projektnamn"] = "Ängsö trygg trafik"  # ä after å, as in Swedish
    return {"Föräldrastöd.xlsx": example_fill(), "Unga till jobb.xlsx": planning,
            "Trygg trafik.xlsx": closing, "Läslyftet.xlsx": fills.erroneous_fill(),
            "Fientlig.xlsx": hostile}


@pytest.fixture(scope="module")
def built_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUTPUT of a build of several varied projects and a workbook that cannot be read, on
    a day when reports, activities and contracts are late (Att göra lists them)."""
    folder = tmp_path_factory.mktemp("pages")
    workbooks = folder / "input"
    workbooks.mkdir()
    for name, fill in varied_fills().items():
        build_workbook(fill["Projekt"]["projektnamn"], fill["Projekt"]["projekt_id"],
                       fill).save(workbooks / name)
    (workbooks / "trasig.xlsx").write_bytes(b"not a workbook")
    output = folder / "OUTPUT med mellanslag"
    build(BuildOptions(workbooks, output, jobs=1, today=LATE_DAY))
    return output


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless Chromium for the module, driven through ChromeDriver."""
    options = webdriver.ChromeOptions()
    options.binary_location = require_tool("chromium")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=Service(executable_path=require_tool("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def pages_of(output: Path) -> list[Path]:
    return [output / "index.html", *sorted(output.glob("*/projekt.html"))]


def test_every_page_passes_axe_wcag_21_a_and_aa(built_output: Path, browser: WebDriver) -> None:
    axe = axe_source()
    pages = pages_of(built_output)
    assert len(pages) == 1 + 5  # index.html and one page per readable project
    violations = {}
    for page in pages:
        browser.get(page.as_uri())
        browser.execute_script(axe)
        found = browser.execute_async_script(RUN_AXE, WCAG_21_A_AND_AA)
        assert not isinstance(found, str), found
        if found:
            violations[page.relative_to(built_output).as_posix()] = [
                (v["id"], [node["target"] for node in v["nodes"]]) for v in found]
    assert violations == {}


def column(browser: WebDriver, index: int) -> list[str]:
    """The text of one column of the project table, top to bottom, as shown."""
    return [row.find_elements(By.TAG_NAME, "td")[index].text
            for row in browser.find_elements(By.CSS_SELECTOR, "#projects tbody tr")]


def header(browser: WebDriver, label: str) -> tuple[object, object]:
    """A column header of the project table and its sort button."""
    th = next(th for th in browser.find_elements(By.CSS_SELECTOR, "#projects thead th")
              if th.text.strip() == label)
    return th, th.find_element(By.TAG_NAME, "button")


def test_the_project_table_sorts_from_the_keyboard(built_output: Path,
                                                   browser: WebDriver) -> None:
    browser.get((built_output / "index.html").as_uri())
    ids = column(browser, 0)
    assert ids[-1] == ""  # the workbook that could not be read comes last
    by_id, button = header(browser, "Projekt-ID")

    button.send_keys(Keys.ENTER)
    assert by_id.get_attribute("aria-sort") == "ascending"
    assert column(browser, 0) == sorted(ids)
    button.send_keys(Keys.ENTER)
    assert by_id.get_attribute("aria-sort") == "descending"
    assert column(browser, 0) == sorted(ids, reverse=True)

    by_name, name_button = header(browser, "Projekt")
    name_button.send_keys(Keys.SPACE)
    assert by_name.get_attribute("aria-sort") == "ascending"
    assert by_id.get_attribute("aria-sort") is None
    names = column(browser, 1)
    assert names == sorted(names, key=swedish_key) and len(names) == len(ids)
    assert names.index("Åby unga till jobb") < names.index("Ängsö trygg trafik")
    assert HOSTILE_NAME in names  # shown as text, never run


def test_every_link_resolves_and_nothing_comes_from_a_network(built_output: Path,
                                                               browser: WebDriver) -> None:
    for page in pages_of(built_output):
        browser.get(page.as_uri())
        links = browser.execute_script(
            "return Array.prototype.map.call(document.links, function (a) { return a.href; });")
        assert links, page
        for link in links:
            url = urlparse(link)
            assert url.scheme == "file", link
            target = Path(unquote(url.path))
            assert target.is_dir() if url.path.endswith("/") else target.is_file(), link
            if url.fragment:
                assert browser.find_elements(By.ID, url.fragment), link
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        assert [name for name in loaded if not name.startswith(("file:", "data:"))] == []


def test_the_pages_print_on_a4(built_output: Path, browser: WebDriver, tmp_path: Path) -> None:
    """index.html landscape, a project's page portrait, as their print CSS asks."""
    expected = {"index.html": "841.92 x 594.96 pts (A4)",
                "KS-2011-01 Föräldrastöd/projekt.html": "594.96 x 841.92 pts (A4)"}
    pdfinfo = require_tool("pdfinfo")
    for relative, size in expected.items():
        browser.get((built_output / relative).as_uri())
        printed = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True,
                                                              "printBackground": True})
        pdf = tmp_path / "printed.pdf"
        pdf.write_bytes(base64.b64decode(printed["data"]))
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True)
        assert size in info.stdout, relative
