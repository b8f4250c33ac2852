"""Small pieces of Swedish wording shared by messages (no heavy imports: a build with
nothing to do uses them too)."""

from __future__ import annotations


def counted(count: int, one: str, many: str) -> str:
    """`1 varning`, `2 varningar`, `0 varningar`: a number and its noun in Swedish."""
    return f"{count} {one if count == 1 else many}"


def findings_count(errors: int, warnings: int) -> str:
    """`1 fel, 2 varningar` (fel is the same in the singular and the plural)."""
    return f"{errors} fel, {counted(warnings, 'varning', 'varningar')}"
