"""The project office's page: OUTPUT/index.html, one self-contained page of every project,
and the summary of a project that it and the project's own page (pipeline/project_page.py)
are made from.

The page has an "Att göra" list per project leader (leaders in Swedish alphabetical order,
pipeline/collation.py), the table of every project (sorted from a column's header button,
by mouse or keyboard, text in Swedish order; filtered by text) and a timeline. No network
and no external files: inline CSS, inline SVG, a little inline JS and the organisation's
logo as a data: URI. Links are relative to OUTPUT, so they work wherever the shared folder
is opened. Every value is escaped; a hostile project name stays text. Colour never carries
information alone: every light, badge and mark has its words.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from html import escape
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from pipeline import contract, figures
from pipeline.catalogue import (
    ACTIVITY_OVERDUE,
    CONTRACT_ENDED,
    END_DATE_PASSED,
    STATUS_REPORT_OVERDUE,
)
from pipeline.charts import Marker, Span, timeline
from pipeline.check import Checked
from pipeline.collation import swedish_key
from pipeline.findings import Report
from pipeline.formatting import day, kr, percent
from pipeline.model import (
    APPROVED,
    DECISION_POINTS,
    NOT_APPLICABLE,
    NOT_APPROVED,
    PHASES,
    Phase,
)
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import is_effective, open_items
from pipeline.wording import counted

LIGHT_KEYS = (("helhet", "Helhet"), ("tid", "Tid"), ("kostnad", "Kostnad"),
              ("kvalitet", "Kvalitet"))
LIGHT_CLASSES = {"Grön": "green", "Gul": "yellow", "Röd": "red"}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DecisionPoint(Frozen):
    """One decision point as the pages show it."""

    point: str  # BP1
    decides: str  # what it decides (model.Phase.decides)
    status: str  # Swedish: Godkänt, Ej godkänt, Ej fattat, Godkänt, ofullständigt
    css: str
    day: date | None = None
    """Beslut!Datum: the decision's date, or the planned date of one not yet taken."""
    decided: bool = False
    """A Beslut is given (Godkänt or Ej godkänt)."""


class StatusLine(Frozen):
    """One status report: its period, traffic lights and upparbetad kostnad."""

    rapport_nr: int
    period_fran: date | None = None
    period_till: date | None = None
    rapportdatum: date | None = None
    lights: tuple[str | None, ...] = ()  # helhet, tid, kostnad, kvalitet
    upparbetad_kostnad: Decimal | None = None


class OpenItem(Frozen):
    """A checklist item of the current phase that is not done, and its cell."""

    id: str | None
    text: str | None
    answer: str  # Swedish: obesvarad, Nej, Ej aktuellt utan kommentar
    location: str  # Checklistor!D31


class Notice(Frozen):
    """A finding the project office acts on (a late report, say), with its place."""

    code: str
    message: str
    location: str


class ProjectSummary(Frozen):
    """What index.html and the project's page show of one project; small, unlike the
    project itself, and plain JSON in the build's records (`to_dict`, `from_dict`)."""

    file: str  # the workbook's file name
    readable: bool  # False when the workbook could not be read
    projekt_id: str | None
    projektnamn: str | None = None
    forvaltning: str | None = None
    verksamhet: str | None = None
    bestallare: str | None = None
    projektledare: str | None = None
    diarienummer: str | None = None
    fond_program: str | None = None
    rapporteringsintervall: str | None = None
    startdatum: date | None = None
    slutdatum: date | None = None
    fas: str | None = None
    phase_number: int = 0
    decisions: tuple[DecisionPoint, ...] = ()  # BP1–BP4
    open_items: int | None = None  # open checklist items of the current phase
    checklist: tuple[OpenItem, ...] = ()  # those items
    errors: int = 0
    warnings: int = 0
    report_nr: int | None = None  # the latest status report, None when there is none
    lights: tuple[str | None, ...] = ()  # its helhet, tid, kostnad, kvalitet
    reports: tuple[StatusLine, ...] = ()  # every status report, by Rapport nr
    budget: Decimal = figures.ZERO
    utfall: Decimal = figures.ZERO
    avvikelse: Decimal = figures.ZERO
    notices: tuple[Notice, ...] = ()  # the time-based findings (`NOTICE_CODES`)
    amended: tuple[str, ...] = ()  # archived decisions/reports the workbook now differs from

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON values (dates ISO, amounts as decimal text), for the records."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectSummary:
        """`to_dict` read back; raises ValueError (pydantic's ValidationError) when the
        data is not such a summary."""
        return cls.model_validate(data)

    @property
    def next_decision(self) -> DecisionPoint | None:
        """The decision point the current phase leads to, unless it is approved (and
        effective) already."""
        if not 0 < self.phase_number <= len(self.decisions):
            return None
        upcoming = self.decisions[self.phase_number - 1]
        return None if upcoming.status == APPROVED else upcoming


