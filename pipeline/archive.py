"""Approved documents kept once, as PDF/A, and what changed since (issue 12).

A decision point takes effect when it is approved, dated and its checklist is done
(`gating.is_effective`). At that moment the document it makes final is archived once in
the project's folder, under `Arkiv/`, named after the decision and its date:

    Arkiv/Projektdirektiv BP1 2011-01-15.docx   (BP1)   and its .pdf (PDF/A-2b)
    Arkiv/Projektplan BP2 2011-03-01.docx       (BP2)
    Arkiv/Slutrapport BP4 2012-02-20.docx       (BP4)
    Arkiv/Statusrapport 02 2011-06-07.docx      (every statusrapport with a Rapportdatum)

`Arkiv/arkiv.json` lists every archived file: its sha256, the decision point and date, the
Beslutsfattare, the workbook's name and sha256, the program's version, when it was
archived and, for a .docx, the values it shows (`Shown`), so that `check` and `build`
can tell a later change from what was decided, even with the state folder gone.

Nothing in `Arkiv/` is ever rewritten, renamed or removed. An archived file is written to
a temp file, made durable and then linked to its name (`os.link`; `os.rename` on Windows,
which refuses an existing name): it appears whole or not at all, and never over another
file. arkiv.json is replaced atomically only after the files it adds are in place, and
every replacement keeps every earlier entry as it was; an arkiv.json this program cannot
read is never replaced (the project's archiving waits and the run says why). Between a
file and its entry a pending note in the state folder holds the entry, so that a run
killed in between has its entry completed by the next one.

The PDF/A files are made at the end of a run, by one LibreOffice process for every
archived .docx that has none yet (`pipeline.batch.pdf`); without LibreOffice the .docx is
archived alone and a later run adds the PDF.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__, contract
from pipeline.batch.atomic import (
    FILE_MODE,
    TEMP_PREFIX,
    fsync_folder,
    make_durable,
    write_atomic,
)
from pipeline.batch.state import sha256
from pipeline.catalogue import (
    ARCHIVED_DECISION_REDATED,
    ARCHIVED_DECISION_WITHDRAWN,
    ARCHIVED_REPORT_CHANGED,
    ARCHIVED_VALUE_CHANGED,
)
from pipeline.contract import Sheet
from pipeline.documents.plan import PlannedDocument
from pipeline.findings import Finding
from pipeline.formatting import day
from pipeline.model import APPROVED, DOCUMENTS, DocKind, phase_of_decision
from pipeline.paths import ARCHIVE_FOLDER
from pipeline.project import Project
from pipeline.settings import DEFAULTS, Settings
from pipeline.validate.gating import decision_cell, items_of_phase

if TYPE_CHECKING:
    from pipeline.check import Checked

MANIFEST = "arkiv.json"
MANIFEST_FORMAT = 1
PDF_FORMAT = "PDF/A-2b"
PENDING_FOLDER = "archive-pending"
"""In the state folder: an entry whose file is linked but not yet in arkiv.json."""

# --- what an archived document fixes -----------------------------------------------------

ALL, PHASE, DECISION, REPORT = "all", "phase", "decision", "report"


@dataclass(frozen=True)
class Watch:
    """Fields of a sheet that an archived document shows, and which of its rows."""

    sheet: Sheet
    keys: tuple[str, ...]
    rows: str = ALL
    """ALL rows, the checklist rows of the decision's PHASE, the row of the DECISION, or
    the row of the REPORT's number; ignored for a key/value sheet."""


def every_field(sheet: Sheet, *but: str) -> tuple[str, ...]:
    return tuple(f.key for f in sheet.fields if f.key not in but)


BASFAKTA = ("projekt_id", "projektnamn", "diarienummer", "forvaltning", "verksamhet",
            "bestallare", "projektledare", "startdatum", "slutdatum", "fond_program")
C = contract
RISKS = Watch(C.RISKER, ("risk", "sannolikhet", "konsekvens", "atgard", "ansvarig"))
ORGANISATION = Watch(C.ORGANISATION, ("roll", "namn", "befattning", "enhet", "epost"))
BUDGET = Watch(C.KOSTNADER, ("kostnadsslag", "ar", "budget"))
FUNDING = Watch(C.FINANSIERING, every_field(C.FINANSIERING))
CHECKLIST = Watch(C.CHECKLISTOR, ("svar", "kommentar"), PHASE)
DECIDED_BY = Watch(C.BESLUT, ("beslutsfattare",), DECISION)

WATCHED: dict[DocKind, tuple[Watch, ...]] = {
    DocKind.PROJEKTDIREKTIV: (
        Watch(C.PROJEKT, (*BASFAKTA, "bakgrund", "syfte", "koppling_till_mal", "effektmal",
                          "projektmal", "avgransningar")),
        ORGANISATION, BUDGET, FUNDING, RISKS, Watch(C.NYTTA, every_field(C.NYTTA)),
        CHECKLIST, DECIDED_BY),
    DocKind.PROJEKTPLAN: (
        Watch(C.PROJEKT, (*BASFAKTA, "effektmal", "projektmal", "avgransningar", "malgrupp",
                          "kommunikation", "rapporteringsintervall", "overlamning",
                          "uppfoljning_effektmal")),
        ORGANISATION,
        Watch(C.PERSONKONTRAKT, ("projektmedlem", "timmar", "fran", "till", "resursgivare",
                                 "timkostnad")),
        Watch(C.AKTIVITETER, ("aktivitet", "leverans", "ansvarig", "start", "slut")),
        BUDGET, FUNDING, RISKS, CHECKLIST, DECIDED_BY),
    DocKind.SLUTRAPPORT: (
        Watch(C.SLUTRAPPORT, every_field(C.SLUTRAPPORT)),
        Watch(C.PROJEKT, (*BASFAKTA, "effektmal", "projektmal")),
        Watch(C.KOSTNADER, ("kostnadsslag", "ar", "budget", "utfall")),
        FUNDING, CHECKLIST, DECIDED_BY),
    DocKind.STATUSRAPPORT: (
        Watch(C.STATUSRAPPORTER, every_field(C.STATUSRAPPORTER), REPORT),),
}
"""What each archived document fixes: the values a decision (or a report) is about.
Values that move on as the project runs (Aktuell fas, Utfall and Prognos before the
Slutrapport, the status of risks and activities) are shown but not compared: a warning
every month would hide the one that matters."""


