"""Validation rules: each a small function yielding findings (the consistency of the
values, and the gating rules of the organisation's model)."""

from __future__ import annotations

from pipeline.findings import Finding
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.consistency import check_consistency
from pipeline.validate.gating import check_gating


def validate(project: Project, settings: Settings = DEFAULTS) -> list[Finding]:
    """Every finding of every rule, never the first only, under the organisation's
    settings (its checklist items)."""
    return [*check_consistency(project), *check_gating(project, settings)]
