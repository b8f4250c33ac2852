"""Folder and file names that are safe on a Windows share and stay inside OUTPUT.

Every name a workbook can influence goes through `safe_name`: forbidden characters and
control characters become `_`, leading dots and spaces and trailing dots and spaces go,
reserved device names get a `_` prefix, and the result is length-limited. A name is then
one path component: it can never climb out of OUTPUT (`../../x` becomes `_.._x`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10)),
            "COM¹", "COM²", "COM³", "LPT¹", "LPT²", "LPT³"}
FOLDER_LENGTH = 80
FILE_LENGTH = 120
FALLBACK = "Projekt"


def trim(name: str) -> str:
    return name.strip(" .\t")


def shorten(name: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near."""
    if len(name) <= limit:
        return name
    cut = name[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return trim(cut)


def is_reserved(name: str) -> bool:
    """Windows reserves CON, NUL, COM1… with or without an extension (`CON.txt`)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in RESERVED


def safe_name(name: str, limit: int = FILE_LENGTH, fallback: str = FALLBACK) -> str:
    """One safe path component for `name`, stable for the same input."""
    cleaned = unicodedata.normalize("NFC", name)
    cleaned = FORBIDDEN.sub("_", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned)
    cleaned = shorten(trim(cleaned), limit)
    if not cleaned or set(cleaned) <= {"_", " "}:
        cleaned = fallback
    if is_reserved(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned


def safe_file_name(name: str, limit: int = FILE_LENGTH) -> str:
    """A safe file name that keeps its extension (`.docx`) when the stem is cleaned or cut."""
    match = re.search(r"\.[A-Za-z0-9]{1,5}$", name)
    suffix = match.group(0) if match else ""
    stem = name[: match.start()] if match else name
    return safe_name(stem, limit - len(suffix), fallback="Dokument") + suffix


def project_folder_name(project_id: str | None, project_name: str | None,
                        workbook: str) -> str:
    """`KS-2011-01 Föräldrastöd`; the workbook's name when the project has neither."""
    words = " ".join(w.strip() for w in (project_id or "", project_name or "") if w.strip())
    return safe_name(words or PurePosixPath(workbook).stem, FOLDER_LENGTH)


def name_key(name: str) -> str:
    """Windows compares names case-insensitively: two names clash when their keys are equal."""
    return unicodedata.normalize("NFC", name).casefold()


def unique_names(names: list[str]) -> list[str]:
    """The names in order, a later clash (case-insensitive) numbered `Name (2).ext`."""
    seen: set[str] = set()
    result = []
    for name in names:
        candidate, number = name, 2
        while name_key(candidate) in seen:
            path = PurePosixPath(name)
            candidate = f"{path.stem} ({number}){path.suffix}"
            number += 1
        seen.add(name_key(candidate))
        result.append(candidate)
    return result
