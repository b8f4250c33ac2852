"""Pickle support for Project, whose sheet models are made by pydantic's create_model.

Pickle finds a class by its module and name; the sheet models live only in
`pipeline.project.MODELS`, so a Project is reduced to plain values and rebuilt from the
models. Needed to send a Checked to and from worker processes and to keep it in the state.
"""

from __future__ import annotations

import copyreg
from typing import Any

from pipeline import contract
from pipeline.project import MODELS, Project, attribute


def rebuild_project(source: str, cells: dict[str, dict[str, str]],
                    sheets: dict[str, Any]) -> Project:
    values: dict[str, Any] = {}
    for sheet in contract.SHEETS:
        model, data = MODELS[sheet.name], sheets[attribute(sheet)]
        values[attribute(sheet)] = ([model.model_construct(**row) for row in data]
                                    if sheet.table else model.model_construct(**data))
    return Project(source=source, cells=cells, **values)


def reduce_project(project: Project) -> tuple[Any, tuple[Any, ...]]:
    sheets = {}
    for sheet in contract.SHEETS:
        value = project.sheet(sheet)
        sheets[attribute(sheet)] = ([dict(row) for row in value] if sheet.table
                                    else dict(value))
    return rebuild_project, (project.source, project.cells, sheets)


def register() -> None:
    copyreg.pickle(Project, reduce_project)


register()
