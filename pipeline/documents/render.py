"""One render path for the .docx templates, through docxtpl's own methods.

A template is prepared once per process (`prepare`): docxtpl opens it and gives the
patched Jinja source of its body, headers, footers and footnotes, and every member of the
zip is read once. A document (`render_document`) is then what `DocxTemplate.render` does,
step by step with its methods: `render_xml_part` of each part, `fix_tables` and
`fix_docpr_ids` on the document (prepared whole, so no `map_tree` is needed); the .docx
is written with zipfile, the rendered parts and every other member as the template has it.
Every document's core properties are its own (`core_properties_xml`).

Autoescaping is on and the undefined strict: a value with `&`, `<`, quotes, emoji or line
breaks appears as written (docxtpl turns line breaks and tabs into Word's), and a template
naming a field the context lacks fails. The control characters XML cannot hold (pasted
from other programs) are removed from the values first (`clean`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, StrictUndefined, Template, Undefined
from jinja2 import meta as jinja_meta

if TYPE_CHECKING:
    from docx.opc.part import Part
    from docxtpl import DocxTemplate

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
COMPRESS_LEVEL = 3
"""zlib level of every member, each compressed again per document (zipfile cannot copy a
member's compressed bytes). Measured on the shipped templates: levels 1 to 3 take the
same 1.9 ms per document (53 kB at 3, 60 kB at 1), level 6 twice that (42 kB)."""
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CORE_PROPERTIES = "application/vnd.openxmlformats-package.core-properties+xml"
RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
"""The core properties docxtpl's `render_properties` renders."""
DOCUMENT_PROPERTIES = ("title", "subject", "author", "keywords", "language")
"""The core properties every document is given (`core_properties_xml`)."""
HELD_PROPERTIES = (*RENDERED_PROPERTIES, "keywords")
"""The core properties each document starts from as the template holds them."""
JINJA_MARKS = ("{{", "{%", "{#")


def clean(value: Any) -> Any:
    """The value with every string's line ends made "\\n" and the control characters XML
    cannot hold removed, at any depth. Every dict and list (a tuple too) is a new one, so
    a template that changes its context changes a copy."""
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


class CompilingEnvironment(Environment):
    """An environment that compiles each distinct source once: docxtpl calls `from_string`
    with the same source of a part on every render."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.compiled = functools.lru_cache(maxsize=64)(super().from_string)

    def from_string(self, source: Any, globals: Any = None,
                    template_class: Any = None) -> Template:
        if isinstance(source, str) and globals is None and template_class is None:
            return self.compiled(source)
        return super().from_string(source, globals, template_class)


def strict_environment() -> CompilingEnvironment:
    """The documents' environment: autoescaping on, a field the context lacks an error."""
    return CompilingEnvironment(autoescape=True, undefined=StrictUndefined)


@functools.cache
def properties_environment() -> CompilingEnvironment:
    """The core properties' environment: they are plain text, which python-docx escapes."""
    return CompilingEnvironment(undefined=StrictUndefined)


@dataclass(frozen=True)
class JinjaPart:
    """A part rendered per document, and the zip member it is written to."""

    member: str
    part: Part
    source: str
    """docxtpl's patched XML of the part: its Jinja source."""
    encoding: str


@dataclass(frozen=True)
class PreparedTemplate:
    """A .docx template prepared once: `render_document` gives its documents."""

    docx: DocxTemplate
    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    """Every member of the template, in order, with its bytes."""
    body: JinjaPart
    parts: tuple[JinjaPart, ...]
    """The headers, footers and footnotes."""
    core: Part | None
    """The core properties (docProps/core.xml), if the template has them."""
    properties: tuple[tuple[str, str], ...]
    """`HELD_PROPERTIES` as the template holds them."""
    templated: frozenset[str]
    """The names of those docxtpl renders that hold Jinja."""

    @property
    def source(self) -> str:
        """The Jinja source of every part, for the field check (`unknown_fields`)."""
        return "\n".join(part.source for part in (self.body, *self.parts))


def prepare(data: bytes) -> PreparedTemplate:
    """The template's bytes prepared for `render_document` (raises for what is not a
    .docx)."""
    from docxtpl import DocxTemplate  # imported when a template is prepared, not before

    template = DocxTemplate(io.BytesIO(data))
    template.render_init()
    document = template.docx.part
    # The whole w:document, not only its body as `get_xml` gives: rendered and fixed as
    # docxtpl does the body, it is then the part as it is written, with no `map_tree`
    # (which moves every node of the rendered body into the template's document).
    whole = template.xml_to_string(template.docx.element)
    body = JinjaPart(member_name(document), document, template.patch_xml(whole), "utf-8")
    parts = []
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            xml = template.get_part_xml(part)
            parts.append(JinjaPart(member_name(part), part, template.patch_xml(xml),
                                   template.get_headers_footers_encoding(xml)))
    package = list(document.package.iter_parts())
    for part in package:
        if part.content_type == FOOTNOTES:  # as docxtpl's `render_footnotes` reads them
            parts.append(JinjaPart(member_name(part), part,
                                   template.patch_xml(part.blob.decode("utf-8")), "utf-8"))
    core = next((part for part in package if part.content_type == CORE_PROPERTIES), None)
    properties: tuple[tuple[str, str], ...] = ()
    if core is not None:
        held = template.docx.core_properties
        properties = tuple((name, getattr(held, name)) for name in HELD_PROPERTIES)
    templated = frozenset(name for name, value in properties if name in RENDERED_PROPERTIES
                          and any(mark in value for mark in JINJA_MARKS))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = tuple((info, archive.read(info)) for info in archive.infolist())
    return PreparedTemplate(template, members, body, tuple(parts), core, properties, templated)


def member_name(part: Part) -> str:
    return part.partname.lstrip("/")


def render_document(prepared: PreparedTemplate, context: dict[str, Any], env: Environment,
                    properties: Mapping[str, str] | None = None) -> bytes:
    """The document of a context (cleaned first, `clean`), as .docx bytes; properties:
    its core properties (`core_properties_xml`).

    Not thread-safe: the prepared template's docxtpl object holds each render's body.
    """
    rendered = {prepared.body.member: body_xml(prepared, context, env)}
    for part in prepared.parts:
        xml = prepared.docx.render_xml_part(part.source, part.part, context, env)
        rendered[part.member] = xml.encode(part.encoding)  # as build_headers_footers_xml
    core = core_properties_xml(prepared, context, properties or {})
    if prepared.core is not None and core is not None:
        rendered[member_name(prepared.core)] = core
    return written_docx(prepared.members, rendered)


def body_xml(prepared: PreparedTemplate, context: dict[str, Any], env: Environment) -> bytes:
    """word/document.xml rendered as `DocxTemplate.render` renders its body."""
    from lxml import etree

    template = prepared.docx
    template.render_init()  # its drawings are numbered from the start again
    xml = template.render_xml_part(prepared.body.source, prepared.body.part, context, env)
    tree = template.fix_tables(xml)
    template.fix_docpr_ids(tree)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def core_properties_xml(prepared: PreparedTemplate, context: dict[str, Any],
                        properties: Mapping[str, str]) -> bytes | None:
    """docProps/core.xml of one document (None: the template has none, and the document
    neither): the document's properties (title, subject, author, keywords, language,
    `DOCUMENT_PROPERTIES`), except where the template's hold Jinja: those are rendered by
    docxtpl's `render_properties`, each from the template's text, and the others the
    template holds stay as they are.
    """
    if prepared.core is None:
        return None
    held = prepared.docx.docx.core_properties
    for name, value in prepared.properties:
        setattr(held, name, value)
    if prepared.templated:
        prepared.docx.render_properties(context, properties_environment())
    for name in DOCUMENT_PROPERTIES:
        if name in properties and name not in prepared.templated:
            setattr(held, name, properties[name])
    return prepared.core.blob


def written_docx(members: tuple[tuple[zipfile.ZipInfo, bytes], ...],
                 rendered: dict[str, bytes]) -> bytes:
    """The .docx of the template's members, in their order, the rendered ones replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, data in members:
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.external_attr = info.external_attr
            archive.writestr(entry, rendered.get(info.filename, data), zipfile.ZIP_DEFLATED,
                             COMPRESS_LEVEL)
    return out.getvalue()


def unknown_fields(source: str, context: dict[str, Any]) -> list[str]:
    """Fields the template names that the context lacks, as `name` or `parent.name`.

    Top-level names are found by parsing (every branch); attributes by rendering with a
    recording undefined, so an attribute in a branch the sample does not take is missed.
    Raises jinja2.TemplateSyntaxError for a source that does not parse.
    """
    names = jinja_meta.find_undeclared_variables(Environment(autoescape=True).parse(source))
    missing = sorted(names - context.keys())
    return missing + [f for f in recorded_fields(source, context) if f not in missing]


def recorded_fields(source: str, context: dict[str, Any]) -> list[str]:
    """The fields the context lacks, in the order a render of the source meets them."""
    paths = paths_by_id(context)
    seen: list[str] = []

    class Recording(Undefined):
        def __init__(self, hint: Any = None, obj: Any = None, name: Any = None,
                     exc: Any = None) -> None:
            super().__init__(hint, obj, name)
            if isinstance(name, str):
                parent = paths.get(id(obj)) if obj is not None else None
                field = f"{parent}.{name}" if parent else name
                if field not in seen and not isinstance(obj, Undefined):
                    seen.append(field)

        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return self

        def __getitem__(self, name: Any) -> Any:
            return self

    # The check reports fields, not rendering errors (a filter given a blank, say).
    with contextlib.suppress(Exception):
        Environment(autoescape=True, undefined=Recording).from_string(source).render(context)
    return seen


def paths_by_id(context: dict[str, Any]) -> dict[int, str]:
    """id of every dict in the context -> its dotted path; a list's rows share its path."""
    paths: dict[int, str] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            paths[id(value)] = path
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)

    walk(context, "")
    paths.pop(id(context), None)
    return paths
