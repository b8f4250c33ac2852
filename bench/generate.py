"""N realistic project workbooks, written through the project's own contract and writer.

Deterministic (a seed per workbook): the first N workbooks are always the same. Phases
vary, with the
decision points and checklists answered up to the phase; each table has 5-30 rows; some
projects have status reports and project members (personkontrakt); text is Swedish.

    python bench/generate.py --workbooks 200 --out /tmp/bench-input
"""

from __future__ import annotations

import argparse
import copy
import os
import random
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline import contract
from pipeline.example import checklist, decisions, example_fill
from pipeline.model import PHASES
from pipeline.workbook.writer import build_workbook, style_name

SEED = 20111
NAMES = ("Föräldrastöd", "Digital skola", "Trygg äldreomsorg", "Hållbart resande",
         "Ungas inflytande", "Läsfrämjande", "Energieffektiva lokaler", "Integration i arbete",
         "Kulturarv i byarna", "Friskvård för anställda", "Öppna data", "Hemtjänst på distans")
PEOPLE = ("Karin Lund", "Bo Andersson", "Nisse Berg", "Lena Holm", "Åsa Rönnlund",
          "Eva Sjöberg", "Maria Ek", "Göran Öst", "Sara Nyström", "Jonas Åberg")
WORDS = ("föräldrar", "förskola", "arbetsmarknad", "kvarter", "länet", "elever", "äldre",
         "kommunens mål", "samverkan", "utvärdering", "rekrytering", "överlämning")
ANSWERED = {1: (), 2: ("Relevans", "Förberedelse"), 3: ("Relevans", "Förberedelse", "Planering"),
            4: ("Relevans", "Förberedelse", "Planering", "Genomförande")}


def sentence(rng: random.Random) -> str:
    """A Swedish sentence; every fourth ends with a line break and a second line."""
    words = rng.sample(WORDS, 3)
    text = f"Arbetet med {words[0]} och {words[1]} fortsätter enligt plan för {words[2]}."
    if rng.random() < 0.25:
        text += "\nNästa steg: avstämning med styrgruppen & ekonomikontoret."
    return text


def rows(rng: random.Random, templates: list[dict[str, Any]], vary: Any) -> list[dict[str, Any]]:
    """5-30 rows made from the example's rows, each varied."""
    count = rng.randint(5, 30)
    return [vary(copy.deepcopy(templates[i % len(templates)]), i) for i in range(count)]


def project_fill(index: int, rng: random.Random) -> dict[str, Any]:
    """The values of one generated project, by sheet."""
    fill = example_fill()
    phase = rng.choice(PHASES)
    number = phase.number
    start = date(2010, 1, 1) + timedelta(days=rng.randint(0, 3000))
    projekt = fill[contract.PROJEKT.name]
    projekt.update(projekt_id=f"KS-{start.year}-{index:05d}",
                   projektnamn=f"{rng.choice(NAMES)} {index}",
                   projektledare=rng.choice(PEOPLE), aktuell_fas=phase.name,
                   startdatum=start, slutdatum=start + timedelta(days=rng.randint(180, 900)),
                   bakgrund=sentence(rng), syfte=sentence(rng), projektmal=sentence(rng))
    fill[contract.CHECKLISTOR.name] = checklist(ANSWERED[number])
    fill[contract.BESLUT.name] = decisions(tuple(p.decision_point for p in PHASES[:number - 1]))
    vary_tables(fill, rng, start)
    return fill


def vary_tables(fill: dict[str, Any], rng: random.Random, start: date) -> None:
    def year(row: dict[str, Any], i: int) -> dict[str, Any]:
        if "ar" in row:
            row["ar"] = start.year + i % 3
        for key in ("budget", "utfall", "prognos", "belopp", "varde_per_ar"):
            if row.get(key):
                row[key] = rng.randrange(5_000, 400_000, 500)
        return row

    def person(row: dict[str, Any], i: int) -> dict[str, Any]:
        for key in ("ansvarig", "namn"):
            if key in row and row.get("roll") != "Mottagare":
                row[key] = PEOPLE[(i + rng.randint(0, 9)) % len(PEOPLE)]
        return row

    def text(row: dict[str, Any], i: int) -> dict[str, Any]:
        for key in ("risk", "aktivitet", "atgard", "leverans", "nytta"):
            if key in row:
                row[key] = f"{row[key]} ({i + 1}): {sentence(rng)}"
        return person(row, i)

    for sheet in (contract.RISKER, contract.AKTIVITETER, contract.NYTTA):
        fill[sheet.name] = rows(rng, fill[sheet.name], text)
    for sheet in (contract.KOSTNADER, contract.FINANSIERING):
        fill[sheet.name] = rows(rng, fill[sheet.name], year)
    fill[contract.ORGANISATION.name] = rows(rng, fill[contract.ORGANISATION.name], person)
    members = fill[contract.PERSONKONTRAKT.name][:rng.choice((0, 1, 2, 2))]
    reports = fill[contract.STATUSRAPPORTER.name][:rng.choice((0, 0, 1, 2, 3))]
    shift_dates(members + reports, start - date(2011, 1, 15))
    fill[contract.PERSONKONTRAKT.name] = members
    fill[contract.STATUSRAPPORTER.name] = reports


def shift_dates(rows: list[dict[str, Any]], delta: timedelta) -> None:
    """Move the example's dates into the generated project's period."""
    for row in rows:
        for key, value in row.items():
            if isinstance(value, date):
                row[key] = value + delta


def write_one(index: int, folder: Path, formatted_rows: int = 0, seed: int = SEED) -> Path:
    """Workbook number index: its own seed, so any subset is the same books."""
    fill = project_fill(index, random.Random(seed * 1_000_003 + index))
    projekt = fill[contract.PROJEKT.name]
    book = build_workbook(projekt["projektnamn"], projekt["projekt_id"], fill)
    if formatted_rows:
        add_formatted_rows(book, formatted_rows)
    path = folder / f"projekt-{index:05d}.xlsx"
    book.save(path)
    return path


def add_formatted_rows(book: Any, count: int) -> None:
    """Each table's first `count` rows below its header as the earlier `new` wrote them:
    the empty cells styled as input cells (200 rows: about 15,000 cells a workbook)."""
    for sheet in contract.SHEETS:
        if sheet.table:
            for row in book[sheet.name].iter_rows(min_row=2, max_row=count + 1,
                                                  max_col=len(sheet.fields)):
                for cell, field in zip(row, sheet.fields, strict=True):
                    if cell.value is None:
                        cell.style = style_name(field.kind)


def generate(count: int, folder: Path, jobs: int | None = None,
             formatted_rows: int = 0) -> list[Path]:
    """Write workbooks 0..count-1 into folder (created), skipping those already there;
    with `formatted_rows`, as the earlier `new` wrote them."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = [i for i in range(count) if not (folder / f"projekt-{i:05d}.xlsx").exists()]
    with ProcessPoolExecutor(jobs or os.cpu_count()) as pool:
        list(pool.map(write_one, wanted, [folder] * len(wanted),
                      [formatted_rows] * len(wanted), chunksize=8))
    return sorted(folder.glob("projekt-*.xlsx"))[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench-input"))
    parser.add_argument("--formatted-rows", type=int, default=0,
                        help="style this many empty rows per table, as the earlier new did")
    args = parser.parse_args()
    books = generate(args.workbooks, args.out, formatted_rows=args.formatted_rows)
    print(f"{len(books)} arbetsböcker i {args.out}")


if __name__ == "__main__":
    main()
