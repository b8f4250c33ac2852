"""Messages a non-programmer follows: documents named as users see them, one finding per
problem, the nearest allowed choice, examples that fit the field, values as typed, cells
anyone can find, renamed sheets and columns recognised, why each document is not made,
the same findings from check and build, and Swedish singular and plural."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from pipeline.check import check_file
from pipeline.cli import main
from pipeline.findings import Finding, Report, Severity
from pipeline.report_text import format_report, summary_line
from tests.conftest import WorkbookFactory
from tests.fills import QUIET_DAY


def check(*paths: Path) -> tuple[int, str]:
    """`projektmodell check` on a day with no time-based findings, with no archive to
    compare with (whatever ./output holds)."""
    result = CliRunner().invoke(main, ["check", *map(str, paths), "--output",
                                       str(paths[0].parent / "ingen-utdata"),
                                       "--today", QUIET_DAY.isoformat()])
    return result.exit_code, result.output


def messages(report: Report, code: str) -> dict[str, str]:
    return {f.location: f.message for f in report.findings if f.code == code}


def edit(path: Path, change: Any) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def test_documents_are_named_as_users_see_them(fill: dict[str, Any],
                                               make_workbook: WorkbookFactory) -> None:
    fill["Statusrapporter"][1]["helhet"] = "grönt"
    fill["Personkontrakt"][0]["timmar"] = None
    code, output = check(make_workbook(fill))
    assert code == 1
    lines = output.splitlines()
    assert ("    FEL E3: 'Helhet': värdet 'grönt' är inget av de tillåtna värdena (Grön, Gul, "
            "Röd). Menade du Grön? [stoppar: Statusrapport 2]") in lines
    assert ("    FEL E2: 'Timmar' saknas. Fyll i cellen. [stoppar: Personkontrakt Nisse Berg]"
            in lines)
    assert lines[lines.index("  Dokument:") + 1:lines.index("  Dokument:") + 3] == [
        "    VARNING Statusrapport 2 skapas inte; rätta Statusrapporter!E3 så skapas den.",
        "    VARNING Personkontrakt Nisse Berg skapas inte; fyll i Personkontrakt!E2 så "
        "skapas den."]
    assert "statusrapport:" not in output and "personkontrakt:" not in output


def test_an_invalid_value_is_not_also_reported_missing(fill: dict[str, Any],
                                                       make_workbook: WorkbookFactory) -> None:
    """Each cell is one finding: the value that could not be read, not also 'obesvarad',
    'saknar datum' or 'inte Godkänt'."""
    fill["Checklistor"][0]["svar"] = "Jaa"  # R1, BP1 approved
    fill["Checklistor"][28]["svar"] = "nja"  # G6, the current phase's to-do list
    fill["Beslut"][0]["beslut"] = "Godkänd"  # BP1, the project is past it
    fill["Beslut"][1]["datum"] = "i våras"  # BP2, approved
    report = check_file(make_workbook(fill)).report
    assert [(f.code, f.location) for f in report.errors] == [
        ("invalid-value", "Checklistor!D2"), ("invalid-value", "Checklistor!D30"),
        ("invalid-value", "Beslut!C2"), ("invalid-value", "Beslut!D3")]
    assert not report.codes() & {"checklist-blocks-decision", "decision-missing",
                                 "decision-date-missing"}
    assert "Checklistor!D30" not in messages(report, "checklist-open")
    assert messages(report, "invalid-value")["Checklistor!D2"] == (
        "'Svar': värdet 'Jaa' är inget av de tillåtna värdena (Ja, Nej, Ej aktuellt). "
        "Menade du Ja?")


def test_nearest_choice_only_when_it_is_close(fill: dict[str, Any],
                                              make_workbook: WorkbookFactory) -> None:
    fill["Kostnader"][0]["kostnadsslag"] = "Fika"
    fill["Kostnader"][1]["kostnadsslag"] = "resa"
    invalid = messages(check_file(make_workbook(fill)).report, "invalid-value")
    assert invalid["Kostnader!A2"].endswith("Indirekta kostnader, Övrigt).")
    assert invalid["Kostnader!A3"].endswith("Övrigt). Menade du Resor?")


def test_examples_fit_the_field_and_values_show_as_typed(fill: dict[str, Any],
                                                        make_workbook: WorkbookFactory) -> None:
    fill["Risker"][0].update(sannolikhet="hög", konsekvens=2.5)
    fill["Risker"][1]["konsekvens"] = 7
    fill["Kostnader"][0].update(ar="tjugo", budget="mycket")
    fill["Kostnader"][1]["ar"] = 1890
    fill["Personkontrakt"][0]["fran"] = "snart"
    fill["Projekt"]["budgettolerans"] = "en del"
    fill["Statusrapporter"][0]["rapport_nr"] = "första"
    invalid = messages(check_file(make_workbook(fill)).report, "invalid-value")
    assert invalid == {
        "Projekt!B26": "'Budgettolerans (%)': värdet 'en del' kan inte läsas som ett tal; "
                       "skriv en procentsats mellan 0 och 100, t.ex. 10.",
        "Risker!B2": "'Sannolikhet': värdet 'hög' kan inte läsas som ett tal; skriv ett "
                     "heltal mellan 1 och 5.",
        "Risker!C2": "'Konsekvens': värdet 2,5 är inte ett heltal; skriv ett heltal mellan 1 "
                     "och 5.",
        "Risker!C3": "'Konsekvens': värdet 7 ska vara ett heltal mellan 1 och 5.",
        "Kostnader!C2": "'År': värdet 'tjugo' kan inte läsas som ett tal; skriv ett årtal, "
                        "t.ex. 2024.",
        "Kostnader!D2": "'Budget (kr)': värdet 'mycket' kan inte läsas som ett tal; skriv ett "
                        "belopp i kronor, t.ex. 12 500.",
        "Kostnader!C3": "'År': värdet 1890 ska vara ett årtal mellan 1990 och 2100.",
        "Personkontrakt!F2": "'Från': värdet 'snart' kan inte läsas som ett datum; skriv ett "
                             "datum, t.ex. 2024-03-15.",
        "Statusrapporter!A2": "'Rapport nr': värdet 'första' kan inte läsas som ett tal; skriv "
                              "ett heltal, minst 1, t.ex. 3.",
    }
    finding = next(f for f in check_file(make_workbook(fill)).report.findings
                   if f.location == "Risker!C3")
    assert finding.value == "7"


def test_a_renamed_sheet_is_recognised_and_named(make_workbook: WorkbookFactory) -> None:
    path = edit(make_workbook(), lambda book: setattr(book["Nytta"], "title", "Nyttor"))
    report = check_file(path).report
    assert [(f.code, f.location, f.message) for f in report.errors] == [
        ("sheet-missing", "Nytta", "Bladet 'Nytta' saknas. Bladet 'Nyttor' är troligen det. "
                                   "Byt tillbaka namnet till 'Nytta'.")]


def test_a_sheet_with_no_likely_stand_in_says_how_to_get_it_back(
        make_workbook: WorkbookFactory) -> None:
    path = edit(make_workbook(), lambda book: book.remove(book["Nytta"]))
    (finding,) = check_file(path).report.errors
    assert finding.message == ("Bladet 'Nytta' saknas. Lägg tillbaka det (kopiera det från en "
                               "ny, tom arbetsbok) utan att byta namn på det.")


def test_a_renamed_column_is_recognised_at_its_cell(make_workbook: WorkbookFactory) -> None:
    """The issue's case: `Budget (kr)` renamed `Budget` gave 175 525 kr av 0 kr, silently."""
    path = edit(make_workbook(), lambda book: setattr(book["Kostnader"]["D1"], "value",
                                                      "Budget"))
    report = check_file(path).report
    assert [(f.code, f.location, f.message) for f in report.errors] == [
        ("column-missing", "Kostnader!D1",
         "Kolumnen 'Budget (kr)' saknas i rubrikraden (rad 1) på bladet 'Kostnader'; rubriken "
         "'Budget' i D1 är troligen den. Skriv rubriken exakt så.")]
    assert report.errors[0].stops == ("Projektdirektiv", "Projektplan")


