"""Where the build finds its workbooks and templates, and what it calls the files it writes
besides the documents; declared once.

Kept apart from the modules that use them, so that a build with nothing to do knows them
without importing openpyxl, docxtpl and the rest (about 0.4 s).
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
ECONOMY_FILE = "ekonomi.xlsx"
CALCULATION_FILE = "Kostnads- och nyttokalkyl.xlsx"
INDEX_FILE = "index.html"
FINDINGS_REPORT = "Kontrollrapport.txt"
PROJECT_PAGE = "projekt.html"
"""The project's own page, in its folder beside its documents."""
ARCHIVE_FOLDER = "Arkiv"
"""The project's archive (issue 12), a folder in its folder."""
NOT_WORKBOOK_PREFIXES = ("~$", ".~lock.", "._")
"""Files named like a workbook that are none: Excel's and LibreOffice's lock files
(~$Projekt.xlsx, .~lock.Projekt.xlsx#) and the metadata a Mac writes beside each file on
a shared folder (._Projekt.xlsx)."""


def is_lock_file(path: Path) -> bool:
    """A lock file or a Mac's metadata file (`NOT_WORKBOOK_PREFIXES`), not a workbook."""
    return path.name.startswith(NOT_WORKBOOK_PREFIXES)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
"""What a workbook in INPUT is named, in any case: an .xlsm is read like an .xlsx (its
macros never run), an .xls is named as the old format it is, never passed over."""


def discover(folder: Path) -> list[Path]:
    """The workbooks of a folder, lock files skipped, in a stable order. Whatever is named
    like a workbook is one, even if it cannot be opened (a link to a file that is gone, a
    folder): the run then says why it was not read."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in WORKBOOK_SUFFIXES and not is_lock_file(p))
