"""One exception hierarchy; each class says when it is raised. And the Swedish words for
what the operating system says when a file cannot be read or written (`os_reason`)."""

from __future__ import annotations

import errno


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


OS_REASONS = {
    errno.EACCES: "behörighet saknas", errno.EPERM: "behörighet saknas",
    errno.ENOENT: "den finns inte", errno.EISDIR: "det är en mapp, inte en fil",
    errno.ENOTDIR: "en del av sökvägen är ingen mapp", errno.ENOSPC: "disken är full",
    errno.EROFS: "den ligger på en skrivskyddad disk", errno.ENAMETOOLONG: "namnet är för långt",
    errno.ELOOP: "länken pekar på sig själv", errno.EBUSY: "den används av ett annat program",
}
"""The Swedish words for what the operating system says most often (its own words are
English, or the machine's language)."""


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in Swedish where the error is a common one."""
    return OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
