"""What a person sees of a build: a progress bar at a terminal, one line per project in a
log, a summary, and the exit code (0 all good, 1 findings with errors or failed
workbooks, 2 usage or configuration error, or another build holds the lock)."""

from __future__ import annotations

import sys

import click

from pipeline.batch.build import BuildOptions, BuildResult, ProjectResult, Status, build
from pipeline.batch.state import RUN_REPORT, STATE_FOLDER
from pipeline.errors import OutputLocked, UsageError
from pipeline.paths import discover
from pipeline.wording import counted, findings_count

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def project_line(project: ProjectResult) -> str:
    counts = f", {findings_count(project.errors, project.warnings)}"
    where = f" -> {project.folder}" if project.folder else ""
    why = f": {project.reason}" if project.reason and project.status is not Status.BUILT else ""
    return f"{project.workbook}: {project.status}{where}{counts}{why}"


def summary_line(result: BuildResult) -> str:
    line = (f"{counted(len(result.projects), 'arbetsbok', 'arbetsböcker')}: "
            f"{counted(result.count(Status.BUILT), 'byggd', 'byggda')}, "
            f"{counted(result.count(Status.UNCHANGED), 'oförändrad', 'oförändrade')}, "
            f"{result.with_errors} med fel, "
            f"{counted(result.count(Status.FAILED), 'misslyckad', 'misslyckade')}")
    if result.count(Status.NOT_BUILT):
        line += f", {result.count(Status.NOT_BUILT)} ej byggda (dubbletter)"
    if result.removed:
        files = counted(len(result.removed), "inaktuell fil borttagen",
                        "inaktuella filer borttagna")
        line += f"; {files}"
    return line + "."


def build_with_progress(options: BuildOptions) -> BuildResult:
    """A progress bar on stderr for a person at a terminal; one line per project otherwise."""
    if not sys.stderr.isatty():
        return build(options, lambda project: click.echo(project_line(project)))
    total = len(discover(options.input)) if options.input.is_dir() else 0
    with click.progressbar(length=total, label="Bygger", file=sys.stderr,
                           show_pos=True) as bar:
        return build(options, lambda _project: bar.update(1))


def run_build(options: BuildOptions) -> int:
    """Run the build for the CLI; returns the exit code."""
    try:
        result = build_with_progress(options)
    except (UsageError, OutputLocked) as exc:
        click.echo(f"Fel: {exc}", err=True)
        return EXIT_USAGE
    if sys.stderr.isatty():
        for project in result.projects:
            if project.status is Status.FAILED or project.has_errors:
                click.echo(project_line(project), err=True)
    for problem in result.problems:
        click.echo(f"Obs: {problem}", err=True)
    for note in result.notes:
        click.echo(f"Obs: {note}", err=True)
    click.echo(summary_line(result))
    click.echo(f"Körrapport: {options.output / STATE_FOLDER / RUN_REPORT}")
    return EXIT_FINDINGS if result.exit_code else EXIT_OK
