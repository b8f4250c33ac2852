"""Workbooks that would write over each other: a shared Projekt-ID or project folder.

The build checks such workbooks but builds none of them; `check` of several workbooks
reports the same findings, so a project leader sees the clash before the night does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pipeline.batch.names import name_key
from pipeline.batch.work import Identity, folder_for
from pipeline.catalogue import DUPLICATE_FOLDER, DUPLICATE_PROJECT_ID, FindingType
from pipeline.findings import Finding

Named = tuple[str, Identity]
"""A workbook's file name and its project's identity."""


def clashes(identities: Mapping[str, Identity | None]) -> dict[str, Finding]:
    """Workbook name -> why it is not built, for projects sharing a Projekt-ID or a
    folder (identities: workbook name -> its identity, None for one that cannot be read)."""
    readable = [(name, identity) for name, identity in identities.items()
                if identity is not None]
    found: dict[str, Finding] = {}
    for key, items in group(readable, projekt_id_key).items():
        if key and len(items) > 1:
            projekt_id = (items[0][1].projekt_id or "").strip()
            mark_clash(found, items, DUPLICATE_PROJECT_ID, projekt_id=projekt_id)
    for items in group(readable, lambda item: name_key(folder_for(item[1], item[0]))).values():
        if len(items) > 1:
            mark_clash(found, items, DUPLICATE_FOLDER, folder=folder_for(items[0][1],
                                                                         items[0][0]))
    return found


def projekt_id_key(item: Named) -> str:
    return name_key((item[1].projekt_id or "").strip())


def group(items: list[Named], key: Callable[[Named], str]) -> dict[str, list[Named]]:
    groups: dict[str, list[Named]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def mark_clash(found: dict[str, Finding], items: list[Named], kind: FindingType,
               **fields: object) -> None:
    for name, _ in items:
        others = ", ".join(other for other, _ in items if other != name)
        found.setdefault(name, kind(others=others, sheet="Projekt", **fields))