NOTICE_CODES = tuple(kind.code for kind in (STATUS_REPORT_OVERDUE, END_DATE_PASSED,
                                            ACTIVITY_OVERDUE, CONTRACT_ENDED))
"""The time-based findings (issue 14): what is late shows under Att göra."""


@dataclass(frozen=True)
class PortfolioEntry:
    summary: ProjectSummary
    folder: str  # the project's folder, relative to OUTPUT (posix)
    documents: list[str]  # document file paths relative to OUTPUT (posix)
    findings_report: str | None  # the findings report's path relative to OUTPUT
    page: str | None = None  # the project's page (projekt.html) relative to OUTPUT


# --- what the page shows of a project ------------------------------------------------------

def decision_status(project: Project, decision_point: str, settings: Settings = DEFAULTS
                    ) -> tuple[str, str]:
    """(Swedish text, css class) of one decision point."""
    decision = project.decision(decision_point)
    if decision is None or not decision.beslut:
        return "Ej fattat", "pending"
    if decision.beslut == NOT_APPROVED:
        return NOT_APPROVED, "red"
    if decision.beslut == APPROVED and not is_effective(project, decision_point, settings):
        return "Godkänt, ofullständigt", "yellow"
    return APPROVED, "green"


def decision_point(project: Project, phase: Phase, settings: Settings = DEFAULTS
                   ) -> DecisionPoint:
    status, css = decision_status(project, phase.decision_point, settings)
    row = project.decision(phase.decision_point)
    return DecisionPoint(point=phase.decision_point, decides=phase.decides, status=status,
                         css=css, day=row.datum if row is not None else None,
                         decided=row is not None and bool(row.beslut))


def current_phase(project: Project) -> Phase | None:
    return next((p for p in PHASES if p.number == project.phase_number), None)


def open_items_now(project: Project, settings: Settings = DEFAULTS) -> int | None:
    """Open checklist items of the current phase (the organisation's items, those it adds
    included), the to-do list for its decision point."""
    phase = current_phase(project)
    return None if phase is None else len(open_items(project, phase.decision_point, settings))


def open_item(project: Project, row: Any) -> OpenItem:
    """An item not done, with the cell to fill in (Kommentar for Ej aktuellt)."""
    without_comment = row.svar == NOT_APPLICABLE
    answer = ("Ej aktuellt utan kommentar" if without_comment else row.svar or "obesvarad")
    cell = project.cell(contract.CHECKLISTOR, "kommentar" if without_comment else "svar",
                        row.row)
    location = f"{contract.CHECKLISTOR.name}!{cell}" if cell else contract.CHECKLISTOR.name
    return OpenItem(id=row.id, text=row.kontrollpunkt, answer=answer, location=location)


def checklist_now(project: Project, settings: Settings = DEFAULTS) -> tuple[OpenItem, ...]:
    phase = current_phase(project)
    if phase is None:
        return ()
    return tuple(open_item(project, row)
                 for row in open_items(project, phase.decision_point, settings))


def status_lines(project: Project) -> tuple[StatusLine, ...]:
    reports = sorted((r for r in project.statusrapporter if r.rapport_nr is not None),
                     key=lambda r: (r.rapport_nr, r.row))
    return tuple(StatusLine(rapport_nr=r.rapport_nr, period_fran=r.period_fran,
                            period_till=r.period_till, rapportdatum=r.rapportdatum,
                            lights=tuple(getattr(r, key) for key, _ in LIGHT_KEYS),
                            upparbetad_kostnad=r.upparbetad_kostnad) for r in reports)


