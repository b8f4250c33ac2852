"""The phase gating rules of MODEL.md: decision points and their checklists.

The checklists are the organisation's (pipeline.settings): the model's items in its
wording and the items it adds, each gating its phase's decision point; an item the
settings do not know (a project's own row) belongs to the phase its Fas names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline import contract
from pipeline.catalogue import (
    CHECKLIST_BLOCKS_DECISION,
    CHECKLIST_ITEM_DUPLICATE,
    CHECKLIST_ITEM_MISSING,
    CHECKLIST_OPEN,
    CHECKLIST_PHASE_UNKNOWN,
    DECISION_DATE_MISSING,
    DECISION_DATE_ORDER,
    DECISION_MISSING,
    DECISION_OUTSIDE_PERIOD,
    DECISION_ROW_MISSING,
    NOT_APPLICABLE_WITHOUT_COMMENT,
)
from pipeline.findings import Finding
from pipeline.model import (
    APPROVED,
    NOT_APPLICABLE,
    PHASES,
    YES,
    Phase,
    phase_of_checklist,
    phase_of_decision,
)
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings

CHECKLISTOR = contract.CHECKLISTOR
BESLUT = contract.BESLUT


def phase_of_item(row: Any, settings: Settings = DEFAULTS) -> Phase | None:
    """An item of the organisation's model (the model's, or one its settings add) belongs
    to its own phase; any other item to the phase its Fas names."""
    by_id = settings.phase_by_id.get(row.id or "")
    return by_id if by_id is not None else phase_of_checklist(row.fas or "")


def item_text(row: Any, settings: Settings = DEFAULTS) -> str | None:
    """A checklist row's text: the organisation's wording of the item where it has one
    (a workbook made with an earlier wording shows the current one), else the row's."""
    return settings.text_of(row.id) or row.kontrollpunkt


def items_of_phase(project: Project, phase: Phase, settings: Settings = DEFAULTS) -> list[Any]:
    """The checklist rows of the phase; `phase_of_item` gives one of PHASES, so a row's
    phase is compared by identity with the member of PHASES equal to phase."""
    wanted = next((member for member in PHASES if member == phase), phase)
    return [row for row in project.checklistor if phase_of_item(row, settings) is wanted]


def is_done(row: Any) -> bool:
    """Ja, or Ej aktuellt with a Kommentar."""
    return row.svar == YES or (row.svar == NOT_APPLICABLE and bool(row.kommentar))


def open_items(project: Project, decision_point: str, settings: Settings = DEFAULTS
               ) -> list[Any]:
    return [r for r in items_of_phase(project, phase_of_decision(decision_point), settings)
            if not is_done(r)]


def is_effective(project: Project, decision_point: str, settings: Settings = DEFAULTS
                 ) -> bool:
    """Approved, dated and with every checklist item of its phase done."""
    decision = project.decision(decision_point)
    return (decision is not None and decision.beslut == APPROVED and decision.datum is not None
            and not open_items(project, decision_point, settings))


def working_phase(project: Project) -> Phase | None:
    """The phase Aktuell fas names, unless its decision point is approved already (or the
    phase is unknown): None."""
    phase = next((p for p in PHASES if p.number == project.phase_number), None)
    return None if phase is None or project.approved(phase.decision_point) else phase


def check_gating(project: Project, settings: Settings = DEFAULTS) -> Iterator[Finding]:
    if not project.checklistor and not project.beslut and not project.cells.get(BESLUT.name):
        return
    yield from missing_model_items(project, settings)
    yield from duplicate_items(project)
    yield from own_items_without_phase(project, settings)
    yield from missing_decision_rows(project)
    yield from earlier_decisions_approved(project)
    for phase in PHASES:
        yield from approved_decision_complete(project, phase, settings)
    yield from current_phase_todo(project, settings)
    yield from decision_dates(project)


def missing_model_items(project: Project, settings: Settings = DEFAULTS) -> Iterator[Finding]:
    """Every item of the organisation's model (the model's own and those its settings add)
    must be in the workbook."""
    present = {row.id for row in project.checklistor}
    for item in settings.checklist_items:
        if item.id not in present:
            yield CHECKLIST_ITEM_MISSING(id=item.id, checklist=item.checklist, text=item.text,
                                         sheet=CHECKLISTOR.name, value=item.id)


def duplicate_items(project: Project) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for row in project.checklistor:
        if row.id in seen:
            yield CHECKLIST_ITEM_DUPLICATE(id=row.id, row=seen[row.id], sheet=CHECKLISTOR.name,
                                           cell=project.cell(CHECKLISTOR, "id", row.row),
                                           value=row.id)
        elif row.id:
            seen[row.id] = row.row


def own_items_without_phase(project: Project, settings: Settings = DEFAULTS
                            ) -> Iterator[Finding]:
    for row in project.checklistor:
        if row.id and phase_of_item(row, settings) is None:
            yield CHECKLIST_PHASE_UNKNOWN(id=row.id, phase=row.fas, sheet=CHECKLISTOR.name,
                                          cell=project.cell(CHECKLISTOR, "fas", row.row),
                                          value=row.fas)


