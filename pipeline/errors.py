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


class SettingsError(UsageError):
    """The organisation's settings file (projektmodell.toml) is missing where it was named,
    not TOML, or holds an unknown key, a wrong type, a clashing checklist ID, a phase that
    does not exist or a logo that is missing or not an image; raised before anything is
    written. Its message names the file, the key and the line."""

    def __init__(self, message: str, path: object = None, key: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.key = key
        self.line = line