def notices(report: Report) -> tuple[Notice, ...]:
    return tuple(Notice(code=f.code, message=f.message, location=f.location)
                 for f in report.findings if f.code in NOTICE_CODES)


def summarize(checked: Checked) -> ProjectSummary:
    """What index.html and the project's page show of one checked workbook (under the
    settings it was checked under)."""
    report, project, settings = checked.report, checked.project, checked.settings
    counts = {"errors": len(report.errors), "warnings": len(report.warnings)}
    if project is None:
        return ProjectSummary(file=report.file, readable=False, projekt_id=report.project_id,
                              **counts)
    info = project.info
    costs = figures.total_costs(project)
    reports = status_lines(project)
    latest = reports[-1] if reports else None
    return ProjectSummary(
        file=report.file, readable=True, projekt_id=info.projekt_id,
        **{key: getattr(info, key) for key in FACTS},
        fas=info.aktuell_fas, phase_number=project.phase_number,
        decisions=tuple(decision_point(project, phase, settings) for phase in PHASES),
        open_items=open_items_now(project, settings),
        checklist=checklist_now(project, settings), **counts,
        report_nr=latest.rapport_nr if latest else None,
        lights=latest.lights if latest else (), reports=reports,
        budget=costs.budget, utfall=costs.utfall, avvikelse=costs.avvikelse,
        notices=notices(report))


FACTS = ("projektnamn", "forvaltning", "verksamhet", "bestallare", "projektledare",
         "diarienummer", "fond_program", "rapporteringsintervall", "startdatum", "slutdatum")
"""The Projekt sheet's values a summary keeps as they are."""


# --- small pieces ----------------------------------------------------------------------

def href(path: str) -> str:
    """A relative URL for a posix path under OUTPUT (spaces and å, ä, ö percent-encoded)."""
    return escape(quote(path, safe="/"), quote=True)


def link(path: str, text: str | None = None) -> str:
    label = text if text is not None else PurePosixPath(path).name
    return f'<a href="{href(path)}">{escape(label)}</a>'


def cell(content: str, sort_key: str | int | float | None = None, css: str = "") -> str:
    """A table cell; sort_key (escaped) is what the column sorts by."""
    attributes = f' class="{css}"' if css else ""
    if sort_key is not None:
        attributes += f' data-sort="{escape(str(sort_key), quote=True)}"'
    return f"<td{attributes}>{content}</td>"


def text_cell(value: str | None, css: str = "") -> str:
    return cell(escape(value or ""), value or "", css)


def light(value: str | None, label: str) -> str:
    """One traffic light: its colour, and its value in words for print and screen readers."""
    css = LIGHT_CLASSES.get(value or "", "none")
    return (f'<span class="light {css}">{label}: {escape(value or "saknas")}</span>')


def lights_cell(summary: ProjectSummary) -> str:
    if not summary.lights:  # no status report yet
        return cell('<span class="muted">Ingen rapport</span>', "")
    lights = "".join(light(value, label)
                     for value, (_, label) in zip(summary.lights, LIGHT_KEYS, strict=True))
    return cell(f'<span class="report-nr">Rapport {summary.report_nr}</span>{lights}',
                summary.lights[0] or "")


def money_cell(summary: ProjectSummary) -> str:
    budget, utfall = summary.budget, summary.utfall
    share = utfall / budget * 100 if budget else None
    over = summary.avvikelse < 0
    bar = ""
    if share is not None:
        width = min(share, Decimal(100))
        bar = (f'<span class="bar"><span class="fill{" over" if over else ""}" '
               f'style="width:{width:.0f}%"></span></span>')
    used = f" ({percent(share.quantize(Decimal('1')))})" if share is not None else ""
    # figures from a workbook with errors may be incomplete: marked, in words
    doubt = ('<span class="doubt">Osäkra siffror: arbetsboken har fel</span>'
             if summary.errors else "")
    return cell(f'<span class="money">{escape(kr(utfall))} av '
                f'{escape(kr(budget))}{used}</span>{bar}{doubt}', float(budget))


def documents_cell(entry: PortfolioEntry) -> str:
    items = "".join(f"<li>{link(path)}</li>" for path in entry.documents)
    return cell(f'<ul class="docs">{items}</ul>' if items else
                '<span class="muted">Inga dokument</span>')


