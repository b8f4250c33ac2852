"""The compiled render path: each .docx template prepared once, rendered per context.

docxtpl opens the whole .docx with python-docx, patches and compiles the Jinja of every
part, renders, and zips every member again on every render. A `CompiledTemplate` does the
per-template work once: docxtpl's own `patch_xml` on the body, headers and footers, and
the compressed bytes of every other member. A render then writes each part and a zip in
which the unchanged members are copied as their compressed bytes (`write_zip`, the bytes
zipfile writes).

A part is written directly (canonical.py) when its template proves that its rendered
text is what lxml would write; otherwise, and for any render the proof does not cover, by
the reference path: the Jinja (compiled when first needed), what docxtpl applies after
rendering (its own `resolve_listing`, `fix_tables` and `fix_docpr_ids`), and lxml's
parse and serialization.

Preparing needs python-docx, docxtpl's patching and Jinja's compiler; what it gives
(`CompiledTemplate.prepared`) is plain values and compiled code, which `load_templates`
keeps in the private cache (pipeline.private_cache), and `CompiledTemplate(data, env,
prepared)` restores it without them. docxtpl, python-docx and lxml are imported when a
render first needs what they do (the reference path).

A template using what this path does not replicate (footnotes, Jinja in the document
properties, an encrypted zip) is rendered by docxtpl itself, so the output never differs.
`tests/test_fast_render.py` proves the parts equal to docxtpl's render, and the direct
parts byte for byte equal to the reference path.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import re
import struct
import weakref
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template

from pipeline.documents.canonical import (
    ATTRIBUTE_FILTER,
    TEXT_FILTER,
    DirectPart,
    NotCovered,
    direct_environment,
    direct_part,
)
from pipeline.documents.render import recorded_fields_of_code

if TYPE_CHECKING:
    from docxtpl import DocxTemplate
    from lxml import etree

DIRECT_PARTS: weakref.WeakKeyDictionary[
    Environment, dict[tuple[str, bool, bytes], DirectPart | None]] = weakref.WeakKeyDictionary()
"""Direct writers made in an environment, by source, kind of part and document shell."""
DIRECT_FILTERS = {ATTRIBUTE_FILTER: lambda value: value, TEXT_FILTER: lambda value: value}
"""The direct templates' filters as the field check renders them: values as they are."""

COMPRESS_LEVEL = 1
"""zlib level of the rendered parts: 1 measured as fast as smaller levels and a few
per cent larger than 6 on these parts (only the rendered XML is compressed)."""

CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
"""The document properties docxtpl renders as Jinja (`render_properties`)."""

FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
LISTING_CHARS = ("\t", "\a", "\n", "\f")
W_BODY = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}body"
PARAGRAPH_START = re.compile(r"<w:p([ >])")
LOCAL_HEADER = struct.Struct("<4s5H3L2H")
PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
"""docxtpl's pattern of a paragraph in `resolve_listing`."""
W_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
W_TABLE = f"{{{W_NS['w']}}}tbl"


@cache
def table_paths() -> tuple[etree.XPath, etree.XPath, etree.XPath]:
    """What `tables_fit_grid` reads of a table: its grid's columns, whether a row is wider
    than $n cells, whether a row spans $n columns (lxml is imported when first needed)."""
    from lxml import etree

    return (etree.XPath("w:tblGrid[1]/w:gridCol", namespaces=W_NS),
            etree.XPath("boolean(.//w:tr[count(w:tc) > $n])", namespaces=W_NS),
            etree.XPath("boolean(.//w:tr[count(w:tc[not(w:tcPr[1]/w:gridSpan)])"
                        " + sum(w:tc/w:tcPr[1]/w:gridSpan[1]/@w:val) >= $n])",
                        namespaces=W_NS))


@dataclass(frozen=True)
class RawMember:
    """A member copied unchanged: its zip entry and its compressed bytes."""

    info: zipfile.ZipInfo
    raw: bytes

    @cached_property
    def headers(self) -> tuple[bytes, bytes, bytes] | None:
        """Its local header and central directory entry, as `written_headers` gives
        (None for a member it does not cover)."""
        info = self.info
        try:
            return written_headers(info, info.CRC, info.compress_size, info.file_size,
                                   info.compress_type, written=False)
        except ValueError:
            return None


