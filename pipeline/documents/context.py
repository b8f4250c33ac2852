"""The values a template sees, formatted in Swedish (pipeline.formatting).

Every value is a string, a list of rows (dicts of strings) or a dict of those, so that a
template never meets a None or a Decimal. Sums come from pipeline.figures. The same keys
exist for every project (blank values are ""), which is what lets `templates check`
find a template's unknown fields from one sample project.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from pipeline import contract, figures
from pipeline.contract import Kind, Sheet
from pipeline.documents.plan import PlannedDocument
from pipeline.formatting import day, kr, number, percent
from pipeline.model import APPROVED, DocKind, phase_of_decision
from pipeline.project import Project, risk_value
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import is_done, item_text, items_of_phase

LANGUAGE = "sv-SE"

LIGHT_COLOURS = {"Grön": "C6EFCE", "Gul": "FFEB9C", "Röd": "FFC7CE"}
NO_LIGHT_COLOUR = "FFFFFF"

BEFOGENHETER = ("Fatta beslut och göra avvägningar samt kunna ta nödvändiga projektexterna "
                "kontakter inom ramen för arbetsuppgiften.")
"""The seed's (slide 9) wording, used when the contract row leaves Befogenheter blank."""

Context = dict[str, Any]


def project_context(project: Project, settings: Settings = DEFAULTS) -> Context:
    """The values every document of the project shares (computed once per project), for
    the organisation of settings (its name, default hourly rate)."""
    return {
        "kommun": settings.name,
        "projekt": projekt(project),
        "organisation": rows(project, contract.ORGANISATION),
        "resurser": resources(project, settings),
        "risker": risks(project),
        "aktiviteter": rows(project, contract.AKTIVITETER),
        "kostnader": costs(project),
        "finansiering": funding(project),
        "nytta": benefits(project),
        "beslut": rows(project, contract.BESLUT),
    }


def build_context(project: Project, doc: PlannedDocument, settings: Settings = DEFAULTS,
                  shared: Context | None = None) -> Context:
    """Everything a template of doc's kind may name; shared: project_context, if at hand."""
    context: Context = dict(shared if shared is not None
                            else project_context(project, settings))
    context["dokument"] = document(project, doc)
    context["checklista"] = checklist(project, doc.decision_point or current_decision(project),
                                      settings)
    if doc.kind is DocKind.STATUSRAPPORT:
        context["rapport"] = status_report(project, doc.row)
    if doc.kind is DocKind.SLUTRAPPORT:
        context["slutrapport"] = values(contract.SLUTRAPPORT, project.slutrapport)
    if doc.kind is DocKind.PERSONKONTRAKT:
        context["kontrakt"] = person_contract(project, doc.row)
    return context


def values(sheet: Sheet, model: Any) -> dict[str, str]:
    """Every field of the sheet as a Swedish string ("" for no value)."""
    return {key: show(getattr(model, key, None)) for key, show in field_formats(sheet.name)}


NUMBER_FORMATS: dict[Kind, Callable[[Any], str]] = {
    Kind.AMOUNT: kr, Kind.PERCENT: percent, Kind.NUMBER: number}


@cache
def field_formats(sheet_name: str) -> tuple[tuple[str, Callable[[Any], str]], ...]:
    """(key, the function that shows a value of the field's kind) of each field of the
    contract's sheet."""
    return tuple((f.key, NUMBER_FORMATS.get(f.kind, plain_text))
                 for f in contract.SHEETS_BY_NAME[sheet_name].fields)


def plain_text(value: Any) -> str:
    """A value of a kind that is not a money, percent or decimal number: "" for none, a
    date in Swedish, anything else as written."""
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, date):
        return day(value)
    return str(value).strip()


def rows(project: Project, sheet: Sheet) -> list[dict[str, str]]:
    return [values(sheet, row) for row in project.sheet(sheet)]


def document_properties(context: Context) -> dict[str, str]:
    """The core properties of a document of the context (pipeline.documents.render
    `core_properties_xml`): its name and the project's as the title, the Projekt-ID and
    Diarienummer as the subject, the organisation (`kommun`) as the author, keywords and
    the language."""
    projekt, dokument = context["projekt"], context["dokument"]
    subject = f"Projekt-ID {projekt['projekt_id']}"
    if projekt["diarienummer"]:
        subject += f", Diarienummer {projekt['diarienummer']}"
    keywords = (dokument["titel"], projekt["projektnamn"], projekt["projekt_id"],
                projekt["diarienummer"], projekt["forvaltning"], dokument["beslutspunkt"])
    properties = {"title": f"{dokument['namn']}: {projekt['projektnamn']}",
                  "subject": subject, "author": context["kommun"],
                  "keywords": "; ".join(k for k in keywords if k), "language": LANGUAGE}
    return {name: clipped(value) for name, value in properties.items()}


