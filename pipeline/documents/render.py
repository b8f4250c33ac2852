"""Rendering with docxtpl: autoescaping on, a strict undefined, XML-illegal characters removed.

A value with `&`, `<`, quotes, emoji or line breaks appears as written: Jinja escapes it,
docxtpl turns its line breaks into Word line breaks, and the control characters XML
cannot hold (pasted from other programs) are removed before rendering.
"""

from __future__ import annotations

import contextlib
import io
import re
from types import CodeType
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, Undefined
from jinja2 import meta as jinja_meta

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
"""What `clean_text` changes: the XML-illegal characters and the carriage return."""


def clean_text(value: str) -> str:
    """The string with Windows line ends unified and XML-illegal characters removed."""
    return XML_ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean(value: Any) -> Any:
    """The context with every string cleaned, at any depth (lists and tuples as lists).

    A plain string `clean_text` would leave as it is is kept as it is, without copying;
    every dict and list is a new one (a template that changes its context changes a copy).
    """
    kind = type(value)
    if kind is str:  # a printable string holds none of NEEDS_CLEANING's characters
        if value.isprintable() or not NEEDS_CLEANING.search(value):
            return value
        return clean_text(value)
    if kind is dict:
        return clean_dict(value)
    if kind is list or kind is tuple:
        return [clean_dict(item) if type(item) is dict else clean(item) for item in value]
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def clean_dict(value: dict[Any, Any]) -> dict[Any, Any]:
    """`clean` of a dict; one of plain strings that need no cleaning (a row of values, the
    most common) is copied as it is, without a call per value."""
    for item in value.values():
        if type(item) is not str or not (item.isprintable() or not NEEDS_CLEANING.search(item)):
            return {key: clean(item) for key, item in value.items()}
    return value.copy()


DICT_ATTRIBUTES = frozenset(dir(dict))
"""What `getattr` finds on a dict: its methods; any other name is one of its keys."""


class CachingEnvironment(Environment):
    """Compiles each distinct template source once per process.

    docxtpl calls `from_string` with the patched XML of every part on every render; the
    XML of one template is the same each time, so its compiled form is reused.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.compiled: dict[str, Template] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's `getattr` (an attribute, else an item, else undefined), without the
        failed attribute lookup first for a dict's keys (the context is made of dicts)."""
        if type(obj) is dict and type(attribute) is str and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def from_string(self, source: Any, globals: Any = None,
                    template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self.compiled.get(source)
        if template is None:
            template = self.compiled[source] = super().from_string(source)
        return template


def strict_environment() -> CachingEnvironment:
    return CachingEnvironment(autoescape=True, undefined=StrictUndefined)


def render_docx(data: bytes, context: dict[str, Any], env: Environment) -> bytes:
    """The rendered .docx of a template's bytes, as bytes.

    The template is compiled once per process (`fast.CompiledTemplate`): the same parts
    as docxtpl's own render, proven by tests/test_fast_render.py.
    """
    return render_clean_docx(data, clean(context), env)


def render_clean_docx(data: bytes, context: dict[str, Any], env: Environment) -> bytes:
    """`render_docx` of a context already cleaned (`clean`)."""
    from pipeline.documents.fast import compiled_template

    return compiled_template(data, env).render(context)


def template_source(data: bytes) -> str:
    """The Jinja source of a .docx template: body, headers and footers, patched by docxtpl."""
    from docxtpl import DocxTemplate  # imported when a template is prepared, not before

    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    parts = [template.patch_xml(template.get_xml())]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            parts.append(template.patch_xml(template.get_part_xml(part)))
    return "\n".join(parts)


def top_level_names(env: Environment, source: str) -> set[str]:
    """Every top-level name the template reads, in every branch."""
    return set(jinja_meta.find_undeclared_variables(env.parse(source)))


def unknown_fields(source: str, context: dict[str, Any]) -> list[str]:
    """Fields the template names that the context lacks, as `name` or `parent.name`.

    Top-level names are found by parsing (every branch); attributes by rendering with a
    recording undefined, so an attribute in a branch the sample does not take is missed.
    """
    env = Environment(autoescape=True)
    missing = sorted(top_level_names(env, source) - context.keys())
    return missing + [f for f in recorded_fields(source, context) if f not in missing]


def recorded_fields(source: str, context: dict[str, Any]) -> list[str]:
    env, seen = recording_environment(context)
    # The check reports fields, not rendering errors (a filter given a blank, say).
    with contextlib.suppress(Exception):
        env.from_string(source).render(context)
    return seen


def recorded_fields_of_code(codes: list[CodeType], context: dict[str, Any],
                            filters: dict[str, Any]) -> list[str]:
    """`recorded_fields` of the source whose parts compiled to codes, rendered one after
    another (and stopping at an error, as one render of the joined source would)."""
    env, seen = recording_environment(context)
    env.filters.update(filters)
    with contextlib.suppress(Exception):
        for code in codes:
            env.template_class.from_code(env, code, env.make_globals(None)).render(context)
    return seen


def recording_environment(context: dict[str, Any]) -> tuple[Environment, list[str]]:
    """An environment whose undefined records each field the context lacks, as `name` or
    `parent.name`, and the list it records them in."""
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

    return Environment(autoescape=True, undefined=Recording), seen


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
