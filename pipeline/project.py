"""Pydantic models of a project, derived from the contract.

Each contract sheet becomes a model whose attributes are the fields' keys; table rows
also carry `row`, their real Excel row number. `Project` holds one of each plus the
cell addresses the parser found, so that every finding can name its cell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from pipeline import contract
from pipeline.contract import Kind, Sheet
from pipeline.model import APPROVED, PHASES, phase_by_name

PYTHON_TYPES: dict[Kind, Any] = {
    Kind.TEXT: str,
    Kind.LONGTEXT: str,
    Kind.EMAIL: str,
    Kind.CHOICE: str,
    Kind.DATE: date,
    Kind.AMOUNT: Decimal,
    Kind.NUMBER: Decimal,
    Kind.PERCENT: Decimal,
    Kind.INTEGER: int,
}


class SheetModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class RowModel(SheetModel):
    row: int
    """The real Excel row number."""


def model_for(sheet: Sheet) -> type[SheetModel]:
    fields: dict[str, Any] = {f.key: (PYTHON_TYPES[f.kind] | None, None) for f in sheet.fields}
    base = RowModel if sheet.table else SheetModel
    return create_model(f"{sheet.name}Model", __base__=base, __module__=__name__, **fields)


MODELS: dict[str, type[SheetModel]] = {s.name: model_for(s) for s in contract.SHEETS}


def attribute(sheet: Sheet) -> str:
    """The Project attribute holding a sheet: its name in lower case."""
    return sheet.name.lower()


class Project(BaseModel):
    """One project as read from its workbook. Sheet attributes are declared by the contract."""

    model_config = ConfigDict(frozen=True, extra="allow")

    source: str
    cells: dict[str, dict[str, str]] = {}
    """Per sheet: key -> cell (key/value sheets) or key -> column letter (tables)."""
    unread: frozenset[str] = frozenset()
    """`Sheet!B3` of each cell whose value could not be read (an invalid value, a formula
    without a result): its value is None, and rules do not report it as missing too."""

    def sheet(self, sheet: Sheet) -> Any:
        return getattr(self, attribute(sheet))

    @property
    def info(self) -> Any:
        """The Projekt sheet."""
        return self.sheet(contract.PROJEKT)

    def cell(self, sheet: Sheet, key: str, row: int | None = None) -> str | None:
        where = self.cells.get(sheet.name, {}).get(key)
        if where is None:
            return None
        return f"{where}{row}" if row is not None else where

    def is_unread(self, sheet: Sheet, key: str, row: int | None = None) -> bool:
        """The cell holds a value that could not be read (already a finding)."""
        cell = self.cell(sheet, key, row)
        return cell is not None and f"{sheet.name}!{cell}" in self.unread

    @property
    def phase_number(self) -> int:
        phase = phase_by_name(self.info.aktuell_fas or "")
        return phase.number if phase else 0

    def decision(self, decision_point: str) -> Any | None:
        return next((b for b in self.sheet(contract.BESLUT)
                     if b.beslutspunkt == decision_point), None)

    def approved(self, decision_point: str) -> bool:
        row = self.decision(decision_point)
        return row is not None and row.beslut == APPROVED


def empty_project(source: str) -> Project:
    """A project with no values: the starting point of the parser."""
    values: dict[str, Any] = {}
    for sheet in contract.SHEETS:
        values[attribute(sheet)] = [] if sheet.table else MODELS[sheet.name]()
    return Project(source=source, **values)


def risk_value(risk: Any) -> int | None:
    """Riskvärde = Sannolikhet × Konsekvens, computed, never read from the workbook."""
    if risk.sannolikhet is None or risk.konsekvens is None:
        return None
    return int(risk.sannolikhet) * int(risk.konsekvens)


__all__ = ["MODELS", "PHASES", "Project", "attribute", "empty_project", "risk_value"]