PROPERTY_LENGTH = 255
"""Characters a core property may hold (python-docx refuses more): a long project name
is cut short in the title and keywords, never the reason a document is not made."""


def clipped(text: str) -> str:
    return text if len(text) <= PROPERTY_LENGTH else text[:PROPERTY_LENGTH - 1] + "…"


def document(project: Project, doc: PlannedDocument) -> dict[str, Any]:
    return {"titel": doc.title, "namn": doc.name.removesuffix(".docx"),
            "status": status_text(project, doc), "utkast": doc.draft,
            "oppna_kontrollpunkter": str(doc.open_items),
            "beslutspunkt": doc.decision_point or ""}


def status_text(project: Project, doc: PlannedDocument) -> str:
    """`UTKAST – 3 öppna kontrollpunkter inför BP2`, `Fastställd: BP1 Godkänt 2011-01-15`, or
    `Ändrad efter fastställande (BP1 2011-01-15)` when it differs from its archived version."""
    if doc.decision_point is None:
        status = row_status(doc)
        return f"{status} – ändrad efter arkivering" if doc.amended else status
    if doc.final and doc.amended:
        return f"Ändrad efter fastställande ({doc.amended})"
    if doc.final:
        decision = project.decision(doc.decision_point)
        return f"Fastställd: {doc.decision_point} {APPROVED} {day(decision.datum)}"
    items = "öppen kontrollpunkt" if doc.open_items == 1 else "öppna kontrollpunkter"
    return f"UTKAST – {doc.open_items} {items} inför {doc.decision_point}"


def row_status(doc: PlannedDocument) -> str:
    row = doc.row
    if doc.kind is DocKind.STATUSRAPPORT and row is not None:
        nr, reported = plain_text(row.rapport_nr), day(row.rapportdatum or row.period_till)
        return f"Rapport nr {nr}, {reported}"
    if doc.kind is DocKind.PERSONKONTRAKT and row is not None:
        return f"Datum {day(row.datum)}" if row.datum else ""
    return ""


def projekt(project: Project) -> dict[str, str]:
    info = values(contract.PROJEKT, project.info)
    info["period"] = period(project.info.startdatum, project.info.slutdatum)
    return info


