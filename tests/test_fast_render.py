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
from jinja2 import meta
from lxml import etree

from pipeline.documents import TEMPLATES_DIR, sample_contexts, template_file_name
from pipeline.documents.canonical import NotCovered
from pipeline.documents.fast import (
    CompiledTemplate,
    JinjaPart,
    Member,
    RawMember,
    after_render,
    entry,
    part_xml,
    raw_bytes,
    render_with_docxtpl,
    tables_fit_grid,
    write_zip,
    write_zip_reference,
)
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


# ------------------------------------------------- parts written without parsing

DIRECT_VARIANTS: dict[str, Callable[[Any], Any]] = {
    **VARIANTS,
    "quotes-and-braces": lambda context: map_strings(
        context, colour_safe(lambda t: f"{t} \"citat\" 'enkla' {{_{{ x }}_}} {{_% y %_}} &amp;")),
    "breaks-at-the-ends": lambda context: map_strings(
        context, colour_safe(lambda t: f"\n\t{t}\t\n")),
    "only-breaks": lambda context: map_strings(context, colour_safe(lambda t: "\n")),
    "spaces-only": lambda context: map_strings(context, colour_safe(lambda t: "   ")),
}


def reference_part(compiled: CompiledTemplate, part: JinjaPart, context: dict[str, Any]
                   ) -> bytes:
    """The part through the reference path: rendered text, parsed and written by lxml."""
    xml = after_render(compiled.helper, part.template.render(context))
    return compiled.body_xml(xml) if part.is_body else part_xml(xml)


def direct_parts(compiled: CompiledTemplate) -> list[JinjaPart]:
    return [m for m in compiled.members if isinstance(m, JinjaPart)]


@pytest.mark.parametrize("variant", sorted(DIRECT_VARIANTS))
@pytest.mark.parametrize("kind", [d.kind for d in DOCUMENTS])
def test_direct_parts_equal_the_reference_bytes(kind: str, variant: str,
                                                contexts: dict[str, dict[str, Any]]) -> None:
    """Every shipped part is written without parsing, byte for byte as lxml writes it."""
    data = (TEMPLATES_DIR / template_file_name(kind)).read_bytes()
    compiled = CompiledTemplate(data, strict_environment())
    context = clean(DIRECT_VARIANTS[variant](contexts[kind]))
    parts = direct_parts(compiled)
    assert len(parts) >= 3
    for part in parts:
        assert part.direct is not None, part.info.filename
        expected = reference_part(compiled, part, context)
        try:
            written = part.direct.render(context)
        except NotCovered:
            # python-docx's parser drops whitespace-only text in headers and footers
            assert variant == "spaces-only" and not part.is_body, part.info.filename
            written = expected
        assert written == expected, part.info.filename
    assert compiled.render(context) == compiled.render(context)


def body_template(body: str) -> bytes:
    """The shipped projektdirektiv with its body replaced by the given XML."""
    with zipfile.ZipFile(TEMPLATES_DIR / "projektdirektiv.docx") as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members.items():
            if info.filename == "word/document.xml":
                start = content.index(b"<w:body>")
                end = content.index(b"</w:body>") + len(b"</w:body>")
                content = content[:start] + body.encode() + content[end:]
            archive.writestr(info, content)
    return out.getvalue()


def run(text: str, properties: str = "") -> str:
    return f"<w:r>{properties}<w:t xml:space=\"preserve\">{text}</w:t></w:r>"


def cell(text: str, span: int = 1) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span > 1 else ""
    return f"<w:tc>{props}<w:p>{run(text)}</w:p></w:tc>"


def table(grid: int, *rows: str) -> str:
    columns = "".join('<w:gridCol w:w="1000"/>' for _ in range(grid))
    return f"<w:tbl><w:tblGrid>{columns}</w:tblGrid>{''.join(rows)}</w:tbl>"


def loop(*cells: str) -> str:
    """A row repeated for each of `rader`, as written in Word: `{%tr for %}` rows around."""
    return ("<w:tr>" + cell("{%tr for r in rader %}") + "</w:tr><w:tr>" + "".join(cells)
            + "</w:tr><w:tr>" + cell("{%tr endfor %}") + "</w:tr>")


