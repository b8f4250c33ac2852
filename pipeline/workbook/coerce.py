"""Turn cell values of many shapes into the contract's types (WORKBOOK.md reading rules).

Each function returns the value, or raises `ValueProblem` with a Swedish explanation
that the parser turns into a finding with the cell's address. `converter` gives each
field its function once per process, so that a cell costs one call; its problems end with
what the field takes (`skriv ett heltal mellan 1 och 5`) and, for a choice, the nearest allowed one.

Text that could mean two things is read one way and reported (the parser's warnings):
- a number with a single `.` or `,` followed by exactly three digits (`12.000`, `12,000`)
  is read with that mark as a thousands separator, 12 000: kronor, hours and years are
  not written with three decimals, and `12.000 kr` for twelve thousand is common Swedish
  use (`ambiguous_number` gives both readings);
- a date as text is read day first (`1/2/2011` is 1 February), as Swedish dates are
  written (`text_date` gives the date, and the swapped one when day and month could be
  swapped).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache, partial
from typing import Any

from pipeline.contract import YEAR, Field, Kind


class ValueProblem(ValueError):
    """A cell's value cannot be read as the type its field needs."""


EXCEL_EPOCH = date(1899, 12, 30)
MONTHS = {
    "jan": 1, "januari": 1, "feb": 2, "februari": 2, "mar": 3, "mars": 3, "apr": 4,
    "april": 4, "maj": 5, "jun": 6, "juni": 6, "jul": 7, "juli": 7, "aug": 8,
    "augusti": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}
ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
DMY_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
WORD_DATE = re.compile(r"(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})")
THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(?P<mark>[.,])\d{3}(?:(?P=mark)\d{3})*")
"""`12.000`, `1,234,567`: one kind of mark, each followed by exactly three digits."""
AMBIGUOUS = re.compile(r"-?[1-9]\d{0,2}[.,]\d{3}")
"""`12.000`, `12,000`: a thousands separator or a decimal mark (read as the first)."""
UNITS = re.compile(r"\s*(kr|kronor|sek|:-|tim|timmar|h|st|%|procent)\.?$", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
BLANK_LINES = re.compile(r"\n{3,}")
EXACT_INTEGERS = 2.0**53
"""Below it every whole float's repr is its exact value (above, repr may round)."""
YEARS = (YEAR["minimum"], YEAR["maximum"])
"""The bounds of a year field (contract.YEAR): its examples name a year. A date's year
lies within them too: a project's dates, hours and deadlines are counted in these years,
and a date in 1900 or 9999 is a typing error (or Excel's serial 0)."""
LARGEST_NUMBER = Decimal(10) ** 12
"""Every amount, number of hours and percentage a workbook gives is smaller than this
(a million million): sums and products of them stay exact when documents and figures
show them, and 1e308 is a typing error. (Whole-number fields are years and counts with
bounds of their own, or Rapport nr, which nothing counts with.)"""


def clean_text(raw: Any, keep_lines: bool) -> str | None:
    """Text with stray spaces removed; line breaks kept only where a field is prose."""
    if raw is None:
        return None
    if raw.__class__ is str and raw.isprintable() and "  " not in raw:
        return raw.strip() or None  # one line, its only whitespace single spaces
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = CONTROL.sub("", str(raw)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if keep_lines:
        text = BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")
    else:
        text = " ".join(line for line in lines if line)
    return text or None


def to_date(raw: Any) -> date:
    """A date within YEARS; raises ValueProblem."""
    return within_years(any_date(raw))


def any_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool):
        raise ValueProblem("är inte ett datum")
    if isinstance(raw, int | float):
        if 1 <= raw < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise ValueProblem("är inte ett datum")
    return text_date(raw)[0]


def within_years(day: date) -> date:
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueProblem(f"ligger inte mellan åren {YEARS[0]} och {YEARS[1]}")
    return day


def text_date(raw: Any) -> tuple[date, date | None]:
    """A date written as text, day first, and the date it would be with day and month
    swapped when that is a date too (`1/2/2011`), else None; raises ValueProblem."""
    text = (clean_text(raw, keep_lines=False) or "").lower()
    try:
        if m := ISO_DATE.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3])), None
        if m := DMY_DATE.fullmatch(text):
            day, month, year = int(m[1]), int(m[2]), int(m[3])
            swapped = date(year, day, month) if day != month and day <= 12 else None
            return date(year, month, day), swapped
        if (m := WORD_DATE.fullmatch(text)) and m[2] in MONTHS:
            return date(int(m[3]), MONTHS[m[2]], int(m[1])), None
    except ValueError as exc:
        raise ValueProblem("är inget giltigt datum") from exc
    raise ValueProblem("kan inte läsas som ett datum")


