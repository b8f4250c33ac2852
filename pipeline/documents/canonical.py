"""Rendering a part straight to the bytes lxml would write, when its template proves it.

The reference path (fast.py) renders a part's Jinja to XML text, parses it with lxml and
serializes the tree again. For XML that is already written as lxml writes it, and is
well-formed, parsing and writing give the text back: the round trip only costs time. A
`DirectPart` skips it when the template shows, once when it is loaded, that every render
is such XML:

- the static XML is in lxml's form (double quotes, `&amp; &lt; &gt;` and no other
  references in text, `&quot;` too in attributes, printable ASCII in attributes, no
  comments, CDATA or processing instructions, namespaces declared on the root only);
- every `{% if %}` branch and `{% for %}` body is balanced XML between two tags, so any
  number of repetitions or none stays well-formed;
- every `{{ value }}` is the text of a `w:t` or sits inside an attribute value, and no
  expression can yield markup (no `safe`, macros, calls or blocks that capture output);
- what docxtpl changes after rendering stays well-formed: a tab or line break in a value
  becomes runs and breaks inside its paragraph (`w:t` directly in a `w:r`, no nested
  paragraphs or runs), and no `wp:docPr` needs renumbering;
- for the body, every table matches its grid whatever the loops give, so docxtpl's
  `fix_tables` would change nothing (a header row spanning the grid, no row wider).

The direct template escapes each value as lxml writes it (`plain_text`: quotes as they
are in text; `attribute_text`: `&quot;` in attributes) instead of Jinja's escaping, with
Jinja's autoescaping off; what then remains of lxml's writing
is done on the text: an element left empty (a blank value) is written `<x/>`, and the
root's start tag and the document around the body are what lxml wrote for a probe
through the reference path. A render meeting what the proof does not cover (a
control character, a value that is not plain text in an attribute, an error) is rendered
by the reference path instead. tests/test_fast_render.py holds the two paths equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import CodeType
from typing import Any
from xml.sax.saxutils import escape as escape_text

from jinja2 import Environment, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

W_URI = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_URI = "http://www.w3.org/XML/1998/namespace"

HOLE, OPEN, BRANCH, CLOSE = "\x00", "\x01", "\x02", "\x03"
"""Marks in the linear form of a template: a value, a block opening, a next branch
(`elif`, `else`), a block closing."""

NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*(?::[A-Za-z_][A-Za-z0-9_.\-]*)?"
ATTRIBUTE_VALUE = r'(?:[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x7e]|&(?:amp|lt|gt|quot);|\x00)*'
TOKEN = re.compile(
    rf'<(?P<tag>/?{NAME}(?: {NAME}="{ATTRIBUTE_VALUE}")*/?)>'
    r"|(?P<text>(?:[^<>&\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]|&(?:amp|lt|gt);)+)"
    r"|(?P<mark>[\x00-\x03])")
"""One token of a template's linear form, in lxml's way of writing XML."""
ATTRIBUTE = re.compile(rf' ({NAME})="({ATTRIBUTE_VALUE})"')
DIGITS = re.compile(r"[0-9]+")
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
NOT_COVERED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Characters a render must not hold to be written directly: XML-illegal ones, the
carriage return (a parser turns it into a line feed), docxtpl's bell and form feed
(paragraph and page breaks) and the C1 controls."""

EXPRESSIONS = (nodes.Name, nodes.Const, nodes.Getattr, nodes.Getitem, nodes.Slice,
               nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.Neg,
               nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv,
               nodes.Mod, nodes.Pow, nodes.Concat, nodes.CondExpr, nodes.Test, nodes.Tuple,
               nodes.List, nodes.Dict, nodes.Pair, nodes.Keyword, nodes.Filter)
"""Expressions whose value is never markup unless a filter makes it so."""
TEXT_FILTERS = frozenset((
    "abs", "capitalize", "center", "count", "d", "default", "dictsort", "first", "float",
    "int", "last", "length", "list", "lower", "max", "min", "reject", "rejectattr",
    "replace", "reverse", "round", "select", "selectattr", "sort", "string", "sum", "title",
    "trim", "truncate", "unique", "upper", "wordcount"))
"""Filters that give plain values for plain values (not `safe`, `join`, `map`...)."""


class NotCovered(Exception):
    """The template or the render is outside what direct writing covers."""