@dataclass(frozen=True)
class JinjaPart:
    """A part rendered per context: the body, a header or a footer."""

    info: zipfile.ZipInfo
    source: str
    """docxtpl's patched XML with its line feeds before paragraphs (`render_xml_part`)."""
    is_body: bool
    env: Environment
    direct: DirectPart | None = None
    """Its direct writer, when the template proves it (canonical.py)."""

    @cached_property
    def template(self) -> Template:
        """The reference path's template, compiled when a render first needs it."""
        return self.env.from_string(self.source)


Prepared = tuple[bool, tuple[str, ...], bytes,
                 dict[str, tuple[str, bool, dict[str, Any] | None]]]
"""What `CompiledTemplate.prepare` makes, as plain values marshal can write: whether
docxtpl renders it, the order of its Jinja parts, the document shell, and per Jinja part
its marked source, whether it is the body and its DirectPart's fields (`direct_fields`)."""


class CompiledTemplate:
    """A .docx template prepared once; `render(context)` gives the document's bytes.

    The context is rendered as docxtpl renders it with `autoescape=True` in `env`; clean
    it first as `render.clean` does. prepared: what an earlier `prepared()` of the same
    bytes gave (pipeline.private_cache), used instead of preparing them again.
    """

    def __init__(self, data: bytes, env: Environment, prepared: Prepared | None = None
                 ) -> None:
        self.data = data
        self.env = env
        self.members: list[RawMember | JinjaPart] = []
        self.shell = b""
        self.order: list[str] = []
        if prepared is not None:
            self.restore(prepared)
            return
        self.fallback = not fast_path_applies(self.helper)
        if not self.fallback:
            self.prepare()

    @cached_property
    def helper(self) -> DocxTemplate:
        """docxtpl's template of the bytes, for what its methods do after rendering
        (made, with the import of docxtpl and python-docx, when first needed)."""
        from docxtpl import DocxTemplate

        return DocxTemplate(io.BytesIO(self.data))

    def prepare(self) -> None:
        """Patch and compile the Jinja parts, keep every other member's compressed bytes."""
        env = self.env
        env.autoescape = True
        docx = self.helper.docx
        parts = jinja_sources(self.helper)
        self.order = [name for name, _ in parts]
        sources = dict(parts)
        body = docx.part.partname.lstrip("/")
        self.shell = document_shell(docx.element)

        def prepared_part(info: zipfile.ZipInfo) -> JinjaPart | None:
            source = sources.get(info.filename)
            if source is None:
                return None
            marked = PARAGRAPH_START.sub(r"\n<w:p\1", source)
            is_body = info.filename == body
            return JinjaPart(entry(info), marked, is_body, env, self.direct_part(marked, is_body))

        self.take_members(prepared_part)
        self.helper.docx = None  # the parsed document is not needed any more

    def prepared(self) -> Prepared:
        """What preparing gave, for `CompiledTemplate(data, env, prepared)` in another
        process: the other members are taken from the bytes again."""
        parts = {m.info.filename: (m.source, m.is_body,
                                   None if m.direct is None else direct_fields(m.direct))
                 for m in self.members if isinstance(m, JinjaPart)}
        return self.fallback, tuple(self.order), self.shell, parts

    def restore(self, prepared: Prepared) -> None:
        """The template as `prepare` made it, from what `prepared()` gave."""
        fallback, order, shell, parts = prepared
        self.fallback = fallback
        if fallback:
            return
        env = self.env
        env.autoescape = True
        self.order = list(order)
        self.shell = shell

        def restored_part(info: zipfile.ZipInfo) -> JinjaPart | None:
            part = parts.get(info.filename)
            if part is None:
                return None
            marked, is_body, fields = part
            direct = None if fields is None else restored_direct(env, fields)
            return JinjaPart(entry(info), marked, is_body, env, direct)

        self.take_members(restored_part)

    def take_members(self, jinja_part: Callable[[zipfile.ZipInfo], JinjaPart | None]
                     ) -> None:
        """Every member of the template, in order: the Jinja part `jinja_part` makes of
        it, or else the member as its compressed bytes."""
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            for info in archive.infolist():
                part = jinja_part(info)
                self.members.append(part if part is not None
                                    else RawMember(entry(info), raw_bytes(self.data, info)))

    @property
    def reads_only(self) -> bool:
        """Whether no render can change the context: every part is written directly, so
        its template calls nothing (a call, `{{ rader.pop() }}`, could)."""
        return not self.fallback and all(
            m.direct is not None for m in self.members if isinstance(m, JinjaPart))

    def checked_fields(self, context: dict[str, Any]) -> list[str] | None:
        """`render.unknown_fields(template_source(data), context)`, from the direct parts'
        names and compiled code, or None where that is not the same.

        The same when every part is written directly and none assigns a variable: the
        joined source then parses (each part does), its names are the parts' names, and
        rendering it renders the parts one after another (stopping at an error).
        """
        parts = {m.info.filename: m for m in self.members if isinstance(m, JinjaPart)}
        chosen = [parts.get(name) for name in self.order]
        directs = [part.direct for part in chosen if part is not None]
        if self.fallback or not chosen or len(directs) != len(chosen) \
                or any(d is None or d.assigns or d.code is None for d in directs):
            return None
        names = frozenset().union(*(d.names for d in directs if d is not None))
        missing = sorted(names - context.keys())
        codes = [d.code for d in directs if d is not None and d.code is not None]
        recorded = recorded_fields_of_code(codes, context, DIRECT_FILTERS)
        return missing + [f for f in recorded if f not in missing]

    def direct_part(self, source: str, is_body: bool) -> DirectPart | None:
        """The part's direct writer, or None where its template does not prove it.

        Made once per environment for the same source (the templates share their
        headers and footers) and, for a body, the same document around it.
        """
        known = DIRECT_PARTS.setdefault(self.env, {})
        key = (source, is_body, self.shell if is_body else b"")
        if key not in known:
            reference = self.body_xml if is_body else part_xml
            try:
                known[key] = direct_part(self.env, source, is_body, reference)
            except NotCovered:
                known[key] = None
        return known[key]

    def render(self, context: dict[str, Any]) -> bytes:
        """The rendered .docx as bytes."""
        if self.fallback:
            return render_with_docxtpl(self.data, context, self.env)
        parts = [member if isinstance(member, RawMember)
                 else (member.info, self.render_part(member, context))
                 for member in self.members]
        return write_zip(parts)

    def render_part(self, part: JinjaPart, context: dict[str, Any]) -> bytes:
        if part.direct is not None:
            try:
                return part.direct.render(context)
            except Exception:  # the reference path writes the part, or raises the error
                pass
        xml = after_render(self.helper, part.template.render(context))
        if part.is_body:
            return self.body_xml(xml)
        return part_xml(xml)

    def body_xml(self, xml: str) -> bytes:
        """docxtpl's body: tables fixed, drawing ids renumbered, put in the document."""
        from lxml import etree

        tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        if not tables_fit_grid(tree):
            tree = self.helper.fix_tables(xml)
        self.helper.docx_ids_index = 1000
        self.helper.fix_docpr_ids(tree)
        root = etree.fromstring(self.shell)
        root.replace(root.find(W_BODY), tree)
        return etree.tostring(root, encoding="UTF-8", standalone=True)