HEADER_ROW = "<w:tr>" + cell("A") + cell("B") + "</w:tr>"
LOOP_ROW = loop(cell("{{ r }}"), cell("x"))
WIDE_LOOP_ROW = loop(cell("{{ r }}"), cell("x"), cell("y"))
SPANNING_LOOP_ROW = loop(cell("{{ r }}", 2))
PROVEN_BODIES = {
    "header row and loop": table(2, HEADER_ROW, LOOP_ROW),
    "spanning header": table(2, "<w:tr>" + cell("A", 2) + "</w:tr>", LOOP_ROW),
    "nested table": table(2, "<w:tr>" + cell("A") + "<w:tc><w:p/>" + table(1, "<w:tr>"
                          + cell("{{ titel }}") + "</w:tr>") + "<w:p/></w:tc></w:tr>", LOOP_ROW),
    "inline if": f"<w:p>{run('{% if titel %}{{ titel }}{% else %}ingen{% endif %}')}</w:p>",
    "paragraph if": "<w:p>" + run("{%p if titel %}") + "</w:p><w:p>" + run("{{ titel }}")
                    + "</w:p><w:p>" + run("{%p endif %}") + "</w:p>",
    "filters": f"<w:p>{run('{{ titel|upper }} {{ rader|length }} {{ titel|default(1) }}')}</w:p>",
    "bold run": f"<w:p>{run('{{ titel }}', '<w:rPr><w:b/></w:rPr>')}</w:p>",
}
UNPROVEN_BODIES = {
    "only loop rows": table(2, LOOP_ROW),
    "row wider than the grid": table(2, HEADER_ROW, WIDE_LOOP_ROW),
    "no grid": "<w:tbl>" + HEADER_ROW + "</w:tbl>",
    "spanning rows only in a loop": table(2, SPANNING_LOOP_ROW),
    "safe": f"<w:p>{run('{{ titel|safe }}')}</w:p>",
    "macro": "{% macro m() %}x{% endmacro %}" + f"<w:p>{run('{{ m() }}')}</w:p>",
    "value outside w:t": "<w:p>{{ titel }}</w:p>",
    "tab in the template": f"<w:p>{run('a	b {{ titel }}')}</w:p>",
    "value in a start tag": '<w:p><w:r><w:t xml:space="{{ titel }}">a</w:t></w:r></w:p>',
    "unbalanced if": f"<w:p>{run('a')}{{% if titel %}}</w:p><w:p>{{% endif %}}{run('b')}</w:p>",
    "comment": f"<!-- c --><w:p>{run('{{ titel }}')}</w:p>",
}
BODY_VALUES = [
    {"titel": "Titel", "rader": []},
    {"titel": "", "rader": ["en"]},
    {"titel": "rad 1\nrad 2\ttabb \"&<>'", "rader": ["a", "b\nc", "d\te", ""]},
    {"titel": "åäö 🦊", "rader": ["x"] * 30},
]
"""Values of the test bodies; the header and footer take theirs from the example."""
BODY_CONTEXTS = [{**sample_contexts()["projektdirektiv"], **values} for values in BODY_VALUES]


def body(inner: str) -> str:
    return f"<w:body {W}>{inner}<w:sectPr/></w:body>"


@pytest.mark.parametrize("name", sorted(PROVEN_BODIES))
def test_templates_the_proof_covers_are_written_directly(name: str) -> None:
    compiled = CompiledTemplate(body_template(body(PROVEN_BODIES[name])), strict_environment())
    document = next(p for p in direct_parts(compiled) if p.is_body)
    assert document.direct is not None
    for context in BODY_CONTEXTS:
        expected = reference_part(compiled, document, context)
        assert document.direct.render(context) == expected
        assert tables_fit_grid(etree.fromstring(expected))