@dataclass(frozen=True)
class Shown:
    """One value an archived document shows, as it was then or is now."""

    sheet: str
    key: str
    row: int | None
    """The Excel row of a table's value (None on a key/value sheet)."""
    cell: str | None
    label: str
    value: str

    def place(self, by_key: bool) -> tuple[str, str, int | None]:
        """What identifies the value over time: its sheet, field and row (only the field
        for a statusrapport, whose row is found by its number)."""
        return (self.sheet, self.key, None if by_key else self.row)

    def to_dict(self) -> dict[str, Any]:
        return {"blad": self.sheet, "fält": self.key, "rad": self.row, "cell": self.cell,
                "etikett": self.label, "värde": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shown:
        return cls(str(data["blad"]), str(data["fält"]), data.get("rad"), data.get("cell"),
                   str(data.get("etikett", data["fält"])), str(data.get("värde", "")))


def canonical(value: Any) -> str:
    """A value as text that stays the same between program versions (no Swedish
    formatting, which may change): ISO dates, plain decimals."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def rows_for(project: Project, watch: Watch, decision_point: str | None,
             report_number: int | None, settings: Settings = DEFAULTS) -> list[Any]:
    if not watch.sheet.table:
        return [project.sheet(watch.sheet)]
    if watch.rows == PHASE and decision_point is not None:
        return items_of_phase(project, phase_of_decision(decision_point), settings)
    if watch.rows == DECISION and decision_point is not None:
        row = project.decision(decision_point)
        return [row] if row is not None else []
    if watch.rows == REPORT:
        return [r for r in project.statusrapporter if r.rapport_nr == report_number][:1]
    return list(project.sheet(watch.sheet))


def shown_values(project: Project, kind: DocKind, decision_point: str | None,
                 report_number: int | None, settings: Settings = DEFAULTS) -> list[Shown]:
    """The values of the project that a document of `kind` fixes, blanks left out (the
    checklist's items by the organisation's settings)."""
    shown = []
    for watch in WATCHED.get(kind, ()):
        for row in rows_for(project, watch, decision_point, report_number, settings):
            number = row.row if watch.sheet.table else None
            for key in watch.keys:
                value = canonical(getattr(row, key, None))
                if value:
                    shown.append(Shown(watch.sheet.name, key, number,
                                       project.cell(watch.sheet, key, number),
                                       watch.sheet.field(key).label, value))
    return shown


# --- which documents are due -------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """A document to archive now (unless its name is archived already)."""

    doc: PlannedDocument
    stem: str
    """`Projektdirektiv BP1 2011-01-15`: the archived .docx and .pdf share it."""
    decision_point: str | None
    day: date
    decision_maker: str | None
    report_number: int | None


DECIDED_KINDS = (DocKind.PROJEKTDIREKTIV, DocKind.PROJEKTPLAN, DocKind.SLUTRAPPORT)
REPORT_TITLE = next(d.title for d in DOCUMENTS if d.kind is DocKind.STATUSRAPPORT)


def due_documents(project: Project, planned: Iterable[PlannedDocument]) -> list[Due]:
    """Documents made final by a decision in effect, and statusrapporter with a
    Rapportdatum."""
    due = []
    for doc in planned:
        bp = doc.decision_point
        if doc.kind in DECIDED_KINDS and bp is not None and doc.final:  # is_effective
            decision = project.decision(bp)
            due.append(Due(doc, f"{doc.title} {bp} {decision.datum.isoformat()}", bp,
                           decision.datum, decision.beslutsfattare, None))
        elif (doc.kind is DocKind.STATUSRAPPORT and doc.row is not None
              and doc.row.rapportdatum is not None and doc.row.rapport_nr is not None):
            row = doc.row
            due.append(Due(doc, f"{doc.title} {row.rapport_nr:02d} "
                                f"{row.rapportdatum.isoformat()}", None, row.rapportdatum,
                           None, row.rapport_nr))
    return due


# --- arkiv.json ----------------------------------------------------------------------------

class ManifestUnreadable(Exception):
    """arkiv.json exists but is not as this program writes it: it is never replaced."""


def archive_folder(project_folder: Path) -> Path:
    return project_folder / ARCHIVE_FOLDER


def read_manifest(folder: Path) -> list[dict[str, Any]]:
    """The entries of an archive folder's arkiv.json ([] when there is none); raises
    ManifestUnreadable for one this program did not write."""
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ManifestUnreadable(f"{path} kan inte läsas: {exc.strerror}") from exc
    try:
        data = json.loads(text)
        entries = data["filer"]
        if not (isinstance(entries, list) and all(isinstance(e, dict) and
                                                  isinstance(e.get("fil"), str) and
                                                  isinstance(e.get("sha256"), str)
                                                  for e in entries)):
            raise TypeError
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestUnreadable(f"{path} är inte som programmet skriver den") from exc
    return entries


def write_manifest(folder: Path, entries: list[dict[str, Any]]) -> None:
    """arkiv.json replaced at once (the files it names are in place and durable)."""
    write_atomic(folder / MANIFEST, manifest_text(entries).encode("utf-8"))


def manifest_text(entries: list[dict[str, Any]]) -> str:
    """arkiv.json for a person to read: a field a line, a value shown a line."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    blocks = []
    for entry in entries:
        lines = [f"   {dump(key)}: {dump(value)}" for key, value in entry.items()
                 if key != "värden"]
        if "värden" in entry:
            shown = ",\n".join(f"    {dump(v)}" for v in entry["värden"])
            lines.append(f'   "värden": [\n{shown}\n   ]' if shown else '   "värden": []')
        blocks.append("  {\n" + ",\n".join(lines) + "\n  }")
    body = ",\n".join(blocks)
    return (f'{{\n "format": {MANIFEST_FORMAT},\n "filer": [\n{body}\n ]\n}}\n' if blocks
            else f'{{\n "format": {MANIFEST_FORMAT},\n "filer": []\n}}\n')


# --- writing a file once -----------------------------------------------------------------

def staged(folder: Path, data: bytes) -> Path:
    """`data` in a temp file of `folder` (not yet durable: see `make_durable`)."""
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(temp, FILE_MODE)
    return Path(temp)


def link_once(temp: Path, path: Path) -> bool:
    """The (durable) temp file given its name, whole, only if no file has that name; the
    temp file is gone after. False if a file has the name."""
    try:
        if os.name == "posix":
            os.link(temp, path)
        else:  # Windows' rename refuses an existing name
            os.rename(temp, path)
    except FileExistsError:
        return False
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    return True


def write_once(path: Path, data: bytes) -> bool:
    """Write `path` whole and durable, only if no file has that name; False if one has."""
    temp = staged(path.parent, data)
    make_durable(path.parent, [temp])
    linked = link_once(temp, path)
    if linked:
        fsync_folder(path.parent)
    return linked


# --- the pending notes -------------------------------------------------------------------

def note_pending(state_folder: Path, relative: str, entry: dict[str, Any],
                 sync: bool = True) -> Path:
    """The entry of a file about to be linked, kept until arkiv.json lists it."""
    path = state_folder / PENDING_FOLDER / f"{sha256(relative.encode())[:24]}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"path": relative, "entry": entry},
                                  ensure_ascii=False).encode("utf-8"), sync=sync)
    return path


