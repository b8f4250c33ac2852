"""Every finding the program reports, declared once: its code, severity, Swedish message and
what to do (in the style of frictionless-py's error classes).

A rule reports a finding by calling its type with the message's fields and the finding's
place: `MISSING_VALUE(label="Syfte", sheet="Projekt", cell="B14")`. The message is the
template filled in, then what to do. `python -m pipeline.catalogue README.md` writes the
README's list of codes (between its `codes` markers); without an argument it prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.findings import Finding, Severity

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class FindingType:
    code: str
    severity: Severity | None
    """None: the rule decides (an error where the value blocks a document, else a warning)."""
    message: str
    """Swedish; `str.format` fields, and `{sheet}` and `{value}` for the finding's own."""
    todo: str = ""
    """What to do, in Swedish, after the message (same fields)."""
    about: str = ""
    """When it is reported, in English, for the README."""

    def __call__(self, *, sheet: str | None = None, cell: str | None = None,
                 value: str | None = None, blocks: Iterable[str] = (),
                 severity: Severity | None = None, stops: Iterable[str] = (),
                 **fields: Any) -> Finding:
        text = self.message.format(sheet=sheet, value=value, **fields)
        if self.todo:
            text += " " + self.todo.format(sheet=sheet, value=value, **fields)
        level = severity or self.severity
        if level is None:
            raise ValueError(f"{self.code}: the rule must give the severity")
        return Finding(self.code, level, text, sheet, cell, value, tuple(blocks), tuple(stops))


# --- reading the workbook ----------------------------------------------------------------

WORKBOOK_UNREADABLE = FindingType(
    "workbook-unreadable", ERROR, "Arbetsboken kan inte läsas: {reason}.",
    about="The file is not a workbook this program can open (encrypted, .xls, text, damaged).")
WORKBOOK_TOO_LARGE = FindingType(
    "workbook-too-large", ERROR, "Arbetsboken är för stor: {reason}.",
    about="The workbook would unpack to more than the bounds allow (a zip bomb, or huge "
          "embedded files); it is not read.")
WORKBOOK_FAILED = FindingType(
    "workbook-failed", ERROR, "{reason}",
    about="The workbook could not be checked or built (the reason says why); the build goes on.")
CONTRACT_VERSION = FindingType(
    "contract-version", ERROR,
    "Arbetsboken följer mallversion {version}, men programmet läser version {expected}.",
    "Be projektkontoret om en ny arbetsbok och flytta över uppgifterna.",
    about="Projekt!Mallversion names another version of the workbook contract.")
SHEET_MISSING = FindingType(
    "sheet-missing", ERROR, "Bladet '{sheet}' saknas.{guess}", "{remedy}",
    about="A sheet of the contract is missing or renamed (a sheet with a close name is "
          "named as the probable one).")
LABEL_MISSING = FindingType(
    "label-missing", None, "Raden '{label}' saknas i kolumn A på bladet '{sheet}'.{guess}",
    "Skriv tillbaka etiketten exakt så och värdet i kolumn B.",
    about="A label of a key/value sheet is missing (an error where a document needs it); a "
          "close label is named as the probable one.")
HEADER_MISSING = FindingType(
    "header-missing", ERROR, "Rubrikraden saknas på bladet '{sheet}'.",
    "Den ska innehålla kolumnerna {columns}.",
    about="No row of a table sheet holds its column labels.")
COLUMN_MISSING = FindingType(
    "column-missing", None,
    "Kolumnen '{label}' saknas i rubrikraden (rad {row}) på bladet '{sheet}'{guess}.",
    "Skriv rubriken exakt så.{unread}",
    about="A column label is missing from a table's header row (an error if required); a "
          "close header is named as the probable one.")
MERGED_CELLS = FindingType(
    "merged-cells", WARNING,
    "Cellerna {cells} är sammanfogade. Programmet läser bara den första cellen;",
    "dela upp dem (Dela cellsammanfogning) och fyll i varje cell.",
    about="Merged cells: only the first cell is read.")
