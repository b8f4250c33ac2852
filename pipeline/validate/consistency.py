"""Rules across fields: date order, periods, duplicates and money that does not add up."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import contract, figures
from pipeline.catalogue import (
    DATE_ORDER,
    DUPLICATE_REPORT_NUMBER,
    FUNDING_GAP,
    OUTSIDE_PROJECT_PERIOD,
)
from pipeline.contract import Sheet
from pipeline.findings import Finding
from pipeline.formatting import kr
from pipeline.model import DocKind
from pipeline.project import Project
from pipeline.workbook.parse import blocked_by, documents_in_phase


def check_consistency(project: Project) -> Iterator[Finding]:
    yield from project_period(project)
    yield from row_periods(project, contract.PERSONKONTRAKT, "fran", "till")
    yield from row_periods(project, contract.AKTIVITETER, "start", "slut")
    yield from row_periods(project, contract.STATUSRAPPORTER, "period_fran", "period_till")
    yield from duplicate_report_numbers(project)
    yield from cost_years(project)
    yield from funding_covers_budget(project)


def project_period(project: Project) -> Iterator[Finding]:
    info = project.info
    if info.startdatum and info.slutdatum and info.slutdatum < info.startdatum:
        yield DATE_ORDER(end=f"Slutdatum {info.slutdatum}", start=f"Startdatum {info.startdatum}",
                         sheet=contract.PROJEKT.name,
                         cell=project.cell(contract.PROJEKT, "slutdatum"),
                         value=str(info.slutdatum), blocks=(str(DocKind.PROJEKTDIREKTIV),))


def row_periods(project: Project, sheet: Sheet, start_key: str, end_key: str
                ) -> Iterator[Finding]:
    label = {start_key: sheet.field(start_key).label, end_key: sheet.field(end_key).label}
    produced = documents_in_phase(max(project.phase_number, 1))
    first, last = project.info.startdatum, project.info.slutdatum
    for row in project.sheet(sheet):
        start, end = getattr(row, start_key), getattr(row, end_key)
        if start and end and end < start:
            yield DATE_ORDER(end=f"'{label[end_key]}' ({end})",
                             start=f"'{label[start_key]}' ({start})",
                             sheet=sheet.name, cell=project.cell(sheet, end_key, row.row),
                             value=str(end), blocks=blocked_by(sheet, row.row, produced))
            continue
        for key, day in ((start_key, start), (end_key, end)):
            if day and ((first and day < first) or (last and day > last)):
                yield OUTSIDE_PROJECT_PERIOD(what=f"'{label[key]}' ({day})", start=first,
                                             end=last, sheet=sheet.name,
                                             cell=project.cell(sheet, key, row.row),
                                             value=str(day))


def duplicate_report_numbers(project: Project) -> Iterator[Finding]:
    sheet = contract.STATUSRAPPORTER
    seen: dict[int, int] = {}
    for row in project.statusrapporter:
        if row.rapport_nr is None:
            continue
        if row.rapport_nr in seen:
            yield DUPLICATE_REPORT_NUMBER(
                number=row.rapport_nr, row=seen[row.rapport_nr], sheet=sheet.name,
                cell=project.cell(sheet, "rapport_nr", row.row), value=str(row.rapport_nr),
                blocks=(f"{DocKind.STATUSRAPPORT}:{row.row}",))
        else:
            seen[row.rapport_nr] = row.row


def cost_years(project: Project) -> Iterator[Finding]:
    start, end = project.info.startdatum, project.info.slutdatum
    if not (start and end):
        return
    for row in project.kostnader:
        if row.ar is not None and not start.year <= row.ar <= end.year:
            yield OUTSIDE_PROJECT_PERIOD(
                what=f"Kostnad för år {row.ar}", start=start.year, end=end.year,
                sheet=contract.KOSTNADER.name,
                cell=project.cell(contract.KOSTNADER, "ar", row.row), value=str(row.ar))


def funding_covers_budget(project: Project) -> Iterator[Finding]:
    budget = figures.total_costs(project).budget
    funding = figures.total_funding(project)
    if budget and funding < budget:
        yield FUNDING_GAP(funding=kr(funding), budget=kr(budget), gap=kr(budget - funding),
                          sheet=contract.FINANSIERING.name, value=str(budget - funding))
