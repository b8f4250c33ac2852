"""The build's first look at a changed workbook: its Projekt-ID and name, nothing else."""

from __future__ import annotations

from pipeline import contract
from pipeline.errors import WorkbookUnreadable
from pipeline.workbook.parse import parse_project
from pipeline.workbook.reader import read_workbook


def read_identity(data: bytes) -> tuple[str | None, str | None] | None:
    """(Projekt-ID, Projektnamn) exactly as the check reads them, from the Projekt sheet
    alone; None if the workbook cannot be read at all (the check then says why)."""
    try:
        only_projekt = read_workbook(data, {contract.PROJEKT.name})
    except WorkbookUnreadable:
        return None
    info = parse_project(only_projekt, "")[0].info
    return info.projekt_id, info.projektnamn
