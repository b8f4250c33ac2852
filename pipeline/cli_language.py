"""click's own words in Swedish: "Användning:", "Flaggor", "Fel: Argument saknas ...".

click marks every message it shows for gettext (`from gettext import gettext as _`), the
documented way to translate it. Our catalog, pipeline/locale/sv/LC_MESSAGES/
projektmodell.po, holds click's messages in Swedish; its compiled projektmodell.mo is
what gettext reads. While a command runs, `swedish_messages` makes it the catalog of
gettext's global domain and asks for Swedish whatever the machine's locale (gettext
chooses the language from LANGUAGE first), then puts both back. The command line is
Swedish only, like everything else a user reads.

    python -m pipeline.cli_language     # compile the .po into the .mo after a change
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

DOMAIN = "projektmodell"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CATALOG = LOCALE_DIR / "sv" / "LC_MESSAGES" / f"{DOMAIN}.po"
COMPILED = CATALOG.with_suffix(".mo")


@contextmanager
def swedish_messages() -> Iterator[None]:
    """click's messages in Swedish inside the block."""
    domain, language = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "sv"
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language


def swedish_path(**options: Any) -> click.Path:
    """`click.Path(**options)` named in Swedish ("Filen 'x.xlsx' är en mapp."): click
    names a path type ("file", "directory") when it is made, so it is made here with the
    Swedish catalog on."""
    with swedish_messages():
        return click.Path(**options)


def compiled_catalog() -> bytes:
    """The .mo file the .po compiles to, by Babel."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="sv", domain=DOMAIN)
    target = io.BytesIO()
    write_mo(target, catalog)
    return target.getvalue()


if __name__ == "__main__":
    COMPILED.write_bytes(compiled_catalog())