def direct_fields(direct: DirectPart) -> dict[str, Any]:
    """A DirectPart's fields but its template, which `restored_direct` makes again from
    its code."""
    return {f.name: getattr(direct, f.name) for f in dataclasses.fields(direct)
            if f.init and f.name != "template"}


def restored_direct(env: Environment, fields: dict[str, Any]) -> DirectPart:
    """The DirectPart `canonical.direct_part` made in env, from its `direct_fields`: its
    template is its compiled code in the direct environment."""
    direct_env = direct_environment(env)
    template = direct_env.template_class.from_code(direct_env, fields["code"],
                                                   direct_env.make_globals(None))
    return DirectPart(template=template, **fields)


def part_xml(xml: str) -> bytes:
    """A rendered header or footer as docxtpl writes it (python-docx's parser)."""
    from docx.oxml.parser import parse_xml
    from lxml import etree

    return etree.tostring(parse_xml(xml.encode("utf-8")), encoding="UTF-8", standalone=True)


def fast_path_applies(template: DocxTemplate) -> bool:
    """Whether the template uses only what CompiledTemplate replicates of docxtpl."""
    template.init_docx()
    docx = template.docx
    core = docx.core_properties
    if any(has_jinja(getattr(core, name) or "") for name in CORE_PROPERTIES):
        return False
    if any(part.content_type == FOOTNOTES for part in docx.part.package.iter_parts()):
        return False
    with zipfile.ZipFile(io.BytesIO(template.template_file.getvalue())) as archive:
        return not any(info.flag_bits & 0x1 for info in archive.infolist())


def has_jinja(text: str) -> bool:
    return any(mark in text for mark in ("{{", "{%", "{#"))


