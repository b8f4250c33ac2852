"""The run's spool: each project checked in this run, pickled in a private temp folder.

The run checks every workbook before it builds any (a Projekt-ID or folder shared by two
workbooks keeps both from being built), then produces the documents, then writes
ekonomi.xlsx and index.html. Keeping every project in memory between those steps made
memory grow with the number of workbooks (about 0.4 MB per project); the spool keeps them
on disk and the run loads one at a time.

A pickle, unlike the state's JSON: the folder is made by `tempfile.mkdtemp` (mode 0700, on
the local temp folder, never on the share), lives for one run and is read only by this
run's own processes, so nobody else can put a pickle there. Loading one takes about 1 ms
against about 15 ms for validating the JSON.

The project's sheet models are pickled a sheet at a time (`pack`): a class, and each row's
fields and fields set, where pickle would call pydantic's __getstate__ and __setstate__
once per row (about 150 rows a project, most of the time a load took).
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from pipeline.check import Checked
    from pipeline.project import Project

_new = object.__new__
_set = object.__setattr__


def spool(path: Path, checked: Checked) -> None:
    """Write (or replace) a project in the spool; a half-written file is never read."""
    temp = path.with_suffix(".tmp")
    temp.write_bytes(dumps(checked))
    os.replace(temp, path)


def dumps(checked: Checked) -> bytes:
    """The Checked pickled, its project's sheets packed (`reduce_project`)."""
    from pipeline.project import Project

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, Project: reduce_project}
    pickler.dump(checked)
    return buffer.getvalue()


def plain_class(kind: type) -> bool:
    """A pydantic model class pickled by pydantic's own state methods."""
    from pydantic import BaseModel

    return (issubclass(kind, BaseModel) and kind.__getstate__ is BaseModel.__getstate__
            and kind.__setstate__ is BaseModel.__setstate__)


def pack(value: Any) -> Any:
    """A sheet (a model, or a list of models of one class) as `pack_models` packs it; any
    other value as it is, tagged."""
    models = value if isinstance(value, list) else [value]
    kind = type(models[0]) if models else None
    if (kind is not None and plain_class(kind)
            and all(type(m) is kind and m.__pydantic_extra__ is None
                    and m.__pydantic_private__ is None for m in models)):
        return ("models", isinstance(value, list), kind,
                [m.__dict__ for m in models], [m.__pydantic_fields_set__ for m in models])
    return ("value", value)


def unpack(packed: tuple[Any, ...]) -> Any:
    if packed[0] == "value":
        return packed[1]
    _, is_list, kind, values, fields_sets = packed
    models = unpack_models(kind, values, fields_sets)
    return models if is_list else models[0]


def unpack_models(kind: type, values: list[dict[str, Any]], fields_sets: list[set[str]]
                  ) -> list[Any]:
    """The models as pydantic's __setstate__ would have made them (without extra or private
    values), from their fields and their fields set."""
    models = []
    for fields, fields_set in zip(values, fields_sets, strict=True):
        model = _new(kind)
        _set(model, "__dict__", fields)
        _set(model, "__pydantic_fields_set__", fields_set)
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        models.append(model)
    return models


def reduce_project(project: Project) -> tuple[Callable[..., Project], tuple[Any, ...]]:
    """The project's state with each sheet packed; its own fields and cells as they are."""
    state = project.__getstate__()
    extra = state["__pydantic_extra__"]
    sheets = None if extra is None else {key: pack(value) for key, value in extra.items()}
    return rebuild_project, (type(project), state["__dict__"],
                             state["__pydantic_fields_set__"], state["__pydantic_private__"],
                             sheets)


def rebuild_project(kind: type[Project], fields: dict[str, Any], fields_set: set[str],
                    private: dict[str, Any] | None, sheets: dict[str, Any] | None
                    ) -> Project:
    project = _new(kind)
    extra = None if sheets is None else {key: unpack(value) for key, value in sheets.items()}
    project.__setstate__({"__dict__": fields, "__pydantic_fields_set__": fields_set,
                          "__pydantic_private__": private, "__pydantic_extra__": extra})
    return project


def load_spooled(path: Path) -> Checked:
    from pipeline.check import Checked

    checked = pickle.loads(path.read_bytes())
    if not isinstance(checked, Checked):
        raise TypeError(f"{path.name} är inget kontrollerat projekt")
    return checked


PREFIX = "projektmodell-spool-"


class Spool:
    """A private temp folder for one run, removed when the run ends; the folders of runs
    that were killed (their process gone) are removed when the next run starts."""

    def __init__(self) -> None:
        remove_abandoned_spools(Path(tempfile.gettempdir()))
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pickle"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def remove_abandoned_spools(temp: Path) -> None:
    """Remove this user's spool folders whose process is no longer running."""
    for folder in temp.glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            if folder.stat().st_uid != os.getuid() or not pid.isdigit() or alive(int(pid)):
                continue
        except (OSError, AttributeError):  # AttributeError: os.getuid on Windows
            continue
        shutil.rmtree(folder, ignore_errors=True)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: leave its folder
    return True
