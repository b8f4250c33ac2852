"""The five documents: plan, context and rendering, as a library the batch calls.

    templates = load_templates()             # once per process
    produced = produce(project, report, templates)
    produced.files     # OutputFile(name, data): the .docx documents
    produced.findings  # documents blocked, templates naming unknown fields...

One bad document never stops the others: its problem becomes a finding.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import UndefinedError

from pipeline import private_cache
from pipeline.documents.context import MUNICIPALITY, Context, build_context, project_context
from pipeline.documents.fast import (
    CompiledTemplate,
    Prepared,
    compiled_template,
    prepared_template,
    remember,
)
from pipeline.documents.plan import PlannedDocument, plan
from pipeline.documents.render import (
    CachingEnvironment,
    clean,
    render_clean_docx,
    strict_environment,
    template_source,
    unknown_fields,
)
from pipeline.errors import TemplateError
from pipeline.findings import Finding, Report, error, warning
from pipeline.model import DOCUMENTS, DocKind
from pipeline.paths import TEMPLATES_DIR
from pipeline.project import Project


@dataclass(frozen=True)
class OutputFile:
    name: str
    """File name inside the project's output folder, stable between runs."""
    data: bytes


@dataclass(frozen=True)
class Template:
    kind: DocKind
    file_name: str
    data: bytes | None
    problems: tuple[str, ...]
    """Swedish, one per unknown field or broken/missing template."""
    unknown: tuple[str, ...] = ()


@dataclass
class Templates:
    folder: Path
    by_kind: dict[DocKind, Template]
    env: CachingEnvironment = field(default_factory=strict_environment)
    municipality: str = MUNICIPALITY