def findings_cell(entry: PortfolioEntry) -> str:
    errors, warnings = entry.summary.errors, entry.summary.warnings
    text = (f'<span class="{"red-text" if errors else ""}">{errors} fel</span>, '
            f"{counted(warnings, 'varning', 'varningar')}")
    if entry.findings_report:
        text += f"<br>{link(entry.findings_report, 'Kontrollrapport')}"
    return cell(text, errors * 100000 + warnings)


# --- rows ------------------------------------------------------------------------------

def project_row(entry: PortfolioEntry) -> str:
    summary = entry.summary
    css = "has-errors" if summary.errors else ""
    if not summary.readable:
        return unreadable_row(entry, css)
    decisions = "".join(
        cell(f'<span class="badge {d.css}">{escape(d.status)}</span>', d.status)
        for d in summary.decisions)
    todo = summary.open_items
    name = summary.projektnamn or ""
    return (f'<tr class="{css}">'
            + text_cell(summary.projekt_id, "nowrap")
            + cell((link(entry.page, name) if entry.page else escape(name))
                   + amended_mark(summary), name)
            + text_cell(summary.forvaltning) + cell(escape(summary.fas or ""),
                                                    summary.phase_number)
            + decisions
            + cell("" if todo is None else str(todo), -1 if todo is None else todo, "num")
            + findings_cell(entry) + lights_cell(summary) + money_cell(summary)
            + documents_cell(entry) + "</tr>")


def unreadable_row(entry: PortfolioEntry, css: str) -> str:
    summary = entry.summary
    return (f'<tr class="{css}">' + text_cell(summary.projekt_id)
            + cell(escape(summary.file) + '<br><span class="muted">Arbetsboken kunde inte '
                   "läsas</span>", summary.file)
            + cell("") + cell("", 0) + cell("") * len(DECISION_POINTS) + cell("", -1)
            + findings_cell(entry) + cell("") + cell("", 0) + documents_cell(entry) + "</tr>")


def amended_mark(summary: ProjectSummary) -> str:
    """A project whose workbook differs from what was approved (pipeline.archive)."""
    if not summary.amended:
        return ""
    what = ", ".join(summary.amended)
    return f'<br><span class="badge yellow">Ändrad efter fastställande: {escape(what)}</span>'


HEADERS = ("Projekt-ID", "Projekt", "Förvaltning", "Fas", *DECISION_POINTS,
           "Öppna kontroll\u00adpunkter", "Fel och varningar", "Senaste status",
           "Utfall mot budget", "Dokument")


def sortable_header(label: str) -> str:
    """A column header whose button sorts the table (Enter or Space from the keyboard);
    aria-sort says how the table is sorted."""
    return (f'<th scope="col"><button type="button" class="sort">{escape(label)}'
            f'<span class="arrow" aria-hidden="true"></span></button></th>')


def summary_line(entries: Sequence[PortfolioEntry]) -> str:
    """The totals, saying how many workbooks with errors their figures include."""
    readable = [e.summary for e in entries if e.summary.readable]
    budget = sum((s.budget for s in readable), figures.ZERO)
    utfall = sum((s.utfall for s in readable), figures.ZERO)
    with_errors = sum(1 for e in entries if e.summary.errors)
    included = sum(1 for s in readable if s.errors)
    doubt = (f" (summorna innehåller {counted(included, 'arbetsbok', 'arbetsböcker')} "
             "med fel)" if included else "")
    return (f"<p class=\"summary\">{len(entries)} projekt · budget {escape(kr(budget))} · "
            f"utfall {escape(kr(utfall))}{doubt} · "
            f"{counted(with_errors, 'arbetsbok', 'arbetsböcker')} med fel</p>")


def sort_key(entry: PortfolioEntry) -> tuple[bool, str, str]:
    """By Projekt-ID; workbooks that could not be read last."""
    summary = entry.summary
    return (not summary.readable, (summary.projekt_id or "") if summary.readable else "",
            summary.file)


# --- Att göra: each project leader's late reports, next decisions and open items ----------

NO_LEADER = "Projektledare saknas"


