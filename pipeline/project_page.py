"""A project's own page: OUTPUT/<project folder>/projekt.html, written with its documents.

It shows the project's basic facts and phase, BP1–BP4 on a timeline, the traffic lights of
every status report, upparbetad kostnad against the budget, the open checklist items, every
finding with its cell, and the project's documents (and its archive, once there is one).
Self-contained like index.html (inline CSS and SVG, no script, no network); its links are
relative to the project's folder. Every value from the workbook is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path, PurePosixPath

from pipeline.charts import Bar, cost_chart, timeline
from pipeline.findings import Finding
from pipeline.formatting import day, kr
from pipeline.model import DECISION_POINTS, PHASES
from pipeline.paths import ARCHIVE_FOLDER, INDEX_FILE
from pipeline.portfolio import (
    LIGHT_CLASSES,
    LIGHT_KEYS,
    STYLE,
    ProjectSummary,
    link,
    organisation_line,
    project_span,
    project_title,
)
from pipeline.settings import DEFAULTS, Settings


def archived_files(folder: Path) -> list[str]:
    """The files the project's archive lists in its arkiv.json (`Arkiv/…`, posix, relative
    to the project's folder) as it is when the page is written; none when it has none or
    one this program did not write."""
    from pipeline.archive import ManifestUnreadable, archive_folder, read_manifest

    try:
        entries = read_manifest(archive_folder(folder))
    except ManifestUnreadable:
        return []
    return [f"{ARCHIVE_FOLDER}/{entry['fil']}" for entry in entries]


# --- sections ------------------------------------------------------------------------------

def section(anchor: str, title: str, content: str) -> str:
    return (f'<section aria-labelledby="{anchor}"><h2 id="{anchor}">{escape(title)}</h2>'
            f"{content}</section>")


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of cells already in HTML; the first cell of a row heads it."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<th scope="row">{c}</th>' if i == 0 else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return (f'<table><caption class="visually-hidden">{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def facts(summary: ProjectSummary) -> str:
    pairs = [("Projekt-ID", summary.projekt_id), ("Projektnamn", summary.projektnamn),
             ("Förvaltning", summary.forvaltning), ("Verksamhet", summary.verksamhet),
             ("Beställare", summary.bestallare), ("Projektledare", summary.projektledare),
             ("Aktuell fas", summary.fas), ("Startdatum", day(summary.startdatum)),
             ("Slutdatum", day(summary.slutdatum)), ("Diarienummer", summary.diarienummer),
             ("Fond/program", summary.fond_program),
             ("Rapporteringsintervall", summary.rapporteringsintervall),
             ("Budget", kr(summary.budget)), ("Utfall", kr(summary.utfall)),
             ("Avvikelse (budget − utfall)", kr(summary.avvikelse)),
             ("Arbetsbok", summary.file)]
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value or '–')}</dd>"
                    for label, value in pairs)
    return section("facts", "Basfakta", f'<dl class="facts">{items}</dl>')


def phases(summary: ProjectSummary) -> str:
    steps = []
    for phase in PHASES:
        name = f"Fas {phase.number}: {phase.name} (till {phase.decision_point})"
        if phase.number == summary.phase_number:
            steps.append(f'<li aria-current="step" class="current"><strong>{escape(name)}'
                         "</strong> – aktuell fas</li>")
        else:
            steps.append(f"<li>{escape(name)}</li>")
    return section("phase", "Fas", f'<ol class="phases">{"".join(steps)}</ol>')


def decisions(summary: ProjectSummary) -> str:
    rows = [[escape(d.point), escape(d.decides),
             f'<span class="badge {d.css}">{escape(d.status)}</span>',
             escape(day(d.day) + ("" if d.decided or d.day is None else " (planerat)"))]
            for d in summary.decisions]
    table = data_table("Beslutspunkterna", ["Beslutspunkt", "Innebörd", "Beslut", "Datum"],
                       rows)
    chart = timeline("project-timeline", "Tidslinje: start, beslutspunkter och slut",
                     [project_span(summary)], DECISION_POINTS)
    return section("decisions", "Beslutspunkter och tidslinje", table + chart)


def light_badge(value: str | None) -> str:
    css = LIGHT_CLASSES.get(value or "", "none")
    return f'<span class="light {css}">{escape(value or "saknas")}</span>'


def status_reports(summary: ProjectSummary) -> str:
    if not summary.reports:
        return section("reports", "Statusrapporter", "<p>Inga statusrapporter än.</p>")
    rows = [[escape(f"Rapport {r.rapport_nr}"),
             escape(f"{day(r.period_fran)} – {day(r.period_till)}"), escape(day(r.rapportdatum)),
             *(light_badge(value) for value in r.lights),
             escape(kr(r.upparbetad_kostnad))] for r in summary.reports]
    headers = ["Rapport", "Period", "Rapportdatum", *(label for _, label in LIGHT_KEYS),
               "Upparbetad kostnad"]
    return section("reports", "Statusrapporter",
                   '<p class="muted">Trafikljusen i varje statusrapport, den senaste sist.</p>'
                   + data_table("Trafikljusen per statusrapport", headers, rows))


def costs(summary: ProjectSummary) -> str:
    bars = [Bar(f"Rapport {r.rapport_nr}", day(r.period_till), r.upparbetad_kostnad)
            for r in summary.reports if r.upparbetad_kostnad is not None]
    chart = cost_chart("cost-chart", f"Upparbetad kostnad per statusrapport mot budgeten "
                       f"{kr(summary.budget)}", bars, summary.budget)
    return section("costs", "Upparbetad kostnad mot budget",
                   chart or "<p>Ingen statusrapport anger upparbetad kostnad än.</p>")


def checklist(summary: ProjectSummary) -> str:
    upcoming = summary.next_decision
    title = f"Öppna kontrollpunkter inför {upcoming.point}" if upcoming else \
        "Öppna kontrollpunkter"
    if not summary.checklist:
        return section("checklist", title, "<p>Inga öppna kontrollpunkter i aktuell fas.</p>")
    rows = [[escape(i.id or ""), escape(i.text or ""), escape(i.answer), escape(i.location)]
            for i in summary.checklist]
    return section("checklist", title, data_table(
        title, ["ID", "Kontrollpunkt", "Svar", "Cell"], rows))


def findings_section(findings: Sequence[Finding]) -> str:
    if not findings:
        return section("findings", "Fel och varningar", "<p>Inga fel eller varningar.</p>")
    rows = [[escape(str(f.severity)), escape(f.location or "–"), escape(f.message)]
            for f in findings]
    errors = sum(1 for f in findings if f.severity == "fel")
    return section("findings", "Fel och varningar",
                   f"<p>{errors} fel, {len(findings) - errors} varningar.</p>"
                   + data_table("Fel och varningar", ["Allvar", "Plats", "Meddelande"], rows))


def pdfs_beside_documents(paths: Sequence[str]) -> list[str]:
    """The paths in order, but each PDF right after the .docx it was made from."""
    pdf_of = {f"{p.removesuffix('.pdf')}.docx": p for p in paths if p.endswith(".pdf")}
    with_document = {pdf for document, pdf in pdf_of.items() if document in paths}
    ordered = []
    for path in paths:
        if path not in with_document:
            ordered.append(path)
        if path in pdf_of:
            ordered.append(pdf_of[path])
    return ordered


def documents(names: Sequence[str], archive: Sequence[str]) -> str:
    listed = "".join(f"<li>{link(name)}</li>" for name in pdfs_beside_documents(names))
    content = f'<ul class="docs">{listed}</ul>' if listed else "<p>Inga dokument.</p>"
    if archive:
        archived = "".join(f"<li>{link(path, PurePosixPath(path).name)}</li>"
                           for path in pdfs_beside_documents(archive))
        content += (f'<h3>Arkiv</h3><p>Fastställda dokument, som de var när de arkiverades '
                    f'({link(f"{ARCHIVE_FOLDER}/", "mappen Arkiv")}):</p>'
                    f'<ul class="docs">{archived}</ul>')
    return section("documents", "Dokument", content)


def project_page(summary: ProjectSummary, findings: Sequence[Finding], names: Sequence[str],
                 archive: Sequence[str] = (), settings: Settings = DEFAULTS) -> str:
    """The page of one readable project, with the organisation's name and logo. `names` are
    its files in its folder (documents, calculation, findings report), `archive` its
    archived files (`archived_files`)."""
    title = project_title(summary)
    errors = sum(1 for f in findings if f.severity == "fel")
    body = (facts(summary) + phases(summary) + decisions(summary) + status_reports(summary)
            + costs(summary) + checklist(summary) + findings_section(findings)
            + documents(names, archive))
    return PAGE.format(title=escape(title), organisation=organisation_line(settings),
                       organisation_name=escape(settings.name),
                       style=STYLE + PAGE_STYLE, body=body,
                       index=link(f"../{INDEX_FILE}", "← Projektbanken"),
                       counts=f"{errors} fel, {len(findings) - errors} varningar")


PAGE = """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Projektbanken – {organisation_name}</title>
<style>{style}</style>
</head>
<body>
<header>
{organisation}
<p class="screen-only">{index}</p>
<h1>{title}</h1>
<p class="muted">{counts} i arbetsboken.</p>
<nav aria-label="På sidan"><ul class="jump">
<li><a href="#facts">Basfakta</a></li><li><a href="#decisions">Beslutspunkter</a></li>
<li><a href="#reports">Statusrapporter</a></li><li><a href="#costs">Kostnad</a></li>
<li><a href="#checklist">Kontrollpunkter</a></li><li><a href="#findings">Fel och varningar</a></li>
<li><a href="#documents">Dokument</a></li></ul></nav>
</header>
<main>
{body}
</main>
</body>
</html>
"""

PAGE_STYLE = """
body{max-width:70rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;white-space:pre-line}
ol.phases{padding-left:1.4rem}ol.phases li.current{border-left:4px solid #1f4e79;
padding-left:.4rem}
section table{margin:.3rem 0 .6rem}
@media print{@page{size:A4 portrait;margin:1.5cm}}
"""