@dataclass
class Produced:
    files: list[OutputFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    planned: list[PlannedDocument] = field(default_factory=list)


def template_file_name(kind: DocKind) -> str:
    return f"{kind}.docx"


def load_templates(folder: Path | None = None) -> Templates:
    """The templates of folder (None: the shipped ones), read, checked and prepared for
    rendering (`fast.compiled_template`) once.

    What checking and preparing a template gave is kept in the private cache
    (pipeline.private_cache) and taken from there for the same bytes and code, so that a later
    run neither prepares them again nor makes the sample contexts.

    Raises TemplateError when the folder does not exist; a missing or broken template
    only makes its documents fail (as findings).
    """
    folder = folder or TEMPLATES_DIR
    if not folder.is_dir():
        raise TemplateError(f"Mallmappen {folder} finns inte.")
    env = strict_environment()
    samples: dict[DocKind, Context] = {}

    def sample(kind: DocKind) -> Context:
        if not samples:
            samples.update(sample_contexts())
        return samples[kind]

    by_kind = {d.kind: cached_template(folder, d.kind, sample, env) for d in DOCUMENTS}
    return Templates(folder, by_kind, env)


def cached_template(folder: Path, kind: DocKind, sample: Callable[[DocKind], Context],
                    env: CachingEnvironment) -> Template:
    """`read_template`, from the cache when these bytes were read by this code before."""
    path = folder / template_file_name(kind)
    if not path.is_file():
        return read_template(folder, kind, {}, env)
    data = path.read_bytes()
    key = private_cache.entry_key(b"template", kind.encode(), data)
    place = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    slot = f"template-{kind}-{place}"  # each folder's templates keep their own entries
    template = restored_template(kind, data, private_cache.load(slot, key), env)
    if template is None:
        template = checked_template(kind, data, sample(kind), env)
        with contextlib.suppress(ValueError):  # what marshal cannot write is not kept
            private_cache.store(slot, key, marshal.dumps(template_entry(template, env)))
    return template


TemplateEntry = tuple[bool, tuple[str, ...], tuple[str, ...], Prepared | None]
"""A template as cached: whether it can be rendered, its problems, its unknown fields,
and its prepared form (None where preparing it failed)."""


def template_entry(template: Template, env: CachingEnvironment) -> TemplateEntry:
    prepared = prepared_template(template.data, env) if template.data is not None else None
    return (template.data is not None, template.problems, template.unknown,
            None if prepared is None else prepared.prepared())


def restored_template(kind: DocKind, data: bytes, payload: bytes | None,
                      env: CachingEnvironment) -> Template | None:
    """The template as its cache entry holds it, its prepared form made ready to render
    in env; None without an entry or when it cannot be used."""
    if payload is None:
        return None
    try:
        usable, problems, unknown, prepared = marshal.loads(payload)
        if prepared is not None:
            remember(CompiledTemplate(data, env, prepared))
        return Template(kind, template_file_name(kind), data if usable else None,
                        tuple(problems), tuple(unknown))
    except Exception:  # an entry this code cannot use: prepare the template again
        return None


def read_template(folder: Path, kind: DocKind, sample: Context,
                  env: CachingEnvironment | None = None) -> Template:
    """The template of a kind, checked; with env, also prepared for rendering in env
    (`fast.compiled_template`), which for most templates gives the check's fields."""
    name = template_file_name(kind)
    path = folder / name
    if not path.is_file():
        return Template(kind, name, None, (f"{name}: mallen saknas i {folder}.",))
    return checked_template(kind, path.read_bytes(), sample, env)


def checked_template(kind: DocKind, data: bytes, sample: Context,
                     env: CachingEnvironment | None = None) -> Template:
    """`read_template` of the template's bytes."""
    name = template_file_name(kind)
    fields = None
    if env is not None:
        # A template that cannot be prepared is checked below, and fails there or when
        # one of its documents is rendered, as it always did.
        with contextlib.suppress(Exception):
            fields = compiled_template(data, env).checked_fields(sample)
    if fields is None:
        try:
            source = template_source(data)
            CachingEnvironment(autoescape=True).parse(source)
        except JinjaTemplateError as exc:
            return Template(kind, name, None,
                            (f"{name}: mallen har ett fel i en tagg: {exc}.",))
        except Exception as exc:  # a broken .docx is reported, not raised
            return Template(kind, name, None,
                            (f"{name}: mallen kan inte läsas som .docx: {exc}.",))
        fields = unknown_fields(source, sample)
    unknown = tuple(fields)
    problems = tuple(f"{name}: fältet '{f}' finns inte bland dokumentets värden."
                     for f in unknown)
    return Template(kind, name, data, problems, unknown)


def template_problems(folder: Path | None = None) -> list[str]:
    """Every problem of every template at once (Swedish, with the template's name)."""
    templates = load_templates(folder)
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


def produce(project: Project, report: Report, templates: Templates) -> Produced:
    """Every document the project gets now, as .docx bytes, and what kept any from it."""
    produced = Produced(planned=plan(project, report.findings))
    shared: Context | None = None
    cleaned: Context | None = None
    for doc in produced.planned:
        if shared is None and not doc.blocked:
            # A failure here shows again, as a finding, when the document is rendered.
            with contextlib.suppress(Exception):
                shared = project_context(project, templates.municipality)
                cleaned = clean(shared)
        output, finding = produce_one(project, doc, templates, shared, cleaned)
        if output is not None:
            produced.files.append(output)
        if finding is not None:
            produced.findings.append(finding)
    return produced


def produce_one(project: Project, doc: PlannedDocument, templates: Templates,
                shared: Context | None = None, cleaned: Context | None = None
                ) -> tuple[OutputFile | None, Finding | None]:
    """One document; shared: project_context, cleaned: `clean(shared)`, if at hand."""
    if doc.blocked:
        return None, blocked_finding(doc)
    template = templates.by_kind[doc.kind]
    if template.data is None or template.unknown:
        return None, template_finding(doc, template)
    try:
        context = build_context(project, doc, templates.municipality, shared)
        if not compiled_template(template.data, templates.env).reads_only:
            cleaned = None  # each document gets its own copy, as a template may change it
        data = render_clean_docx(template.data, clean_context(context, shared, cleaned),
                                 templates.env)
    except UndefinedError as exc:
        return None, render_finding(doc, template, f"ett okänt fält ({exc.message})")
    except Exception as exc:  # one bad document never stops the others
        return None, render_finding(doc, template, f"ett fel: {exc}")
    return OutputFile(doc.name, data), None


def clean_context(context: Context, shared: Context | None, cleaned: Context | None
                  ) -> Context:
    """`clean(context)`, reusing the cleaned values the context shares with `shared`."""
    if shared is None or cleaned is None:
        return clean(context)
    return {key: cleaned[key] if key in shared and value is shared[key] else clean(value)
            for key, value in context.items()}


def blocked_finding(doc: PlannedDocument) -> Finding:
    where = ", ".join(dict.fromkeys(f.location or f.code for f in doc.blocked_by))
    return warning("document-blocked",
                   f"{doc.name} skapades inte: rätta först felen i {where}.",
                   blocks=(doc.id,))


def template_finding(doc: PlannedDocument, template: Template) -> Finding:
    return error("template-invalid",
                 f"{doc.name} skapades inte: " + " ".join(template.problems),
                 value=template.file_name, blocks=(doc.id,))


def render_finding(doc: PlannedDocument, template: Template, what: str) -> Finding:
    return error("template-render-failed",
                 f"{doc.name} skapades inte: mallen {template.file_name} gav {what}.",
                 value=template.file_name, blocks=(doc.id,))


__all__ = ["TEMPLATES_DIR", "OutputFile", "PlannedDocument", "Produced", "Templates",
           "load_templates", "plan", "produce", "template_problems"]