def pending_notes(state_folder: Path, folder_relative: str) -> Iterator[tuple[Path, dict]]:
    """(note, entry) of each pending entry of the archive folder (relative to OUTPUT)."""
    for path in sorted((state_folder / PENDING_FOLDER).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            relative, entry = data["path"], data["entry"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(entry, dict) and relative.rpartition("/")[0] == folder_relative:
            yield path, entry


def forget_note(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def complete_pending(output: Path, state_folder: Path, folder_relative: str,
                     entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries of files a killed run linked but could not list, added once each: a file
    whose bytes are the note's; a note without its file is dropped."""
    folder = output / folder_relative
    listed = {e["fil"] for e in entries}
    added = []
    notes = []
    for note, entry in pending_notes(state_folder, folder_relative):
        notes.append(note)
        name = entry.get("fil")
        if not isinstance(name, str) or name in listed:
            continue
        try:
            data = (folder / name).read_bytes()
        except OSError:
            continue
        if sha256(data) == entry.get("sha256"):
            added.append(entry)
            listed.add(name)
    if added:
        write_manifest(folder, [*entries, *added])
    for note in notes:
        forget_note(note)
    return [*entries, *added]


# --- archiving a project's documents -----------------------------------------------------

@dataclass
class Archived:
    """What archiving one project did."""

    files: list[str] = field(default_factory=list)
    """Archived now, relative to OUTPUT."""
    awaiting_pdf: list[str] = field(default_factory=list)
    """Archived .docx files (relative to OUTPUT) without a PDF yet."""
    problems: list[str] = field(default_factory=list)


def now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def docx_entry(due: Due, data: bytes, project: Project, workbook: str, workbook_sha: str,
               settings: Settings = DEFAULTS) -> dict[str, Any]:
    return {"fil": f"{due.stem}.docx", "sha256": sha256(data), "dokument": due.doc.title,
            "beslutspunkt": due.decision_point, "datum": due.day.isoformat(),
            "rapport_nr": due.report_number, "beslutsfattare": due.decision_maker,
            "organisation": settings.name, "projekt_id": project.info.projekt_id,
            "diarienummer": project.info.diarienummer,
            "arbetsbok": workbook, "arbetsbok_sha256": workbook_sha,
            "programversion": __version__, "arkiverad": now_text(),
            "värden": [s.to_dict() for s in shown_values(
                project, due.doc.kind, due.decision_point, due.report_number, settings)]}


def archive_project(output: Path, state_folder: Path, folder_relative: str,
                    due: list[Due], documents: dict[str, bytes], project: Project,
                    workbook: str, workbook_sha: str, settings: Settings = DEFAULTS
                    ) -> Archived:
    """Archive each due document not archived yet (documents: file name -> .docx bytes,
    as written in the project's folder).

    Each new file's entry is noted and its bytes staged in a temp file, all of them made
    durable at once; then each is linked to its name and arkiv.json lists them all, and
    only then are the notes dropped (about two syncs a project that archives anything)."""
    result = Archived()
    folder = output / folder_relative / ARCHIVE_FOLDER
    relative = f"{folder_relative}/{ARCHIVE_FOLDER}"
    try:
        entries = read_manifest(folder)
    except ManifestUnreadable as exc:
        result.problems.append(f"Inget arkiverades: {exc}. Den lämnas orörd.")
        return result
    if folder.is_dir():
        entries = complete_pending(output, state_folder, relative, entries)
    listed = {e["fil"] for e in entries}
    new = [(item, documents[item.doc.name]) for item in due
           if item.doc.name in documents and f"{item.stem}.docx" not in listed]
    if new:
        folder.mkdir(exist_ok=True)
        entries = link_all(output / relative, state_folder, entries, new, project, workbook,
                           workbook_sha, settings, result)
    result.awaiting_pdf = [f"{relative}/{name}" for name in awaiting_pdf(entries)]
    return result


def link_all(folder: Path, state_folder: Path, entries: list[dict[str, Any]],
             new: list[tuple[Due, bytes]], project: Project, workbook: str, workbook_sha: str,
             settings: Settings, result: Archived) -> list[dict[str, Any]]:
    """Note, stage, make durable, link, list: arkiv.json's entries after."""
    relative = f"{folder.parent.name}/{folder.name}"
    staged_files = []
    for item, data in new:
        entry = docx_entry(item, data, project, workbook, workbook_sha, settings)
        note = note_pending(state_folder, f"{relative}/{entry['fil']}", entry, sync=False)
        staged_files.append((entry, note, staged(folder, data)))
    make_durable(folder, [temp for _, _, temp in staged_files])
    make_durable(state_folder / PENDING_FOLDER, [note for _, note, _ in staged_files])
    added = []
    for entry, note, temp in staged_files:
        if link_once(temp, folder / entry["fil"]):
            added.append(entry)
            result.files.append(f"{relative}/{entry['fil']}")
        else:
            forget_note(note)
            result.problems.append(f"{relative}/{entry['fil']} finns redan men saknas i "
                                   f"{MANIFEST}; den lämnas orörd.")
    if added:
        fsync_folder(folder)
        entries = [*entries, *added]
        write_manifest(folder, entries)
    for _, note, _ in staged_files:
        forget_note(note)
    return entries


def awaiting_pdf(entries: list[dict[str, Any]]) -> list[str]:
    """The archived .docx files that have no PDF entry yet."""
    names = {e["fil"] for e in entries}
    return [e["fil"] for e in entries if e["fil"].endswith(".docx")
            and f"{e['fil'].removesuffix('.docx')}.pdf" not in names]


def add_pdf(output: Path, docx_relative: str, pdf: Path) -> str | None:
    """Archive the PDF/A of an archived .docx (converted to `pdf`) beside it, and list it;
    a problem for a person, or None."""
    folder = (output / docx_relative).parent
    docx_name = Path(docx_relative).name
    pdf_name = f"{docx_name.removesuffix('.docx')}.pdf"
    try:
        entries = read_manifest(folder)
    except ManifestUnreadable as exc:
        return f"PDF/A arkiverades inte: {exc}."
    source = next((e for e in entries if e["fil"] == docx_name), None)
    if source is None or any(e["fil"] == pdf_name for e in entries):
        return None
    data = pdf.read_bytes()
    if not write_once(folder / pdf_name, data):
        data = (folder / pdf_name).read_bytes()  # a killed run linked it, from the same .docx
    entry = {key: value for key, value in source.items() if key != "värden"}
    entry.update(fil=pdf_name, sha256=sha256(data), format=PDF_FORMAT, källa=docx_name,
                 programversion=__version__, arkiverad=now_text())
    write_manifest(folder, [*entries, entry])
    return None


# --- what changed since -------------------------------------------------------------------

@dataclass
class Changes:
    """A project against its archive: the findings, and the live documents that differ
    from their archived version (document id -> `BP1 2011-01-15`)."""

    findings: list[Finding] = field(default_factory=list)
    amended: dict[str, str] = field(default_factory=dict)
    marks: list[str] = field(default_factory=list)
    """What index.html marks: `BP1 2011-01-15`, `Statusrapport 02`."""


def latest(entries: list[dict[str, Any]], **match: Any) -> dict[str, Any] | None:
    """The last archived .docx entry matching (its newest date, then its latest archiving)."""
    found = [e for e in entries if e["fil"].endswith(".docx")
             and all(e.get(k) == v for k, v in match.items())]
    return max(found, key=lambda e: (str(e.get("datum")), str(e.get("arkiverad"))),
               default=None)


def shown_name(entry: dict[str, Any], entries: list[dict[str, Any]]) -> str:
    """`Arkiv/X.pdf` when the PDF is archived, else `Arkiv/X.docx`."""
    pdf = f"{entry['fil'].removesuffix('.docx')}.pdf"
    name = pdf if any(e["fil"] == pdf for e in entries) else entry["fil"]
    return f"{ARCHIVE_FOLDER}/{name}"


def changes(project: Project, entries: list[dict[str, Any]], settings: Settings = DEFAULTS
            ) -> Changes:
    """Warnings for what differs from the archive: changed values, withdrawn and re-dated
    decisions, changed statusrapporter."""
    result = Changes()
    for document in DOCUMENTS:
        bp = document.final_when
        if document.kind not in DECIDED_KINDS or bp is None:
            continue
        entry = latest(entries, dokument=document.title, beslutspunkt=bp)
        if entry is not None:
            decision_changes(project, document.kind, bp, entry, entries, settings, result)
    numbers = {e.get("rapport_nr") for e in entries if e.get("rapport_nr") is not None}
    for number in sorted(numbers):
        entry = latest(entries, dokument=REPORT_TITLE, rapport_nr=number)
        if entry is not None:
            report_changes(project, number, entry, entries, result)
    return result


def decision_changes(project: Project, kind: DocKind, bp: str, entry: dict[str, Any],
                     entries: list[dict[str, Any]], settings: Settings,
                     result: Changes) -> None:
    decision = project.decision(bp)
    archived_day = date.fromisoformat(entry["datum"])
    where = shown_name(entry, entries)
    if decision is None or decision.beslut != APPROVED:
        now = (decision.beslut if decision is not None and decision.beslut else "inte beslutad")
        result.findings.append(ARCHIVED_DECISION_WITHDRAWN(
            decision_point=bp, day=day(archived_day), now=now, file=where,
            sheet=C.BESLUT.name, cell=decision_cell(project, bp, "beslut"), value=bp))
        return
    if decision.datum is not None and decision.datum != archived_day:
        result.findings.append(ARCHIVED_DECISION_REDATED(
            decision_point=bp, day=day(decision.datum), was=day(archived_day), file=where,
            sheet=C.BESLUT.name, cell=decision_cell(project, bp, "datum"),
            value=decision.datum.isoformat()))
        return
    found = changed_values(project, kind, bp, None, entry, settings)
    for old, new in found:
        shown = new or old
        result.findings.append(ARCHIVED_VALUE_CHANGED(
            label=shown.label, decision_point=bp, day=day(archived_day),
            where=f"{shown.sheet}!{shown.cell}", file=where, sheet=shown.sheet,
            cell=shown.cell, value=new.value if new else ""))
    if found:
        result.amended[str(kind)] = f"{bp} {day(archived_day)}"
        result.marks.append(f"{bp} {day(archived_day)}")


def report_changes(project: Project, number: int, entry: dict[str, Any],
                   entries: list[dict[str, Any]], result: Changes) -> None:
    where = shown_name(entry, entries)
    found = changed_values(project, DocKind.STATUSRAPPORT, None, number, entry)
    for old, new in found:
        shown = new or old
        result.findings.append(ARCHIVED_REPORT_CHANGED(
            label=shown.label, number=f"{number:02d}", day=entry["datum"],
            where=f"{shown.sheet}!{shown.cell}", file=where, sheet=shown.sheet,
            cell=shown.cell, value=new.value if new else ""))
    row = next((r for r in project.statusrapporter if r.rapport_nr == number), None)
    if found:
        result.marks.append(f"{REPORT_TITLE} {number:02d}")
    if found and row is not None:
        result.amended[f"{DocKind.STATUSRAPPORT}:{row.row}"] = entry["datum"]


def changed_values(project: Project, kind: DocKind, bp: str | None, number: int | None,
                   entry: dict[str, Any], settings: Settings = DEFAULTS
                   ) -> list[tuple[Shown | None, Shown | None]]:
    """(as archived, as now) of each value that differs, in the archive's order."""
    by_key = kind is DocKind.STATUSRAPPORT
    try:
        then = [Shown.from_dict(v) for v in entry.get("värden") or []]
    except (KeyError, TypeError, ValueError):
        return []
    before = {s.place(by_key): s for s in then}
    after = {s.place(by_key): s for s in shown_values(project, kind, bp, number, settings)}
    changed = []
    for place in [*before, *(p for p in after if p not in before)]:
        old, new = before.get(place), after.get(place)
        if (old.value if old else "") != (new.value if new else ""):
            changed.append((old, new))
    return changed


def project_changes(project: Project, project_folder: Path, settings: Settings = DEFAULTS
                    ) -> Changes:
    """The project against the archive in its folder (none there: no changes)."""
    try:
        entries = read_manifest(archive_folder(project_folder))
    except ManifestUnreadable:
        entries = []
    return changes(project, entries, settings)


def compare_with_archive(checked: Checked, workbook: str, output: Path) -> None:
    """Add to a checked workbook's report what differs from its project's archive in
    OUTPUT (`check --output`); nothing when the project has no archive there."""
    from pipeline.batch.work import Identity, folder_for

    project = checked.project
    if project is None:
        return
    folder = folder_for(Identity(project.info.projekt_id, project.info.projektnamn), workbook)
    checked.report.extend(project_changes(project, output / folder, checked.settings).findings)
