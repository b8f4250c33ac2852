"""The five documents: plan, context and rendering, as a library the batch calls.

    templates = load_templates(folder, settings)   # once per process and organisation
    produced = produce(project, report, templates, earlier)
    produced.files     # OutputFile(name, data): the .docx documents
    produced.findings  # templates naming unknown fields, renders that failed
    produced.kept      # documents not made now whose last good file stays

One bad document never stops the others: its problem becomes a finding. The documents
held back by the workbook's findings are the check's findings (documents.plan); `earlier`
(file name -> date of the file made before) lets the findings say which file stays.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import UndefinedError

from pipeline.catalogue import DOCUMENT_BLOCKED, TEMPLATE_INVALID, TEMPLATE_RENDER_FAILED
from pipeline.documents.context import (
    Context,
    build_context,
    document_properties,
    project_context,
)
from pipeline.documents.plan import PlannedDocument, blocked_finding, plan
from pipeline.documents.render import (
    CompilingEnvironment,
    PreparedTemplate,
    clean,
    prepare,
    render_document,
    strict_environment,
    unknown_fields,
)
from pipeline.errors import TemplateError
from pipeline.findings import Finding, Report
from pipeline.model import DOCUMENTS, DocKind
from pipeline.paths import TEMPLATES_DIR
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings


@dataclass(frozen=True)
class OutputFile:
    name: str
    """File name inside the project's output folder, stable between runs."""
    data: bytes


@dataclass(frozen=True)
class Template:
    kind: DocKind
    file_name: str
    prepared: PreparedTemplate | None
    """None for a missing or broken template."""
    problems: tuple[str, ...]
    """Swedish, one per unknown field or broken/missing template."""
    unknown: tuple[str, ...] = ()


@dataclass
class Templates:
    """The templates of one folder for one organisation (its logo in their headers), prepared
    in this process (each process loads its own)."""

    folder: Path
    by_kind: dict[DocKind, Template]
    env: CompilingEnvironment = field(default_factory=strict_environment)
    settings: Settings = DEFAULTS
    """The organisation the documents are made for: its name, wording, rate, checklists."""


