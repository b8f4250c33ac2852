"""The naive loop's parts against the least any build on docxtpl's render path must spend.

    python bench/floor.py [--workbooks 40] [--dir /tmp/bench]

On the bench's workbooks (bench/generate.py), in this one process, per workbook:
  openpyxl read     the naive loop's full load and read of every cell
  check             the project's own check (both the naive loop and the build do it)
  naive documents   the naive loop's documents: a fresh DocxTemplate rendered and saved each
  our documents     the build's documents (pipeline.documents.render), with their contexts
The naive loop is the sum of the first three. The build does at least the check and its
documents, so the ratio `naive loop / (check + our documents)` is the most that any
build rendering with docxtpl's own methods can reach against the baseline in bench/run.py;
everything else the build writes (the kalkyl, the archive, the project page, records,
ekonomi.xlsx, index.html) only lowers it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.baseline import naive_read, render_naively  # noqa: E402
from bench.generate import generate  # noqa: E402
from pipeline.check import check_bytes  # noqa: E402
from pipeline.documents import (  # noqa: E402
    TEMPLATES_DIR,
    PlannedDocument,
    Templates,
    load_templates,
    plan,
    template_file_name,
)
from pipeline.documents.context import build_context, document_properties  # noqa: E402
from pipeline.documents.render import clean, render_document  # noqa: E402
from pipeline.project import Project  # noqa: E402

T = TypeVar("T")


def measure(books: list[Path], output: Path) -> tuple[dict[str, float], int]:
    """Seconds spent in each part over all books, and the documents made."""
    templates = load_templates()
    spent = dict.fromkeys(("openpyxl read", "check", "naive documents", "our documents"), 0.0)
    documents = 0

    def timed(part: str, step: Callable[..., T], *args: Any) -> T:
        started = time.perf_counter()
        result = step(*args)
        spent[part] += time.perf_counter() - started
        return result

    for path in books:
        timed("openpyxl read", naive_read, path)
        checked = timed("check", check_bytes, path.read_bytes(), path.name)
        project = checked.project
        if project is None:
            continue
        for doc in plan(project, checked.report.findings):
            if doc.blocked:
                continue
            documents += 1
            context = build_context(project, doc)
            timed("naive documents", render_naively, TEMPLATES_DIR / template_file_name(doc.kind),
                  context, output / doc.name)
            timed("our documents", render_ours, templates, project, doc)
    return spent, documents


def render_ours(templates: Templates, project: Project, doc: PlannedDocument) -> bytes:
    """One document as the build renders it (pipeline.documents.produce_one)."""
    prepared = templates.by_kind[doc.kind].prepared
    assert prepared is not None
    context = clean(build_context(project, doc, templates.settings))
    return render_document(prepared, context, templates.env, document_properties(context))


def report(spent: dict[str, float], books: int, documents: int) -> str:
    naive = spent["openpyxl read"] + spent["check"] + spent["naive documents"]
    floor = spent["check"] + spent["our documents"]
    lines = [f"{books} workbooks, {documents} documents", "", "| part | ms per workbook |",
             "|---|---:|"]
    lines += [f"| {part} | {1000 * seconds / books:.1f} |" for part, seconds in spent.items()]
    lines += [f"| naive loop (read + check + naive documents) | {1000 * naive / books:.1f} |",
              f"| floor of the build (check + our documents) | {1000 * floor / books:.1f} |",
              "", f"most the build can reach against the naive loop: {naive / floor:.1f}x"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=40)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "bench")
    args = parser.parse_args()
    books = generate(args.workbooks, args.dir / "workbooks-0")[:args.workbooks]
    output = args.dir / "out-floor"
    output.mkdir(parents=True, exist_ok=True)
    measure(books[:1], output)  # warms the imports and the file system's cache
    spent, documents = measure(books, output)
    print(report(spent, len(books), documents))


if __name__ == "__main__":
    main()