def test_a_renamed_label_is_recognised_at_its_cell(make_workbook: WorkbookFactory) -> None:
    path = edit(make_workbook(), lambda book: setattr(book["Projekt"]["A15"], "value",
                                                      "Syftet"))
    report = check_file(path).report
    assert [(f.code, f.location, f.message) for f in report.errors] == [
        ("label-missing", "Projekt!A15",
         "Raden 'Syfte' saknas i kolumn A på bladet 'Projekt'. Raden 'Syftet' är troligen "
         "den. Skriv tillbaka etiketten exakt så och värdet i kolumn B.")]


def test_check_and_build_give_the_same_findings(tmp_path: Path, fill: dict[str, Any],
                                                 make_workbook: WorkbookFactory) -> None:
    fill["Risker"][1]["konsekvens"] = 7
    fill["Statusrapporter"][2]["sammanfattning"] = None
    fill["Kostnader"][0]["utfall"] = "12.000"
    workbook = make_workbook(fill, name="projekt.xlsx", folder=tmp_path / "in")
    day = ["--today", QUIET_DAY.isoformat()]  # no time-based findings on that day
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in"), str(tmp_path / "out"),
                                       *day])
    checked = CliRunner().invoke(main, ["check", str(workbook), "--output",
                                        str(tmp_path / "out"), *day])
    code, output = checked.exit_code, checked.output
    assert code == result.exit_code == 1
    kontrollrapport = (tmp_path / "out" / "KS-2011-01 Föräldrastöd" / "Kontrollrapport.txt"
                       ).read_text(encoding="utf-8")
    assert output.split("\n\n")[0] + "\n" == kontrollrapport
    assert kontrollrapport.startswith("projekt.xlsx (Föräldrastöd): FEL, 2 fel, 10 varningar")
    assert "Statusrapport 3 skapas inte" in kontrollrapport


def finding(severity: Severity) -> Finding:
    return Finding("x", severity, "Text.")


def test_swedish_singular_and_plural(fill: dict[str, Any],
                                     make_workbook: WorkbookFactory) -> None:
    one = Report("a.xlsx", "A-1", "A", [finding(Severity.ERROR), finding(Severity.WARNING)])
    two = Report("b.xlsx", "B-1", "B", [finding(Severity.WARNING)] * 2)
    assert summary_line(one) == "a.xlsx (A): FEL, 1 fel, 1 varning"
    assert summary_line(two) == "b.xlsx (B): OK, 0 fel, 2 varningar"
    assert format_report(one).splitlines()[0] == summary_line(one)
    code, output = check(make_workbook(fill))
    assert code == 0
    assert output.splitlines()[-1] == "1 arbetsbok kontrollerad: 0 fel, 6 varningar."
    other = {**fill, "Projekt": {**fill["Projekt"], "projekt_id": "KS-2011-02",
                                 "projektnamn": "Föräldrastöd 2"}}
    output = check(make_workbook(fill), make_workbook(other))[1]
    assert output.splitlines()[-1] == "2 arbetsböcker kontrollerade: 0 fel, 12 varningar."
