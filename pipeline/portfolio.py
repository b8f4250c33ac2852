"""The project office's page: OUTPUT/index.html, one self-contained page of every project.

No network and no external files: inline CSS and a little inline JS (sort by a column, filter
by text), the organisation's logo inline as a data: URI. Links are relative to OUTPUT, so
they work wherever the shared folder is opened. Every value is escaped; a hostile project
name stays text.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from html import escape
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from pipeline import figures
from pipeline.check import Checked
from pipeline.formatting import kr, percent
from pipeline.model import APPROVED, DECISION_POINTS, NOT_APPROVED, PHASES
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import is_effective, open_items

LIGHT_KEYS = (("helhet", "Helhet"), ("tid", "Tid"), ("kostnad", "Kostnad"),
              ("kvalitet", "Kvalitet"))
LIGHT_CLASSES = {"Grön": "green", "Gul": "yellow", "Röd": "red"}


@dataclass(frozen=True)
class ProjectSummary:
    """The few values index.html shows for one project; small, unlike the project itself."""

    file: str  # the workbook's file name
    readable: bool  # False when the workbook could not be read
    projekt_id: str | None
    projektnamn: str | None = None
    forvaltning: str | None = None
    fas: str | None = None
    phase_number: int = 0
    decisions: tuple[tuple[str, str], ...] = ()  # (Swedish text, css class) per decision point
    open_items: int | None = None  # open checklist items of the current phase
    errors: int = 0
    warnings: int = 0
    report_nr: int | None = None  # the latest status report, None when there is none
    lights: tuple[str | None, ...] = ()  # its helhet, tid, kostnad, kvalitet
    budget: Decimal = figures.ZERO
    utfall: Decimal = figures.ZERO
    avvikelse: Decimal = figures.ZERO
    amended: tuple[str, ...] = ()  # archived decisions/reports the workbook now differs from

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON values (amounts as decimal text), for the build's records."""
        data = asdict(self)
        return {**data, **{key: str(data[key]) for key in MONEY}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectSummary:
        """`to_dict` read back; raises TypeError, ValueError or ArithmeticError when the data
        is not such a summary."""
        values = {**data, **{key: Decimal(data[key]) for key in MONEY}}
        values["decisions"] = tuple(tuple(pair) for pair in data["decisions"])
        values["lights"] = tuple(data["lights"])
        values["amended"] = tuple(data.get("amended", ()))
        return cls(**values)


MONEY = ("budget", "utfall", "avvikelse")


@dataclass(frozen=True)
class PortfolioEntry:
    summary: ProjectSummary
    folder: str  # the project's folder, relative to OUTPUT (posix)
    documents: list[str]  # document file paths relative to OUTPUT (posix)
    findings_report: str | None  # the findings report's path relative to OUTPUT


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


def open_items_now(project: Project, settings: Settings = DEFAULTS) -> int | None:
    """Open checklist items of the current phase (the organisation's items, those it adds
    included), the to-do list for its decision point."""
    phase = next((p for p in PHASES if p.number == project.phase_number), None)
    return None if phase is None else len(open_items(project, phase.decision_point, settings))


def summarize(checked: Checked) -> ProjectSummary:
    """What index.html shows of one checked workbook (under the settings it was checked
    under)."""
    report, project, settings = checked.report, checked.project, checked.settings
    counts = {"errors": len(report.errors), "warnings": len(report.warnings)}
    if project is None:
        return ProjectSummary(report.file, False, report.project_id, **counts)
    info = project.info
    costs = figures.total_costs(project)
    latest = figures.latest_status(project)
    return ProjectSummary(
        report.file, True, info.projekt_id, info.projektnamn, info.forvaltning,
        info.aktuell_fas, project.phase_number,
        tuple(decision_status(project, bp, settings) for bp in DECISION_POINTS),
        open_items_now(project, settings), **counts,
        report_nr=latest.rapport_nr if latest else None,
        lights=tuple(getattr(latest, key) for key, _ in LIGHT_KEYS) if latest else (),
        budget=costs.budget, utfall=costs.utfall, avvikelse=costs.avvikelse)


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
    return cell(f'<span class="money">{escape(kr(utfall))} av '
                f'{escape(kr(budget))}{used}</span>{bar}', float(budget))


def documents_cell(entry: PortfolioEntry) -> str:
    items = "".join(f"<li>{link(path)}</li>" for path in entry.documents)
    return cell(f'<ul class="docs">{items}</ul>' if items else
                '<span class="muted">Inga dokument</span>')


def findings_cell(entry: PortfolioEntry) -> str:
    errors, warnings = entry.summary.errors, entry.summary.warnings
    text = (f'<span class="{"red-text" if errors else ""}">{errors} fel</span>, '
            f"{warnings} varningar")
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
        cell(f'<span class="badge {css_class}">{escape(text)}</span>', text)
        for text, css_class in summary.decisions)
    todo = summary.open_items
    return (f'<tr class="{css}">'
            + text_cell(summary.projekt_id, "nowrap")
            + cell(escape(summary.projektnamn or "") + amended_mark(summary),
                   summary.projektnamn or "")
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


def summary_line(entries: Sequence[PortfolioEntry]) -> str:
    readable = [e.summary for e in entries if e.summary.readable]
    budget = sum((s.budget for s in readable), figures.ZERO)
    utfall = sum((s.utfall for s in readable), figures.ZERO)
    with_errors = sum(1 for e in entries if e.summary.errors)
    books = "arbetsbok" if with_errors == 1 else "arbetsböcker"
    return (f"<p class=\"summary\">{len(entries)} projekt · budget {escape(kr(budget))} · "
            f"utfall {escape(kr(utfall))} · {with_errors} {books} med fel</p>")


def sort_key(entry: PortfolioEntry) -> tuple[bool, str, str]:
    """By Projekt-ID; workbooks that could not be read last."""
    summary = entry.summary
    return (not summary.readable, (summary.projekt_id or "") if summary.readable else "",
            summary.file)


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
    head = "".join(f'<th scope="col" tabindex="0">{escape(h)}</th>' for h in HEADERS)
    rows = "\n".join(project_row(e) for e in sorted(entries, key=sort_key))
    stamp = generated.strftime("%Y-%m-%d %H:%M")
    return PAGE.format(style=STYLE, script=SCRIPT, stamp=escape(stamp), head=head, rows=rows,
                       summary=summary_line(entries), organisation=organisation_line(settings),
                       title=escape(f"Projektbanken – {settings.name}"))


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
<p class="muted">Uppdaterad {stamp}.<span class="screen-only"> Klicka på en kolumnrubrik för att
sortera.</span></p>
{summary}
<p class="filters"><label>Filtrera: <input id="filter" type="search"
placeholder="Projekt, förvaltning, fas …"></label>
<label><input id="only-errors" type="checkbox"> Bara arbetsböcker med fel</label></p>
</header>
<table id="projects">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script>{script}</script>
</body>
</html>
"""

STYLE = """
body{font-family:system-ui,"Segoe UI",Arial,sans-serif;margin:1rem;color:#1b1b1b;font-size:13px}
h1{margin:0 0 .2rem;font-size:1.6rem}
.organisation{display:flex;align-items:center;gap:.6rem;margin:0 0 .3rem;font-weight:600;
font-size:1.05rem}
.logo{height:2.5rem;width:auto}
.muted{color:#666}.summary{font-weight:600}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .45rem;text-align:left;vertical-align:top}
th{background:#1f4e79;color:#fff;cursor:pointer;position:sticky;top:0;hyphens:manual}
.nowrap{white-space:nowrap}
th.asc::after{content:" ▲"}th.desc::after{content:" ▼"}
tbody tr:nth-child(even){background:#f6f8fa}
tr.has-errors td:first-child{border-left:4px solid #c62828}
.num{text-align:right}
.badge,.light{display:inline-block;border-radius:3px;padding:0 .35rem;font-size:.85em;
white-space:nowrap;margin:1px 0}
.light{display:block;width:max-content}
.green{background:#2e7d32;color:#fff}.yellow{background:#f9a825;color:#000}
.red{background:#c62828;color:#fff}.pending,.none{background:#e0e0e0;color:#333}
.red-text{color:#c62828;font-weight:600}
.report-nr{display:block;font-size:.85em;color:#444}
.bar{display:block;height:6px;background:#e0e0e0;margin-top:3px;width:9rem}
.fill{display:block;height:6px;background:#1f4e79}.fill.over{background:#c62828}
.money{display:block;max-width:9rem}
ul.docs{margin:0;padding-left:1rem}
input[type=search]{width:18rem;padding:.2rem}
.filters label{margin-right:1rem}
@media print{
@page{size:A4 landscape;margin:1cm}
body{margin:0;font-size:9pt}
.filters,.screen-only{display:none}
th{background:#fff;color:#000;border-bottom:2px solid #000;position:static}
th.asc::after,th.desc::after{content:""}
tr{break-inside:avoid}
a{color:#000;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

SCRIPT = """
(function(){
var table=document.getElementById('projects'),body=table.tBodies[0];
var filter=document.getElementById('filter'),onlyErrors=document.getElementById('only-errors');
function key(row,i){var c=row.cells[i];var v=c.getAttribute('data-sort');
if(v===null)v=c.textContent;var n=parseFloat(v);
return(v!==''&&!isNaN(n)&&isFinite(v))?n:v.toLowerCase();}
function sortBy(th){var i=th.cellIndex,asc=!th.classList.contains('asc');
Array.prototype.forEach.call(th.parentNode.cells,function(h){h.classList.remove('asc','desc');});
th.classList.add(asc?'asc':'desc');
var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a,i),y=key(b,i);
if(typeof x!==typeof y){x=String(x);y=String(y);}
return(x<y?-1:x>y?1:0)*(asc?1:-1);});
rows.forEach(function(r){body.appendChild(r);});}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){
th.addEventListener('click',function(){sortBy(th);});
th.addEventListener('keydown',function(e){if(e.key==='Enter')sortBy(th);});});
function apply(){var q=filter.value.toLowerCase();
Array.prototype.forEach.call(body.rows,function(r){
var show=r.textContent.toLowerCase().indexOf(q)>=0&&
(!onlyErrors.checked||r.classList.contains('has-errors'));
r.style.display=show?'':'none';});}
filter.addEventListener('input',apply);onlyErrors.addEventListener('change',apply);
})();
"""