FORMULA_WITHOUT_VALUE = FindingType(
    "formula-without-value", ERROR,
    "'{label}' är en formel utan sparat resultat (arbetsboken sparades av ett program som "
    "inte räknar).",
    "Skriv in värdet, eller öppna och spara filen i Excel eller LibreOffice.",
    about="A formula cell has no cached result; formula results are never computed here.")
ERROR_VALUE = FindingType(
    "error-value", ERROR, "'{label}' visar felvärdet {value} i stället för ett värde.",
    "Rätta formeln eller skriv in värdet.",
    about="A cell shows an error value (#REF!, #DIV/0!, #N/A ...), typed or a formula's "
          "result; it is read as no value.")
MISSING_VALUE = FindingType(
    "missing-value", ERROR, "'{label}' saknas.", "Fyll i cellen.",
    about="A required cell is empty.")
INVALID_VALUE = FindingType(
    "invalid-value", ERROR, "'{label}': värdet {shown} {problem}{end}",
    about="A cell's value cannot be read as its field's type or choice, or is out of range; "
          "the message gives an example that fits, or the nearest allowed choice.")

# --- consistency -------------------------------------------------------------------------

DATE_ORDER = FindingType(
    "date-order", ERROR, "{end} är före {start}.",
    about="An end date is before its start date.")
OUTSIDE_PROJECT_PERIOD = FindingType(
    "outside-project-period", WARNING, "{what} ligger utanför projektperioden ({start}–{end}).",
    about="A date or cost year lies outside Startdatum–Slutdatum.")
DUPLICATE_REPORT_NUMBER = FindingType(
    "duplicate-report-number", ERROR, "Rapport nr {number} finns redan på rad {row}.",
    "Ge varje statusrapport ett eget nummer.",
    about="Two status reports share a Rapport nr.")
FUNDING_GAP = FindingType(
    "funding-gap", WARNING,
    "Finansieringen ({funding}) täcker inte budgeten ({budget}); det saknas {gap}.",
    about="The counted funding is less than the budget.")

# --- phase gating ------------------------------------------------------------------------

CHECKLIST_ITEM_MISSING = FindingType(
    "checklist-item-missing", ERROR,
    "Kontrollpunkt {id} ({checklist}: {text}) saknas på bladet Checklistor.",
    "Lägg tillbaka raden; modellens kontrollpunkter får inte tas bort (svara Ej aktuellt med "
    "en kommentar i stället).",
    about="A checklist item of the model was deleted.")
CHECKLIST_ITEM_DUPLICATE = FindingType(
    "checklist-item-duplicate", ERROR, "Kontrollpunkt {id} finns redan på rad {row}.",
    "Ta bort dubbletten eller ge den ett eget ID.",
    about="Two checklist rows share an ID.")
CHECKLIST_PHASE_UNKNOWN = FindingType(
    "checklist-phase-unknown", ERROR,
    "Kontrollpunkt {id} har fasen '{phase}', som inte finns i modellen.",
    "Skriv en checklista (Relevans, Förberedelse, Planering, Genomförande, Avslut) eller en fas.",
    about="An added checklist item names no phase or checklist of the model.")
DECISION_ROW_MISSING = FindingType(
    "decision-row-missing", ERROR, "Raden för {decision_point} saknas på bladet Beslut.",
    "Lägg tillbaka den.",
    about="A decision point's row was deleted from Beslut.")
DECISION_MISSING = FindingType(
    "decision-missing", ERROR,
    "Projektet är i fasen {phase}, men {decision_point} ({decides}) är inte Godkänt.",
    "Styrgruppen måste godkänna {decision_point} innan projektet går vidare, eller så ska "
    "Aktuell fas ändras.",
    about="The project is in a phase whose earlier decision points are not approved.")
DECISION_DATE_MISSING = FindingType(
    "decision-date-missing", ERROR, "{decision_point} är markerad Godkänt men saknar datum.",
    "Fyll i beslutsdatum.",
    about="An approved decision has no date.")
NOT_APPLICABLE_WITHOUT_COMMENT = FindingType(
    "not-applicable-without-comment", ERROR,
    "Kontrollpunkt {id} är besvarad Ej aktuellt utan kommentar, men {decision_point} är "
    "godkänd.",
    "Skriv varför punkten inte är aktuell.",
    about="An item of an approved decision point is Ej aktuellt without a Kommentar.")