def by_leader(entries: Sequence[PortfolioEntry]) -> dict[str, list[PortfolioEntry]]:
    """The projects of each projektledare (by name, as Projekt!Projektledare gives it),
    leaders in Swedish alphabetical order, projects by Projekt-ID; those without one last."""
    groups: dict[str, list[PortfolioEntry]] = {}
    for entry in sorted(entries, key=sort_key):
        leader = (entry.summary.projektledare or "").strip() or NO_LEADER
        groups.setdefault(leader, []).append(entry)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == NO_LEADER, swedish_key(kv[0]))))


def project_title(summary: ProjectSummary) -> str:
    words = " ".join(w for w in (summary.projekt_id, summary.projektnamn) if w)
    return words or summary.file


def where(location: str) -> str:
    """` (Statusrapporter!B7)`: the place of a finding, when it has one."""
    return f' <span class="where">({escape(location)})</span>' if location else ""


def todo_items(entry: PortfolioEntry) -> list[str]:
    """What the project's leader should do, as list items (HTML)."""
    summary = entry.summary
    if not summary.readable:
        return [f"<li>Arbetsboken {escape(summary.file)} kunde inte läsas: rätta den "
                "(se Kontrollrapport).</li>"]
    items = [f'<li><span class="tag late">Försenat</span> {escape(n.message)}'
             f"{where(n.location)}</li>" for n in summary.notices]
    upcoming = summary.next_decision
    if upcoming is not None:
        when = f", planerat {day(upcoming.day)}" if upcoming.day and not upcoming.decided else ""
        items.append(f'<li><span class="tag next">Nästa beslut</span> {escape(upcoming.point)}'
                     f" – {escape(upcoming.decides.lower())}{escape(when)}"
                     f" ({escape(upcoming.status.lower())}).</li>")
    if summary.checklist:  # their texts are on the project's page
        points = "".join(f'<li>{escape(i.id or "")}{where(i.location)}</li>'
                         for i in summary.checklist)
        point = upcoming.point if upcoming else "beslutspunkten"
        items.append(f'<li><span class="tag open">Öppna kontrollpunkter</span> '
                     f"{len(summary.checklist)} inför {escape(point)}: "
                     f'<ul class="inline">{points}</ul></li>')
    if summary.errors:
        items.append(f'<li><span class="tag fault">Fel</span> {summary.errors} fel i '
                     "arbetsboken (se Kontrollrapport).</li>")
    return items


def todo_project(entry: PortfolioEntry) -> str:
    title = escape(project_title(entry.summary))
    heading = link(entry.page, project_title(entry.summary)) if entry.page else title
    items = todo_items(entry) or ["<li>Inget att göra just nu.</li>"]
    report = (f" · {link(entry.findings_report, 'Kontrollrapport')}"
              if entry.findings_report else "")
    return (f'<li class="todo-project"><strong class="project-name">{heading}</strong>'
            f'{report}<ul>{"".join(items)}</ul></li>')


def todo_chunks(entries: Sequence[PortfolioEntry]) -> Iterator[str]:
    """The Att göra section a project at a time (4 MB at 1000 projects)."""
    groups = by_leader(entries)
    if not groups:
        return
    yield ('<section aria-labelledby="todo-heading"><h2 id="todo-heading">Att göra</h2>'
           '<p class="muted">Per projektledare: försenade rapporter och annat som passerat '
           "sitt datum, nästa beslutspunkt och kontrollpunkterna som är öppna inför den.</p>")
    for leader, projects in groups.items():
        yield f'<h3>{escape(leader)}</h3><ul class="todo">'
        yield from (todo_project(e) for e in projects)
        yield "</ul>"
    yield "</section>"


# --- the timeline of all projects ----------------------------------------------------------

def decision_marker(decision: DecisionPoint) -> Marker | None:
    """A decision point with a date: decided, or planned (a date without a Beslut)."""
    if decision.day is None:
        return None
    note = decision.status if decision.decided else "planerat"
    return Marker(decision.point, decision.day, decision.decided, note)


def project_span(summary: ProjectSummary) -> Span:
    markers = tuple(m for d in summary.decisions if (m := decision_marker(d)) is not None)
    return Span(project_title(summary), summary.startdatum, summary.slutdatum, markers)