@pytest.mark.parametrize("name", sorted(UNPROVEN_BODIES))
def test_templates_the_proof_does_not_cover_take_the_reference_path(name: str) -> None:
    """A table docxtpl may fix, markup from an expression, a value outside a text..."""
    data = body_template(body(UNPROVEN_BODIES[name]))
    compiled = CompiledTemplate(data, strict_environment())
    document = next(p for p in direct_parts(compiled) if p.is_body)
    assert document.direct is None
    for context in BODY_CONTEXTS:
        try:
            expected = reference_part(compiled, document, context)
        except Exception as exc:  # a broken template fails the same way on both paths
            with pytest.raises(type(exc)):
                compiled.render(context)
            continue
        with zipfile.ZipFile(io.BytesIO(compiled.render(context))) as archive:
            assert archive.read("word/document.xml") == expected


def test_a_value_the_proof_does_not_cover_falls_back_per_render() -> None:
    """A colour attribute given non-ASCII text: that render takes the reference path."""
    shaded = ('<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{{ farg }}"/></w:tcPr>'
              f"<w:p>{run('{{ titel }}')}</w:p></w:tc>")
    inner = table(1, "<w:tr>" + cell("A") + "</w:tr>", "<w:tr>" + shaded + "</w:tr>")
    compiled = CompiledTemplate(body_template(body(inner)), strict_environment())
    document = next(p for p in direct_parts(compiled) if p.is_body)
    assert document.direct is not None
    for farg, covered in (("C6EFCE", True), ('a"b<c>&\'d', True), ("grön", False),
                          ("rad\nrad", False)):
        context = {**BODY_CONTEXTS[0], "farg": farg, "titel": "t"}
        expected = reference_part(compiled, document, context)
        with zipfile.ZipFile(io.BytesIO(compiled.render(context))) as archive:
            assert archive.read("word/document.xml") == expected
        if covered:
            assert document.direct.render(context) == expected
        else:
            with pytest.raises(NotCovered):
                document.direct.render(context)


def test_zip_is_written_as_zipfile_writes_it(contexts: dict[str, dict[str, Any]]) -> None:
    """Copied members (stored, deflated, bzip2, a non-ASCII name, no attributes) and
    rendered ones (empty, large, a non-ASCII name) give zipfile's bytes exactly."""
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w") as archive:
        for name, method, attributes in (("a.xml", zipfile.ZIP_STORED, 0),
                                         ("mapp/å.xml", zipfile.ZIP_DEFLATED, 0o644 << 16),
                                         ("b.bin", zipfile.ZIP_BZIP2, 0)):
            info = zipfile.ZipInfo(name, (2024, 2, 29, 23, 59, 58))
            info.compress_type = method
            info.external_attr = attributes
            archive.writestr(info, name.encode() * 100)
    data = source.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        copied = [RawMember(entry(info), raw_bytes(data, info)) for info in archive.infolist()]
    rendered = [(zipfile.ZipInfo("tom.xml", (2011, 1, 15, 12, 0, 0)), b""),
                (zipfile.ZipInfo("ö.xml", (1980, 1, 1, 0, 0, 0)), "ö<x/>".encode() * 50000)]
    members: list[Member] = [copied[0], rendered[0], copied[1], rendered[1], copied[2]]
    assert write_zip(members) == write_zip_reference(members)

    for kind in contexts:
        compiled = CompiledTemplate((TEMPLATES_DIR / template_file_name(kind)).read_bytes(),
                                    strict_environment())
        parts: list[Member] = [m if isinstance(m, RawMember)
                               else (m.info, compiled.render_part(m, clean(contexts[kind])))
                               for m in compiled.members]
        written = write_zip(parts)
        assert written == write_zip_reference(parts)
        assert written == compiled.render(clean(contexts[kind]))


@pytest.mark.parametrize("kind", [d.kind for d in DOCUMENTS])
def test_direct_parts_note_the_names_jinja_finds(kind: str) -> None:
    """The names noted while compiling are `find_undeclared_variables`'s."""
    compiled = CompiledTemplate((TEMPLATES_DIR / template_file_name(kind)).read_bytes(),
                                strict_environment())
    for part in direct_parts(compiled):
        assert part.direct is not None
        expected = meta.find_undeclared_variables(strict_environment().parse(part.source))
        assert part.direct.names == expected
        assert "projekt" in part.direct.names or not part.is_body
