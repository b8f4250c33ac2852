"""Findings as values: a stable code, a severity, a location and a Swedish message.

The kinds of finding, with their codes and messages, are declared in pipeline/catalogue.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "fel"
    WARNING = "varning"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    blocks: tuple[str, ...] = ()
    """Document ids this finding keeps from being produced (see documents.plan)."""
    stops: tuple[str, ...] = ()
    """The documents it keeps from being made, named as users see them (`Statusrapport 2`);
    filled in once the documents are planned."""

    @property
    def location(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code, "severity": str(self.severity), "message": self.message,
                "sheet": self.sheet, "cell": self.cell, "value": self.value,
                "blocks": list(self.blocks), "stops": list(self.stops)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The finding `to_dict` gave (as a record keeps it)."""
        return cls(data["code"], Severity(data["severity"]), data["message"],
                   data.get("sheet"), data.get("cell"), data.get("value"),
                   tuple(data.get("blocks") or ()), tuple(data.get("stops") or ()))


@dataclass
class Report:
    """All findings of one workbook."""

    file: str
    project_id: str | None = None
    project_name: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def flatten(self) -> list[tuple[str, str, str]]:
        """(code, severity, location) per finding: a test compares one readable literal."""
        return [(f.code, str(f.severity), f.location) for f in self.findings]

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }
