"""The command line: parses arguments, calls the library, maps results to exit codes.

Exit codes: 0 all good, 1 findings with errors, 2 usage or configuration error; each
command's help lists those it uses. Everything it shows is Swedish: click's own words
("Användning:", "Flaggor", "Fel: Argument saknas ...") through the catalog in
pipeline/locale (pipeline/cli_language.py). Arguments are named as in the README:
NAME, WORKBOOK..., INPUT, OUTPUT; options take ID, DIR, N, FILE.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import __version__
from pipeline.cli_language import swedish_messages, swedish_path

if TYPE_CHECKING:
    from pipeline.settings import Settings

# Each command imports what it needs when it runs: the libraries behind reading, writing
# and rendering take about 0.4 s to import, which a build with nothing to do never needs.

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

Command = TypeVar("Command", bound=Callable[..., Any])


def config_option(command: Command) -> Command:
    """`--config FILE`: the organisation's settings (projektmodell.toml, CONFIG.md), passed
    to the command as `config` (None when not given)."""
    return click.option(
        "--config", "config", type=swedish_path(dir_okay=False, path_type=Path), metavar="FILE",
        help="Organisationens inställningsfil (standard: projektmodell.toml i mappen, annars "
             "Härnösands standardinställningar).")(command)


def settings_or_exit(config: Path | None, folder: Path | None) -> Settings:
    """The settings by CONFIG.md's lookup order (--config, else projektmodell.toml in
    folder, else the defaults); a broken file is its message and exit code 2."""
    from pipeline.errors import SettingsError
    from pipeline.settings import load_settings

    try:
        return load_settings(config, folder)
    except SettingsError as exc:
        click.echo(f"Fel: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def today_option(command: Command) -> Command:
    """--today ÅÅÅÅ-MM-DD: the day the time-based findings are checked against (a night
    replayed, a test made exact); passed on as a `date`, None for the real today."""
    return click.option(
        "--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="ÅÅÅÅ-MM-DD",
        callback=lambda _ctx, _param, value: value.date() if value else None,
        help="Dagens datum för tidskontrollerna (standard: i dag).")(command)


def create(path: Path, write: Callable[[], object]) -> None:
    """Make the new file `path` by `write`, which never overwrites: an existing file, or
    one that cannot be written, is its message and exit code 2."""
    try:
        write()
    except FileExistsError:
        click.echo(f"Fel: {path} finns redan; den skrivs inte över.", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        click.echo(f"Fel: kan inte skriva {path}: {exc.strerror}.", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"Skapade {path}")


def exit_codes(*lines: str) -> str:
    """A command's epilog: the exit codes it uses, one per line (`\\b` keeps the lines)."""
    return "\b\nSlutkoder:\n" + "\n".join(f"  {line}" for line in lines)


