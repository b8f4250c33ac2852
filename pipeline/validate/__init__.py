"""Validation rules: each a small function yielding findings (the consistency of the
values, the gating rules of the organisation's model, and what is late on a given day)."""

from __future__ import annotations

from datetime import date

from pipeline.findings import Finding
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.consistency import check_consistency
from pipeline.validate.deadlines import time_findings
from pipeline.validate.gating import check_gating


def validate(project: Project, settings: Settings = DEFAULTS, *,
             today: date | None = None) -> list[Finding]:
    """Every finding of every rule, never the first only, under the organisation's
    settings (its checklist items); the time-based ones as of `today` (None: the real
    today)."""
    return [*check_consistency(project), *check_gating(project, settings),
            *time_findings(project, today or date.today(), settings)]
