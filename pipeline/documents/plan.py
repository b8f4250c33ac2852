"""Which documents a project gets: a pure function of the project and its findings.

MODEL.md's table: a document kind is produced from its phase on, one per project or one
per row of its sheet; it is final when its decision point is in effect (approved, dated,
its checklist done), otherwise a draft (UTKAST) with the number of open checklist items;
a finding whose `blocks` names the document keeps it from being produced. When the phase
is unknown (Aktuell fas empty or not a phase) every kind is planned, each held back by
that finding: none is taken for a document the workbook no longer asks for.

`plan_findings` is what `check` and `build` both report of the plan: a missing value that
only holds back drafts for the current decision point is a to-do (a warning), each finding
names the documents it holds back as users see them, and each document held back gets a
finding saying why and what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from pipeline import contract
from pipeline.catalogue import (
    DOCUMENT_BLOCKED,
    MISSING_BEFORE_DECISION,
    MISSING_VALUE,
    TEMPLATE_INVALID,
    TEMPLATE_RENDER_FAILED,
)
from pipeline.findings import Finding
from pipeline.model import DOCUMENTS, PHASES, DocKind, DocumentKind
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import is_effective, open_items, phase_of_item, working_phase
from pipeline.workbook.parse import UNREAD_CODES, document_id
from pipeline.workbook.reader import CELL_REF

DOCUMENT_CODES = frozenset((DOCUMENT_BLOCKED.code, TEMPLATE_INVALID.code,
                            TEMPLATE_RENDER_FAILED.code))
"""Findings about a document itself: they name it in `blocks` and hold back nothing else."""
TO_FILL = frozenset((MISSING_VALUE.code, MISSING_BEFORE_DECISION.code))


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
    label: str = ""
    """The document as users name it: `Statusrapport 3`, `Personkontrakt Nisse Berg`."""
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
    holding = [f for f in findings if f.blocks and f.code not in DOCUMENT_CODES]
    phase = project.phase_number or len(PHASES)
    planned: list[PlannedDocument] = []
    for kind in DOCUMENTS:
        if kind.from_phase > phase:
            continue
        for row in rows_of(project, kind):
            planned.append(planned_document(project, kind, row, holding, settings))
    return unique_names(planned)


def rows_of(project: Project, kind: DocumentKind) -> list[Any | None]:
    if kind.per_row_of is None:
        return [None]
    return list(project.sheet(contract.SHEETS_BY_NAME[kind.per_row_of]))


def holds_back(finding: Finding, doc: PlannedDocument) -> bool:
    return str(doc.kind) in finding.blocks or doc.id in finding.blocks


def planned_document(project: Project, kind: DocumentKind, row: Any | None,
                     holding: list[Finding], settings: Settings = DEFAULTS
                     ) -> PlannedDocument:
    doc_id = document_id(kind.kind, row.row if row is not None else None)
    bp = kind.final_when
    final = bp is None or is_effective(project, bp, settings)
    remaining = 0 if bp is None else len(open_items(project, bp, settings))
    blockers = tuple(f for f in holding if str(kind.kind) in f.blocks or doc_id in f.blocks)
    label = document_label(kind, row)
    return PlannedDocument(kind.kind, doc_id, f"{file_stem(kind, row)}.docx", kind.title, row,
                           bp, final, remaining, blockers, label)


def file_stem(kind: DocumentKind, row: Any | None) -> str:
    """`Statusrapport 03`: the file name, numbers padded so that files sort."""
    if row is not None and kind.kind is DocKind.STATUSRAPPORT and row.rapport_nr is not None:
        return f"{kind.title} {row.rapport_nr:02d}"
    return document_label(kind, row)


def document_label(kind: DocumentKind, row: Any | None) -> str:
    """`Projektdirektiv`, `Statusrapport 3`, `Personkontrakt Nisse Berg`."""
    if row is None:
        return kind.title
    if kind.kind is DocKind.STATUSRAPPORT:
        number = row.rapport_nr
        return f"{kind.title} {number}" if number is not None else f"{kind.title} rad {row.row}"
    if kind.kind is DocKind.PERSONKONTRAKT:
        person = (row.projektmedlem or "").strip() or f"rad {row.row}"
        return f"{kind.title} {person}"
    return f"{kind.title} rad {row.row}"


def unique_names(planned: list[PlannedDocument]) -> list[PlannedDocument]:
    """Two rows giving the same name (two contracts for one person) get their row added."""
    counts: dict[str, int] = {}
    for doc in planned:
        counts[doc.name.lower()] = counts.get(doc.name.lower(), 0) + 1
    result = []
    for doc in planned:
        if counts[doc.name.lower()] > 1 and doc.row is not None:
            stem = doc.name.removesuffix(".docx")
            doc = replace(doc, name=f"{stem} (rad {doc.row.row}).docx",
                          label=f"{doc.label} (rad {doc.row.row})")
        result.append(doc)
    return result


# --- what check and build report of the plan ---------------------------------------------

def plan_findings(project: Project, findings: Sequence[Finding],
                  settings: Settings = DEFAULTS) -> tuple[list[Finding], list[PlannedDocument]]:
    """The findings as check and build report them, and the plan they give."""
    findings = [holding_final(project, finding, settings) for finding in findings]
    planned = plan(project, findings, settings)
    settled = [as_todo(project, finding, planned) for finding in findings]
    if any(s is not f for s, f in zip(settled, findings, strict=True)):
        planned = plan(project, settled, settings)  # the to-dos hold back what they did
    stops: dict[int, list[str]] = {}
    for doc in planned:
        for finding in doc.blocked_by:
            stops.setdefault(id(finding), []).append(doc.label)
    named = [replace(f, stops=tuple(stops[id(f)])) if id(f) in stops else f for f in settled]
    unknown_phase = project.phase_number == 0
    return named + [blocked_finding(doc, unknown_phase) for doc in planned if doc.blocked], \
        planned


def holding_final(project: Project, finding: Finding, settings: Settings = DEFAULTS
                  ) -> Finding:
    """A decision or checklist answer that could not be read holds back the documents that
    decision point makes final: whether they are final is not known, and a draft must not
    replace the approved document."""
    if finding.code not in UNREAD_CODES or finding.sheet not in DECIDING:
        return finding
    match = CELL_REF.fullmatch(finding.cell or "")
    number = int(match[2]) if match is not None else None
    row = next((r for r in project.sheet(contract.SHEETS_BY_NAME[finding.sheet])
                if r.row == number), None)
    if row is None:
        return finding
    if finding.sheet == contract.BESLUT.name:
        points = [row.beslutspunkt] if row.beslutspunkt else [p.decision_point for p in PHASES]
    else:
        phase = phase_of_item(row, settings)
        points = [phase.decision_point] if phase is not None else []
    kinds = tuple(str(d.kind) for d in DOCUMENTS if d.final_when in points)
    blocks = tuple(dict.fromkeys(finding.blocks + kinds))
    return finding if blocks == finding.blocks else replace(finding, blocks=blocks)


DECIDING = frozenset((contract.BESLUT.name, contract.CHECKLISTOR.name))
"""Sheets whose values decide whether a document is final."""


def current_decision_point(project: Project) -> str | None:
    """The decision point the project works towards, unless it is approved already."""
    phase = working_phase(project)
    return phase.decision_point if phase is not None else None


def as_todo(project: Project, finding: Finding, planned: list[PlannedDocument]) -> Finding:
    """An empty required cell that holds back only drafts for the decision point the
    project works towards is a to-do before that decision, not an error: a new project
    fills its workbook over the whole phase."""
    if finding.code != MISSING_VALUE.code:
        return finding
    bp = current_decision_point(project)
    held = [doc for doc in planned if holds_back(finding, doc)]
    if bp is None or not held or any(d.decision_point != bp or d.final for d in held):
        return finding
    return MISSING_BEFORE_DECISION(
        decision_point=bp, label=label_at(project, finding.sheet, finding.cell),
        sheet=finding.sheet, cell=finding.cell, value=finding.value, blocks=finding.blocks)


def label_at(project: Project, sheet_name: str | None, cell: str | None) -> str:
    """The contract label of the field a cell holds (`Syfte` for Projekt!B15)."""
    sheet = contract.SHEETS_BY_NAME.get(sheet_name or "")
    match = CELL_REF.fullmatch(cell or "")
    if sheet is None or match is None:
        return cell or ""
    where = project.cells.get(sheet.name, {})
    wanted = match[1] if sheet.table else match[0]
    key = next((k for k, v in where.items() if v == wanted), None)
    return sheet.field(key).label if key is not None else match[0]


def blocked_finding(doc: PlannedDocument, unknown_phase: bool = False,
                    kept: date | None = None) -> Finding:
    """Why the document is not made and what to fix; kept: the date of its last good file,
    which stays."""
    fix = "fyll i" if all(f.code in TO_FILL for f in doc.blocked_by) else "rätta"
    beyond_first = unknown_phase and DOCUMENTS_BY_KIND[doc.kind].from_phase > 1
    if kept is not None:
        document, outcome, again = doc.name, f"är från {kept.isoformat()} och görs inte om", \
            " så görs den om"
    else:
        document, outcome, again = doc.label, "skapas inte", " så skapas den"
    return DOCUMENT_BLOCKED(
        document=document, outcome=outcome, fix=fix, where=places(doc.blocked_by),
        why=" eftersom projektets fas är okänd" if unknown_phase else "",
        again="" if beyond_first else again, blocks=(doc.id,), stops=(doc.label,))


DOCUMENTS_BY_KIND = {d.kind: d for d in DOCUMENTS}


def places(findings: Iterable[Finding]) -> str:
    """`Projekt!B3, B5, Kostnader!C9, bladet Risker`: where the findings are, by sheet."""
    cells: dict[str, list[str]] = {}
    for finding in findings:
        if finding.sheet is None:
            cells.setdefault("arbetsboken", [])
        else:
            cells.setdefault(finding.sheet, [])
            if finding.cell and finding.cell not in cells[finding.sheet]:
                cells[finding.sheet].append(finding.cell)
    parts = []
    for sheet, found in cells.items():
        if sheet == "arbetsboken":
            parts.append(sheet)
        elif found:
            parts.append(f"{sheet}!{', '.join(found)}")
        else:
            parts.append(f"bladet {sheet}")
    return ", ".join(parts)
