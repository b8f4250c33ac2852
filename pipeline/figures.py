"""Money and time computed from the input cells (never from formula results).

Shared by the documents, the economists' workbook and the project office's page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.contract import KOSTNADSSLAG
from pipeline.project import Project
from pipeline.settings import DEFAULT_HOURLY_RATE

ZERO = Decimal(0)

REJECTED = "Avslagen"


def amount(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


@dataclass(frozen=True)
class CostSum:
    budget: Decimal = ZERO
    utfall: Decimal = ZERO
    prognos: Decimal = ZERO

    @property
    def avvikelse(self) -> Decimal:
        """budget − utfall, in kr."""
        return self.budget - self.utfall

    @property
    def avvikelse_procent(self) -> Decimal | None:
        return None if not self.budget else self.avvikelse / self.budget * 100


def cost_of_line(line: Any) -> CostSum:
    return CostSum(amount(line.budget), amount(line.utfall), amount(line.prognos))


def summed(lines: Iterable[Any]) -> CostSum:
    """The lines' budget, utfall and prognos, each summed (a blank counts as 0)."""
    budget = utfall = prognos = ZERO
    for line in lines:
        budget += amount(line.budget)
        utfall += amount(line.utfall)
        prognos += amount(line.prognos)
    return CostSum(budget, utfall, prognos)


def grouped(lines: Iterable[Any], key: Callable[[Any], Any]) -> dict[Any, list[Any]]:
    """The lines by key, in order of each key's first line."""
    groups: dict[Any, list[Any]] = {}
    for line in lines:
        groups.setdefault(key(line), []).append(line)
    return groups


def kind_of(line: Any) -> str:
    return line.kostnadsslag or "Övrigt"


def total_costs(project: Project) -> CostSum:
    return summed(project.kostnader)


def costs_by_kind(project: Project) -> dict[str, CostSum]:
    """Per kostnadsslag, in the contract's order."""
    sums = {kind: summed(lines) for kind, lines in grouped(project.kostnader, kind_of).items()}
    order = {kind: i for i, kind in enumerate(KOSTNADSSLAG)}
    return dict(sorted(sums.items(), key=lambda kv: order.get(kv[0], len(order))))


def costs_by_year(project: Project) -> dict[int, CostSum]:
    dated = (line for line in project.kostnader if line.ar is not None)
    return {year: summed(lines)
            for year, lines in sorted(grouped(dated, lambda line: line.ar).items())}


def costs_by_kind_and_year(project: Project) -> dict[tuple[str, int | None], CostSum]:
    return {key: summed(lines) for key, lines in
            grouped(project.kostnader, lambda line: (kind_of(line), line.ar)).items()}


def counted_funding(project: Project) -> list[Any]:
    """Funding lines that count towards the budget: all but those rejected."""
    return [f for f in project.finansiering if funding_counts(f)]


def total_funding(project: Project) -> Decimal:
    return sum((amount(f.belopp) for f in counted_funding(project)), ZERO)


def funding_by(project: Project, key: str) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in counted_funding(project):
        sums[getattr(line, key) or "Okänd"] += amount(line.belopp)
    return dict(sums)


def eu_share(project: Project) -> Decimal:
    return funding_by(project, "typ").get("EU-fond", ZERO)


def in_kind_share(project: Project) -> Decimal:
    """Medfinansiering i arbetstid: funding lines of form Arbetstid."""
    return funding_by(project, "form").get("Arbetstid", ZERO)


@dataclass(frozen=True)
class PersonCost:
    row: Any
    hours: Decimal
    rate: Decimal
    default_rate: bool

    @property
    def cost(self) -> Decimal:
        return self.hours * self.rate


def person_costs(project: Project, default_rate: Decimal | int = DEFAULT_HOURLY_RATE
                 ) -> list[PersonCost]:
    return [PersonCost(row, amount(row.timmar),
                       row.timkostnad if row.timkostnad is not None else Decimal(default_rate),
                       row.timkostnad is None)
            for row in project.personkontrakt]


def total_hours(project: Project) -> Decimal:
    return sum((amount(r.timmar) for r in project.personkontrakt), ZERO)


def benefit_total(line: Any) -> Decimal:
    """värde per år × antal år."""
    return amount(line.varde_per_ar) * (line.antal_ar or 0)


def total_benefit(project: Project) -> Decimal:
    return sum((benefit_total(b) for b in project.nytta if b.typ != "Kvalitativ"), ZERO)


def net_benefit(project: Project) -> Decimal:
    """nettonytta = nytta − kostnad (budget)."""
    return total_benefit(project) - total_costs(project).budget


def latest_status(project: Project) -> Any | None:
    reports = [r for r in project.statusrapporter if r.rapport_nr is not None]
    return max(reports, key=lambda r: (r.rapport_nr, r.row)) if reports else None


def cost_light(project: Project, report: Any) -> str | None:
    """Grön/Gul/Röd from upparbetad kostnad against budget, when Budgettolerans is set.

    The share of the budget that the period's elapsed time allows is compared with the
    upparbetad kostnad: within the tolerance Grön, within twice the tolerance Gul, else Röd.
    """
    tolerance = project.info.budgettolerans
    budget = total_costs(project).budget
    if tolerance is None or report.upparbetad_kostnad is None or not budget:
        return None
    start, end = project.info.startdatum, project.info.slutdatum
    planned = budget
    if start and end and report.period_till and end > start:
        elapsed = min(max((report.period_till - start).days, 0), (end - start).days)
        planned = budget * Decimal(elapsed) / Decimal((end - start).days)
    overrun = (report.upparbetad_kostnad - planned) / budget * 100
    if overrun <= tolerance:
        return "Grön"
    return "Gul" if overrun <= 2 * tolerance else "Röd"


def total_person_cost(project: Project, default_rate: Decimal | int = DEFAULT_HOURLY_RATE
                      ) -> Decimal:
    """Σ timmar × timkostnad over the personkontrakt (default rate where none is given)."""
    return sum((p.cost for p in person_costs(project, default_rate)), ZERO)


def funding_counts(line: Any) -> bool:
    """A funding line counts towards the budget unless it was rejected."""
    return line.status != REJECTED


def eu_share_percent(project: Project) -> Decimal | None:
    """The EU funds' share of the counted funding, in percent."""
    total = total_funding(project)
    return eu_share(project) / total * 100 if total else None
