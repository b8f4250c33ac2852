"""The findings report as a project leader reads it: Swedish, grouped by sheet, errors first,
then what became of the documents."""

from __future__ import annotations

from pipeline import contract
from pipeline.documents.plan import DOCUMENT_CODES
from pipeline.findings import Finding, Report, Severity
from pipeline.wording import findings_count

SHEET_ORDER = {name: i for i, name in enumerate(contract.SHEETS_BY_NAME)}
DOCUMENTS = "Dokument"
"""The group of findings about documents (held back, a template that failed): the last."""


def summary_line(report: Report) -> str:
    name = report.project_name or report.project_id or "okänt projekt"
    errors, warnings = len(report.errors), len(report.warnings)
    state = "OK" if not errors else "FEL"
    return f"{report.file} ({name}): {state}, {findings_count(errors, warnings)}"


def group_of(finding: Finding) -> str | None:
    return DOCUMENTS if finding.code in DOCUMENT_CODES else finding.sheet


def by_sheet(findings: list[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings per sheet: sheets with errors first, then in the workbook's order; within a
    sheet errors before warnings, each in the order the rules found them. The documents'
    findings come last."""
    groups: dict[str | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(group_of(finding), []).append(finding)
    for group in groups.values():
        group.sort(key=lambda f: f.severity is not Severity.ERROR)
    return sorted(groups.items(), key=lambda kv: (
        kv[0] == DOCUMENTS, kv[1][0].severity is not Severity.ERROR,
        -1 if kv[0] is None else SHEET_ORDER.get(kv[0], len(SHEET_ORDER))))


def format_finding(finding: Finding) -> str:
    where = f"{finding.cell}: " if finding.cell else ""
    stops = finding.stops if finding.code not in DOCUMENT_CODES else ()
    blocks = f" [stoppar: {', '.join(stops)}]" if stops else ""
    return f"    {finding.severity.upper()} {where}{finding.message}{blocks}"


def heading(group: str | None) -> str:
    if group == DOCUMENTS:
        return f"  {DOCUMENTS}:"
    return f"  Blad {group}:" if group else "  Arbetsboken:"


def format_report(report: Report) -> str:
    """Summary line, then the findings grouped by sheet, errors before warnings."""
    lines = [summary_line(report)]
    for group, findings in by_sheet(report.findings):
        lines.append(heading(group))
        lines.extend(format_finding(f) for f in findings)
    return "\n".join(lines)
