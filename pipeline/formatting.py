"""Swedish formatting through Babel: dates, `1 234 567 kr`, `25 %`.

The locale and number patterns are parsed once: Babel would parse them on every call,
and a build formats thousands of figures. Each figure is formatted by Babel once per
process: budgets repeat the same round amounts (on the bench workbooks four calls in five
are a value formatted before). Dates are remembered the same way: a project's dates recur
in every document and row that names them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

LOCALE = Locale.parse("sv_SE")
WHOLE = parse_pattern("#,##0")
DECIMALS = parse_pattern("#,##0.##")
ONE_DECIMAL = parse_pattern("#,##0.#")
FORMATTED_KEPT = 16384
_formatted: dict[tuple[NumberPattern, type, str], str] = {}
_dates: dict[tuple[str, type, date], str] = {}


def apply(pattern: NumberPattern, value: Decimal | int | float) -> str:
    """Babel's `pattern.apply(value, LOCALE)`, remembered per pattern and value as written
    (by its type and exact text: 0 and -0 are equal but Babel writes "0" and "-0")."""
    key = (pattern, type(value), str(value))
    text = _formatted.get(key)
    if text is None:
        if len(_formatted) >= FORMATTED_KEPT:
            _formatted.clear()
        text = _formatted[key] = pattern.apply(value, LOCALE)
    return text


def kr(value: Decimal | int | float | None) -> str:
    """`1 234 567 kr`, whole kronor; empty for no value."""
    if value is None:
        return ""
    return f"{apply(WHOLE, value)}\u00a0kr"


def number(value: Decimal | int | float | None) -> str:
    """`40`, `37,5`, `1 234`."""
    if value is None:
        return ""
    return apply(DECIMALS, value)


def percent(value: Decimal | int | float | None) -> str:
    """A share given in percent (25 for 25 %) as `25 %`."""
    if value is None:
        return ""
    return f"{apply(ONE_DECIMAL, value)}\u00a0%"


def formatted_date(pattern: str, value: date) -> str:
    """Babel's `format_date(value, pattern, locale=LOCALE)`, remembered per pattern and
    value (and its type: a datetime is not the date it falls on)."""
    key = (pattern, type(value), value)
    text = _dates.get(key)
    if text is None:
        if len(_dates) >= FORMATTED_KEPT:
            _dates.clear()
        text = _dates[key] = format_date(value, pattern, locale=LOCALE)
    return text


def day(value: date | None) -> str:
    """`2011-01-15`, as Swedish documents write dates."""
    return formatted_date("yyyy-MM-dd", value) if value else ""


def long_day(value: date | None) -> str:
    """`15 januari 2011`."""
    return formatted_date("d MMMM y", value) if value else ""