def timeline_section(entries: Sequence[PortfolioEntry]) -> str:
    spans = [project_span(e.summary) for e in sorted(entries, key=sort_key)
             if e.summary.readable]
    if not spans:
        return ""
    chart = timeline("timeline", "Projektens tidslinje: start, beslutspunkter och slut", spans,
                     DECISION_POINTS)
    return ('<section aria-labelledby="timeline-heading"><h2 id="timeline-heading">'
            f"Tidslinje</h2>{chart}</section>")


# --- the page ------------------------------------------------------------------------------

def organisation_line(settings: Settings) -> str:
    """The organisation's logo (inline, as a data: URI, so the page stays self-contained)
    and name, above the page's heading."""
    logo = ""
    if settings.logo_bytes and settings.logo_media_type:
        data = base64.b64encode(settings.logo_bytes).decode("ascii")
        logo = (f'<img class="logo" src="data:{settings.logo_media_type};base64,{data}" '
                f'alt="{escape(settings.name, quote=True)}">')
    return f'<p class="organisation">{logo}<span>{escape(settings.name)}</span></p>'


def index_html(entries: Sequence[PortfolioEntry], generated: datetime,
               settings: Settings = DEFAULTS) -> str:
    """The project office's page, in Swedish, self-contained, with the organisation's name
    and logo."""
    return "".join(index_chunks(entries, generated, settings))


def index_chunks(entries: Sequence[PortfolioEntry], generated: datetime,
                 settings: Settings = DEFAULTS) -> Iterator[str]:
    """`index_html` in pieces, a section or a table row at a time, so that the build
    writes the page (7 MB at 1000 projects) without ever holding it whole."""
    fields = {"style": STYLE, "script": SCRIPT,
              "stamp": escape(generated.strftime("%Y-%m-%d %H:%M")),
              "head": "".join(sortable_header(h) for h in HEADERS),
              "summary": summary_line(entries), "organisation": organisation_line(settings),
              "title": escape(f"Projektbanken – {settings.name}")}
    top, rest = PAGE.split("{todo}")
    middle, rest = rest.split("{rows}")
    lower, bottom = rest.split("{timeline}")
    yield top.format(**fields)
    yield from todo_chunks(entries)
    yield middle.format(**fields)
    for number, entry in enumerate(sorted(entries, key=sort_key)):
        yield ("\n" if number else "") + project_row(entry)
    yield lower.format(**fields)
    yield timeline_section(entries)
    yield bottom.format(**fields)


PAGE = """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
{organisation}
<h1>Projektbanken</h1>
<p class="muted">Uppdaterad {stamp}.</p>
{summary}
<nav aria-label="På sidan"><ul class="jump"><li><a href="#todo-heading">Att göra</a></li>
<li><a href="#projects-heading">Alla projekt</a></li>
<li><a href="#timeline-heading">Tidslinje</a></li></ul></nav>
</header>
<main>
{todo}
<section aria-labelledby="projects-heading">
<h2 id="projects-heading">Alla projekt</h2>
<p class="filters"><label>Filtrera: <input id="filter" type="search"
placeholder="Projekt, förvaltning, fas …"></label>
<label><input id="only-errors" type="checkbox"> Bara arbetsböcker med fel</label>
<span class="screen-only muted">Sortera med knapparna i kolumnrubrikerna.</span></p>
<table id="projects">
<caption class="visually-hidden">Alla projekt; sortera med knapparna i kolumnrubrikerna.
</caption>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</section>
{timeline}
</main>
<script>{script}</script>
</body>
</html>
"""