def jinja_sources(template: DocxTemplate) -> list[tuple[str, str]]:
    """(zip member name, docxtpl-patched XML) of the body and every header and footer, in
    the order (and with the repeats) of `render.template_source`."""
    docx = template.docx
    sources = [(docx.part.partname.lstrip("/"), template.patch_xml(template.get_xml()))]
    for uri in (template.HEADER_URI, template.FOOTER_URI):
        for _key, part in template.get_headers_footers(uri):
            xml = template.get_part_xml(part)
            sources.append((part.partname.lstrip("/"), template.patch_xml(xml)))
    return sources


def document_shell(element: etree._Element) -> bytes:
    """The document element with an empty body, to receive each rendered body."""
    from lxml import etree

    shell = copy.deepcopy(element)
    body = shell.find(W_BODY)
    for child in list(body):
        body.remove(child)
    return etree.tostring(shell)


def tables_fit_grid(tree: etree._Element) -> bool:
    """Whether docxtpl's `fix_tables` would leave every table as it is.

    It adds grid columns when a row has more cells than the grid, and removes them when no
    row spans the whole grid (gridSpan counted); neither happens when this holds.
    """
    grid_columns, row_wider, row_spanning = table_paths()
    for table in tree.iter(W_TABLE):
        columns = len(grid_columns(table))
        if not columns or row_wider(table, n=columns) or not row_spanning(table, n=columns):
            return False
    return True


def after_render(template: DocxTemplate, xml: str) -> str:
    """What docxtpl's `render_xml_part` does to the rendered XML."""
    # docxtpl's re.sub(r"\n<w:p([ >])", r"<w:p\1"): the same, without a call per paragraph.
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if any(char in xml for char in LISTING_CHARS):
        xml = resolve_listing(template, xml)
    return xml


def resolve_listing(template: DocxTemplate, xml: str) -> str:
    """docxtpl's `resolve_listing`, run only on the paragraphs it would change.

    It rewrites each paragraph (the same pattern) independently, and changes only those
    holding a tab, line break, form feed or bell; the others are returned as they are.
    """
    def paragraph(match: re.Match[str]) -> str:
        text = match.group(0)
        if any(char in text for char in LISTING_CHARS):
            return template.resolve_listing(text)
        return text

    return PARAGRAPH.sub(paragraph, xml)