CHECKLIST_BLOCKS_DECISION = FindingType(
    "checklist-blocks-decision", ERROR,
    "{decision_point} är godkänd, men kontrollpunkt {id} ({text}) är {answer}.",
    "Alla kontrollpunkter måste vara Ja, eller Ej aktuellt med kommentar, innan "
    "beslutspunkten godkänns.",
    about="An approved decision point has an item answered Nej or not answered.")
CHECKLIST_OPEN = FindingType(
    "checklist-open", WARNING,
    "Att göra före {decision_point}: kontrollpunkt {id} ({text}) {todo}.",
    about="An item of the current phase is still open: the to-do list for the next decision.")
DECISION_DATE_ORDER = FindingType(
    "decision-date-order", WARNING, "{decision_point} är daterad före {previous}.",
    "Kontrollera datumen.",
    about="A decision is dated before the previous one.")
DECISION_OUTSIDE_PERIOD = FindingType(
    "decision-outside-period", WARNING,
    "{decision_point} är daterad {day}, utanför projektperioden ({start}–{end}).",
    about="A decision is dated outside the project period.")

# --- documents and the build --------------------------------------------------------------

DOCUMENT_BLOCKED = FindingType(
    "document-blocked", WARNING, "{document} {outcome}{why}; {fix} {where}{again}.",
    about="A document is not made because of problems in the cells it needs (or the "
          "project's phase is unknown); its last good file stays, and the message gives its "
          "date.")
TEMPLATE_INVALID = FindingType(
    "template-invalid", ERROR, "{document} skapades inte: {problems}{kept}",
    about="The document's template is missing, broken or names an unknown field.")
TEMPLATE_RENDER_FAILED = FindingType(
    "template-render-failed", ERROR,
    "{document} skapades inte: mallen {template} gav {what}.{kept}",
    about="Rendering the document's template failed.")
DUPLICATE_PROJECT_ID = FindingType(
    "duplicate-project-id", ERROR,
    "Arbetsboken har samma Projekt-ID ({projekt_id}) som {others};",
    "ingen av dem byggs förrän det är rättat, och inga dokument skrivs över.",
    about="Two workbooks share a Projekt-ID: neither is built.")
DUPLICATE_FOLDER = FindingType(
    "duplicate-folder", ERROR, "Arbetsboken har samma mappnamn ({folder}) som {others};",
    "ingen av dem byggs förrän det är rättat, och inga dokument skrivs över.",
    about="Two workbooks would write to the same folder: neither is built.")

# --- archive (issue 12) ---------------------------------------------------------------------

ARCHIVED_VALUE_CHANGED = FindingType(
    "changed-after-approval", WARNING,
    "{label} har ändrats efter att {decision_point} fastställdes {day} ({where}).",
    "Den fastställda versionen finns i {file}.",
    about="A value an archived (approved) document shows differs from the workbook now; "
          "the live document's header says it was changed after approval.")
ARCHIVED_REPORT_CHANGED = FindingType(
    "changed-after-report", WARNING,
    "{label} i Statusrapport {number} har ändrats efter att den arkiverades {day} ({where}).",
    "Den arkiverade versionen finns i {file}.",
    about="A statusrapport's row differs from the version archived at its Rapportdatum.")
ARCHIVED_DECISION_WITHDRAWN = FindingType(
    "decision-withdrawn", WARNING,
    "{decision_point} fastställdes {day} men är nu {now}.",
    "Den fastställda versionen finns kvar i {file}; ett nytt godkännande arkiveras som en "
    "ny version bredvid den.",
    about="A decision point whose document was archived is no longer Godkänt; the archive "
          "stays.")
ARCHIVED_DECISION_REDATED = FindingType(
    "decision-redated", WARNING,
    "{decision_point} har fått ett nytt datum ({day}) men fastställdes {was}.",
    "Den tidigare fastställda versionen finns kvar i {file}; när beslutet gäller arkiveras "
    "den nya versionen bredvid den.",
    about="A decision point whose document was archived has a new date; the new version is "
          "archived beside the old one.")

