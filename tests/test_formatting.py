"""Swedish formatting as the documents show it."""

from datetime import date, datetime
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


def test_zero_and_minus_zero_and_equal_values_written_differently() -> None:
    # Babel writes 0 and -0 apart; 1.50, 1.5 and the float 1.5 alike.
    assert [kr(Decimal("0")), kr(Decimal("-0")), kr(Decimal("0")), kr(-0.0), kr(0.0)] == [
        f"0{NBSP}kr", f"-0{NBSP}kr", f"0{NBSP}kr", f"-0{NBSP}kr", f"0{NBSP}kr"]
    assert [number(Decimal("1.50")), number(Decimal("1.5")), number(1.5)] == ["1,5"] * 3
    assert [kr(1500), kr(Decimal("1500.0")), kr(1500)] == [f"1{NBSP}500{NBSP}kr"] * 3
    assert [percent(Decimal("12.34")), percent(Decimal("12.34"))] == [f"12,3{NBSP}%"] * 2


def test_a_date_in_both_patterns_and_a_datetime_as_the_day_it_falls_on() -> None:
    when = date(2024, 12, 31)
    assert [day(when), long_day(when), day(when), long_day(when)] == [
        "2024-12-31", "31 december 2024", "2024-12-31", "31 december 2024"]
    assert [day(datetime(2024, 12, 31, 23, 59)), day(when)] == ["2024-12-31"] * 2
    assert [day(date(2024, 1, 1)), day(date(2024, 1, 2))] == ["2024-01-01", "2024-01-02"]
