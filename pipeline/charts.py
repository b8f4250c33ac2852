"""Inline SVG charts for the project office's pages.

Each chart is a `<figure>`: the SVG (role="img", named by its <title> and described by its
<desc>) and the same figures as a table, which screen readers read and print shows. Shapes,
labels and the table carry every value: nothing is told by colour alone. Every text is
escaped. The charts take plain values (dates, amounts, labels), not projects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from pipeline.formatting import day, kr, percent

WIDTH = 900
FONT = 'font-family="system-ui,Segoe UI,Arial,sans-serif"'
INK, AXIS, GRID, BAR, BAR_EDGE = "#1b1b1b", "#555", "#d0d7de", "#9ecae1", "#1f4e79"


def text(x: float, y: float, content: str, size: int = 11, anchor: str = "start",
         weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{INK}">{escape(content)}</text>')


def shortened(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def svg(figure_id: str, title: str, description: str, height: float, body: str) -> str:
    """An SVG image named by its title and described by its desc (both read aloud)."""
    return (f'<svg role="img" aria-labelledby="{figure_id}-title {figure_id}-desc" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" class="chart" {FONT}>'
            f'<title id="{figure_id}-title">{escape(title)}</title>'
            f'<desc id="{figure_id}-desc">{escape(description)}</desc>{body}</svg>')


def table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
          numeric: Sequence[int] = ()) -> str:
    """The chart's figures as a table (cells are escaped here)."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(table_cell(i, value, i in numeric)
                                    for i, value in enumerate(row)) + "</tr>" for row in rows)
    return (f'<table class="chart-table"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def table_cell(column: int, value: str, numeric: bool) -> str:
    """The first column heads its row."""
    if column == 0:
        return f'<th scope="row">{escape(value)}</th>'
    return f'<td class="num">{escape(value)}</td>' if numeric else f"<td>{escape(value)}</td>"


def figure(svg_markup: str, table_markup: str) -> str:
    """The chart, and its table: hidden on screen (screen readers read it), shown in print.
    Without a chart (nothing to draw) the table is shown."""
    if not svg_markup:
        return f'<div class="chart-figure">{table_markup}</div>'
    return (f'<figure class="chart-figure">{svg_markup}'
            f'<div class="figures">{table_markup}</div></figure>')


# --- a timeline: spans from start to end, with marks on their dates ----------------------

@dataclass(frozen=True)
class Marker:
    """A dated point on a span: a decision point, decided or planned."""

    label: str  # BP2
    day: date
    done: bool  # True: a filled diamond (decided); False: an open one (planned, not decided)
    note: str  # what the table says of it: Godkänt, Ej godkänt, planerat


@dataclass(frozen=True)
class Span:
    label: str
    start: date | None
    end: date | None
    markers: tuple[Marker, ...] = ()


LABEL_WIDTH, ROW_HEIGHT, TOP, RIGHT = 230, 34, 30, 20


def month_start(when: date, months_on: int = 0) -> date:
    months = when.year * 12 + when.month - 1 + months_on
    return date(months // 12, months % 12 + 1, 1)


def timeline_domain(spans: Sequence[Span]) -> tuple[date, date] | None:
    """From the first of the month of the earliest date to the first of the month after
    the latest."""
    days = [d for s in spans for d in (s.start, s.end, *(m.day for m in s.markers))
            if d is not None]
    if not days:
        return None
    return month_start(min(days)), month_start(max(days), 1)


def x_of(when: date, domain: tuple[date, date]) -> float:
    first, last = domain
    share = (when - first).days / (last - first).days
    return LABEL_WIDTH + share * (WIDTH - LABEL_WIDTH - RIGHT)


QUARTERS = {1: "", 4: "apr", 7: "jul", 10: "okt"}


def time_ticks(domain: tuple[date, date], height: float) -> str:
    """A line and the year at each 1 January; over three years or less, a fainter line at
    each other quarter too."""
    quarters = (domain[1] - domain[0]).days <= 3 * 366
    marks = []
    tick = month_start(domain[0])
    while tick <= domain[1]:
        if tick.month == 1 or (quarters and tick.month in QUARTERS):
            x = x_of(tick, domain)
            label = str(tick.year) if tick.month == 1 else QUARTERS[tick.month]
            dash = "" if tick.month == 1 else ' stroke-dasharray="2 3"'
            marks.append(f'<line x1="{x:.1f}" y1="{TOP - 6}" x2="{x:.1f}" y2="{height:.1f}" '
                         f'stroke="{GRID}"{dash}/>')
            marks.append(text(x, TOP - 10, label, 11 if tick.month == 1 else 9, "middle"))
        tick = month_start(tick, 1)
    return "".join(marks)


def diamond(x: float, y: float, done: bool) -> str:
    fill = BAR_EDGE if done else "#fff"
    return (f'<path d="M{x:.1f} {y - 7:.1f}L{x + 6:.1f} {y:.1f}L{x:.1f} {y + 7:.1f}'
            f'L{x - 6:.1f} {y:.1f}Z" fill="{fill}" stroke="{BAR_EDGE}" stroke-width="1.5"/>')


def span_row(span: Span, y: float, domain: tuple[date, date]) -> str:
    parts = [text(8, y + 4, shortened(span.label, 34))]
    if span.start and span.end:
        x1, x2 = x_of(span.start, domain), x_of(span.end, domain)
        parts.append(f'<rect x="{x1:.1f}" y="{y - 5:.1f}" width="{max(x2 - x1, 2):.1f}" '
                     f'height="10" rx="2" fill="{BAR}" stroke="{BAR_EDGE}"/>')
    elif not span.markers:
        parts.append(text(LABEL_WIDTH, y + 4, "Start- och slutdatum saknas", 10))
    for marker in span.markers:
        x = x_of(marker.day, domain)
        parts.append(diamond(x, y, marker.done))
        parts.append(text(x, y - 10, marker.label, 9, "middle"))
    return "".join(parts)


def legend(y: float) -> str:
    return (f'<rect x="8" y="{y - 5}" width="22" height="10" rx="2" fill="{BAR}" '
            f'stroke="{BAR_EDGE}"/>' + text(36, y + 4, "Projektets tid, start till slut", 10)
            + diamond(262, y, True) + text(274, y + 4, "Beslut fattat", 10)
            + diamond(372, y, False) + text(384, y + 4, "Beslut ej fattat (planerat datum)", 10))


def timeline_description(spans: Sequence[Span]) -> str:
    def one(span: Span) -> str:
        period = (f"{day(span.start)} till {day(span.end)}" if span.start and span.end
                  else "start- eller slutdatum saknas")
        marks = "; ".join(f"{m.label} {day(m.day)} ({m.note})" for m in span.markers)
        return f"{span.label}: {period}" + (f"; {marks}" if marks else "")
    return ". ".join(one(s) for s in spans) + "."


def timeline(figure_id: str, title: str, spans: Sequence[Span],
             marker_names: Sequence[str]) -> str:
    """Each span as a bar from start to end with its markers; and the dates as a table
    (Start, each of marker_names, Slut)."""
    rows = [[s.label, day(s.start) or "saknas",
             *(marker_cell(s, name) for name in marker_names), day(s.end) or "saknas"]
            for s in spans]
    figures = table(title, ["Projekt", "Start", *marker_names, "Slut"], rows)
    domain = timeline_domain(spans)
    if domain is None:
        return figure("", figures)
    height = TOP + ROW_HEIGHT * len(spans) + 30
    body = time_ticks(domain, height - 30) + "".join(
        span_row(s, TOP + ROW_HEIGHT * (i + 0.6), domain) for i, s in enumerate(spans))
    body += legend(height - 12)
    return figure(svg(figure_id, title, timeline_description(spans), height, body), figures)


def marker_cell(span: Span, name: str) -> str:
    marker = next((m for m in span.markers if m.label == name), None)
    return f"{day(marker.day)} ({marker.note})" if marker else ""


# --- a bar chart: an amount per report against the budget --------------------------------

@dataclass(frozen=True)
class Bar:
    label: str  # Rapport 2
    sublabel: str  # its date
    amount: Decimal


CHART_HEIGHT, PLOT_TOP, PLOT_BOTTOM, PLOT_LEFT, PLOT_RIGHT = 260, 24, 210, 110, 740


def share_of(amount: Decimal, budget: Decimal) -> str:
    return percent((amount / budget * 100).quantize(Decimal("1"))) if budget else ""


def y_of(amount: Decimal, top: Decimal) -> float:
    return PLOT_BOTTOM - float(amount / top) * (PLOT_BOTTOM - PLOT_TOP)


def nice_step(top: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving four to eight gridlines."""
    power = Decimal(10) ** (len(str(int(top))) - 1) if top >= 1 else Decimal(1)
    for factor in (Decimal("0.1"), Decimal("0.2"), Decimal("0.25"), Decimal("0.5"), 1, 2):
        if top / (power * factor) <= 8:
            return power * factor
    return power * 5


def value_axis(top: Decimal) -> str:
    parts = []
    step = nice_step(top)
    value = Decimal(0)
    while value <= top:
        y = y_of(value, top)
        parts.append(f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(text(PLOT_LEFT - 6, y + 4, kr(value), 10, "end"))
        value += step
    return "".join(parts)


def bars(items: Sequence[Bar], budget: Decimal, top: Decimal) -> str:
    """The bars with their labels; where many reports leave little room, the amounts are
    left to the table and the labels get smaller."""
    slot = (PLOT_RIGHT - PLOT_LEFT) / len(items)
    width = min(slot * 0.6, 120)
    roomy = slot >= 110
    parts = []
    for i, item in enumerate(items):
        x = PLOT_LEFT + slot * (i + 0.5)
        y = y_of(item.amount, top)
        parts.append(f'<rect x="{x - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
                     f'height="{PLOT_BOTTOM - y:.1f}" fill="{BAR}" stroke="{BAR_EDGE}"/>')
        if roomy:
            share = share_of(item.amount, budget)
            inside = PLOT_BOTTOM - y > 24  # inside the bar's top, clear of the budget line
            parts.append(text(x, y + 14 if inside else y - 5,
                              kr(item.amount) + (f" ({share})" if share else ""), 10,
                              "middle"))
        parts.append(text(x, PLOT_BOTTOM + 16, item.label, 11 if roomy else 8, "middle"))
        if roomy:
            parts.append(text(x, PLOT_BOTTOM + 30, item.sublabel, 10, "middle"))
    return "".join(parts)


def budget_line(budget: Decimal, top: Decimal) -> str:
    if not budget:
        return ""
    y = y_of(budget, top)
    return (f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{PLOT_RIGHT}" y2="{y:.1f}" '
            f'stroke="{INK}" stroke-width="2" stroke-dasharray="8 4"/>'
            + text(PLOT_RIGHT + 8, y + 4, f"Budget {kr(budget)}", 11, "start", "bold"))


def cost_chart(figure_id: str, title: str, items: Sequence[Bar], budget: Decimal) -> str:
    """A bar per report, its amount and share of the budget written on it, and the budget
    as a dashed line; the same figures as a table."""
    if not items:
        return ""
    rows = [[b.label, b.sublabel, kr(b.amount), share_of(b.amount, budget)] for b in items]
    figures = table(title, ["Rapport", "Period till", "Upparbetad kostnad", "Andel av budget"],
                    rows, numeric=(2, 3))
    top = max([budget, *(b.amount for b in items)]) * Decimal("1.12") or Decimal(1)
    description = (f"Budget {kr(budget)}. " + ". ".join(
        f"{b.label} ({b.sublabel}): {kr(b.amount)}"
        + (f", {share_of(b.amount, budget)} av budgeten" if budget else "") for b in items)
        + ".")
    body = value_axis(top) + bars(items, budget, top) + budget_line(budget, top)
    body += (f'<line x1="{PLOT_LEFT}" y1="{PLOT_BOTTOM}" x2="{PLOT_RIGHT}" '
             f'y2="{PLOT_BOTTOM}" stroke="{AXIS}"/>')
    return figure(svg(figure_id, title, description, CHART_HEIGHT, body), figures)
