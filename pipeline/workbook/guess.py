"""A sheet, label or column the user probably renamed: the nearest name among those left
over, by difflib's similarity of the names in lower case, a unit in brackets aside."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pipeline.workbook.coerce import normalise_label

UNIT = re.compile(r"\s*\([^)]*\)\s*$")
CUTOFF = 0.6
"""How alike two names must be (difflib's ratio): `Nyttor` and `Nytta` are 0.73."""


def name_key(name: str) -> str:
    """`Budget (kr)` and `budget` alike."""
    return UNIT.sub("", normalise_label(name)) or normalise_label(name)


def probable(wanted: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `wanted`, if one is alike enough."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    close = difflib.get_close_matches(name_key(wanted), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[close[0]] if close else None