def attribute_text(value: Any) -> Markup:
    """A value inside an attribute, escaped as lxml writes attributes (not as Jinja)."""
    if hasattr(value, "__html__"):
        raise NotCovered("markup in an attribute")
    text = str(value)
    if not PRINTABLE_ASCII.fullmatch(text):
        raise NotCovered("an attribute value that is not printable ASCII")
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace('"', "&quot;"))


PLAIN_TEXTS_KEPT = 16384
_plain_texts: dict[str, str] = {}
"""`escaped_text` of strings met before: a project's values recur in each of its documents
(on the bench workbooks nine values in ten were escaped before)."""


def plain_text(value: Any) -> str:
    """A value in a text, escaped as lxml writes text (`&`, `<`, `>`; quotes as they are).

    Raises NotCovered for markup (Jinja would not escape it) and for the characters
    a render must not hold (NOT_COVERED).
    """
    if type(value) is str:
        text = _plain_texts.get(value)
        if text is not None:
            return text
        text = escaped_text(value)
        if len(_plain_texts) >= PLAIN_TEXTS_KEPT:
            _plain_texts.clear()
        _plain_texts[value] = text
        return text
    if hasattr(value, "__html__"):
        raise NotCovered("markup in a text")
    return escaped_text(str(value))


def escaped_text(value: str) -> str:
    """`plain_text` of a string, worked out: escaped only where it holds `&`, `<` or `>`."""
    if not value.isprintable() and NOT_COVERED.search(value):
        raise NotCovered("a control character")
    if "&" in value or "<" in value or ">" in value:
        return escape_text(value)
    return value


ATTRIBUTE_FILTER = "_direct_attribute_text"
TEXT_FILTER = "_direct_plain_text"


class NamesNoted(CodeGenerator):
    """Jinja's code generator noting, as it compiles, the names a template reads from
    its context, as `jinja2.meta.find_undeclared_variables` finds them (its
    TrackingCodeGenerator does the same in a second pass), in `environment.names`."""

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        names: set[str] = self.environment.names  # type: ignore[attr-defined]
        for _, (action, param) in frame.symbols.loads.items():
            if action == "resolve" and param not in self.environment.globals:
                names.add(param)


DICT_ATTRIBUTES = frozenset(dir(dict))
"""What `getattr` finds on a dict: its methods; any other name is one of its keys."""


class DictItemsInline(NamesNoted):
    """NamesNoted, writing `name.key` (a key that is no dict attribute) as the item of a
    plain dict, and as `environment.getattr(name, key)` for anything else.

    Every environment's `getattr` gives a plain dict's item for such a key (Jinja's tries
    the attribute, finds none and takes the item), and the undefined for a key the dict
    lacks; the item is only taken here where the dict has it, without a call per value.
    """

    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        target = node.node
        if (not isinstance(target, nodes.Name) or target.ctx != "load"
                or node.attr in DICT_ATTRIBUTES or self.environment.is_async
                or self.environment.sandboxed):
            super().visit_Getattr(node, frame)
            return
        ref = frame.symbols.ref(target.name)
        key = repr(node.attr)
        self.write(f"({ref}[{key}] if type({ref}) is dict and {key} in {ref} else ")
        super().visit_Getattr(node, frame)
        self.write(")")


def direct_environment(env: Environment) -> Environment:
    """The environment for a direct template: the two filters above escape every value,
    as lxml would write it, so Jinja's own escaping is off; it notes the names read."""
    overlay = env.overlay(autoescape=False)
    overlay.filters = {**env.filters, ATTRIBUTE_FILTER: attribute_text,
                       TEXT_FILTER: plain_text}
    overlay.code_generator_class = DictItemsInline
    overlay.names = set()  # type: ignore[attr-defined]
    if hasattr(overlay, "compiled"):  # render.CachingEnvironment: not its parent's cache
        overlay.compiled = {}
    return overlay


