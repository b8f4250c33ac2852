"""A Swedish command line: click's own words translated, one set of argument names (the
README's), the exit codes in the help of every command that uses them."""

from __future__ import annotations

import gettext
import io
import os
import re
import subprocess
import sys

import click
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.cli_language import CATALOG, COMPILED, compiled_catalog
from tests.conftest import ROOT

COMMANDS = ([], ["new"], ["check"], ["build"], ["economy"], ["templates"],
            ["templates", "check"], ["init"], ["notify"])
ENGLISH = ("Usage", "Options", "Commands", "Show this", "Show the version", "OPTIONS",
           "COMMAND", "ARGS", "TEXT", "INTEGER", "PATH", "DIRECTORY", "FILENAME", "default:",
           "Error", "Try ", "Missing", "required", "exit", "INDATA", "UTDATA", "WORKBOOKS")
"""click's framework words, and the argument names of before."""
EXIT_CODES = {("new",): "0 2", ("check",): "0 1 2", ("build",): "0 1 2",
              ("economy",): "0 1 2", ("templates", "check"): "0 1 2", ("init",): "0 2",
              ("notify",): "0 1 2",
              (): "0 1 2"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="projektmodell")
    return result.exit_code, result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_holds_no_english_framework_words(command: list[str]) -> None:
    code, output = run(*command, "--help")
    assert code == 0
    assert output.startswith(f"Användning: projektmodell {' '.join(command)}".rstrip()
                             + " [FLAGGOR]")
    assert "Flaggor:" in output and "Visa den här hjälpen och avsluta." in output
    found = [word for word in ENGLISH if word in output]
    assert found == [], output


@pytest.mark.parametrize(("command", "codes"), EXIT_CODES.items(), ids=str)
def test_help_shows_the_exit_codes_the_command_uses(command: tuple[str, ...],
                                                     codes: str) -> None:
    output = run(*command, "--help")[1]
    epilog = output.split("Slutkoder:\n")[1]
    assert " ".join(re.findall(r"^    (\d)  ", epilog, re.MULTILINE)) == codes


def test_argument_names_are_the_readmes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    usages = {tuple(c): run(*c, "--help")[1].splitlines()[0] for c in COMMANDS if c}
    assert usages[("new",)].endswith("new [FLAGGOR] NAME")
    assert usages[("check",)].endswith("check [FLAGGOR] WORKBOOK...")
    assert usages[("build",)].endswith("build [FLAGGOR] [INPUT] [OUTPUT]")
    assert usages[("economy",)].endswith("economy [FLAGGOR] [INPUT]")
    assert usages[("init",)].endswith("init [FLAGGOR] [DIR]")
    assert usages[("notify",)].endswith("notify [FLAGGOR] [INPUT]")
    for line in ("projektmodell new NAME [--id ID] [--dir DIR]",
                 "projektmodell check WORKBOOK... [--json]",
                 "projektmodell build [INPUT] [OUTPUT] [--jobs N] [--force] [--pdf] "
                 "[--templates DIR]",
                 "projektmodell economy [INPUT] [-o FILE]",
                 "projektmodell templates check [--templates DIR]",
                 "projektmodell init [DIR]", "`--config FILE`",
                 "projektmodell notify [INPUT] --from ADDRESS (--smtp HOST[:PORT] | "
                 "--dry-run DIR)", "[--user NAME --password-env VAR]"):
        assert line in readme
    options = "".join(run(*c, "--help")[1] for c in (["build"], ["new"], ["economy"],
                                                    ["notify"]))
    for option in ("--jobs N", "--templates DIR", "--id ID", "--dir DIR", "-o, --output FILE",
                   "--config FILE", "--smtp HOST[:PORT]", "--from ADDRESS",
                   "--user NAME", "--password-env VAR", "--dry-run DIR"):
        assert option in options


@pytest.mark.parametrize(("args", "message"), [
    (["check"], "Fel: Argument saknas: 'WORKBOOK...'."),
    (["bygg"], "Fel: Kommandot 'bygg' finns inte."),
    (["buld"], "Fel: Kommandot 'buld' finns inte. Menade du 'build'?"),
    (["build", "--jobs", "0"],
     "Fel: Ogiltigt värde för '--jobs': 0 ligger utanför intervallet x>=1."),
    (["build", "--jobs", "många"],
     "Fel: Ogiltigt värde för '--jobs': 'många' är inget giltigt tal."),
    (["build", "--jobs"], "Fel: Flaggan '--jobs' behöver ett värde."),
    (["check", "--färg", "a.xlsx"], "Fel: Flaggan '--färg' finns inte."),
    (["build", "in", "ut", "mer"], "Fel: Ett argument för mycket (mer)"),
    (["check", "pipeline"], "Fel: Ogiltigt värde för 'WORKBOOK...': Filen 'pipeline' är en "
                            "mapp."),
])
def test_usage_errors_are_swedish_and_exit_2(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code == 2
    lines = output.splitlines()
    assert lines[-1] == message
    if len(lines) > 1:  # with the usage line, when click has got as far as the command
        command = "projektmodell " + (f"{args[0]} " if args[0] in ("check", "build") else "")
        assert lines[0].startswith(f"Användning: {command}[FLAGGOR] ")
        assert lines[1] == f"Skriv '{command}--help' för att få hjälp."
    assert [word for word in ENGLISH if word in output] == []


def test_swedish_whatever_the_machines_locale() -> None:
    """cron runs with LANG=C; an English desktop asks for English: the words are Swedish."""
    env = {**os.environ, "LANG": "C", "LC_ALL": "C.UTF-8", "LANGUAGE": "en_GB"}
    process = subprocess.run([sys.executable, "-m", "pipeline", "check"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert process.returncode == 2
    assert process.stderr.splitlines() == [
        "Användning: python -m pipeline check [FLAGGOR] WORKBOOK...",
        "Skriv 'python -m pipeline check --help' för att få hjälp.", "",
        "Fel: Argument saknas: 'WORKBOOK...'."]


def test_the_language_is_set_only_while_a_command_runs() -> None:
    before = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    run("--help")
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == before


def messages(catalog: Catalog) -> dict[object, object]:
    """Each message's id and Swedish text (plural forms as tuples)."""
    def plain(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value
    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def test_the_compiled_catalog_is_the_po_file_compiled() -> None:
    compiled = read_mo(io.BytesIO(COMPILED.read_bytes()))
    assert messages(compiled) == messages(read_mo(io.BytesIO(compiled_catalog()))), (
        "compile it again: python -m pipeline.cli_language")
    with CATALOG.open("rb") as source:
        assert messages(compiled) == messages(read_po(source))


def test_the_catalog_translates_every_message_click_shows() -> None:
    """Every message click marks for gettext (as Babel extracts them from click's source)
    has a Swedish translation in the catalog."""
    from babel.messages.extract import extract_from_dir

    marked = {message if isinstance(message, str) else message[0]
              for _, _, message, _, _ in extract_from_dir(
                  os.path.dirname(click.__file__), method_map=[("**.py", "python")])}
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    translated = {m.id if isinstance(m.id, str) else m.id[0]
                  for m in catalog if m.id and m.string}
    assert marked - translated == set()
    translations = gettext.GNUTranslations(io.BytesIO(COMPILED.read_bytes()))
    assert translations.gettext("Usage:") == "Användning:"
