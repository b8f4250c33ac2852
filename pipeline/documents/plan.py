"""Which documents a project gets: a pure function of the project and its findings.

MODEL.md's table: a document kind is produced from its phase on, one per project or one
per row of its sheet; it is final when its decision point is in effect (approved, dated,
its checklist done), otherwise a draft (UTKAST) with the number of open checklist items;
an error finding whose `blocks` names the document keeps it from being produced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeline import contract
from pipeline.findings import Finding, Severity
from pipeline.model import DOCUMENTS, DocKind, DocumentKind
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import is_effective, open_items
from pipeline.workbook.parse import document_id


@dataclass(frozen=True)
class PlannedDocument:
    kind: DocKind
    id: str
    """`projektdirektiv`, or kind and Excel row for per-row documents (`statusrapport:4`)."""
    name: str
    """The output file name, stable between runs: `Statusrapport 03.docx`."""
    title: str
    row: Any | None
    """The sheet row a per-row document is made from."""
    decision_point: str | None
    final: bool
    open_items: int
    blocked_by: tuple[Finding, ...] = ()
    amended: str | None = None
    """Its archived version that the project now differs from (`BP1 2011-01-15`, or a
    statusrapport's Rapportdatum); see pipeline.archive."""

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_by)

    @property
    def draft(self) -> bool:
        return not self.final


def plan(project: Project, findings: Iterable[Finding], settings: Settings = DEFAULTS
         ) -> list[PlannedDocument]:
    """The documents of the project in the model's order, drafts, finals and blocked ones
    (final and open items by the organisation's checklists)."""
    errors = [f for f in findings if f.severity is Severity.ERROR and f.blocks]
    planned: list[PlannedDocument] = []
    for kind in DOCUMENTS:
        if kind.from_phase > max(project.phase_number, 1):
            continue
        for row in rows_of(project, kind):
            planned.append(planned_document(project, kind, row, errors, settings))
    return unique_names(planned)


def rows_of(project: Project, kind: DocumentKind) -> list[Any | None]:
    if kind.per_row_of is None:
        return [None]
    return list(project.sheet(contract.SHEETS_BY_NAME[kind.per_row_of]))


def planned_document(project: Project, kind: DocumentKind, row: Any | None,
                     errors: list[Finding], settings: Settings = DEFAULTS) -> PlannedDocument:
    doc_id = document_id(kind.kind, row.row if row is not None else None)
    bp = kind.final_when
    final = bp is None or is_effective(project, bp, settings)
    remaining = 0 if bp is None else len(open_items(project, bp, settings))
    blockers = tuple(f for f in errors if str(kind.kind) in f.blocks or doc_id in f.blocks)
    return PlannedDocument(kind.kind, doc_id, file_name(kind, row), kind.title, row, bp,
                           final, remaining, blockers)


def file_name(kind: DocumentKind, row: Any | None) -> str:
    if row is None:
        return f"{kind.title}.docx"
    if kind.kind is DocKind.STATUSRAPPORT:
        number = row.rapport_nr
        suffix = f"{number:02d}" if number is not None else f"rad {row.row}"
        return f"{kind.title} {suffix}.docx"
    if kind.kind is DocKind.PERSONKONTRAKT:
        person = (row.projektmedlem or "").strip() or f"rad {row.row}"
        return f"{kind.title} {person}.docx"
    return f"{kind.title} rad {row.row}.docx"


def unique_names(planned: list[PlannedDocument]) -> list[PlannedDocument]:
    """Two rows giving the same name (two contracts for one person) get their row added."""
    counts: dict[str, int] = {}
    for doc in planned:
        counts[doc.name.lower()] = counts.get(doc.name.lower(), 0) + 1
    result = []
    for doc in planned:
        if counts[doc.name.lower()] > 1 and doc.row is not None:
            stem = doc.name.removesuffix(".docx")
            doc = PlannedDocument(doc.kind, doc.id, f"{stem} (rad {doc.row.row}).docx",
                                  doc.title, doc.row, doc.decision_point, doc.final,
                                  doc.open_items, doc.blocked_by)
        result.append(doc)
    return result