# --- messages and ambiguity (issue 16) -----------------------------------------------------

MISSING_BEFORE_DECISION = FindingType(
    "missing-before-decision", WARNING, "Att göra före {decision_point}: fyll i '{label}'.",
    about="A required cell is empty, and every document it holds back is a draft for the "
          "current phase's decision point: a to-do, not an error.")
AMBIGUOUS_NUMBER = FindingType(
    "ambiguous-number", WARNING,
    "'{label}': '{value}' kan läsas på två sätt; det lästes som {reading}.",
    "Skriv {reading} om det stämmer, annars {other}.",
    about="A number with a single `.` or `,` followed by exactly three digits (`12.000`, "
          "`12,000`) is read with that mark as a thousands separator (12 000).")
AMBIGUOUS_DATE = FindingType(
    "ambiguous-date", WARNING,
    "'{label}': '{value}' kan vara både {reading} och {other}; det lästes som {reading}.",
    "Skriv datumet som ÅÅÅÅ-MM-DD, t.ex. {iso}.",
    about="A date written as text whose day and month could be swapped (`1/2/2011`) is read "
          "day first, as Swedish dates are written.")
DATE_FROM_TEXT = FindingType(
    "date-from-text", WARNING, "'{label}': texten '{value}' lästes som datumet {reading}.",
    "Skriv det som ett datum, t.ex. {iso}, i en cell med datumformat.",
    about="A date was written as text; the message says which date it was read as.")


# --- time (issue 14) ---------------------------------------------------------------------

STATUS_REPORT_OVERDUE = FindingType(
    "status-report-overdue", WARNING,
    "En statusrapport är försenad: {since}, och med rapporteringsintervallet {interval} "
    "skulle nästa ha lämnats senast {due}.",
    "Lägg till nästa statusrapport på bladet Statusrapporter.",
    about="In Genomförande, no status report's Period till lies within the "
          "Rapporteringsintervall plus 14 days before today (counted from the latest report, "
          "or with none from BP2's Datum once BP2 is in effect).")
END_DATE_PASSED = FindingType(
    "end-date-passed", WARNING,
    "Slutdatum {end} har passerat, men BP4 (styrgruppen avslutar projektet) är inte godkänd.",
    "Avsluta projektet vid BP4, eller skriv ett nytt Slutdatum som styrgruppen beslutat.",
    about="Projekt!Slutdatum has passed and BP4 is not approved.")
ACTIVITY_OVERDUE = FindingType(
    "activity-overdue", WARNING,
    "Aktiviteten '{activity}' skulle vara klar {end} men {state}.",
    "Sätt Status till Klar eller Struken, eller skriv ett nytt Slut.",
    about="An activity's Slut has passed and its Status is neither Klar nor Struken "
          "(before BP4).")
CONTRACT_ENDED = FindingType(
    "contract-ended", WARNING,
    "Personkontraktet för {member} gällde till {end}, men projektet är fortfarande i fasen "
    "{phase}.",
    "Skriv ett nytt datum i Till om medverkan fortsätter.",
    about="A personkontrakt's Till has passed while the project is before Avslut.")


CATALOGUE: dict[str, FindingType] = {
    value.code: value for value in list(globals().values()) if isinstance(value, FindingType)}

SEVERITY_TEXT = {ERROR: "fel", WARNING: "varning", None: "fel eller varning"}


def markdown_table() -> str:
    """The README's list of finding codes."""
    lines = ["| Code | Severity | When |", "|---|---|---|"]
    lines += [f"| `{t.code}` | {SEVERITY_TEXT[t.severity]} | {t.about} |"
              for t in CATALOGUE.values()]
    return "\n".join(lines) + "\n"


START, END = "<!-- codes: start -->\n", "<!-- codes: end -->"


def with_table(readme: str) -> str:
    """The README with its list of codes replaced by the catalogue's."""
    before, rest = readme.split(START, 1)
    return before + START + markdown_table() + END + rest.split(END, 1)[1]


if __name__ == "__main__":
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(markdown_table())