@dataclass
class DirectPart:
    """A part written without parsing: `render(context)` gives its bytes."""

    template: Template
    head: int
    """Length of the root's start tag in the rendered text."""
    tail: int
    """Length of the root's end tag."""
    prefix: str = ""
    """What lxml writes up to the root's content (declaration, document, body tag)."""
    suffix: str = ""
    empty: tuple[tuple[str, str], ...] = ()
    """Start tag and its element left empty -> lxml's `<x/>`."""
    blank_text_removed: bool = False
    """The reference parser drops whitespace-only text (python-docx's, for headers)."""
    code: CodeType | None = None
    """The template's compiled code (renders with other filters for the field check)."""
    names: frozenset[str] = frozenset()
    """The names the template reads from its context (`find_undeclared_variables`)."""
    assigns: bool = False

    def render(self, context: dict[str, Any]) -> bytes:
        """The part's bytes; raises NotCovered (or the render's error) otherwise.

        The template's text has docxtpl's line feeds before paragraphs removed already,
        and its values are escaped as lxml writes them and free of control characters.
        Tabs and line breaks in values are resolved as docxtpl's `resolve_listing` does
        (`listing_resolved`).
        """
        xml = self.template.render(context)
        # Each search for a longer string is done only where a search for one character,
        # or one end tag right after a tag, finds it may be there: those are much faster.
        if ("{" in xml and "{_" in xml) or ("}" in xml and "_}" in xml):
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
                   .replace("%_}", "%}"))
        if "\t" in xml or "\n" in xml:
            xml = resolve_paragraphs(xml)
        for start, end in self.empty:
            if f">{end}" in xml:
                xml = xml.replace(start + end, start[:-1] + "/>")
        if self.blank_text_removed and BLANK_TEXT.search(xml):
            raise NotCovered("whitespace-only text")
        return f"{self.prefix}{xml[self.head:len(xml) - self.tail]}{self.suffix}".encode()


BLANK_TEXT = re.compile(r">[ \t\n]+<")


def resolve_paragraphs(xml: str) -> str:
    """docxtpl's `resolve_listing` (`listing_resolved`) on each paragraph holding a tab
    or line break.

    With no nested paragraphs and no self-closing `<w:p ...>` (the proof), the paragraph
    docxtpl's pattern matches around a character is the last `<w:p>`/`<w:p ` before it up
    to the first `</w:p>` after it.
    """
    parts = []
    done = 0
    line_feed, tab = xml.find("\n"), xml.find("\t")
    while True:
        if 0 <= line_feed < done:
            line_feed = xml.find("\n", done)
        if 0 <= tab < done:
            tab = xml.find("\t", done)
        if line_feed < 0 and tab < 0:
            break
        at = tab if line_feed < 0 or 0 <= tab < line_feed else line_feed
        start = at
        while True:
            start = xml.rfind("<w:p", done, start)
            if start < 0 or xml.startswith((" ", ">"), start + 4):
                break
        end = xml.find("</w:p>", at)
        if start < 0 or end < 0:
            raise NotCovered("a tab or line break outside a paragraph")
        end += len("</w:p>")
        parts.append(xml[done:start])
        parts.append(listing_resolved(xml[start:end]))
        done = end
    parts.append(xml[done:])
    return "".join(parts)


RESOLVED_KEPT = 4096
_resolved: dict[str, str] = {}
"""`listing_resolved` of paragraphs met before (a project's texts recur in its documents)."""


def listing_resolved(xml: str) -> str:
    """docxtpl's `resolve_listing(xml)`: in each paragraph, each run's texts with their
    tabs, bells, line feeds and form feeds made into Word's tabs, paragraphs, breaks and
    page breaks, with the paragraph's and the run's properties repeated.

    docxtpl finds paragraphs, runs and texts with regular expressions of one form,
    `<w:x(?: [^>]*)?>.*?</w:x>` (`element_spans`), and the properties with
    `<w:xPr>.*?</w:xPr>` (`first_on_a_line`); these find the same with `str.find`.
    """
    resolved = _resolved.get(xml)
    if resolved is None:
        if len(_resolved) >= RESOLVED_KEPT:
            _resolved.clear()
        resolved = _resolved[xml] = replaced(xml, "w:p", paragraph_resolved)
    return resolved


def paragraph_resolved(paragraph: str) -> str:
    properties = first_on_a_line(paragraph, "w:pPr")
    return replaced(paragraph, "w:r", lambda run: run_resolved(run, properties))


def run_resolved(run: str, paragraph_properties: str) -> str:
    properties = first_on_a_line(run, "w:rPr")
    return replaced(run, "w:t",
                    lambda text: text_resolved(text, properties, paragraph_properties))


def text_resolved(xml: str, run_properties: str, paragraph_properties: str) -> str:
    """docxtpl's `resolve_text`, character for character."""
    run, paragraph = run_properties, paragraph_properties
    xml = xml.replace("\t", f"</w:t></w:r><w:r>{run}<w:tab/></w:r>"
                            f'<w:r>{run}<w:t xml:space="preserve">')
    xml = xml.replace("\a", f"</w:t></w:r></w:p><w:p>{paragraph}"
                            f'<w:r>{run}<w:t xml:space="preserve">')
    xml = xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return xml.replace("\f", '</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p>'
                             f'<w:p>{paragraph}<w:r>{run}<w:t xml:space="preserve">')


