"""The findings report as a project leader reads it: Swedish, grouped by sheet, errors first."""

from __future__ import annotations

from pipeline import contract
from pipeline.findings import Finding, Report, Severity

SHEET_ORDER = {name: i for i, name in enumerate(contract.SHEETS_BY_NAME)}


def summary_line(report: Report) -> str:
    name = report.project_name or report.project_id or "okänt projekt"
    errors, warnings = len(report.errors), len(report.warnings)
    state = "OK" if not errors else "FEL"
    return f"{report.file} ({name}): {state}, {errors} fel, {warnings} varningar"


def by_sheet(findings: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings per sheet: sheets with errors first, then in the workbook's order; within a
    sheet errors before warnings, each in the order the rules found them."""
    groups: dict[str | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.sheet, []).append(finding)
    for group in groups.values():
        group.sort(key=lambda f: f.severity is not Severity.ERROR)
    return sorted(groups.items(), key=lambda kv: (
        kv[1][0].severity is not Severity.ERROR,
        -1 if kv[0] is None else SHEET_ORDER.get(kv[0], len(SHEET_ORDER))))


def format_finding(finding: Finding) -> str:
    where = f"{finding.cell}: " if finding.cell else ""
    blocks = f" [stoppar: {', '.join(finding.blocks)}]" if finding.blocks else ""
    return f"    {finding.severity.upper()} {where}{finding.message}{blocks}"


def format_report(report: Report) -> str:
    """Summary line, then the findings grouped by sheet, errors before warnings."""
    lines = [summary_line(report)]
    for sheet, findings in by_sheet(report.findings):
        lines.append(f"  Blad {sheet}:" if sheet else "  Arbetsboken:")
        lines.extend(format_finding(f) for f in findings)
    return "\n".join(lines)
