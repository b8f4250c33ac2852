"""Ambiguity is a finding, never a guess: `12.000`, `1/2/2011` and dates typed as text are
read one way and reported; figures of workbooks with errors are marked, and the totals
say how many such workbooks they include."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from pipeline.check import check_file
from pipeline.portfolio import PortfolioEntry, index_html, summarize
from tests.conftest import WorkbookFactory
from tests.fills import erroneous_fill


def findings_at(report: Any, code: str) -> dict[str, str]:
    return {f.location: f.message for f in report.findings if f.code == code}


@pytest.mark.parametrize("typed", ["12.000", "12,000", "12.000 kr"])
def test_a_single_mark_before_three_digits_is_read_as_thousands_with_a_warning(
        typed: str, fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    fill["Kostnader"][0]["utfall"] = typed
    checked = check_file(make_workbook(fill))
    assert checked.project.kostnader[0].utfall == Decimal(12000)
    assert checked.report.ok
    assert findings_at(checked.report, "ambiguous-number") == {
        "Kostnader!E2": f"'Utfall (kr)': '{typed}' kan läsas på två sätt; det lästes som "
                        "12\u00a0000. Skriv 12\u00a0000 om det stämmer, annars 12."}


@pytest.mark.parametrize(("typed", "read"), [
    ("1.234.567", Decimal(1234567)), ("1,234,567", Decimal(1234567)),
    ("1 234,50", Decimal("1234.50")), ("1.234,50", Decimal("1234.50")),
    ("0,125", Decimal("0.125")), ("12,5", Decimal("12.5")), ("12000", Decimal(12000)),
])
def test_numbers_that_read_one_way_only_give_no_warning(
        typed: str, read: Decimal, fill: dict[str, Any],
        make_workbook: WorkbookFactory) -> None:
    fill["Kostnader"][0]["utfall"] = typed
    checked = check_file(make_workbook(fill))
    assert checked.project.kostnader[0].utfall == read
    assert "ambiguous-number" not in checked.report.codes()


def test_a_year_and_hours_typed_with_a_thousands_mark(fill: dict[str, Any],
                                                       make_workbook: WorkbookFactory) -> None:
    fill["Kostnader"][0]["ar"] = "2.011"
    fill["Personkontrakt"][0]["timmar"] = "1,500"
    checked = check_file(make_workbook(fill))
    assert (checked.project.kostnader[0].ar, checked.project.personkontrakt[0].timmar) == (
        2011, Decimal(1500))
    assert set(findings_at(checked.report, "ambiguous-number")) == {
        "Kostnader!C2", "Personkontrakt!E2"}
    assert findings_at(checked.report, "ambiguous-number")["Personkontrakt!E2"].endswith(
        "Skriv 1\u00a0500 om det stämmer, annars 1,5.")


def test_a_date_whose_day_and_month_could_swap_is_read_day_first_with_a_warning(
        fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    fill["Personkontrakt"][0]["fran"] = "1/2/2011"
    checked = check_file(make_workbook(fill))
    assert checked.project.personkontrakt[0].fran == date(2011, 2, 1)
    assert checked.report.ok
    assert findings_at(checked.report, "ambiguous-date") == {
        "Personkontrakt!F2": "'Från': '1/2/2011' kan vara både 1 februari 2011 och 2 januari "
                             "2011; det lästes som 1 februari 2011. Skriv datumet som "
                             "ÅÅÅÅ-MM-DD, t.ex. 2011-02-01."}
    assert "date-from-text" not in checked.report.codes()  # one finding for one problem


def test_every_date_read_from_text_says_how_it_was_read(fill: dict[str, Any],
                                                        make_workbook: WorkbookFactory) -> None:
    fill["Personkontrakt"][0].update(fran="15/1/2011", till="15 jan 2012")
    fill["Personkontrakt"][1].update(fran="2011-01-20", till="1.1.2012")  # the same day twice
    checked = check_file(make_workbook(fill))
    assert checked.report.ok
    assert findings_at(checked.report, "date-from-text") == {
        "Personkontrakt!F2": "'Från': texten '15/1/2011' lästes som datumet 15 januari 2011. "
                             "Skriv det som ett datum, t.ex. 2011-01-15, i en cell med "
                             "datumformat.",
        "Personkontrakt!G2": "'Till': texten '15 jan 2012' lästes som datumet 15 januari 2012. "
                             "Skriv det som ett datum, t.ex. 2012-01-15, i en cell med "
                             "datumformat.",
        "Personkontrakt!F3": "'Från': texten '2011-01-20' lästes som datumet 20 januari 2011. "
                             "Skriv det som ett datum, t.ex. 2011-01-20, i en cell med "
                             "datumformat.",
        "Personkontrakt!G3": "'Till': texten '1.1.2012' lästes som datumet 1 januari 2012. "
                             "Skriv det som ett datum, t.ex. 2012-01-01, i en cell med "
                             "datumformat."}


def test_real_dates_and_numbers_give_no_warning(checked_example: Any) -> None:
    assert not checked_example.report.codes() & {"ambiguous-number", "ambiguous-date",
                                                 "date-from-text"}


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return re.sub(r"[ \t\n]+", " ", " ".join(parser.parts))


def test_index_marks_the_figures_of_a_workbook_with_errors_and_its_totals_count_it(
        fill: dict[str, Any], make_workbook: WorkbookFactory) -> None:
    good, bad = check_file(make_workbook(fill)), check_file(make_workbook(erroneous_fill()))
    assert good.report.ok and not bad.report.ok
    entries = [PortfolioEntry(summarize(c), c.report.file, [], None) for c in (good, bad)]
    text = page_text(index_html(entries, datetime(2026, 12, 1, 6, 0)))
    assert ("2 projekt · budget 777\u00a0000\u00a0kr · utfall 808\u00a0050\u00a0kr "
            "(summorna innehåller 1 arbetsbok med fel) · 1 arbetsbok med fel") in text
    assert text.count("Osäkra siffror: arbetsboken har fel") == 1
    # the row with the mark is the one with errors
    assert text.index("SK-2023-11") < text.index("Osäkra siffror")