def replaced(xml: str, tag: str, replace: Callable[[str], str]) -> str:
    """`re.sub(r"<tag(?: [^>]*)?>.*?</tag>", replace, xml, flags=re.DOTALL)`, with
    replace given the matched text."""
    parts = []
    done = 0
    for start, end in element_spans(xml, tag):
        parts.append(xml[done:start])
        parts.append(replace(xml[start:end]))
        done = end
    if not parts:
        return xml
    parts.append(xml[done:])
    return "".join(parts)


def element_spans(xml: str, tag: str) -> Iterator[tuple[int, int]]:
    """Where `re.finditer(r"<tag(?: [^>]*)?>.*?</tag>", xml, re.DOTALL)` matches.

    A match starts at an opening `<tag` followed by `>`, or by a space and anything up to
    the first `>`; it ends with the first closing `</tag>` after that. Where an opening
    has no closing after it, no later opening has either (a closing cannot end inside a
    start tag but at its `>`, which a later opening's start tag ends with too).
    """
    opening, closing = f"<{tag}", f"</{tag}>"
    start = xml.find(opening)
    while start >= 0:
        after = start + len(opening)
        mark = xml[after:after + 1]
        if mark == ">":
            content = after + 1
        elif mark == " ":
            content = xml.find(">", after) + 1
            if not content:
                return
        else:
            start = xml.find(opening, start + 1)
            continue
        end = xml.find(closing, content)
        if end < 0:
            return
        end += len(closing)
        yield start, end
        start = xml.find(opening, end)


def first_on_a_line(xml: str, tag: str) -> str:
    """`re.search(r"<tag>.*?</tag>", xml)`'s text, or "": the first `<tag>` whose first
    `</tag>` after it comes before any line feed."""
    opening, closing = f"<{tag}>", f"</{tag}>"
    start = xml.find(opening)
    while start >= 0:
        content = start + len(opening)
        end = xml.find(closing, content)
        if end < 0:
            return ""
        if xml.find("\n", content, end) < 0:
            return xml[start:end + len(closing)]
        start = xml.find(opening, start + 1)
    return ""


# ------------------------------------------------------------------ the proof

@dataclass(slots=True)
class Element:
    name: str
    tag: str
    """The start tag as written, `<w:t xml:space="preserve">`."""
    block: int
    """Block depth at the start tag."""
    parent: Element | None
    static: bool = False
    """Static text or a child element directly inside, outside any block."""
    has_hole: bool = False
    first: set[str] | None = None
    """Names of the children seen so far (for `w:tblGrid[1]`, `w:tcPr[1]`...)."""
    table: Table | None = None
    first_grid: bool = False
    row: Row | None = None
    cell: Cell | None = None


@dataclass
class Table:
    block: int
    columns: int = 0
    rows: list[tuple[int, int, bool]] = field(default_factory=list)
    """(cells, span, inside a block of this table) of every row, nested tables' too."""


@dataclass
class Row:
    block: int
    cells: int = 0
    span: int = 0


@dataclass
class Cell:
    span: int | None = None
    """The first tcPr's first gridSpan's value; None without one."""


@dataclass
class Linear:
    """A template as its static text with marks, the outputs of its values, and whether
    it assigns a variable (`{% set %}`)."""

    text: str
    holes: list[tuple[nodes.Output, int]]
    assigns: bool


