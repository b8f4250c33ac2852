"""Swedish formatting through Babel: dates, `1 234 567 kr`, `25 %`.

The locale and number patterns are parsed once (Babel would parse them on every call).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import parse_pattern

LOCALE = Locale.parse("sv_SE")
WHOLE = parse_pattern("#,##0")
DECIMALS = parse_pattern("#,##0.##")
ONE_DECIMAL = parse_pattern("#,##0.#")


def kr(value: Decimal | int | float | None) -> str:
    """`1 234 567 kr`, whole kronor; empty for no value."""
    if value is None:
        return ""
    return f"{WHOLE.apply(value, LOCALE)}\u00a0kr"


def number(value: Decimal | int | float | None) -> str:
    """`40`, `37,5`, `1 234`."""
    if value is None:
        return ""
    return DECIMALS.apply(value, LOCALE)


def percent(value: Decimal | int | float | None) -> str:
    """A share given in percent (25 for 25 %) as `25 %`."""
    if value is None:
        return ""
    return f"{ONE_DECIMAL.apply(value, LOCALE)}\u00a0%"


def day(value: date | None) -> str:
    """`2011-01-15`, as Swedish documents write dates."""
    return format_date(value, "yyyy-MM-dd", locale=LOCALE) if value else ""


def long_day(value: date | None) -> str:
    """`15 januari 2011`."""
    return format_date(value, "d MMMM y", locale=LOCALE) if value else ""