def to_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueProblem("är inte ett tal")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValueProblem("kan inte läsas som ett tal")
        return Decimal(repr(raw))
    text = number_text(raw)
    if (m := THOUSANDS.fullmatch(text)) is not None:
        text = text.replace(m["mark"], "")
    elif "," in text and "." in text:
        # Both separators: the last one is the decimal mark.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if text.count(".") > 1:
        raise ValueProblem("kan inte läsas som ett tal")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueProblem("kan inte läsas som ett tal") from exc
    if not value.is_finite():
        raise ValueProblem("kan inte läsas som ett tal")
    return value


def within_magnitude(value: Decimal | int) -> None:
    """Raises ValueProblem for a number too large to count with (LARGEST_NUMBER)."""
    if value != value or not -LARGEST_NUMBER < value < LARGEST_NUMBER:  # NaN too
        raise ValueProblem("är för stort")


def number_text(raw: Any) -> str:
    """A number's text without its unit, spaces and odd minus signs."""
    text = clean_text(raw, keep_lines=False) or ""
    return UNITS.sub("", text).replace(" ", "").replace("\u2212", "-")


def ambiguous_number(raw: str) -> tuple[Decimal, Decimal] | None:
    """(the reading, the other reading) of a number like `12.000` or `12,000`, whose one
    mark may separate thousands or decimals; None for any other text."""
    text = number_text(raw)
    if AMBIGUOUS.fullmatch(text) is None:
        return None
    return Decimal(text.replace(",", "").replace(".", "")), Decimal(text.replace(",", "."))


def to_integer(raw: Any) -> int:
    value = to_decimal(raw)
    if value != value.to_integral_value():
        raise ValueProblem("är inte ett heltal")
    return int(value)


@lru_cache(maxsize=50_000, typed=True)
def normalise_label(text: Any) -> str:
    """How labels and choices are compared: case and spacing do not matter. (Cached:
    the same labels and choices come back in every workbook; typed, as 1, 1.0 and True
    read differently.)"""
    return (clean_text(text, keep_lines=False) or "").rstrip(":").strip().casefold()


@cache
def choice_lookup(choices: tuple[str, ...]) -> dict[str, str]:
    """Normalised choice -> the choice as written in the contract (the first, if two meet)."""
    lookup: dict[str, str] = {}
    for choice in choices:
        lookup.setdefault(normalise_label(choice), choice)
    return lookup


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


NUMBER_KINDS = frozenset((Kind.AMOUNT, Kind.NUMBER, Kind.PERCENT, Kind.INTEGER))


@cache
def converter(field: Field) -> Callable[[Any], Any]:
    """The function turning a non-empty cell into the field's type; raises ValueProblem
    saying what is wrong and what the field takes."""
    kind = field.kind
    if kind is Kind.DATE:
        return expecting(to_date, field)
    if kind in NUMBER_KINDS:
        read = expecting(to_integer if kind is Kind.INTEGER else to_decimal, field)
        within = range_check(field)
        counted = None if kind is Kind.INTEGER else expecting(within_magnitude, field)

        def number(raw: Any) -> Decimal | int:
            value = read(raw)
            if counted is not None:
                counted(value)
            if within is not None:
                within(value)
            return value
        return number
    if kind is Kind.CHOICE:
        lookup, choices = choice_lookup(field.choices), ", ".join(field.choices)

        def choice(raw: Any) -> str:
            found = lookup.get(normalise_label(raw))
            if found is None:
                raise ValueProblem(f"är inget av de tillåtna värdena ({choices})"
                                   + did_you_mean(raw, field.choices))
            return found
        return choice
    if kind is Kind.EMAIL:
        def email(raw: Any) -> str | None:
            text = clean_text(raw, keep_lines=False)
            if text and not EMAIL.fullmatch(text):
                raise ValueProblem(f"är ingen giltig e-postadress; skriv {expected(field)}")
            return text
        return email
    return partial(clean_text, keep_lines=kind is Kind.LONGTEXT)


