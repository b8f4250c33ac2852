"""The compiled render path gives the documents docxtpl itself gives.

For every shipped template and a set of contexts (the example's, every loop empty, every
loop 50 rows long, hostile text, line breaks and tabs), word/document.xml and every
header and footer are equal to docxtpl's render after canonical parsing, and the result
opens with python-docx.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import docx
import pytest
from docxtpl import DocxTemplate
from lxml import etree

from pipeline.documents import TEMPLATES_DIR, sample_contexts, template_file_name
from pipeline.documents.fast import CompiledTemplate, render_with_docxtpl, tables_fit_grid
from pipeline.documents.render import clean, strict_environment
from pipeline.model import DOCUMENTS

HOSTILE = " & < > \" ' \x07 \x1b ]]> {{ x }} {% if %} 🦊 åäö"
BREAKS = "\nrad två\r\nrad tre\ttabb\n\nsista"


def map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [map_strings(item, change) for item in value]
    return value


def map_lists(value: Any, change: Callable[[list[Any]], list[Any]]) -> Any:
    if isinstance(value, dict):
        return {key: map_lists(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return change([map_lists(item, change) for item in value])
    return value


def colour_safe(change: Callable[[str], str]) -> Callable[[str], str]:
    """Leave the traffic-light colours (a w:fill attribute) alone."""
    return lambda text: text if len(text) == 6 and text.isalnum() and text.isupper() \
        else change(text)


VARIANTS: dict[str, Callable[[Any], Any]] = {
    "example": lambda context: context,
    "empty-loops": lambda context: map_lists(context, lambda rows: []),
    "long-loops": lambda context: map_lists(context, lambda rows: (rows * 50)[:50]),
    "hostile-text": lambda context: map_strings(context, colour_safe(lambda t: t + HOSTILE)),
    "line-breaks": lambda context: map_strings(context, colour_safe(lambda t: t + BREAKS)),
    "blank-text": lambda context: map_strings(context, colour_safe(lambda t: "")),
}

JINJA_PARTS = ("word/document.xml", "word/header", "word/footer")


def canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


def jinja_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()
                if name.startswith(JINJA_PARTS)}


@pytest.fixture(scope="module")
def contexts() -> dict[str, dict[str, Any]]:
    return sample_contexts()


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", [d.kind for d in DOCUMENTS])
def test_fast_render_equals_docxtpl(kind: str, variant: str,
                                    contexts: dict[str, dict[str, Any]]) -> None:
    data = (TEMPLATES_DIR / template_file_name(kind)).read_bytes()
    context = clean(VARIANTS[variant](contexts[kind]))
    compiled = CompiledTemplate(data, strict_environment())
    assert not compiled.fallback

    fast = compiled.render(context)
    reference = render_with_docxtpl(data, context, strict_environment())

    expected, actual = jinja_parts(reference), jinja_parts(fast)
    assert sorted(actual) == sorted(expected)
    assert len(expected) >= 3
    for name in expected:
        assert canonical(actual[name]) == canonical(expected[name]), name
    with zipfile.ZipFile(io.BytesIO(fast)) as archive:
        assert archive.testzip() is None
        with zipfile.ZipFile(io.BytesIO(reference)) as other:
            assert set(other.namelist()) <= set(archive.namelist())
    docx.Document(io.BytesIO(fast))


def test_one_compiled_template_renders_many_contexts(contexts: dict[str, dict[str, Any]]
                                                     ) -> None:
    data = (TEMPLATES_DIR / "projektplan.docx").read_bytes()
    compiled = CompiledTemplate(data, strict_environment())
    context = contexts["projektplan"]
    first = compiled.render(clean(VARIANTS["long-loops"](context)))
    compiled.render(clean(VARIANTS["hostile-text"](context)))
    assert compiled.render(clean(VARIANTS["long-loops"](context))) == first


def test_jinja_in_document_properties_falls_back_to_docxtpl(
        contexts: dict[str, dict[str, Any]]) -> None:
    template = docx.Document(str(TEMPLATES_DIR / "projektplan.docx"))
    template.core_properties.title = "{{ dokument.titel }}"
    out = io.BytesIO()
    template.save(out)
    compiled = CompiledTemplate(out.getvalue(), strict_environment())
    assert compiled.fallback
    rendered = docx.Document(io.BytesIO(compiled.render(clean(contexts["projektplan"]))))
    assert rendered.core_properties.title == contexts["projektplan"]["dokument"]["titel"]


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def table_xml(grid: int, rows: list[list[int]]) -> str:
    """A body with one table: grid columns, and rows of cells given by their gridSpan."""
    def cell(span: int) -> str:
        props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
        return f"<w:tc>{props}<w:p/></w:tc>"

    columns = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid))
    body = "".join("<w:tr>" + "".join(cell(s) for s in row) + "</w:tr>" for row in rows)
    return f"<w:body {W}><w:tbl><w:tblGrid>{columns}</w:tblGrid>{body}</w:tbl></w:body>"


@pytest.mark.parametrize(("grid", "rows"), [
    (3, [[1, 1, 1]]), (3, [[1, 1, 1], [1, 2]]), (3, [[3]]), (3, [[1, 1]]), (3, []),
    (3, [[1, 1, 1, 1]]), (2, [[1, 1], [1]]), (3, [[2, 2]]),
])
def test_tables_fit_grid_exactly_when_docxtpl_changes_nothing(grid: int,
                                                              rows: list[list[int]]) -> None:
    xml = table_xml(grid, rows)
    tree = etree.fromstring(xml)
    fixed = DocxTemplate(io.BytesIO()).fix_tables(xml)
    unchanged = etree.tostring(fixed) == etree.tostring(tree)
    assert tables_fit_grid(tree) == unchanged
