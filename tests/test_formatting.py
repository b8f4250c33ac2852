"""Swedish formatting as the documents show it."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from pipeline.formatting import day, kr, long_day, number, percent

NBSP = "\u00a0"


def test_amounts_numbers_and_percent_in_swedish() -> None:
    assert kr(Decimal("1234567.4")) == f"1{NBSP}234{NBSP}567{NBSP}kr"
    assert kr(-1500) == f"-1{NBSP}500{NBSP}kr"
    assert kr(None) == ""
    assert number(Decimal("37.5")) == "37,5"
    assert percent(25) == f"25{NBSP}%"


def test_dates_in_swedish() -> None:
    assert day(date(2011, 1, 15)) == "2011-01-15"
    assert long_day(date(2011, 1, 15)) == "15 januari 2011"
    assert day(None) == ""


def babel_number(pattern: str, value: object) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, pattern, locale="sv_SE")


def many_values() -> list[object]:
    """Amounts as workbooks give them: whole, with öre, tiny, huge, negative, zero."""
    import random

    rng = random.Random(6)
    values: list[object] = [0, -0, 1, -1, 999, 1000, -1000, 10**6, 10**27, -(10**28) - 7,
                            Decimal("0"), Decimal("-0"), Decimal("-0.0"), Decimal("0.5"),
                            Decimal("1.5"), Decimal("2.5"), Decimal("-2.5"), Decimal("0.05"),
                            Decimal("0.15"), Decimal("0.25"), Decimal("0.005"), Decimal("0.994"),
                            Decimal("0.995"), Decimal("999.95"), Decimal("1E+3"),
                            Decimal("1.00E+5"), Decimal("12345678901234567890123456.789"),
                            Decimal("1E-30"), Decimal("-1E-30"), Decimal("37.50")]
    for _ in range(3000):
        digits = rng.randint(0, 10**rng.randint(1, 12))
        exponent = rng.randint(-6, 3)
        sign = rng.choice(("", "-"))
        values.append(Decimal(f"{sign}{digits}E{exponent}"))
        values.append(rng.randint(-10**9, 10**9))
    return values


def outcome(format_value: Callable[[], str]) -> str:
    """The text, or the kind of error (Babel cannot round 10**27 to two decimals)."""
    try:
        return format_value()
    except ArithmeticError as exc:
        return type(exc).__name__


def test_numbers_equal_babel_for_every_kind_of_value() -> None:
    """The direct path gives Babel's text, rounding half to even as Babel does."""
    for value in many_values():
        for ours, pattern, unit in ((kr, "#,##0", f"{NBSP}kr"), (number, "#,##0.##", ""),
                                    (percent, "#,##0.#", f"{NBSP}%")):
            expected = outcome(lambda: babel_number(pattern, value) + unit)  # noqa: B023
            assert outcome(lambda: ours(value)) == expected, (value, pattern)  # noqa: B023
    assert kr(1234.5) == f"1{NBSP}234{NBSP}kr"  # a float goes to Babel
    assert number(Decimal("NaN")) == "NaN"


def test_dates_equal_babel() -> None:
    from datetime import datetime, timedelta

    from babel.dates import format_date

    days = [date(1, 1, 1), date(999, 12, 31), date(2011, 1, 15), datetime(2024, 2, 29, 23, 59)]
    days += [date(1990, 1, 1) + timedelta(days=step * 37) for step in range(400)]
    for value in days:
        assert day(value) == format_date(value, "yyyy-MM-dd", locale="sv_SE"), value