def expecting(read: Callable[[Any], Any], field: Field) -> Callable[[Any], Any]:
    """read, its problems followed by what the field takes."""
    hint = f"; skriv {expected(field)}"

    def value(raw: Any) -> Any:
        try:
            return read(raw)
        except ValueProblem as problem:
            raise ValueProblem(f"{problem}{hint}") from problem
    return value


def expected(field: Field) -> str:
    """What a field takes, with an example of its type: `ett heltal mellan 1 och 5`,
    `ett årtal, t.ex. 2024`, `ett belopp i kronor, t.ex. 12 500`."""
    bounds = span(field)
    if field.kind is Kind.DATE:
        return "ett datum, t.ex. 2024-03-15"
    if field.kind is Kind.EMAIL:
        return "en e-postadress, t.ex. anna.berg@kommun.se"
    if field.kind is Kind.AMOUNT:
        return f"ett belopp i kronor{bounds}, t.ex. 12 500"
    if field.kind is Kind.PERCENT:
        return f"en procentsats{bounds}, t.ex. 10"
    if field.kind is Kind.NUMBER:
        return f"ett tal{bounds}, t.ex. 37,5"
    if is_year(field):
        return "ett årtal, t.ex. 2024"
    if field.minimum is not None and field.maximum is not None:
        return f"ett heltal{bounds}"
    return f"ett heltal{bounds}, t.ex. 3"


def is_year(field: Field) -> bool:
    """A whole number within the contract's years (contract.YEAR)."""
    return field.kind is Kind.INTEGER and (field.minimum, field.maximum) == YEARS


def span(field: Field) -> str:
    """` mellan 1 och 5`, `, minst 0`, `, högst 5` or nothing: a field's bounds after its
    noun, as the messages and the workbook's instructions say them."""
    low, high = field.minimum, field.maximum
    if low is not None and high is not None:
        return f" mellan {fmt(low)} och {fmt(high)}"
    if low is not None:
        return f", minst {fmt(low)}"
    return f", högst {fmt(high)}" if high is not None else ""


def did_you_mean(raw: Any, choices: tuple[str, ...]) -> str:
    """`. Menade du Godkänt?` for the allowed choice nearest the value, if one is close."""
    lookup = choice_lookup(choices)
    close = difflib.get_close_matches(normalise_label(raw), list(lookup), n=1, cutoff=0.6)
    return f". Menade du {lookup[close[0]]}?" if close else ""


def range_check(field: Field) -> Callable[[Decimal | int], None] | None:
    """Raises ValueProblem for a value outside the field's bounds; None: no bounds."""
    low, high = field.minimum, field.maximum
    if low is None and high is None:
        return None
    low_value = Decimal(str(low)) if low is not None else None
    high_value = Decimal(str(high)) if high is not None else None
    problem = f"ska vara {expected(field)}"
    if is_year(field):
        problem = f"ska vara ett årtal{span(field)}"

    def within(value: Decimal | int) -> None:
        if (low_value is not None and value < low_value) or (
                high_value is not None and value > high_value):
            raise ValueProblem(problem)
    return within


def fmt(number: float | None) -> str:
    return f"{number:g}" if number is not None else ""


def as_typed(raw: Any) -> str:
    """A cell's value as its user sees it in the cell: 7 (not 7.0), 2,5, 2011-01-15, SANT."""
    if isinstance(raw, bool):
        return "SANT" if raw else "FALSKT"
    if isinstance(raw, float):
        if raw.is_integer() and -EXACT_INTEGERS < raw < EXACT_INTEGERS:
            return str(int(raw))
        return repr(raw).replace(".", ",")
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes").removesuffix(" 00:00")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())