def linear_form(template: nodes.Template) -> Linear:
    """The template as its static text with marks, and the outputs of its values.

    Raises NotCovered for a statement or an expression the proof does not cover.
    """
    text: list[str] = []
    holes: list[tuple[nodes.Output, int]] = []
    assigns = False

    def walk(body: list[nodes.Node]) -> None:
        for node in body:
            if isinstance(node, nodes.Output):
                for index, child in enumerate(node.nodes):
                    if isinstance(child, nodes.TemplateData):
                        if any(mark in child.data for mark in (HOLE, OPEN, BRANCH, CLOSE)):
                            raise NotCovered("a control character in the template")
                        # docxtpl's marks before paragraphs, removed after rendering: a
                        # value (a w:t's text) never ends next to a paragraph, so they are
                        # removed here once
                        child.data = (child.data.replace("\n<w:p ", "<w:p ")
                                      .replace("\n<w:p>", "<w:p>"))
                        text.append(child.data)
                    else:
                        check_expression(child)
                        text.append(HOLE)
                        holes.append((node, index))
            elif isinstance(node, nodes.If):
                check_expression(node.test)
                text.append(OPEN)
                walk(node.body)
                for branch in node.elif_:
                    check_expression(branch.test)
                    text.append(BRANCH)
                    walk(branch.body)
                if node.else_:
                    text.append(BRANCH)
                    walk(node.else_)
                text.append(CLOSE)
            elif isinstance(node, nodes.For) and not node.recursive:
                for expression in (node.target, node.iter, node.test):
                    if expression is not None:
                        check_expression(expression)
                text.append(OPEN)
                walk(node.body)
                if node.else_:
                    text.append(BRANCH)
                    walk(node.else_)
                text.append(CLOSE)
            elif isinstance(node, nodes.Assign):
                nonlocal assigns
                assigns = True
                check_expression(node.target)
                check_expression(node.node)
            else:
                raise NotCovered(f"the statement {type(node).__name__}")

    walk(template.body)
    return Linear("".join(text), holes, assigns)


def check_expression(node: nodes.Node) -> None:
    for child in (node, *node.find_all(nodes.Node)):
        if not isinstance(child, EXPRESSIONS):
            raise NotCovered(f"the expression {type(child).__name__}")
        if isinstance(child, nodes.Filter) and child.name not in TEXT_FILTERS:
            raise NotCovered(f"the filter {child.name}")
        if isinstance(child, nodes.Const) and isinstance(child.value, str) \
                and "<w:p" in child.value:
            raise NotCovered("a paragraph tag in a string (docxtpl marks it)")


@dataclass
class Proof:
    root: str
    """The root's start tag."""
    root_end: str
    text_holes: int
    attribute_holes: list[int]
    """Indices (in order of the template) of the values inside attributes."""
    empty: set[tuple[str, str]]
    prefixes: dict[str, str]


def prove(linear: str, body: bool) -> Proof:
    """Checks the linear form of a part; raises NotCovered where the proof fails."""
    position = 0
    stack: list[Element] = []
    blocks: list[int] = []
    tables: list[Element] = []
    prefixes: dict[str, str] = {}
    root = root_end = ""
    closed = False
    hole_index = 0
    text_holes = 0
    attribute_holes: list[int] = []
    empty: set[tuple[str, str]] = set()
    checked: set[str] = set()
    """Start tags whose names were checked (the same tag recurs many times)."""
    open_names: dict[str, int] = {}

    def static_content() -> None:
        if not stack:
            raise NotCovered("content outside the root")
        parent = stack[-1]
        if parent.block == len(blocks):
            parent.static = True

    while position < len(linear):
        match = TOKEN.match(linear, position)
        if match is None:
            raise NotCovered(f"XML not in lxml's form at {linear[position:position + 40]!r}")
        position = match.end()
        if closed:
            raise NotCovered("content after the root")
        kind = match.lastgroup
        if kind == "text":
            text = match.group("text")
            if "\n" in text or "\t" in text:
                raise NotCovered("a tab or line break in the template's text")
            static_content()
            if not body and not text.strip():
                raise NotCovered("whitespace-only text")
            continue
        mark = match.group("mark") if kind == "mark" else None
        if mark == HOLE:
            parent = stack[-1] if stack else None
            if (parent is None or parent.name != "w:t" or parent.parent is None
                    or parent.parent.name != "w:r" or not open_names.get("w:p")):
                raise NotCovered("a value outside the text of a run")
            if HOLE in parent.tag:
                raise NotCovered("a value in the start tag of a text")
            parent.has_hole = True
            empty.add((parent.tag, "</w:t>"))
            empty.add(('<w:t xml:space="preserve">', "</w:t>"))  # resolve_listing's
            hole_index += 1
            text_holes += 1
            continue
        if mark == OPEN:
            if not stack:
                raise NotCovered("a block outside the root")
            blocks.append(len(stack))
            continue
        if mark in (BRANCH, CLOSE):
            if not blocks or blocks[-1] != len(stack):
                raise NotCovered("a block that is not balanced XML")
            if mark == CLOSE:
                blocks.pop()
            continue
        tag = match.group("tag")
        if tag.startswith("/"):
            name = tag[1:]
            if not stack or stack[-1].name != name or stack[-1].block != len(blocks):
                raise NotCovered(f"an end tag </{name}> that does not close its element")
            element = stack.pop()
            open_names[name] -= 1
            if not stack and not element.static:
                raise NotCovered("a root that may be empty")
            end_element(element, empty, tables, self_closing=False)
            if not stack:
                root_end = f"<{tag}>"
                closed = True
            continue
        self_closing = tag.endswith("/")
        written = f"<{tag}>"
        name, _, attributes = tag.rstrip("/").partition(" ")
        attributes = f" {attributes}" if attributes else ""
        holes_here = written.count(HOLE)
        attribute_holes.extend(range(hole_index, hole_index + holes_here))
        hole_index += holes_here
        if not stack:
            if root or self_closing or holes_here:
                raise NotCovered("a root that is not one static element")
            root = written
            prefixes = declared_prefixes(attributes)
        else:
            if tag not in checked:
                check_names(name, attributes, prefixes)
                checked.add(tag)
            static_content()
        check_element(name, written, self_closing, stack, body, open_names)
        if self_closing and name not in TABLE_NAMES:
            continue  # nothing inside, and nothing the table check counts
        element = Element(name, written, len(blocks), stack[-1] if stack else None)
        start_element(element, tables, len(blocks), attributes)
        if self_closing:
            end_element(element, empty, tables, self_closing=True)
        else:
            stack.append(element)
            open_names[name] = open_names.get(name, 0) + 1
    if not closed or blocks:
        raise NotCovered("a template that does not end with its root")
    return Proof(root, root_end, text_holes, attribute_holes, empty, prefixes)


