"""The organisation's logo in a template's headers, put there once per process.

When the templates are loaded for an organisation with a logo (pipeline.settings), each
template gets the picture in every header it defines, before it is prepared: a real image
part with its relationship from the header part, inline at the start of the paragraph
holding the organisation's name (`{{ kommun }}`, else the header's first paragraph),
scaled to the height of the header's text beside it, with the organisation's name as its
alt text (the `{{ kommun }}` field, filled in by each document's render). Every document
made from the template then carries it as the template does.

python-docx's public API adds the picture (`Run.add_picture`). It has no API for a
picture's alt text or for a run's place in its paragraph, so those two steps use lxml's
public API on the header part's XML, which python-docx gives as `XmlPart.element`: the
picture's `wp:docPr` gets `descr` and `title`, and its run is moved before the name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.blkcntnr import BlockItemContainer
    from docx.document import Document
    from docx.text.paragraph import Paragraph

NAME_FIELD = re.compile(r"\{\{\s*kommun\s*\}\}")
ALT_TEXT = "{{ kommun }}"
"""The picture's alt text: the organisation's name, rendered into each document as any
field is (escaped; a name holding `{{` stays text)."""
DEFAULT_FONT_SIZE = 11
"""Points, where neither a run nor its styles set a size."""
WORD_LINE_SPACING = 1.15
"""Word's single line spacing, as a multiple of the font size."""
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def with_logo(template: bytes, logo: bytes) -> bytes:
    """The template (.docx bytes) with the logo in each header it defines; raises for
    what python-docx cannot open (a template that is no .docx, an image it cannot read)."""
    from docx import Document as open_document

    document = open_document(io.BytesIO(template))
    for header in defined_headers(document):
        lines = name_lines(header)
        if not lines:
            continue
        before = pictures(header)
        run = lines[0].add_run()
        run.add_picture(io.BytesIO(logo), height=text_height(lines, document))
        run.add_text(" ")  # between the logo and the name
        for doc_pr in pictures(header):
            if doc_pr not in before:
                place_and_describe(doc_pr)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def defined_headers(document: Document) -> Iterator[Any]:
    """Each header the template's sections define (a header linked to the previous
    section's has no part of its own), once."""
    seen: set[str] = set()
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            if header.is_linked_to_previous:
                continue
            name = str(header.part.partname)
            if name not in seen:
                seen.add(name)
                yield header


def paragraph_groups(container: BlockItemContainer) -> Iterator[list[Paragraph]]:
    """The paragraphs of a header by where they stand: the header's own, then those of
    each table cell (nested tables too), each group in order."""
    yield list(container.paragraphs)
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from paragraph_groups(cell)


def name_lines(header: Any) -> list[Paragraph]:
    """The paragraph holding the organisation's name and those after it beside it (in its
    cell); else the header's first paragraph; [] for a header without paragraphs."""
    groups = [group for group in paragraph_groups(header) if group]
    for group in groups:
        for number, paragraph in enumerate(group):
            if NAME_FIELD.search(paragraph.text):
                return group[number:]
    return groups[0][:1] if groups else []


def text_height(lines: list[Paragraph], document: Document) -> int:
    """The height (EMU) of the lines at single line spacing: what the logo is scaled to."""
    from docx.shared import Pt

    normal = style_size(document.styles["Normal"]) or Pt(DEFAULT_FONT_SIZE)
    return int(sum(line_size(p) or normal for p in lines) * WORD_LINE_SPACING)


def line_size(paragraph: Paragraph) -> int | None:
    """The largest font size a run of the paragraph sets, else its style's."""
    sizes = [run.font.size for run in paragraph.runs if run.font.size]
    if sizes:
        return max(sizes)
    return style_size(paragraph.style) if paragraph.style is not None else None


def style_size(style: object) -> int | None:
    """A paragraph style's font size, as it or the styles it is based on set it."""
    while style is not None:
        size = style.font.size  # type: ignore[attr-defined]
        if size:
            return size
        style = style.base_style  # type: ignore[attr-defined]
    return None


def pictures(header: Any) -> list[Any]:
    """The `wp:docPr` elements of the header's inline pictures."""
    return [doc_pr for doc_pr in header.part.element.iter(f"{{{WP}}}docPr")
            if doc_pr.getparent().tag == f"{{{WP}}}inline"]


def place_and_describe(doc_pr: Any) -> None:
    """The picture of doc_pr: its alt text the organisation's name, its run (the picture
    and a space) first in its paragraph."""
    doc_pr.set("descr", ALT_TEXT)
    doc_pr.set("title", ALT_TEXT)
    run = next(doc_pr.iterancestors(f"{{{W}}}r"))
    first = run.getparent().find(f"{{{W}}}r")
    if first is not None and first is not run:
        first.addprevious(run)