def entry(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh zip entry with the source member's name, time, method and sizes."""
    fresh = zipfile.ZipInfo(info.filename, info.date_time)
    fresh.compress_type = info.compress_type
    fresh.external_attr = info.external_attr
    fresh.create_system = info.create_system
    fresh.CRC = info.CRC
    fresh.compress_size = info.compress_size
    fresh.file_size = info.file_size
    return fresh


def raw_bytes(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """The member's compressed bytes as stored in the zip."""
    fields = LOCAL_HEADER.unpack_from(data, info.header_offset)
    name_length, extra_length = fields[-2], fields[-1]
    start = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
    return data[start:start + info.compress_size]


Member = RawMember | tuple[zipfile.ZipInfo, bytes]
"""A member of a rendered .docx: copied as it is, or an entry and its rendered bytes."""
ZIP64_LIMIT = (1 << 31) - 1
DOS_EPOCH = 1980
CENTRAL_HEAD = "<4s4B4HL2L5HL"
"""zipfile's central directory entry without its last field, the header offset."""
assert zipfile.structCentralDir == CENTRAL_HEAD[:-1] + "2L"


def write_zip(members: list[Member]) -> bytes:
    """The .docx zipfile writes (`write_zip_reference`), without its per-member objects.

    A copied member's local header and central directory entry are made once; a rendered
    one is compressed as zipfile's writestr does (raw deflate at COMPRESS_LEVEL), with the
    header zipfile writes back once it knows the sizes and CRC. Anything zipfile would
    write as ZIP64 goes to zipfile itself.
    """
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for member in members:
        if isinstance(member, RawMember):
            if member.headers is None:
                return write_zip_reference(members)
            header, entry_head, entry_tail = member.headers
            local.append(header)
            local.append(member.raw)
            size = len(header) + len(member.raw)
        else:
            info, data = member
            compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
            packed = compressor.compress(data) + compressor.flush()
            if len(data) * 1.05 > ZIP64_LIMIT or len(packed) > ZIP64_LIMIT:
                return write_zip_reference(members)
            header, entry_head, entry_tail = written_headers(
                info, zlib.crc32(data), len(packed), len(data), zipfile.ZIP_DEFLATED)
            local.append(header)
            local.append(packed)
            size = len(header) + len(packed)
        if offset > ZIP64_LIMIT:
            return write_zip_reference(members)
        central.append(entry_head + struct.pack("<L", offset) + entry_tail)
        offset += size
    directory = b"".join(central)
    if len(members) > zipfile.ZIP_FILECOUNT_LIMIT or offset > ZIP64_LIMIT \
            or len(directory) > ZIP64_LIMIT:
        return write_zip_reference(members)
    end = struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive, 0, 0,
                      len(members), len(members), len(directory), offset, 0)
    return b"".join((*local, directory, end))


def written_headers(info: zipfile.ZipInfo, crc: int, compress_size: int, file_size: int,
                    compress_type: int, written: bool = True) -> tuple[bytes, bytes, bytes]:
    """What zipfile writes for a member without ZIP64: its local header, and its central
    directory entry before and after the header offset. written: by writestr, whose
    `_open_to_write` gives ?rw------- to a member without attributes; a copied member's
    flags are its fresh entry's (none but UTF-8 names, `entry`)."""
    flags = 0 if written else info.flag_bits
    if compress_size > ZIP64_LIMIT or file_size > ZIP64_LIMIT \
            or flags & zipfile._MASK_USE_DATA_DESCRIPTOR:
        raise ValueError("a member this writer does not cover")
    version = {zipfile.ZIP_BZIP2: zipfile.BZIP2_VERSION,
               zipfile.ZIP_LZMA: zipfile.LZMA_VERSION}.get(compress_type, 0)
    extract_version = max(version, info.extract_version)
    create_version = max(version, info.create_version)
    year, month, day, hour, minute, second = info.date_time
    dosdate = (year - DOS_EPOCH) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | (second // 2)
    try:
        name = info.filename.encode("ascii")
    except UnicodeEncodeError:
        name, flags = info.filename.encode("utf-8"), flags | zipfile._MASK_UTF_FILENAME
    attributes = info.external_attr or (0o600 << 16 if written else 0)
    header = struct.pack(zipfile.structFileHeader, zipfile.stringFileHeader,
                         extract_version, info.reserved, flags, compress_type,
                         dostime, dosdate, crc, compress_size, file_size,
                         len(name), len(info.extra)) + name + info.extra
    entry_head = struct.pack(CENTRAL_HEAD, zipfile.stringCentralDir,
                             create_version, info.create_system, extract_version,
                             info.reserved, flags, compress_type, dostime, dosdate, crc,
                             compress_size, file_size, len(name), len(info.extra),
                             len(info.comment), 0, info.internal_attr, attributes)
    return header, entry_head, name + info.extra + info.comment


def write_zip_reference(members: list[Member]) -> bytes:
    """The .docx as zipfile writes it: the reference for `write_zip`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            if isinstance(member, RawMember):
                write_raw(archive, member)
            else:
                info, data = member
                archive.writestr(copy.copy(info), data, zipfile.ZIP_DEFLATED, COMPRESS_LEVEL)
    return out.getvalue()


def write_raw(archive: zipfile.ZipFile, member: RawMember) -> None:
    """Append a member by its compressed bytes, without decompressing or compressing."""
    info = copy.copy(member.info)
    info.header_offset = archive.fp.tell()
    archive.fp.write(info.FileHeader())
    archive.fp.write(member.raw)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = archive.fp.tell()


def render_with_docxtpl(data: bytes, context: dict[str, Any], env: Environment) -> bytes:
    """docxtpl's own render: the reference, and the path for what is not replicated."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(io.BytesIO(data))
    template.render(context, env, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


COMPILED: dict[tuple[bytes, Environment], CompiledTemplate] = {}
"""The templates prepared in this process, by bytes and environment, the oldest first."""
COMPILED_LIMIT = 64


def compiled_template(data: bytes, env: Environment) -> CompiledTemplate:
    """The template prepared once per process (and per environment)."""
    template = COMPILED.get((data, env))
    if template is None:
        template = remember(CompiledTemplate(data, env))
    return template


def remember(template: CompiledTemplate) -> CompiledTemplate:
    """Keep a prepared template for `compiled_template` (at most COMPILED_LIMIT)."""
    while len(COMPILED) >= COMPILED_LIMIT:
        del COMPILED[next(iter(COMPILED))]
    COMPILED[(template.data, template.env)] = template
    return template


def prepared_template(data: bytes, env: Environment) -> CompiledTemplate | None:
    """The template already prepared in this process for env, if any."""
    return COMPILED.get((data, env))