def declared_prefixes(attributes: str) -> dict[str, str]:
    prefixes = {"xml": XML_URI}
    for name, value in ATTRIBUTE.findall(attributes):
        if name == "xmlns":
            raise NotCovered("a default namespace")
        if name.startswith("xmlns:"):
            if HOLE in value or "&" in value:
                raise NotCovered("a namespace that is not plain")
            prefixes[name.removeprefix("xmlns:")] = value
    if prefixes.get("w") != W_URI or list(prefixes.values()).count(W_URI) != 1:
        raise NotCovered("w: is not WordprocessingML's only prefix")
    return prefixes


def check_names(name: str, attributes: str, prefixes: dict[str, str]) -> None:
    """Namespaces declared on the root only, prefixes known, no attribute twice."""
    expanded = set()
    for attribute, value in ATTRIBUTE.findall(attributes):
        if attribute == "xmlns" or attribute.startswith("xmlns:"):
            raise NotCovered("a namespace declared below the root")
        if attribute.startswith("xml:") and HOLE in value:
            raise NotCovered("a value in an xml: attribute (read by the parser)")
        prefix, _, local = attribute.rpartition(":")
        if prefix and prefix not in prefixes:
            raise NotCovered(f"an undeclared prefix {prefix}")
        key = (prefixes[prefix] if prefix else "", local)
        if key in expanded:
            raise NotCovered("an attribute given twice")
        expanded.add(key)
    prefix, _, _ = name.rpartition(":")
    if prefix and prefix not in prefixes:
        raise NotCovered(f"an undeclared prefix {prefix}")


NOT_NESTED = ("w:p", "w:r", "w:t", "w:rPr", "w:pPr")
TABLE_NAMES = frozenset(("w:tbl", "w:tblGrid", "w:gridCol", "w:tr", "w:tc", "w:tcPr",
                         "w:gridSpan"))
"""The elements `fast.tables_fit_grid` reads (the first of each among its siblings)."""


def check_element(name: str, written: str, self_closing: bool, stack: list[Element],
                  body: bool, open_names: dict[str, int]) -> None:
    """What docxtpl's regular expressions after rendering need, and no docPr ids."""
    if stack and stack[-1].name == "w:t":
        raise NotCovered("an element inside w:t")
    if name in NOT_NESTED and open_names.get(name):
        raise NotCovered(f"{name} inside {name}")
    if self_closing and name in ("w:p", "w:r", "w:t") and " " in written:
        raise NotCovered(f"a self-closing {name} with attributes")
    if body and "docPr" in name:
        raise NotCovered("a drawing whose ids docxtpl renumbers")


