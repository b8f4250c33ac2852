"""The naive loop the build is measured against, as one would first write it.

    python bench/baseline.py INPUT OUTPUT

Per workbook: openpyxl's full load and a naive read of every cell's value; the project's
own check (parse and validation) and context, so the documents are the build's; then per
document a fresh docxtpl DocxTemplate, rendered (autoescaping, strict undefined) and saved.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import openpyxl
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from pipeline.check import check_bytes
from pipeline.documents import TEMPLATES_DIR, template_file_name
from pipeline.documents.context import build_context
from pipeline.documents.plan import plan
from pipeline.documents.render import clean


def naive_read(path: Path) -> list[list[Any]]:
    """openpyxl's full load, every cell's value of every sheet."""
    book = openpyxl.load_workbook(path)
    return [[cell.value for row in sheet.iter_rows() for cell in row] for sheet in book]


def render_naively(template: Path, context: dict[str, Any], target: Path) -> None:
    document = DocxTemplate(template)
    document.render(clean(context), Environment(undefined=StrictUndefined), autoescape=True)
    document.save(target)


def build_one(path: Path, output: Path) -> int:
    """The workbook's documents written into output; how many."""
    naive_read(path)
    checked = check_bytes(path.read_bytes(), path.name)
    if checked.project is None:
        return 0
    folder = output / checked.project.projekt.projekt_id
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for doc in plan(checked.project, checked.report.findings):
        if doc.blocked:
            continue
        context = build_context(checked.project, doc)
        render_naively(TEMPLATES_DIR / template_file_name(doc.kind), context, folder / doc.name)
        written += 1
    return written


def main() -> None:
    input_folder, output = Path(sys.argv[1]), Path(sys.argv[2])
    output.mkdir(parents=True, exist_ok=True)
    total = sum(build_one(path, output) for path in sorted(input_folder.glob("*.xlsx")))
    print(f"{total} documents")


if __name__ == "__main__":
    main()
