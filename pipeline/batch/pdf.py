"""PDFs beside the .docx, by LibreOffice headless: ONE soffice process for all files.

soffice converts into one --outdir, so documents with the same name from different
projects are staged under numbered names first. A private profile
(-env:UserInstallation) keeps the run apart from a user's LibreOffice; a timeout kills
the whole process group. Each PDF is then written atomically beside its document, or
handed to the caller (`place`: the archive writes its PDF/A files once).

Every PDF is PDF/A-2b and tagged, fonts embedded: LibreOffice's writer_pdf_Export filter
with `SelectPdfVersion` 2 and `UseTaggedPDF`, given as the JSON filter options that
`--convert-to` takes (LibreOffice 7.4 and later). The title, language, author, subject
and keywords come from the .docx (its core properties and its language).

PROJEKTMODELL_SOFFICE names the LibreOffice program when it is not `soffice` or
`libreoffice` on PATH; set to an empty value, the build runs without LibreOffice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.atomic import write_atomic

SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_VARIABLE = "PROJEKTMODELL_SOFFICE"
PDFA_OPTIONS = {"SelectPdfVersion": {"type": "long", "value": "2"},
                "UseTaggedPDF": {"type": "boolean", "value": "true"}}
"""PDF/A-2b (SelectPdfVersion 2), tagged."""
CONVERT_TO = f"pdf:writer_pdf_Export:{json.dumps(PDFA_OPTIONS, separators=(',', ':'))}"
BASE_TIMEOUT = 120.0
SECONDS_PER_FILE = 10.0


@dataclass
class PdfResult:
    written: list[Path] = field(default_factory=list)
    problem: str | None = None
    """One Swedish message when LibreOffice is missing, timed out or failed."""
    missing: bool = False
    """LibreOffice was not found (or is turned off by PROJEKTMODELL_SOFFICE)."""


Place = Callable[[Path, Path], Path | None]
"""(document, its converted PDF in a temporary folder) -> where the PDF was put, if it was."""

MISSING = ("LibreOffice (soffice) hittades inte: inga PDF:er skapades. Dokumenten (.docx) är "
           "skrivna. Installera LibreOffice för --pdf.")


def find_soffice() -> str | None:
    """The LibreOffice program: PROJEKTMODELL_SOFFICE if set (empty: none), else soffice or
    libreoffice on PATH."""
    chosen = os.environ.get(SOFFICE_VARIABLE)
    if chosen is not None:
        return (shutil.which(chosen) or chosen) if chosen.strip() else None
    for name in SOFFICE_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def pdf_path(document: Path) -> Path:
    return document.with_suffix(".pdf")


def beside(document: Path, converted: Path) -> Path:
    """The PDF written atomically beside its document."""
    write_atomic(pdf_path(document), converted.read_bytes())
    return pdf_path(document)


def convert_to_pdf(documents: Sequence[Path], timeout: float | None = None,
                   place: Place = beside) -> PdfResult:
    """Convert every document in one soffice call; each PDF is put where `place` puts it
    (beside its document)."""
    if not documents:
        return PdfResult()
    soffice = find_soffice()
    if soffice is None:
        return PdfResult(problem=MISSING, missing=True)
    limit = timeout or BASE_TIMEOUT + SECONDS_PER_FILE * len(documents)
    with tempfile.TemporaryDirectory(prefix="projektmodell-pdf-") as work:
        staged = stage(documents, Path(work) / "in")
        problem = run_soffice(soffice, staged, Path(work), limit)
        result = PdfResult(problem=problem)
        for document, copy in zip(documents, staged, strict=True):
            converted = Path(work) / "out" / f"{copy.stem}.pdf"
            if converted.is_file() and (placed := place(document, converted)) is not None:
                result.written.append(placed)
        missing = len(documents) - len(result.written)
        if missing and result.problem is None:
            result.problem = f"LibreOffice kunde inte konvertera {missing} dokument till PDF."
    return result


def stage(documents: Sequence[Path], folder: Path) -> list[Path]:
    folder.mkdir()
    staged = []
    for number, document in enumerate(documents):
        copy = folder / f"{number:06d}{document.suffix}"
        shutil.copyfile(document, copy)
        staged.append(copy)
    return staged


def run_soffice(soffice: str, staged: list[Path], work: Path, limit: float) -> str | None:
    profile = (work / "profile").resolve().as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", CONVERT_TO, "--outdir", str(work / "out"), *map(str, staged)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=(os.name == "posix"))
    try:
        _out, err = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(process)
        return f"LibreOffice svarade inte inom {limit:.0f} sekunder och avbröts."
    if process.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return f"LibreOffice avslutades med kod {process.returncode}. {detail[0]}".strip()
    return None


def kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()