def start_element(element: Element, tables: list[Element], block: int,
                  attributes: str) -> None:
    """Tables, as `fast.tables_fit_grid` reads them: grid columns, rows, cells, spans."""
    parent = element.parent
    name = element.name
    first = False
    if parent is not None and name in TABLE_NAMES:
        if parent.first is None:
            parent.first = set()
        first = name not in parent.first
        parent.first.add(name)
    if name == "w:tbl":
        element.table = Table(block)
        tables.append(element)
    elif name == "w:gridCol" and parent is not None and parent.first_grid:
        table = parent.parent.table if parent.parent is not None else None
        assert table is not None
        if block != table.block:
            raise NotCovered("grid columns inside a block")
        table.columns += 1
    elif name == "w:tblGrid" and parent is not None and parent.table is not None and first:
        if block != parent.table.block:
            raise NotCovered("a table grid inside a block")
        element.first_grid = True
    elif name == "w:tr":
        element.row = Row(block)
    elif name == "w:tc" and parent is not None and parent.row is not None:
        if block != parent.row.block:
            raise NotCovered("a table cell inside a block")
        element.cell = Cell()
    elif name == "w:tcPr" and parent is not None and parent.cell is not None and first:
        if block != parent.block:
            raise NotCovered("cell properties inside a block")
        element.cell = parent.cell  # the first tcPr
    elif (name == "w:gridSpan" and parent is not None and parent.name == "w:tcPr"
          and parent.cell is not None and first):
        if block != parent.block:
            raise NotCovered("a grid span inside a block")
        values = dict(ATTRIBUTE.findall(attributes))
        value = values.get("w:val")
        if value is None:
            parent.cell.span = 0
        elif DIGITS.fullmatch(value):
            parent.cell.span = int(value)
        else:
            raise NotCovered("a grid span that is not a number")


def end_element(element: Element, empty: set[tuple[str, str]], tables: list[Element],
                self_closing: bool) -> None:
    if not self_closing and not element.static:
        if HOLE in element.tag:
            raise NotCovered("an element with a value in its start tag that may be empty")
        empty.add((element.tag, f"</{element.name}>"))
    parent = element.parent
    if element.name == "w:tc" and parent is not None and parent.row is not None:
        row = parent.row
        row.cells += 1
        row.span += 1 if element.cell is None or element.cell.span is None \
            else element.cell.span
    elif element.row is not None:
        for owner in tables:
            table = owner.table
            assert table is not None
            table.rows.append((element.row.cells, element.row.span,
                               element.row.block > table.block))
    elif element.table is not None:
        tables.remove(element)
        table = element.table
        fits = (table.columns > 0
                and all(cells <= table.columns for cells, _, _ in table.rows)
                and any(span >= table.columns and not inside
                        for _, span, inside in table.rows))
        if not fits:
            raise NotCovered("a table docxtpl's fix_tables may change")


def direct_part(env: Environment, source: str, body: bool,
                reference: Callable[[str], bytes]) -> DirectPart:
    """The part's direct writer, or NotCovered. reference: the reference path's bytes of
    a rendered XML text (used on a probe to learn what lxml writes around the content)."""
    ast = env.parse(source)
    linear = linear_form(ast)
    proof = prove(linear.text, body)
    in_attribute = set(proof.attribute_holes)
    for index, (output, position) in enumerate(linear.holes):
        expression = output.nodes[position]
        name = ATTRIBUTE_FILTER if index in in_attribute else TEXT_FILTER
        output.nodes[position] = nodes.Filter(expression, name, [], [], None, None,
                                              lineno=expression.lineno)
    direct_env = direct_environment(env)
    ast.set_environment(direct_env)
    code = direct_env.compile(ast)
    names = frozenset(direct_env.names)  # type: ignore[attr-defined]
    template = direct_env.template_class.from_code(direct_env, code,
                                                   direct_env.make_globals(None))
    probe = "".join(f'<{prefix}:probe {prefix}:a="1"/>'
                    for prefix in sorted(proof.prefixes) if prefix != "xml")
    probe += '<w:probe xml:space="preserve"/>'
    written = reference(proof.root + probe + proof.root_end).decode("utf-8")
    if written.count(probe) != 1:
        raise NotCovered("lxml writes the probe differently")
    prefix, _, suffix = written.partition(probe)
    return DirectPart(template, len(proof.root), len(proof.root_end), prefix, suffix,
                      tuple(sorted(proof.empty)), blank_text_removed=not body, code=code,
                      names=names, assigns=linear.assigns)