def period(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{day(start)} – {day(end)}"


def resources(project: Project, settings: Settings = DEFAULTS) -> dict[str, Any]:
    """The resursplan: personkontrakt with hours, period and cost (the organisation's
    default hourly rate where a contract has no Timkostnad)."""
    lines = []
    costs = figures.person_costs(project, settings.default_hourly_rate)
    for cost in costs:
        line = values(contract.PERSONKONTRAKT, cost.row)
        line["period"] = period(cost.row.fran, cost.row.till)
        line["timkostnad"] = kr(cost.rate) + (" (standard)" if cost.default_rate else "")
        line["kostnad"] = kr(cost.cost)
        lines.append(line)
    total = sum((c.cost for c in costs), figures.ZERO)
    return {"rader": lines, "timmar": number(figures.total_hours(project)),
            "kostnad": kr(total)}


def risks(project: Project) -> list[dict[str, str]]:
    """Sorted by riskvärde, highest first; risks without a value last."""
    ordered = sorted(project.risker, key=lambda r: -(risk_value(r) or 0))
    result = []
    for risk in ordered:
        line = values(contract.RISKER, risk)
        line["riskvarde"] = plain_text(risk_value(risk))
        result.append(line)
    return result


def cost_sum(total: figures.CostSum) -> dict[str, str]:
    return {"budget": kr(total.budget), "utfall": kr(total.utfall),
            "prognos": kr(total.prognos), "avvikelse": kr(total.avvikelse),
            "avvikelse_procent": percent(rounded(total.avvikelse_procent))}


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.1"))


def costs(project: Project) -> dict[str, Any]:
    by_kind = [{"kostnadsslag": kind, **cost_sum(total)}
               for kind, total in figures.costs_by_kind(project).items()]
    by_year = [{"ar": str(year), **cost_sum(total)}
               for year, total in figures.costs_by_year(project).items()]
    by_both = [{"kostnadsslag": kind, "ar": plain_text(year), **cost_sum(total)}
               for (kind, year), total in sorted(
                   figures.costs_by_kind_and_year(project).items(),
                   key=lambda kv: (kind_order(kv[0][0]), kv[0][1] or 0))]
    return {"rader": rows(project, contract.KOSTNADER), "per_slag": by_kind,
            "per_ar": by_year, "per_slag_och_ar": by_both,
            "totalt": cost_sum(figures.total_costs(project))}


def kind_order(kind: str) -> int:
    order = contract.KOSTNADSSLAG
    return order.index(kind) if kind in order else len(order)


def funding(project: Project) -> dict[str, Any]:
    total = figures.total_funding(project)
    budget = figures.total_costs(project).budget
    gap = budget - total
    cover = ("Finansieringen täcker budgeten." if gap <= 0 else
             f"Finansieringen täcker inte budgeten: {kr(gap)} saknas.")
    return {"rader": rows(project, contract.FINANSIERING), "totalt": kr(total),
            "eu_andel": kr(figures.eu_share(project)),
            "arbetstid": kr(figures.in_kind_share(project)), "tackning": cover}


def benefits(project: Project) -> dict[str, Any]:
    lines = []
    for line in project.nytta:
        values_of_line = values(contract.NYTTA, line)
        values_of_line["totalt"] = ("" if line.typ == "Kvalitativ"
                                    else kr(figures.benefit_total(line)))
        lines.append(values_of_line)
    return {"rader": lines, "totalt": kr(figures.total_benefit(project)),
            "nettonytta": kr(figures.net_benefit(project)),
            "kvalitativa": [v for v in lines if v["typ"] == "Kvalitativ"]}


def current_decision(project: Project) -> str:
    return f"BP{min(max(project.phase_number, 1), 4)}"


def checklist(project: Project, decision_point: str, settings: Settings = DEFAULTS
              ) -> dict[str, Any]:
    """The decision point's checklist: its items (the organisation's, in its wording) and
    whether each is done."""
    phase = phase_of_decision(decision_point)
    items = items_of_phase(project, phase, settings)
    lines = []
    remaining = 0
    for item in items:
        line = values(contract.CHECKLISTOR, item)
        line["kontrollpunkt"] = plain_text(item_text(item, settings))
        done = is_done(item)
        line["klar"] = "Klar" if done else "Öppen"
        remaining += not done
        lines.append(line)
    decision = project.decision(decision_point)
    return {"beslutspunkt": decision_point, "fas": phase.name, "innebord": phase.decides,
            "rader": lines, "oppna": str(remaining),
            "beslut": values(contract.BESLUT, decision)}


def light(value: str | None) -> dict[str, str]:
    return {"ord": value or "Ej bedömd", "farg": LIGHT_COLOURS.get(value or "", NO_LIGHT_COLOUR)}


def status_report(project: Project, row: Any) -> dict[str, Any]:
    report = values(contract.STATUSRAPPORTER, row)
    report["period"] = period(row.period_fran, row.period_till)
    report["ljus"] = [{"namn": name, **light(getattr(row, key))}
                      for name, key in (("Helhet", "helhet"), ("Tid", "tid"),
                                        ("Kostnad", "kostnad"), ("Kvalitet", "kvalitet"))]
    budget = figures.total_costs(project).budget
    spent = row.upparbetad_kostnad
    report["budget"] = kr(budget)
    report["andel_av_budget"] = (percent(rounded(spent / budget * 100))
                                 if spent is not None and budget else "")
    report["kostnadsljus"] = light(figures.cost_light(project, row))
    report["sena_aktiviteter"] = late_activities(project, row)
    return report


def late_activities(project: Project, row: Any) -> list[dict[str, str]]:
    """Activities marked Försenad, or due by the period's end and not done."""
    late = []
    for activity in project.aktiviteter:
        overdue = (activity.slut is not None and row.period_till is not None
                   and activity.slut <= row.period_till
                   and activity.status not in contract.ACTIVITY_FINISHED)
        if activity.status == "Försenad" or overdue:
            late.append(values(contract.AKTIVITETER, activity))
    return late


def person_contract(project: Project, row: Any) -> dict[str, str]:
    contract_values = values(contract.PERSONKONTRAKT, row)
    contract_values["period"] = period(row.fran, row.till)
    contract_values["befogenheter"] = contract_values["befogenheter"] or BEFOGENHETER
    contract_values["resursgivare_befattning"] = (contract_values["resursgivare_befattning"]
                                                  or "verksamhetschef")
    return contract_values