def missing_decision_rows(project: Project) -> Iterator[Finding]:
    if any(project.is_unread(BESLUT, "beslutspunkt", row.row) for row in project.beslut):
        return  # a Beslutspunkt that could not be read is reported as such
    for phase in PHASES:
        if project.decision(phase.decision_point) is None:
            yield DECISION_ROW_MISSING(decision_point=phase.decision_point, sheet=BESLUT.name,
                                       value=phase.decision_point)


def decision_cell(project: Project, decision_point: str, key: str = "beslut") -> str | None:
    row = project.decision(decision_point)
    return project.cell(BESLUT, key, row.row) if row is not None else None


def earlier_decisions_approved(project: Project) -> Iterator[Finding]:
    current = project.phase_number
    for phase in PHASES[: max(current - 1, 0)]:
        if not project.approved(phase.decision_point) and not unread_decision(project, phase):
            yield DECISION_MISSING(phase=project.info.aktuell_fas,
                                   decision_point=phase.decision_point,
                                   decides=phase.decides.lower(), sheet=BESLUT.name,
                                   cell=decision_cell(project, phase.decision_point))


def unread_decision(project: Project, phase: Phase, key: str = "beslut") -> bool:
    """The decision point's cell (Beslut, or its Datum) holds a value that could not be
    read: that finding says what is wrong, no other repeats it."""
    row = project.decision(phase.decision_point)
    return row is not None and project.is_unread(BESLUT, key, row.row)


def approved_decision_complete(project: Project, phase: Phase, settings: Settings = DEFAULTS
                               ) -> Iterator[Finding]:
    bp = phase.decision_point
    decision = project.decision(bp)
    if decision is None or decision.beslut != APPROVED:
        return
    if decision.datum is None and not unread_decision(project, phase, "datum"):
        yield DECISION_DATE_MISSING(decision_point=bp, sheet=BESLUT.name,
                                    cell=decision_cell(project, bp, "datum"))
    for row in items_of_phase(project, phase, settings):
        yield from item_blocks_decision(project, row, bp, settings)


def item_blocks_decision(project: Project, row: Any, bp: str, settings: Settings = DEFAULTS
                         ) -> Iterator[Finding]:
    if row.svar == NOT_APPLICABLE and not row.kommentar:
        yield NOT_APPLICABLE_WITHOUT_COMMENT(
            id=row.id, decision_point=bp, sheet=CHECKLISTOR.name,
            cell=project.cell(CHECKLISTOR, "kommentar", row.row), value=row.id)
    elif row.svar != YES and row.svar != NOT_APPLICABLE and not unread_answer(project, row):
        answer = f"besvarad {row.svar}" if row.svar else "obesvarad"
        yield CHECKLIST_BLOCKS_DECISION(
            decision_point=bp, id=row.id, text=item_text(row, settings), answer=answer,
            sheet=CHECKLISTOR.name, cell=project.cell(CHECKLISTOR, "svar", row.row),
            value=row.id)


def unread_answer(project: Project, row: Any) -> bool:
    """The item's Svar holds a value that could not be read (reported as such)."""
    return project.is_unread(CHECKLISTOR, "svar", row.row)


def current_phase_todo(project: Project, settings: Settings = DEFAULTS) -> Iterator[Finding]:
    phase = working_phase(project)
    if phase is None:
        return
    for row in items_of_phase(project, phase, settings):
        if is_done(row) or unread_answer(project, row):
            continue
        todo = "saknar kommentar" if row.svar == NOT_APPLICABLE else (
            f"är besvarad {row.svar}" if row.svar else "är obesvarad")
        yield CHECKLIST_OPEN(
            decision_point=phase.decision_point, id=row.id, text=item_text(row, settings),
            todo=todo,
            sheet=CHECKLISTOR.name, value=row.id,
            cell=project.cell(CHECKLISTOR, "kommentar" if row.svar == NOT_APPLICABLE else "svar",
                              row.row))


def decision_dates(project: Project) -> Iterator[Finding]:
    info = project.info
    previous = None
    for phase in PHASES:
        decision = project.decision(phase.decision_point)
        if decision is None or decision.datum is None:
            continue
        cell = decision_cell(project, phase.decision_point, "datum")
        if previous is not None and decision.datum < previous[1]:
            yield DECISION_DATE_ORDER(decision_point=phase.decision_point, previous=previous[0],
                                      sheet=BESLUT.name, cell=cell, value=str(decision.datum))
        outside = (info.startdatum and decision.datum < info.startdatum) or (
            info.slutdatum and decision.datum > info.slutdatum)
        if outside:
            yield DECISION_OUTSIDE_PERIOD(decision_point=phase.decision_point,
                                          day=decision.datum, start=info.startdatum,
                                          end=info.slutdatum, sheet=BESLUT.name, cell=cell,
                                          value=str(decision.datum))
        previous = (phase.decision_point, decision.datum)
