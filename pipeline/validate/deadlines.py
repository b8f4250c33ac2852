"""Time-based rules: what is late on a given day (issue 14).

Each rule is a small function yielding the project's `Deadline`s: a finding and the first
day it is late. Every date a rule compares with today comes from the workbook, so a
project's time-based findings are a step function of the day: they change only on the
days some deadline falls due. `time_findings` gives the findings of one day;
`validity` gives the days around it between which those findings stay the same, which
the build keeps in the project's record so that an unchanged project is rebuilt exactly
when a deadline falls due (and a replayed night with an earlier `--today` gets that
night's findings).

The rules, in full:

- `status-report-overdue`: only while Aktuell fas is Genomförande. The latest status
  report is the one with the latest Period till; the next is due the Rapporteringsintervall
  (1, 2 or 3 calendar months) plus 14 days after its Period till, and late from the day
  after. With no report, it is counted from BP2's Datum, but only once BP2 is in effect
  (approved, dated, its checklist done: `gating.is_effective`); otherwise the gating
  findings already say what is wrong. Without a Rapporteringsintervall there is no rule.
- `end-date-passed`: the day after Slutdatum, unless BP4 is approved.
- `activity-overdue`: the day after an activity's Slut, unless its Status is Klar or
  Struken, or BP4 is approved.
- `contract-ended`: the day after a personkontrakt's Till, while Aktuell fas is one of
  the phases before Avslut.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pipeline import contract
from pipeline.catalogue import (
    ACTIVITY_OVERDUE,
    CONTRACT_ENDED,
    END_DATE_PASSED,
    STATUS_REPORT_OVERDUE,
)
from pipeline.findings import Finding
from pipeline.model import PHASES
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import decision_cell, is_effective

TIME_CODES = frozenset(kind.code for kind in (
    STATUS_REPORT_OVERDUE, END_DATE_PASSED, ACTIVITY_OVERDUE, CONTRACT_ENDED))
"""The codes of the findings that change with the day."""

INTERVAL_MONTHS = dict(zip(contract.RAPPORTERINGSINTERVALL, (1, 2, 3), strict=True))
"""Rapporteringsintervall in calendar months."""
GRACE = timedelta(days=14)
"""How long after its interval a status report may come before it is late."""
ONE_DAY = timedelta(days=1)
IMPLEMENTATION, CLOSING = PHASES[2], PHASES[3]
"""Genomförande and Avslut."""


@dataclass(frozen=True)
class Deadline:
    late_from: date
    """The first day the finding is reported."""
    finding: Finding


@dataclass(frozen=True)
class Validity:
    """The days on which a project's time-based findings are the same as on a given day:
    from `since` (None: any earlier day) up to but not including `until` (None: any later
    day)."""

    since: date | None
    until: date | None


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day where it is
    shorter: 30 November + 3 months is 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def status_report_due(project: Project, settings: Settings) -> Iterator[Deadline]:
    info = project.info
    months = INTERVAL_MONTHS.get(info.rapporteringsintervall or "")
    if months is None or project.phase_number != IMPLEMENTATION.number:
        return
    sheet = contract.STATUSRAPPORTER
    reports = [r for r in project.statusrapporter if r.period_till is not None]
    if reports:
        latest = max(reports, key=lambda r: (r.period_till, r.row))
        since, cell = latest.period_till, project.cell(sheet, "period_till", latest.row)
        number = f" (nr {latest.rapport_nr})" if latest.rapport_nr is not None else ""
        what, where = f"den senaste rapporten{number} gäller till {since}", sheet.name
    elif is_effective(project, "BP2", settings):
        since = project.decision("BP2").datum
        cell = decision_cell(project, "BP2", "datum")
        what, where = f"BP2 beslutades {since} och ingen rapport är lämnad", contract.BESLUT.name
    else:
        return
    due = add_months(since, months) + GRACE
    yield Deadline(due + ONE_DAY, STATUS_REPORT_OVERDUE(
        since=what, interval=info.rapporteringsintervall.lower(), due=due, sheet=where,
        cell=cell, value=str(since)))


def end_date(project: Project, settings: Settings) -> Iterator[Deadline]:
    end = project.info.slutdatum
    if end is None or project.approved(CLOSING.decision_point):
        return
    yield Deadline(end + ONE_DAY, END_DATE_PASSED(
        end=end, sheet=contract.PROJEKT.name, cell=project.cell(contract.PROJEKT, "slutdatum"),
        value=str(end)))


def activity_ends(project: Project, settings: Settings) -> Iterator[Deadline]:
    if project.approved(CLOSING.decision_point):
        return
    sheet = contract.AKTIVITETER
    for row in project.aktiviteter:
        if row.slut is None or row.status in contract.ACTIVITY_FINISHED:
            continue
        state = f"har status {row.status}" if row.status else "saknar status"
        yield Deadline(row.slut + ONE_DAY, ACTIVITY_OVERDUE(
            activity=row.aktivitet, end=row.slut, state=state, sheet=sheet.name,
            cell=project.cell(sheet, "slut", row.row), value=str(row.slut)))


def contract_ends(project: Project, settings: Settings) -> Iterator[Deadline]:
    if not 0 < project.phase_number < CLOSING.number:
        return
    sheet = contract.PERSONKONTRAKT
    for row in project.personkontrakt:
        if row.till is None:
            continue
        yield Deadline(row.till + ONE_DAY, CONTRACT_ENDED(
            member=row.projektmedlem, end=row.till, phase=project.info.aktuell_fas,
            sheet=sheet.name, cell=project.cell(sheet, "till", row.row), value=str(row.till)))


RULES: tuple[Callable[[Project, Settings], Iterator[Deadline]], ...] = (
    status_report_due, end_date, activity_ends, contract_ends)


def deadlines(project: Project, settings: Settings = DEFAULTS) -> list[Deadline]:
    """Every deadline of every rule, late or not, under the organisation's settings (its
    checklist decides when BP2 is in effect)."""
    return [deadline for rule in RULES for deadline in rule(project, settings)]


def time_findings(project: Project, today: date, settings: Settings = DEFAULTS
                  ) -> list[Finding]:
    """The findings of the deadlines that have passed on `today`."""
    return [d.finding for d in deadlines(project, settings) if d.late_from <= today]


def validity(project: Project, today: date, settings: Settings = DEFAULTS) -> Validity:
    """The days around `today` on which the project's time-based findings are the same."""
    days = {d.late_from for d in deadlines(project, settings)}
    return Validity(max((d for d in days if d <= today), default=None),
                    min((d for d in days if d > today), default=None))
