"""Swedish formatting through Babel: dates, `1 234 567 kr`, `25 %`.

The locale and number patterns are parsed once: Babel would parse them on every call,
and a build formats thousands of figures. Decimals, integers and dates, which is what the
documents format, take a direct path that does Babel's steps for these patterns (scale,
sign, normalize, quantize, group by three with a no-break space, Swedish decimal comma);
everything else goes to Babel. tests/test_formatting.py holds the two paths equal.
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
GROUP = LOCALE.number_symbols["latn"]["group"]
DECIMAL_SIGN = LOCALE.number_symbols["latn"]["decimal"]
QUANTUM = {digits: Decimal(10) ** -digits for digits in (0, 1, 2)}


def apply(pattern: NumberPattern, value: Decimal | int | float) -> str:
    """`pattern.apply(value, LOCALE)`, directly for a finite Decimal or an int."""
    kind = type(value)
    if kind is not Decimal and kind is not int:
        return pattern.apply(value, LOCALE)
    try:
        digits = Decimal(value).scaleb(0)  # Babel: Decimal(str(value)); equal for int
        if not digits.is_finite():
            return pattern.apply(value, LOCALE)
        negative = digits.is_signed()
        _, max_fraction = pattern.frac_prec
        rounded = abs(digits).normalize().quantize(QUANTUM[max_fraction])
    except ArithmeticError:  # Babel raises the same, or formats what this does not
        return pattern.apply(value, LOCALE)
    whole, _, fraction = f"{rounded:f}".partition(".")
    if len(whole) > 3:
        groups = []
        while len(whole) > 3:
            groups.append(whole[-3:])
            whole = whole[:-3]
        whole = GROUP.join([whole, *reversed(groups)])
    fraction = fraction.rstrip("0")
    text = f"{whole}{DECIMAL_SIGN}{fraction}" if fraction else whole
    return f"-{text}" if negative else text


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


def day(value: date | None) -> str:
    """`2011-01-15`, as Swedish documents write dates."""
    if not value:
        return ""
    if isinstance(value, date):  # Babel's yyyy-MM-dd: zero-padded year, month and day
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return format_date(value, "yyyy-MM-dd", locale=LOCALE)


def long_day(value: date | None) -> str:
    """`15 januari 2011`."""
    return format_date(value, "d MMMM y", locale=LOCALE) if value else ""
