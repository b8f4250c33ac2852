"""Projects other than the example, as fills (sheet -> values) the tests build workbooks from."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.example import checklist, decisions, example_fill

QUIET_DAY = date(2011, 12, 10)
"""A day during the example project (and the fills below) when nothing is late yet: tests
that list a project's findings exactly check against it (`today=QUIET_DAY`)."""

HOSTILE_NAME = '=HYPERLINK("http://x";"klicka")'
HOSTILE = {
    "name": HOSTILE_NAME,
    "cost": "+46 70 123 45 67",
    "funder": "-1",
    "benefit": "@SUM(A1:A9)",
    "member": "=1+1",
}


def planning_fill() -> dict[str, Any]:
    """Phase Planering: BP1 approved, a rejected funding line, a contract without rate."""
    fill = example_fill()
    fill["Projekt"].update(projekt_id="AF-2024-02", projektnamn="Unga till jobb",
                           forvaltning="Arbetslivsförvaltningen", aktuell_fas="Planering",
                           startdatum=None, slutdatum=None)
    fill["Projekt"].update(startdatum=fill["Personkontrakt"][0]["fran"],
                           slutdatum=fill["Personkontrakt"][0]["till"])
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse"))
    fill["Beslut"] = decisions(("BP1",))
    fill["Kostnader"] = [
        {"kostnadsslag": "Personal", "beskrivning": "Coacher", "ar": 2024, "budget": 500000,
         "prognos": 480000},
        {"kostnadsslag": "Externa tjänster", "beskrivning": "Utvärdering", "ar": 2025,
         "budget": 120000, "utfall": 15000, "prognos": 120000},
    ]
    fill["Finansiering"] = [
        {"finansiar": "ESF+", "typ": "EU-fond", "form": "Kontant", "ar": 2024,
         "belopp": 300000, "status": "Beviljad"},
        {"finansiar": "Region Västernorrland", "typ": "Regional", "form": "Kontant",
         "ar": 2024, "belopp": 90000, "status": "Avslagen"},
        {"finansiar": "Arbetsförmedlingen", "typ": "Statlig", "form": "Arbetstid", "ar": 2024,
         "belopp": 150000, "status": "Sökt"},
    ]
    for person in fill["Personkontrakt"]:
        person.pop("timkostnad", None)
    fill["Personkontrakt"][1]["timmar"] = 37.5
    fill["Statusrapporter"] = []
    return fill


def closing_fill() -> dict[str, Any]:
    """Phase Avslut: BP1–BP3 approved."""
    fill = example_fill()
    fill["Projekt"].update(projekt_id="SF-2019-07", projektnamn="Trygg trafik",
                           forvaltning="Samhällsförvaltningen", aktuell_fas="Avslut")
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse", "Planering", "Genomförande"))
    fill["Beslut"] = decisions(("BP1", "BP2", "BP3"))
    fill["Kostnader"][0]["utfall"] = 251000
    fill["Slutrapport"] = {key: "Klart enligt plan." for key in (
        "sammanfattning", "maluppfyllelse_projektmal", "maluppfyllelse_effektmal",
        "leveranser", "mottagare", "erfarenheter", "uppfoljning")}
    fill["Nytta"].append({"nytta": "Färre olyckor", "typ": "Ekonomisk",
                          "varde_per_ar": 75000, "fran_ar": 2013, "antal_ar": 4})
    return fill


def erroneous_fill() -> dict[str, Any]:
    """Genomförande without BP2 (an error) and one budget that is not a number."""
    fill = example_fill()
    fill["Projekt"].update(projekt_id="SK-2023-11", projektnamn="Läslyftet",
                           forvaltning="Skolförvaltningen")
    fill["Beslut"] = decisions(("BP1",))
    fill["Kostnader"][2]["budget"] = "ungefär hundra tusen"
    return fill


def hostile_fill() -> dict[str, Any]:
    fill = example_fill()
    fill["Projekt"].update(projekt_id="KS-2024-66", projektnamn=HOSTILE["name"])
    fill["Kostnader"][0]["beskrivning"] = HOSTILE["cost"]
    fill["Finansiering"][0]["finansiar"] = HOSTILE["funder"]
    fill["Nytta"][0]["nytta"] = HOSTILE["benefit"]
    fill["Personkontrakt"][0]["projektmedlem"] = HOSTILE["member"]
    return fill