class SwedishCommand(click.Command):
    """A command whose usage line says [FLAGGOR]."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        super().__init__(*args, **kwargs)


class SwedishGroup(click.Group):
    """The command group: Swedish usage words, and click's messages in Swedish while a
    command runs."""

    command_class = SwedishCommand
    group_class = type  # its groups are SwedishGroups too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[FLAGGOR]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with swedish_messages():
            return super().main(*args, **kwargs)


@click.group(cls=SwedishGroup,
             help="Projektmodellen: arbetsböcker, kontroller och dokument för projektkontoret. "
                  "Skriv 'projektmodell KOMMANDO --help' för hjälp om ett kommando.",
             epilog=exit_codes("0  allt gick bra", "1  någon arbetsbok har fel",
                               "2  fel i anropet eller inställningarna"))
@click.version_option(__version__, prog_name="projektmodell",
                      message="%(prog)s, version %(version)s",
                      help="Visa versionen och avsluta.")
def main() -> None:
    pass


@main.command(short_help="Skapa en ny, tom arbetsbok.",
              help="Skapa en ny, tom projektarbetsbok med namnet NAME (t.ex. "
                   "\"Föräldrastöd\"). Skriver aldrig över en befintlig fil.",
              epilog=exit_codes("0  arbetsboken skapades",
                                "2  filen finns redan eller kan inte skrivas, eller fel i "
                                "anropet"))
@click.argument("namn", metavar="NAME")
@click.option("--id", "project_id", metavar="ID", help="Projekt-ID, t.ex. KS-2024-03.")
@click.option("--dir", "folder", type=swedish_path(file_okay=False, path_type=Path),
              metavar="DIR", default=Path("input"), show_default=True,
              help="Mapp där arbetsboken skrivs.")
@config_option
def new(namn: str, project_id: str | None, folder: Path, config: Path | None) -> None:
    from pipeline.batch.names import safe_name
    from pipeline.workbook.writer import project_name_typed, write_new

    settings = settings_or_exit(config, folder)
    namn = project_name_typed(namn)
    path = folder / f"{safe_name(namn)}.xlsx"
    create(path, lambda: write_new(path, namn, project_id, settings=settings))


@main.command(short_help="Kontrollera arbetsböcker och visa vad som saknas.",
              help="Kontrollera arbetsböckerna WORKBOOK... mot modellen och visa vad som "
                   "saknas: fel och varningar med blad och cell, och vilka dokument som inte "
                   "kan skapas och varför.",
              epilog=exit_codes("0  inga fel (varningar kan finnas)",
                                "1  någon arbetsbok har fel eller kan inte läsas",
                                "2  fel i anropet"))
@click.argument("workbooks", metavar="WORKBOOK...", nargs=-1, required=True,
                type=swedish_path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@today_option
@config_option
@click.option("--output", "output_folder", type=swedish_path(file_okay=False, path_type=Path),
              metavar="DIR",
              help="Utdatamappen där projektens arkiv (Arkiv/) finns, för att se vad som "
                   "ändrats efter fastställandet (standard: output/ om den finns).")
def check(workbooks: tuple[Path, ...], as_json: bool, today: date | None, config: Path | None,
          output_folder: Path | None) -> None:
    from pipeline.archive import compare_with_archive
    from pipeline.check import check_files, is_lock_file
    from pipeline.report_text import format_report
    from pipeline.wording import counted, findings_count

    settings = settings_or_exit(config, workbooks[0].parent)
    paths = [p for p in workbooks if not is_lock_file(p)]
    archives = output_folder or (Path("output") if Path("output").is_dir() else None)
    reports = []
    for path, checked in zip(paths, check_files(paths, settings, today=today), strict=True):
        if archives is not None:
            compare_with_archive(checked, path.name, archives)
        reports.append(checked.report)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        for report in reports:
            click.echo(format_report(report))
            click.echo()
        errors = sum(len(r.errors) for r in reports)
        warnings = sum(len(r.warnings) for r in reports)
        books = counted(len(reports), "arbetsbok kontrollerad", "arbetsböcker kontrollerade")
        click.echo(f"{books}: {findings_count(errors, warnings)}.")
    sys.exit(EXIT_FINDINGS if any(not r.ok for r in reports) else EXIT_OK)


@main.command(short_help="Skriv ekonomernas arbetsbok (ekonomi.xlsx).",
              help="Skriv ekonomernas arbetsbok (ekonomi.xlsx) från alla arbetsböcker i "
                   "mappen INPUT (standard: input/).",
              epilog=exit_codes("0  skriven, inga arbetsböcker med fel",
                                "1  skriven, men någon arbetsbok har fel (den är med, "
                                "markerad)",
                                "2  mappen finns inte, filen kan inte skrivas, eller fel i "
                                "anropet"))
@click.argument("input_folder", metavar="[INPUT]", required=False, default="input",
                type=swedish_path(path_type=Path))
@click.option("-o", "--output", "output_file", type=swedish_path(dir_okay=False, path_type=Path),
              metavar="FILE", default=Path("ekonomi.xlsx"), show_default=True,
              help="Filen som skrivs.")
@config_option
def economy(input_folder: Path, output_file: Path, config: Path | None) -> None:
    from pipeline.economy import write_economy

    if not input_folder.is_dir():
        click.echo(f"Fel: mappen {input_folder} finns inte.", err=True)
        sys.exit(EXIT_USAGE)
    settings = settings_or_exit(config, input_folder)
    try:
        code = write_economy(input_folder, output_file, settings)
    except OSError as exc:
        click.echo(f"Fel: kan inte skriva {output_file}: {exc.strerror}.", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"Skrev {output_file}." + (" Några arbetsböcker har fel; de är markerade."
                                          if code else ""))
    sys.exit(code)


@main.group(help="Dokumentmallarna (.docx) som dokumenten skapas från.")
def templates() -> None:
    pass


@templates.command("check", help="Visa alla fält som mallarna använder men som dokumenten "
                                 "inte har.",
                   epilog=exit_codes("0  mallarna har inga problem",
                                     "1  någon mall har problem",
                                     "2  mallmappen finns inte, eller fel i anropet"))
@click.option("--templates", "folder", type=swedish_path(path_type=Path), metavar="DIR",
              help="Mapp med egna mallar (standard: de medföljande).")
@config_option
def templates_check(folder: Path | None, config: Path | None) -> None:
    from pipeline.documents import template_problems
    from pipeline.errors import TemplateError

    settings = settings_or_exit(config, None)
    try:
        problems = template_problems(folder, settings)
    except TemplateError as exc:
        click.echo(f"Fel: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} problem i mallarna.")
        sys.exit(EXIT_FINDINGS)
    click.echo("Mallarna har inga problem.")
    sys.exit(EXIT_OK)


@main.command(short_help="Bygg dokumenten, ekonomi.xlsx och index.html.",
              help="Bygg dokumenten för alla arbetsböcker i mappen INPUT till mappen OUTPUT "
                   "(standard: input/ och output/). Bara det som ändrats byggs om. Ett "
                   "dokument som inte kan skapas på grund av ett fel behåller sin senaste "
                   "version.",
              epilog=exit_codes("0  allt gick bra",
                                "1  någon arbetsbok har fel, kunde inte läsas eller byggas,",
                                "   eller PDF:erna misslyckades; allt annat är byggt",
                                "2  inget byggdes: fel i anropet eller inställningarna,",
                                "   eller en annan körning pågår"))
@click.argument("input_folder", metavar="[INPUT]", default=Path("input"),
                type=swedish_path(path_type=Path))
@click.argument("output_folder", metavar="[OUTPUT]", default=Path("output"),
                type=swedish_path(path_type=Path))
@click.option("--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Antal parallella processer (standard: antal processorkärnor).")
@click.option("--force", is_flag=True, help="Bygg om alla projekt, även oförändrade.")
@click.option("--pdf", is_flag=True, help="Skapa även PDF:er med LibreOffice.")
@click.option("--templates", "templates_folder", type=swedish_path(path_type=Path),
              metavar="DIR", help="Mapp med egna mallar (standard: de medföljande).")
@today_option
@config_option
def build(input_folder: Path, output_folder: Path, jobs: int | None, force: bool, pdf: bool,
          templates_folder: Path | None, today: date | None, config: Path | None) -> None:
    from pipeline.batch import BuildOptions
    from pipeline.batch.console import run_build

    sys.exit(run_build(BuildOptions(input_folder, output_folder, jobs, force, pdf,
                                    templates_folder, config=config, today=today)))


@main.command(short_help="Skicka ett e-postmeddelande till varje projektledare.",
              help="Skicka ett e-postmeddelande till varje projektledare om allt som är "
                   "försenat, att göra före nästa beslutspunkt eller fel i arbetsböckerna i "
                   "mappen INPUT (standard: input/), med blad och cell. Samma dags "
                   "meddelande skickas aldrig två gånger till samma person.",
              epilog=exit_codes("0  alla meddelanden skickades (eller skrevs)",
                                "1  något meddelande misslyckades",
                                "2  inget skickades: fel i anropet eller inställningarna"))
@click.argument("input_folder", metavar="[INPUT]", default=Path("input"),
                type=swedish_path(path_type=Path))
@click.option("--smtp", "server", metavar="HOST[:PORT]",
              help="E-postservern (standardport 25). Behövs inte med --dry-run.")
@click.option("--from", "sender", required=True, metavar="ADDRESS", help="Avsändaradressen.")
@click.option("--starttls", is_flag=True, help="Kryptera förbindelsen med STARTTLS.")
@click.option("--user", metavar="NAME", help="Användarnamn för inloggning på e-postservern.")
@click.option("--password-env", metavar="VAR",
              help="Miljövariabeln som håller lösenordet till --user.")
@click.option("--dry-run", type=swedish_path(path_type=Path), metavar="DIR",
              help="Skriv meddelandena som .eml-filer i DIR i stället för att skicka dem.")
@today_option
@config_option
@click.option("--link-base", metavar="URL",
              help="Utdatamappens adress på webben: meddelandena länkar då till "
                   "projektsidorna (URL/<projektmapp>/projekt.html).")
@click.option("--force", is_flag=True,
              help="Skicka även till den som redan fått dagens meddelande.")
def notify(input_folder: Path, server: str | None, sender: str, starttls: bool,
           user: str | None, password_env: str | None, dry_run: Path | None,
           today: date | None, config: Path | None, link_base: str | None, force: bool
           ) -> None:
    from pipeline.notify import NotifyOptions, run_notify

    settings = settings_or_exit(config, input_folder)
    sys.exit(run_notify(NotifyOptions(input_folder, sender, server, starttls, user,
                                      password_env, dry_run, today, link_base, force),
                        settings))


@main.command(short_help="Skriv en kommenterad projektmodell.toml.",
              help="Skriv en kommenterad projektmodell.toml med standardinställningarna i "
                   "mappen DIR (standard: den aktuella mappen). Skriver aldrig över en "
                   "befintlig fil.",
              epilog=exit_codes("0  filen skrevs",
                                "2  filen finns redan eller kan inte skrivas, eller fel i "
                                "anropet"))
@click.argument("folder", metavar="[DIR]", required=False, default=Path("."),
                type=swedish_path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    from pipeline.settings import SETTINGS_FILE, write_default_file

    create(folder / SETTINGS_FILE, lambda: write_default_file(folder))
