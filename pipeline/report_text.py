"""The findings report as a project leader reads it: Swedish, grouped by sheet, errors first."""

from __future__ import annotations

from itertools import groupby

from pipeline.findings import Finding, Report, Severity


def summary_line(report: Report) -> str:
    name = report.project_name or report.project_id or "okänt projekt"
    errors, warnings = len(report.errors), len(report.warnings)
    state = "OK" if not errors else "FEL"
    return f"{report.file} ({name}): {state}, {errors} fel, {warnings} varningar"


def sheet_order(finding: Finding) -> tuple[str, bool]:
    return (finding.sheet or "", finding.severity is not Severity.ERROR)


def format_report(report: Report) -> str:
    """Summary line, then the findings grouped by sheet, errors before warnings."""
    lines = [summary_line(report)]
    ordered = sorted(report.findings, key=lambda f: (f.severity is not Severity.ERROR,
                                                      f.sheet or ""))
    for sheet, group in groupby(sorted(ordered, key=sheet_order), key=lambda f: f.sheet):
        lines.append(f"  Blad {sheet}:" if sheet else "  Arbetsboken:")
        for finding in group:
            where = f"{finding.cell}: " if finding.cell else ""
            blocks = f" [stoppar: {', '.join(finding.blocks)}]" if finding.blocks else ""
            lines.append(f"    {finding.severity.upper()} {where}{finding.message}{blocks}")
    return "\n".join(lines)
