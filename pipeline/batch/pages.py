"""A project's page again at the end of a run, so that it lists the PDFs of that run.

The pool writes each project's projekt.html beside its documents; LibreOffice runs once,
after the pool (pipeline/batch/pdf.py). So the page a worker wrote lists neither the PDFs
made beside the documents in the same run, nor those an earlier --pdf run made and that
stay, nor the PDF/A files the run added to the project's archive. Once the PDFs are in
place, the build makes the page of each such project again from what its record holds (its
summary, findings and files) and from its archive as it is then: no document is made again
and no other project is read. The page is written atomically, and only when its bytes
differ; it is already among the record's files, so the record stays as it is.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pipeline.batch.atomic import write_atomic
from pipeline.batch.state import Record
from pipeline.findings import Finding, Severity
from pipeline.paths import PROJECT_PAGE
from pipeline.settings import Settings


def page_of(record: Record) -> str | None:
    """The project's page (relative to OUTPUT) when its record lists it."""
    page = f"{record.folder}/{PROJECT_PAGE}"
    return page if record.folder and page in record.files else None


def listed_names(record: Record) -> list[str]:
    """The files the page lists, by name: the project's files in its folder in the
    record's order, the page itself aside."""
    page = page_of(record)
    return [PurePosixPath(f).name for f in record.files if f != page]


def page_from_record(record: Record, output: Path, settings: Settings) -> bytes:
    """The page the build writes for a built project, made from its record and its
    archive as it is now (the worker's page, with the PDFs there are now)."""
    from pipeline.portfolio import ProjectSummary
    from pipeline.project_page import archived_files, project_page

    assert record.summary is not None and record.report is not None and record.folder
    findings = [Finding.from_dict(f) for f in record.report.get("findings", [])]
    findings.sort(key=lambda f: f.severity is not Severity.ERROR)
    return project_page(ProjectSummary.from_dict(record.summary), findings,
                        listed_names(record), archived_files(output / record.folder),
                        settings).encode("utf-8")


def list_pdfs_on_page(record: Record, output: Path, settings: Settings) -> bool:
    """Write the project's page again from its record if that gives other bytes (a PDF
    made or kept since the page was written); True when it was written. A record without
    its page, summary or findings is left as it is."""
    page = page_of(record)
    if page is None or record.summary is None or record.report is None:
        return False
    path = output / page
    data = page_from_record(record, output, settings)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True
