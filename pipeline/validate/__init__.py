"""Validation rules: each a small function yielding findings."""

from __future__ import annotations

from pipeline.findings import Finding
from pipeline.project import Project
from pipeline.validate.consistency import check_consistency
from pipeline.validate.gating import check_gating

RULES = (check_consistency, check_gating)


def validate(project: Project) -> list[Finding]:
    """Every finding of every rule, never the first only."""
    return [finding for rule in RULES for finding in rule(project)]
