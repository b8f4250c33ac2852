"""Validation rules: each a small function yielding findings."""

from __future__ import annotations

from datetime import date

from pipeline.findings import Finding
from pipeline.project import Project
from pipeline.validate.consistency import check_consistency
from pipeline.validate.deadlines import time_findings
from pipeline.validate.gating import check_gating

RULES = (check_consistency, check_gating)


def validate(project: Project, *, today: date | None = None) -> list[Finding]:
    """Every finding of every rule, never the first only; the time-based ones as of `today`
    (None: the real today)."""
    findings = [finding for rule in RULES for finding in rule(project)]
    return findings + time_findings(project, today or date.today())