STYLE = """
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:1rem;color:#1b1b1b;font-size:13px}
h1{margin:0 0 .2rem;font-size:1.6rem}h2{font-size:1.25rem;margin:1.4rem 0 .4rem}
h3{font-size:1.05rem;margin:1rem 0 .3rem}
.organisation{display:flex;align-items:center;gap:.6rem;margin:0 0 .3rem;font-weight:600;
font-size:1.05rem}
.logo{height:2.5rem;width:auto}
.muted{color:#595959}.summary{font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .45rem;text-align:left;vertical-align:top}
thead th{background:#1f4e79;color:#fff;position:sticky;top:0;hyphens:manual}
tbody th{font-weight:normal}
button.sort{all:unset;cursor:pointer;display:block;width:100%;font-weight:bold}
button.sort:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
th[aria-sort=ascending] .arrow::after{content:" ▲"}
th[aria-sort=descending] .arrow::after{content:" ▼"}
.nowrap{white-space:nowrap}
tbody tr:nth-child(even){background:#f6f8fa}
tr.has-errors td:first-child{border-left:4px solid #c62828}
.num{text-align:right}
.badge,.light,.tag{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.85em;
white-space:nowrap;margin:1px 0}
.light{display:block;width:max-content}
.green{background:#2e7d32;color:#fff}.yellow{background:#f9a825;color:#000}
.red{background:#c62828;color:#fff}.pending,.none{background:#e0e0e0;color:#333}
.red-text{color:#c62828;font-weight:600}
.report-nr{display:block;font-size:.85em;color:#444}
.bar{display:block;height:6px;background:#e0e0e0;margin-top:3px;width:9rem}
.fill{display:block;height:6px;background:#1f4e79}.fill.over{background:#c62828}
.money{display:block;max-width:9rem}
.doubt{display:block;max-width:9rem;color:#c62828;font-size:.85em}
ul.docs{margin:0;padding-left:1rem}
input[type=search]{width:18rem;padding:.2rem}
.filters label{margin-right:1rem}
ul.jump{list-style:none;padding:0;margin:.3rem 0}ul.jump li{display:inline;margin-right:1rem}
ul.todo{padding-left:1.2rem}ul.todo ul{padding-left:1.2rem}
.todo-project{margin:.3rem 0}
ul.todo ul.inline,ul.inline{display:inline;padding:0}ul.inline li{display:inline}
ul.inline li+li::before{content:", "}
.tag{border:1px solid #1b1b1b;background:#fff;color:#1b1b1b}
.tag.late{background:#c62828;border-color:#c62828;color:#fff}
.where{color:#595959;white-space:nowrap}
.chart{max-width:60rem;height:auto;display:block}
.chart-figure{margin:.5rem 0}
.visually-hidden,.figures{position:absolute;width:1px;height:1px;margin:-1px;padding:0;
overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}
@media print{
@page{size:A4 landscape;margin:1cm}
body{margin:0;font-size:9pt}
.filters,.screen-only,nav{display:none}
thead th{background:#fff;color:#000;border-bottom:2px solid #000;position:static}
th .arrow::after{content:""}
tr,li,figure{break-inside:avoid}
h2,h3{break-after:avoid}
.figures{position:static;width:auto;height:auto;margin:.4rem 0;overflow:visible;clip:auto;
clip-path:none;white-space:normal}
a{color:#000;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

SCRIPT = """
(function(){
var table=document.getElementById('projects');
if(!table)return;
var body=table.tBodies[0],headers=table.tHead.rows[0].cells;
var filter=document.getElementById('filter'),onlyErrors=document.getElementById('only-errors');
var swedish=new Intl.Collator('sv');
function key(row,i){var c=row.cells[i];var v=c.getAttribute('data-sort');
if(v===null)v=c.textContent;var n=parseFloat(v);
return(v!==''&&!isNaN(n)&&isFinite(v))?n:v.toLowerCase();}
function sortBy(th){var i=th.cellIndex,asc=th.getAttribute('aria-sort')!=='ascending';
Array.prototype.forEach.call(headers,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a,i),y=key(b,i);
if(typeof x!==typeof y){x=String(x);y=String(y);}
var c=typeof x==='string'?swedish.compare(x,y):(x<y?-1:x>y?1:0);
return c*(asc?1:-1);});
rows.forEach(function(r){body.appendChild(r);});}
Array.prototype.forEach.call(headers,function(th){
th.querySelector('button').addEventListener('click',function(){sortBy(th);});});
function apply(){var q=filter.value.toLowerCase();
Array.prototype.forEach.call(body.rows,function(r){
var show=r.textContent.toLowerCase().indexOf(q)>=0&&
(!onlyErrors.checked||r.classList.contains('has-errors'));
r.style.display=show?'':'none';});}
filter.addEventListener('input',apply);onlyErrors.addEventListener('change',apply);
})();
"""
