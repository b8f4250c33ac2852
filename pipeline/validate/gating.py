"""The phase gating rules of MODEL.md: decision points and their checklists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline import contract
from pipeline.findings import Finding, error, warning
from pipeline.model import (
    APPROVED,
    CHECKLIST_ITEMS,
    NOT_APPLICABLE,
    PHASES,
    YES,
    Phase,
    phase_of_checklist,
    phase_of_decision,
)
from pipeline.project import Project

CHECKLISTOR = contract.CHECKLISTOR
BESLUT = contract.BESLUT
MODEL_PHASE_BY_ID = {item.id: phase_of_checklist(item.checklist) for item in CHECKLIST_ITEMS}


def phase_of_item(row: Any) -> Phase | None:
    """A model item belongs to its checklist's phase; a municipality's own item to its Fas."""
    by_id = MODEL_PHASE_BY_ID.get(row.id or "")
    return by_id if by_id is not None else phase_of_checklist(row.fas or "")


def items_of_phase(project: Project, phase: Phase) -> list[Any]:
    """The checklist rows of the phase; `phase_of_item` gives one of PHASES, so a row's
    phase is compared by identity with the member of PHASES equal to phase."""
    wanted = next((member for member in PHASES if member == phase), phase)
    return [row for row in project.checklistor if phase_of_item(row) is wanted]


def is_done(row: Any) -> bool:
    """Ja, or Ej aktuellt with a Kommentar."""
    return row.svar == YES or (row.svar == NOT_APPLICABLE and bool(row.kommentar))


def open_items(project: Project, decision_point: str) -> list[Any]:
    return [r for r in items_of_phase(project, phase_of_decision(decision_point))
            if not is_done(r)]


def is_effective(project: Project, decision_point: str) -> bool:
    """Approved, dated and with every checklist item of its phase done."""
    decision = project.decision(decision_point)
    return (decision is not None and decision.beslut == APPROVED and decision.datum is not None
            and not open_items(project, decision_point))


def check_gating(project: Project) -> Iterator[Finding]:
    if not project.checklistor and not project.beslut and not project.cells.get(BESLUT.name):
        return
    yield from missing_model_items(project)
    yield from duplicate_items(project)
    yield from own_items_without_phase(project)
    yield from missing_decision_rows(project)
    yield from earlier_decisions_approved(project)
    for phase in PHASES:
        yield from approved_decision_complete(project, phase)
    yield from current_phase_todo(project)
    yield from decision_dates(project)


def missing_model_items(project: Project) -> Iterator[Finding]:
    present = {row.id for row in project.checklistor}
    for item in CHECKLIST_ITEMS:
        if item.id not in present:
            yield error("checklist-item-missing",
                        f"Kontrollpunkt {item.id} ({item.checklist}: {item.text}) saknas på "
                        "bladet Checklistor. Lägg tillbaka raden; modellens kontrollpunkter "
                        "får inte tas bort (svara Ej aktuellt med en kommentar i stället).",
                        sheet=CHECKLISTOR.name, value=item.id)


def duplicate_items(project: Project) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for row in project.checklistor:
        if row.id in seen:
            yield error("checklist-item-duplicate",
                        f"Kontrollpunkt {row.id} finns redan på rad {seen[row.id]}. Ta bort "
                        "dubbletten eller ge den ett eget ID.",
                        sheet=CHECKLISTOR.name, cell=project.cell(CHECKLISTOR, "id", row.row),
                        value=row.id)
        elif row.id:
            seen[row.id] = row.row


def own_items_without_phase(project: Project) -> Iterator[Finding]:
    for row in project.checklistor:
        if row.id and phase_of_item(row) is None:
            yield error("checklist-phase-unknown",
                        f"Kontrollpunkt {row.id} har fasen '{row.fas}', som inte finns i "
                        "modellen. Skriv en checklista (Relevans, Förberedelse, Planering, "
                        "Genomförande, Avslut) eller en fas.",
                        sheet=CHECKLISTOR.name, cell=project.cell(CHECKLISTOR, "fas", row.row),
                        value=row.fas)


def missing_decision_rows(project: Project) -> Iterator[Finding]:
    for phase in PHASES:
        if project.decision(phase.decision_point) is None:
            yield error("decision-row-missing",
                        f"Raden för {phase.decision_point} saknas på bladet Beslut. Lägg "
                        "tillbaka den.", sheet=BESLUT.name, value=phase.decision_point)


def decision_cell(project: Project, decision_point: str, key: str = "beslut") -> str | None:
    row = project.decision(decision_point)
    return project.cell(BESLUT, key, row.row) if row is not None else None


def earlier_decisions_approved(project: Project) -> Iterator[Finding]:
    current = project.phase_number
    for phase in PHASES[: max(current - 1, 0)]:
        if not project.approved(phase.decision_point):
            yield error("decision-missing",
                        f"Projektet är i fasen {project.info.aktuell_fas}, men "
                        f"{phase.decision_point} ({phase.decides.lower()}) är inte "
                        f"{APPROVED}. Styrgruppen måste godkänna {phase.decision_point} "
                        "innan projektet går vidare, eller så ska Aktuell fas ändras.",
                        sheet=BESLUT.name, cell=decision_cell(project, phase.decision_point),
                        blocks=())


def approved_decision_complete(project: Project, phase: Phase) -> Iterator[Finding]:
    bp = phase.decision_point
    decision = project.decision(bp)
    if decision is None or decision.beslut != APPROVED:
        return
    if decision.datum is None:
        yield error("decision-date-missing",
                    f"{bp} är markerad {APPROVED} men saknar datum. Fyll i beslutsdatum.",
                    sheet=BESLUT.name, cell=decision_cell(project, bp, "datum"))
    for row in items_of_phase(project, phase):
        yield from item_blocks_decision(project, row, bp)


def item_blocks_decision(project: Project, row: Any, bp: str) -> Iterator[Finding]:
    if row.svar == NOT_APPLICABLE and not row.kommentar:
        yield error("not-applicable-without-comment",
                    f"Kontrollpunkt {row.id} är besvarad {NOT_APPLICABLE} utan kommentar, men "
                    f"{bp} är godkänd. Skriv varför punkten inte är aktuell.",
                    sheet=CHECKLISTOR.name, cell=project.cell(CHECKLISTOR, "kommentar", row.row),
                    value=row.id)
    elif row.svar != YES and row.svar != NOT_APPLICABLE:
        answer = f"besvarad {row.svar}" if row.svar else "obesvarad"
        yield error("checklist-blocks-decision",
                    f"{bp} är godkänd, men kontrollpunkt {row.id} ({row.kontrollpunkt}) är "
                    f"{answer}. Alla kontrollpunkter måste vara Ja, eller Ej aktuellt med "
                    "kommentar, innan beslutspunkten godkänns.",
                    sheet=CHECKLISTOR.name, cell=project.cell(CHECKLISTOR, "svar", row.row),
                    value=row.id)


def current_phase_todo(project: Project) -> Iterator[Finding]:
    phase = next((p for p in PHASES if p.number == project.phase_number), None)
    if phase is None or project.approved(phase.decision_point):
        return
    for row in items_of_phase(project, phase):
        if is_done(row):
            continue
        todo = "saknar kommentar" if row.svar == NOT_APPLICABLE else (
            f"är besvarad {row.svar}" if row.svar else "är obesvarad")
        yield warning("checklist-open",
                      f"Att göra före {phase.decision_point}: kontrollpunkt {row.id} "
                      f"({row.kontrollpunkt}) {todo}.",
                      sheet=CHECKLISTOR.name,
                      cell=project.cell(CHECKLISTOR,
                                        "kommentar" if row.svar == NOT_APPLICABLE else "svar",
                                        row.row),
                      value=row.id)


def decision_dates(project: Project) -> Iterator[Finding]:
    info = project.info
    previous = None
    for phase in PHASES:
        decision = project.decision(phase.decision_point)
        if decision is None or decision.datum is None:
            continue
        cell = decision_cell(project, phase.decision_point, "datum")
        if previous is not None and decision.datum < previous[1]:
            yield warning("decision-date-order",
                          f"{phase.decision_point} är daterad före {previous[0]}. Kontrollera "
                          "datumen.", sheet=BESLUT.name, cell=cell, value=str(decision.datum))
        outside = (info.startdatum and decision.datum < info.startdatum) or (
            info.slutdatum and decision.datum > info.slutdatum)
        if outside:
            yield warning("decision-outside-period",
                          f"{phase.decision_point} är daterad {decision.datum}, utanför "
                          f"projektperioden ({info.startdatum}–{info.slutdatum}).",
                          sheet=BESLUT.name, cell=cell, value=str(decision.datum))
        previous = (phase.decision_point, decision.datum)
