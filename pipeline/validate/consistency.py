"""Rules across fields: date order, periods, duplicates and money that does not add up."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline import contract, figures
from pipeline.contract import Sheet
from pipeline.findings import Finding, error, warning
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
        yield error("date-order",
                    f"Slutdatum {info.slutdatum} är före Startdatum {info.startdatum}.",
                    sheet=contract.PROJEKT.name, cell=project.cell(contract.PROJEKT, "slutdatum"),
                    value=str(info.slutdatum), blocks=(str(DocKind.PROJEKTDIREKTIV),))


def row_periods(project: Project, sheet: Sheet, start_key: str, end_key: str
                ) -> Iterator[Finding]:
    label = {start_key: sheet.field(start_key).label, end_key: sheet.field(end_key).label}
    produced = documents_in_phase(max(project.phase_number, 1))
    first, last = project.info.startdatum, project.info.slutdatum
    period = f"({first}–{last})"
    columns = project.cells.get(sheet.name, {})  # as project.cell finds them, once
    for row in project.sheet(sheet):
        start, end = getattr(row, start_key), getattr(row, end_key)
        if start and end and end < start:
            yield error("date-order",
                        f"'{label[end_key]}' ({end}) är före '{label[start_key]}' ({start}).",
                        sheet=sheet.name, cell=cell_of(columns, end_key, row.row),
                        value=str(end), blocks=blocked_by(sheet, row.row, produced))
            continue
        for key, day in ((start_key, start), (end_key, end)):
            if day and ((first and day < first) or (last and day > last)):
                yield warning("outside-project-period",
                              f"'{label[key]}' ({day}) ligger utanför projektperioden {period}.",
                              sheet=sheet.name, cell=cell_of(columns, key, row.row),
                              value=str(day))


def cell_of(columns: dict[str, str], key: str, row: int) -> str | None:
    """`Project.cell` of a table's row, given the table's columns."""
    column = columns.get(key)
    return None if column is None else f"{column}{row}"


def duplicate_report_numbers(project: Project) -> Iterator[Finding]:
    sheet = contract.STATUSRAPPORTER
    seen: dict[int, int] = {}
    for row in project.statusrapporter:
        if row.rapport_nr is None:
            continue
        if row.rapport_nr in seen:
            yield error("duplicate-report-number",
                        f"Rapport nr {row.rapport_nr} finns redan på rad {seen[row.rapport_nr]}. "
                        "Ge varje statusrapport ett eget nummer.",
                        sheet=sheet.name, cell=project.cell(sheet, "rapport_nr", row.row),
                        value=str(row.rapport_nr),
                        blocks=(f"{DocKind.STATUSRAPPORT}:{row.row}",))
        else:
            seen[row.rapport_nr] = row.row


def cost_years(project: Project) -> Iterator[Finding]:
    start, end = project.info.startdatum, project.info.slutdatum
    if not (start and end):
        return
    for row in project.kostnader:
        if row.ar is not None and not start.year <= row.ar <= end.year:
            yield warning("outside-project-period",
                          f"Kostnad för år {row.ar} ligger utanför projektperioden "
                          f"({start.year}–{end.year}).", sheet=contract.KOSTNADER.name,
                          cell=project.cell(contract.KOSTNADER, "ar", row.row), value=str(row.ar))


def funding_covers_budget(project: Project) -> Iterator[Finding]:
    budget = figures.total_costs(project).budget
    funding = figures.total_funding(project)
    if budget and funding < budget:
        yield warning("funding-gap",
                      f"Finansieringen ({kr(funding)}) täcker inte budgeten "
                      f"({kr(budget)}); det saknas {kr(budget - funding)}.",
                      sheet=contract.FINANSIERING.name, value=str(budget - funding))
