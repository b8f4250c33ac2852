"""The finding catalogue: every code declared once, the README's list made from it."""

from __future__ import annotations

import re

import pytest

from pipeline import catalogue
from pipeline.findings import Severity
from tests.conftest import ROOT


def test_the_readme_lists_every_finding_code_as_the_catalogue_declares_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert catalogue.with_table(readme) == readme, (
        "regenerate with: python -m pipeline.catalogue README.md")


def test_every_code_the_program_reports_is_in_the_catalogue() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "pipeline").rglob("*.py")
                        if p.name != "catalogue.py")
    used = set(re.findall(r"\b[A-Z][A-Z_]+[A-Z]\b", sources))
    declared = {name for name, value in vars(catalogue).items()
                if isinstance(value, catalogue.FindingType)}
    assert declared - used == set(), "declared but never used"
    assert len(catalogue.CATALOGUE) == len(declared), "two types share a code"


def test_a_finding_is_its_template_filled_in_then_what_to_do() -> None:
    finding = catalogue.MISSING_VALUE(label="Syfte", sheet="Projekt", cell="B14",
                                      blocks=("projektdirektiv",))
    assert finding.message == "'Syfte' saknas. Fyll i cellen."
    assert (finding.code, finding.severity, finding.location, finding.blocks) == (
        "missing-value", Severity.ERROR, "Projekt!B14", ("projektdirektiv",))


def test_a_type_whose_severity_the_rule_decides_needs_one() -> None:
    with pytest.raises(ValueError, match="label-missing"):
        catalogue.LABEL_MISSING(label="Syfte", sheet="Projekt", guess="")
    assert catalogue.LABEL_MISSING(label="Syfte", sheet="Projekt", guess="",
                                   severity=Severity.WARNING).severity is Severity.WARNING
