"""The example's build in a readable form: the golden output tree in tests/golden/.

    python -m tests.golden            # regenerate tests/golden/ from input/

Each document becomes its text (headers, body in order with table rows as `a | b | c`,
footers), each sheet of an .xlsx a CSV file, the Kontrollrapport stays as it is, and
index.html becomes the text of its table. tests/test_golden.py builds the example again
and compares: a change to what the build writes shows as a diff of readable text.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from pipeline.archive import MANIFEST, manifest_text

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
EXAMPLE_INPUT = ROOT / "input"
TODAY = date(2012, 3, 20)
"""The day the example is built against: two months after its Slutdatum with BP4 not
taken, so that every kind of time-based finding shows once at least (a status report due
since 2012-03-14, Slutdatum passed, two activities past their Slut, two contracts ended)."""


def docx_text(path: Path) -> str:
    """Every header, the body in order and every footer, one line per paragraph or row."""
    document = Document(str(path))
    lines: list[str] = []
    for section in document.sections:
        lines += ["[sidhuvud]", *blocks_text(section.header.iter_inner_content())]
    lines += ["[brödtext]", *blocks_text(document.iter_inner_content())]
    for section in document.sections:
        lines += ["[sidfot]", *blocks_text(section.footer.iter_inner_content())]
    return "\n".join(lines) + "\n"


def blocks_text(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                yield " | ".join(cell.text.replace("\n", " / ") for cell in row.cells)
        else:
            yield block.text


def xlsx_sheets(path: Path) -> dict[str, str]:
    """Each sheet's values as CSV text (dates as ISO dates, numbers as Python writes them)."""
    book = load_workbook(path, read_only=True)
    sheets = {}
    for sheet in book:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in sheet.iter_rows(values_only=True):
            writer.writerow(["" if v is None else shown(v) for v in row])
        sheets[sheet.title] = out.getvalue()
    book.close()
    return sheets


def shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


VOLATILE = ("sha256", "arbetsbok_sha256", "programversion", "arkiverad")
"""What differs between builds of the same example (bytes, versions, times)."""


def archive_text(path: Path) -> str:
    """An archive's arkiv.json with what differs between two builds left out (its PDF
    entries too, made where LibreOffice is installed)."""
    entries = json.loads(path.read_text(encoding="utf-8"))["filer"]
    return manifest_text([{k: v for k, v in e.items() if k not in VOLATILE} for e in entries
                          if not e["fil"].endswith(".pdf")])


class TableText(HTMLParser):
    """The text of every table row of a page, cells joined by ` | `."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in ("br", "li", "span", "p", "div") and self.cell is not None:
            self.cell.append(" / " if tag in ("br", "li") else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def html_tables(path: Path) -> str:
    parser = TableText()
    parser.feed(path.read_text(encoding="utf-8"))
    return "\n".join(" | ".join(row) for row in parser.rows) + "\n"


def readable_tree(output: Path) -> dict[str, str]:
    """Relative name in the golden tree -> readable text, for every file the build wrote
    (the state folder aside)."""
    tree: dict[str, str] = {}
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        relative = path.relative_to(output)
        if relative.parts[0] == ".projektmodell":
            continue
        name = relative.as_posix()
        if path.suffix == ".docx":
            tree[f"{name}.txt"] = docx_text(path)
        elif path.suffix == ".xlsx":
            for sheet, text in xlsx_sheets(path).items():
                tree[f"{name}.{sheet}.csv"] = text
        elif path.suffix == ".html":
            tree[f"{name}.txt"] = html_tables(path)
        elif path.suffix == ".pdf":
            continue  # made by LibreOffice where it is installed; its .docx is compared
        elif path.name == MANIFEST:
            tree[name] = archive_text(path)
        else:
            tree[name] = path.read_text(encoding="utf-8")
    return tree


def build_example(output: Path) -> int:
    """`projektmodell build input/ OUTPUT --jobs 1 --today 2012-03-20`; its exit code."""
    from pipeline.batch import BuildOptions, build

    return build(BuildOptions(EXAMPLE_INPUT, output, jobs=1, today=TODAY)).exit_code


def golden_tree() -> dict[str, str]:
    return {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(GOLDEN.rglob("*")) if p.is_file()}


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as work:
        build_example(Path(work) / "output")
        tree = readable_tree(Path(work) / "output")
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for name, text in tree.items():
        target = GOLDEN / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"{len(tree)} filer i {GOLDEN.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
