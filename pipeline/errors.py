"""One exception hierarchy; each class says when it is raised."""

from __future__ import annotations


class ProjektmodellError(Exception):
    """Base of every error this program raises on purpose."""


class WorkbookUnreadable(ProjektmodellError):
    """A file cannot be opened as an .xlsx workbook (not a zip, truncated, encrypted)."""


class TemplateError(ProjektmodellError):
    """A document template is missing, broken or names a field the context lacks."""


class OutputLocked(ProjektmodellError):
    """Another build holds the lock on the output folder."""


class UsageError(ProjektmodellError):
    """The command line or configuration is wrong (exit 2)."""