@dataclass
class Produced:
    files: list[OutputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    planned: list[PlannedDocument] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """Names of documents not made now whose earlier file (in `earlier`) stays."""


def template_file_name(kind: DocKind) -> str:
    return f"{kind}.docx"


def load_templates(folder: Path | None = None, settings: Settings = DEFAULTS) -> Templates:
    """The templates of folder (None: the shipped ones), prepared and checked, for the
    organisation of settings (its logo in their headers), once per process.

    Raises TemplateError when the folder does not exist; a missing or broken template, or
    one naming a field its documents lack, only makes its documents fail (as findings).
    """
    folder = folder or TEMPLATES_DIR
    if not folder.is_dir():
        raise TemplateError(f"Mallmappen {folder} finns inte.")
    samples = sample_contexts()
    return Templates(folder, {d.kind: read_template(folder, d.kind, samples[d.kind], settings)
                              for d in DOCUMENTS}, settings=settings)


def read_template(folder: Path, kind: DocKind, sample: Context,
                  settings: Settings = DEFAULTS) -> Template:
    """The template of a kind, with the organisation's logo if it has one, prepared, with
    the fields it names that sample lacks."""
    name = template_file_name(kind)
    path = folder / name
    if not path.is_file():
        return Template(kind, name, None, (f"{name}: mallen saknas i {folder}.",))
    try:
        data = path.read_bytes()
        if settings.logo_bytes:
            data = with_logo(data, settings)
        prepared = prepare(data)
        unknown = tuple(unknown_fields(prepared.source, sample))
    except LogoError as exc:
        return Template(kind, name, None, (f"{name}: {exc}",))
    except JinjaTemplateError as exc:
        return Template(kind, name, None, (f"{name}: mallen har ett fel i en tagg: {exc}.",))
    except Exception as exc:  # a broken .docx is reported, not raised
        return Template(kind, name, None,
                        (f"{name}: mallen kan inte läsas som .docx: {exc}.",))
    problems = tuple(f"{name}: fältet '{f}' finns inte bland dokumentets värden."
                     for f in unknown)
    return Template(kind, name, prepared, problems, unknown)


class LogoError(Exception):
    """The organisation's logo cannot be put into a template that is itself readable."""


def with_logo(data: bytes, settings: Settings) -> bytes:
    """The template's bytes with the organisation's logo in its headers; raises LogoError
    when the template reads but the logo cannot be put in (an image python-docx cannot
    read), and what `prepare` raises for a template that does not read."""
    from pipeline.documents import logo

    try:
        return logo.with_logo(data, settings.logo_bytes)
    except Exception as exc:
        prepare(data)  # a template that does not read is reported as such
        raise LogoError(f"logotypen {settings.logo or ''} kan inte läggas in i mallens "
                        f"sidhuvud ({str(exc) or type(exc).__name__}).") from exc


def template_problems(folder: Path | None = None, settings: Settings = DEFAULTS) -> list[str]:
    """Every problem of every template at once (Swedish, with the template's name), as
    they are loaded for the organisation of settings."""
    templates = load_templates(folder, settings)
    return [p for t in templates.by_kind.values() for p in t.problems]


@cache
def sample_project() -> tuple[Project, tuple[Finding, ...]]:
    """The shipped example, in phase Avslut so that every kind of document is planned."""
    from pipeline.check import check_cells
    from pipeline.example import example_fill
    from pipeline.workbook.writer import raw_workbook

    fill = example_fill()
    fill["Projekt"]["aktuell_fas"] = "Avslut"
    projekt = fill["Projekt"]
    checked = check_cells(raw_workbook(projekt["projektnamn"], projekt["projekt_id"], fill),
                          "exempel.xlsx")
    assert checked.project is not None
    return checked.project, tuple(checked.report.findings)


def sample_contexts() -> dict[DocKind, Context]:
    project, findings = sample_project()
    contexts: dict[DocKind, Context] = {}
    for doc in plan(project, findings):
        contexts.setdefault(doc.kind, build_context(project, doc))
    return contexts


def produce(project: Project, report: Report, templates: Templates,
            amended: Mapping[str, str] | None = None, *,
            earlier: Mapping[str, date] | None = None,
            planned: list[PlannedDocument] | None = None) -> Produced:
    """Every document the project gets now, as .docx bytes, and what kept any from being
    made by its template; amended: document id -> the archived version it differs from
    (pipeline.archive); earlier: file name -> date of each document made before; planned:
    the check's plan (`Checked.planned`), else planned from the report."""
    earlier = earlier or {}
    if planned is None:
        planned = plan(project, report.findings, templates.settings)
    if amended:
        planned = [replace(doc, amended=amended.get(doc.id)) for doc in planned]
    produced = Produced(planned=planned)
    shared: Context | None = None
    for doc in produced.planned:
        if shared is None and not doc.blocked:
            # A failure here shows again, as a finding, when the document is rendered.
            with contextlib.suppress(Exception):
                shared = project_context(project, templates.settings)
        output, finding = produce_one(project, doc, templates, shared, earlier.get(doc.name))
        if output is not None:
            produced.files.append(output)
        elif doc.name in earlier:
            produced.kept.append(doc.name)
        if finding is not None:
            produced.findings.append(finding)
    return produced


def produce_one(project: Project, doc: PlannedDocument, templates: Templates,
                shared: Context | None = None, kept: date | None = None
                ) -> tuple[OutputFile | None, Finding | None]:
    """One document, or why its template could not make it (the plan's findings say why
    a blocked one is not made); shared: project_context, if at hand; kept: the date of its
    earlier file, which stays if it is not made now."""
    if doc.blocked:
        return None, None
    template = templates.by_kind[doc.kind]
    if template.prepared is None or template.unknown:
        return None, template_finding(doc, template, kept)
    try:
        context = clean(build_context(project, doc, templates.settings, shared))
        data = render_document(template.prepared, context, templates.env,
                               document_properties(context))
    except UndefinedError as exc:
        return None, render_finding(doc, template, f"ett okänt fält ({exc.message})", kept)
    except Exception as exc:  # one bad document never stops the others
        return None, render_finding(doc, template, f"ett fel: {exc}", kept)
    return OutputFile(doc.name, data), None


def kept_text(doc: PlannedDocument, kept: date | None) -> str:
    return "" if kept is None else f" {doc.name} från {kept.isoformat()} ligger kvar."


def template_finding(doc: PlannedDocument, template: Template, kept: date | None = None
                     ) -> Finding:
    return TEMPLATE_INVALID(document=doc.label, problems=" ".join(template.problems),
                            kept=kept_text(doc, kept), value=template.file_name,
                            blocks=(doc.id,), stops=(doc.label,))


def render_finding(doc: PlannedDocument, template: Template, what: str,
                   kept: date | None = None) -> Finding:
    return TEMPLATE_RENDER_FAILED(document=doc.label, template=template.file_name, what=what,
                                  kept=kept_text(doc, kept), value=template.file_name,
                                  blocks=(doc.id,), stops=(doc.label,))


def with_kept_dates(findings: list[Finding], planned: list[PlannedDocument],
                    earlier: Mapping[str, date], unknown_phase: bool = False
                    ) -> list[Finding]:
    """The findings, each held-back document's saying which earlier file stays and its
    date (`Projektdirektiv.docx är från 2026-11-30 och görs inte om; rätta ...`)."""
    dated = {doc.id: blocked_finding(doc, unknown_phase, earlier[doc.name])
             for doc in planned if doc.blocked and doc.name in earlier}
    if not dated:
        return findings
    return [dated.get(f.blocks[0], f) if f.code == DOCUMENT_BLOCKED.code and f.blocks else f
            for f in findings]


__all__ = ["TEMPLATES_DIR", "OutputFile", "PlannedDocument", "Produced", "Templates",
           "load_templates", "plan", "produce", "template_file_name", "template_problems",
           "with_kept_dates"]
