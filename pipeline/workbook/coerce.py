"""Turn cell values of many shapes into the contract's types (WORKBOOK.md reading rules).

Each function returns the value, or raises `ValueProblem` with a Swedish explanation
that the parser turns into a finding with the cell's address. `converter` gives each
field its function once per process, so that a cell costs one call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache, partial
from typing import Any

from pipeline.contract import Field, Kind


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
UNITS = re.compile(r"\s*(kr|kronor|sek|:-|tim|timmar|h|st|%|procent)\.?$", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
BLANK_LINES = re.compile(r"\n{3,}")
UNTIDY = re.compile(r"[\x00-\x1f\x7f\u00a0\u2007\u202f]|  ")
"""What clean_text changes inside a text: without it, stripping the ends is all it does.
A printable text (`str.isprintable` is False for every character of the class) without
two spaces in a row has none of it: a check faster than the search."""
EXACT_INTEGERS = 2.0**53
"""Below it every whole float's repr is its exact value (above, repr may round)."""


def clean_text(raw: Any, keep_lines: bool) -> str | None:
    """Text with stray spaces removed; line breaks kept only where a field is prose."""
    if raw is None:
        return None
    if raw.__class__ is str:
        if raw.isprintable():
            if "  " not in raw:
                return raw.strip() or None
        elif "\n" in raw:
            if keep_lines and tidy_lines(raw):
                return raw.strip() or None
        elif UNTIDY.search(raw) is None:
            return raw.strip() or None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = CONTROL.sub("", str(raw)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.strip() if line.isprintable() and "  " not in line
             else SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if keep_lines:
        text = "\n".join(lines)
        if "\n\n\n" in text:
            text = BLANK_LINES.sub("\n\n", text)
        text = text.strip("\n")
    else:
        text = " ".join(line for line in lines if line)
    return text or None


def tidy_lines(text: str) -> bool:
    """Lines clean_text keeps as they are: printable, without two spaces in a row, a space
    next to a line break or more than one empty line. Then the only whitespace is spaces
    and line breaks, never both at an end, and stripping the ends is all it does."""
    return (text.replace("\n", " ").isprintable() and "  " not in text
            and " \n" not in text and "\n " not in text and "\n\n\n" not in text)


def to_date(raw: Any) -> date:
    if raw.__class__ is date:
        return raw
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
    text = (clean_text(raw, keep_lines=False) or "").lower()
    try:
        if m := ISO_DATE.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := DMY_DATE.fullmatch(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if (m := WORD_DATE.fullmatch(text)) and m[2] in MONTHS:
            return date(int(m[3]), MONTHS[m[2]], int(m[1]))
    except ValueError as exc:
        raise ValueProblem("är inget giltigt datum") from exc
    raise ValueProblem("kan inte läsas som ett datum (skriv t.ex. 2011-01-15)")


def to_decimal(raw: Any) -> Decimal:
    if raw.__class__ is float:
        return Decimal(repr(raw))
    if isinstance(raw, bool):
        raise ValueProblem("är inte ett tal")
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = clean_text(raw, keep_lines=False) or ""
    text = UNITS.sub("", text).replace(" ", "").replace("\u2212", "-")
    if "," in text and "." in text:
        # Both separators: the last one is the decimal mark.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if text.count(".") > 1:
        raise ValueProblem("kan inte läsas som ett tal")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueProblem("kan inte läsas som ett tal (skriv t.ex. 1 234,50)") from exc
    if not value.is_finite():
        raise ValueProblem("kan inte läsas som ett tal")
    return value


def to_integer(raw: Any) -> int:
    if raw.__class__ is float and raw.is_integer() and -EXACT_INTEGERS < raw < EXACT_INTEGERS:
        return int(raw)  # what int(Decimal(repr(raw))) gives: here repr is exact
    value = to_decimal(raw)
    if value != value.to_integral_value():
        raise ValueProblem("ska vara ett heltal")
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


@cache
def converter(field: Field) -> Callable[[Any], Any]:
    """The function turning a non-empty cell into the field's type; raises ValueProblem."""
    kind = field.kind
    if kind is Kind.DATE:
        return to_date
    if kind in (Kind.AMOUNT, Kind.NUMBER, Kind.PERCENT, Kind.INTEGER):
        read: Callable[[Any], Decimal | int] = to_integer if kind is Kind.INTEGER else to_decimal
        within = range_check(field)
        if within is None:
            return read

        def number(raw: Any) -> Decimal | int:
            value = read(raw)
            within(value)
            return value
        return number
    if kind is Kind.CHOICE:
        lookup, choices = choice_lookup(field.choices), ", ".join(field.choices)

        def choice(raw: Any) -> str:
            found = lookup.get(normalise_label(raw))
            if found is None:
                raise ValueProblem("är inget av de tillåtna värdena: " + choices)
            return found
        return choice
    if kind is Kind.EMAIL:
        def email(raw: Any) -> str | None:
            text = clean_text(raw, keep_lines=False)
            if text and not EMAIL.fullmatch(text):
                raise ValueProblem("är ingen giltig e-postadress")
            return text
        return email
    return partial(clean_text, keep_lines=kind is Kind.LONGTEXT)


def range_check(field: Field) -> Callable[[Decimal | int], None] | None:
    """Raises ValueProblem for a value outside the field's bounds; None: no bounds."""
    low, high = field.minimum, field.maximum
    if low is None and high is None:
        return None
    low_value = Decimal(str(low)) if low is not None else None
    high_value = Decimal(str(high)) if high is not None else None
    bounds = f"mellan {fmt(low)} och {fmt(high)}" if low is not None and high is not None \
        else (f"minst {fmt(low)}" if low is not None else f"högst {fmt(high)}")

    def within(value: Decimal | int) -> None:
        if (low_value is not None and value < low_value) or (
                high_value is not None and value > high_value):
            raise ValueProblem(f"ska vara {bounds}")
    return within


def fmt(number: float | None) -> str:
    return f"{number:g}" if number is not None else ""


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())
