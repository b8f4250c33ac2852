"""The project model (MODEL.md) as data: phases, decision points, checklists, documents.

Everything that knows about phases, checklist items or documents reads this module:
the blank workbook, the validator, the document planner and the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    checklists: tuple[str, ...]
    decision_point: str
    decides: str


PHASES: tuple[Phase, ...] = (
    Phase(1, "Relevans/Förberedelse", ("Relevans", "Förberedelse"), "BP1",
          "Projektet är värt att genomföra, förutsättningarna är riktiga"),
    Phase(2, "Planering", ("Planering",), "BP2", "Projektplanen leder till projektets mål"),
    Phase(3, "Genomförande", ("Genomförande",), "BP3",
          "Projektets leverans överensstämmer med målet"),
    Phase(4, "Avslut", ("Avslut",), "BP4", "Styrgruppen avslutar projektet"),
)

PHASE_NAMES: tuple[str, ...] = tuple(p.name for p in PHASES)
DECISION_POINTS: tuple[str, ...] = tuple(p.decision_point for p in PHASES)
APPROVED = "Godkänt"
NOT_APPROVED = "Ej godkänt"
DECISIONS: tuple[str, ...] = (APPROVED, NOT_APPROVED)
YES, NO, NOT_APPLICABLE = "Ja", "Nej", "Ej aktuellt"
ANSWERS: tuple[str, ...] = (YES, NO, NOT_APPLICABLE)


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    checklist: str
    text: str


def _items(checklist: str, *pairs: tuple[str, str]) -> tuple[ChecklistItem, ...]:
    return tuple(ChecklistItem(item_id, checklist, text) for item_id, text in pairs)


CHECKLIST_ITEMS: tuple[ChecklistItem, ...] = (
    *_items(
        "Relevans",
        ("R1", "Idén är kopplad till verksamhetens mål och utvecklingsområden"),
        ("R2", "Problemet eller behovet är beskrivet, liksom vad som händer om projektet "
               "inte genomförs"),
        ("R3", "Omvärldsanalys är gjord (tidigare och liknande projekt, regelverk, efterfrågan)"),
        ("R4", "Målanalys är gjord: effektmål och projektmål är mätbara"),
        ("R5", "Målgrupp och intressenter är identifierade"),
        ("R6", "Tidsram och genomförandeidé är beskrivna"),
        ("R7", "Idén är förankrad och presenterad för kommande beställare/chef"),
    ),
    *_items(
        "Förberedelse",
        ("F1", "Beställare är utsedd"),
        ("F2", "Risker är identifierade och bedömda"),
        ("F3", "Kostnads- och nyttokalkyl är upprättad"),
        ("F4", "Finansieringen är klarlagd (medfinansiering, fond/program)"),
        ("F5", "Projektorganisation och projektledare är utsedda"),
        ("F6", "Resurser är säkrade med personkontrakt"),
        ("F7", "Projektdirektiv är upprättat"),
    ),
    *_items(
        "Planering",
        ("P1", "Aktiviteter och tidplan med milstolpar finns"),
        ("P2", "Budget per år och kostnadsslag är fastställd"),
        ("P3", "Riskanalys med åtgärder är gjord"),
        ("P4", "Styrgrupp är utsedd"),
        ("P5", "Kommunikations- och informationsplan finns"),
        ("P6", "Rapporteringsrutiner (statusrapporter) är bestämda"),
        ("P7", "Överlämning och mottagare av resultatet är planerade"),
        ("P8", "Uppföljning av effektmål är planerad"),
    ),
    *_items(
        "Genomförande",
        ("G1", "Statusrapporter lämnas enligt plan"),
        ("G2", "Aktiviteter följs upp mot tidplanen (aktivitetsstyrning)"),
        ("G3", "Utfall följs upp mot budget (ekonomistyrning)"),
        ("G4", "Intressenter informeras enligt kommunikationsplanen"),
        ("G5", "Avvikelser rapporteras till styrgruppen med förslag till åtgärd"),
        ("G6", "Leveransen är avstämd mot projektmålen"),
    ),
    *_items(
        "Avslut",
        ("A1", "Leveranser är godkända och överlämnade till mottagaren"),
        ("A2", "Slutrapport med erfarenheter är upprättad"),
        ("A3", "Ekonomisk slutredovisning är klar"),
        ("A4", "Restlista med ansvariga finns"),
        ("A5", "Resurser är återlämnade och personkontrakten avslutade"),
        ("A6", "Uppföljning av effektmål är planerad med datum och ansvarig"),
        ("A7", "Projektdokumenten är arkiverade och diarieförda"),
    ),
)


def phase_by_name(name: str) -> Phase | None:
    return next((p for p in PHASES if p.name == name), None)


def phase_of_checklist(checklist: str) -> Phase | None:
    """The phase whose decision point a checklist (or phase name) belongs to."""
    return next((p for p in PHASES if checklist in p.checklists or checklist == p.name), None)


def phase_of_decision(decision_point: str) -> Phase:
    return next(p for p in PHASES if p.decision_point == decision_point)


class DocKind(StrEnum):
    PROJEKTDIREKTIV = "projektdirektiv"
    PROJEKTPLAN = "projektplan"
    STATUSRAPPORT = "statusrapport"
    SLUTRAPPORT = "slutrapport"
    PERSONKONTRAKT = "personkontrakt"


@dataclass(frozen=True)
class DocumentKind:
    kind: DocKind
    title: str
    per_row_of: str | None  # a table sheet: one document per row; None: one per project
    from_phase: int
    final_when: str | None  # decision point that makes it final; None: never a draft


DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind(DocKind.PROJEKTDIREKTIV, "Projektdirektiv", None, 1, "BP1"),
    DocumentKind(DocKind.PROJEKTPLAN, "Projektplan", None, 2, "BP2"),
    DocumentKind(DocKind.STATUSRAPPORT, "Statusrapport", "Statusrapporter", 3, None),
    DocumentKind(DocKind.SLUTRAPPORT, "Slutrapport", None, 4, "BP4"),
    DocumentKind(DocKind.PERSONKONTRAKT, "Personkontrakt", "Personkontrakt", 1, None),
)
