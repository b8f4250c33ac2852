"""The shipped example: the seed's own project, Föräldrastöd, in phase Genomförande.

`python -m pipeline.example` regenerates input/Föräldrastöd.xlsx. Tests build variants
of it with `example_fill()` and the writer.
"""

from __future__ import annotations

import copy
import sys
from datetime import date
from pathlib import Path
from typing import Any

from pipeline import contract
from pipeline.model import CHECKLIST_ITEMS, PHASES
from pipeline.workbook.writer import build_workbook

EXAMPLE_NAME = "Föräldrastöd"
EXAMPLE_ID = "KS-2011-01"
EXAMPLE_FILE = f"{EXAMPLE_NAME}.xlsx"

ANSWERED_CHECKLISTS = ("Relevans", "Förberedelse", "Planering")


def checklist(answered: tuple[str, ...] = ANSWERED_CHECKLISTS) -> list[dict[str, Any]]:
    rows = []
    for item in CHECKLIST_ITEMS:
        row: dict[str, Any] = {"fas": item.checklist, "id": item.id, "kontrollpunkt": item.text}
        if item.checklist in answered:
            row.update(svar="Ja", ansvarig="Karin Lund", datum=date(2011, 1, 10))
        rows.append(row)
    omvarld = next(r for r in rows if r["id"] == "R3")
    if "svar" in omvarld:
        omvarld.update(svar="Ej aktuellt",
                       kommentar="Omvärldsanalysen gjordes i förstudien 2010 (dnr KS 2010/77).")
    return rows


def decisions(approved: tuple[str, ...] = ("BP1", "BP2")) -> list[dict[str, Any]]:
    dates = {"BP1": date(2011, 1, 15), "BP2": date(2011, 3, 1), "BP3": date(2011, 12, 15),
             "BP4": date(2012, 1, 13)}
    rows = []
    for phase in PHASES:
        row: dict[str, Any] = {"beslutspunkt": phase.decision_point, "innebord": phase.decides}
        if phase.decision_point in approved:
            row.update(beslut="Godkänt", datum=dates[phase.decision_point],
                       beslutsfattare="Styrgruppen, ordf. Eva Sjöberg")
        rows.append(row)
    return rows


def example_fill() -> dict[str, Any]:
    """The example's values by sheet, as the writer takes them; tests copy and vary it."""
    return copy.deepcopy({
        contract.PROJEKT.name: {
            "projekt_id": EXAMPLE_ID,
            "projektnamn": EXAMPLE_NAME,
            "forvaltning": "Socialförvaltningen",
            "verksamhet": "Individ- och familjeomsorg",
            "bestallare": "Eva Sjöberg",
            "projektledare": "Karin Lund",
            "aktuell_fas": "Genomförande",
            "startdatum": date(2011, 1, 15),
            "slutdatum": date(2012, 1, 15),
            "diarienummer": "KS 2010/123",
            "fond_program": "Europeiska socialfonden",
            "bakgrund": "Många föräldrar i Härnösand efterfrågar stöd i föräldrarollen. "
                        "Socialtjänstens insatser kommer ofta sent, när problemen redan är "
                        "stora.\nOm inget görs väntas fler orosanmälningar och dyrare insatser.",
            "syfte": "Att ge föräldrar med barn 0–17 år tidigt och lättillgängligt stöd.",
            "koppling_till_mal": "Kommunens mål om en god uppväxt och förebyggande arbete "
                                 "(verksamhetsplan 2011, utvecklingsområde 3).",
            "effektmal": "Färre orosanmälningar för barn 0–17 år: minst 15 % färre 2013 "
                         "jämfört med 2010.",
            "projektmal": "120 föräldrar har gått en föräldrautbildning och 10 gruppledare "
                          "är utbildade när projektet slutar.",
            "avgransningar": "Projektet omfattar inte behandlande insatser eller "
                             "myndighetsutövning.",
            "malgrupp": "Föräldrar med barn 0–17 år; förskola, skola, BVC och "
                        "socialtjänst som intressenter.",
            "omvarldsanalys": "Sundsvall och Kramfors har goda erfarenheter av ABC och "
                              "Komet.",
            "kommunikation": "Informationsträffar, kommunens webbplats och nyhetsbrev "
                             "varannan månad till styrgrupp och intressenter.",
            "overlamning": "Föräldrastödet överlämnas till Individ- och familjeomsorgen "
                           "som permanent verksamhet.",
            "uppfoljning_effektmal": "Verksamhetschefen följer upp orosanmälningarna i "
                                     "årsbokslutet 2013.",
            "rapporteringsintervall": "Kvartalsvis",
            "budgettolerans": 10,
        },
        contract.ORGANISATION.name: [
            {"roll": "Beställare", "namn": "Eva Sjöberg", "befattning": "Socialchef",
             "enhet": "Socialförvaltningen", "epost": "eva.sjoberg@harnosand.se",
             "telefon": "0611-34 80 00"},
            {"roll": "Projektledare", "namn": "Karin Lund", "befattning": "Utvecklare",
             "enhet": "Individ- och familjeomsorgen", "epost": "karin.lund@harnosand.se"},
            {"roll": "Styrgrupp", "namn": "Bo Andersson", "befattning": "Verksamhetschef",
             "enhet": "Individ- och familjeomsorgen"},
            {"roll": "Projektmedlem", "namn": "Nisse Berg", "befattning": "Familjebehandlare",
             "enhet": "Individ- och familjeomsorgen"},
            {"roll": "Projektmedlem", "namn": "Lena Holm", "befattning": "Förskollärare",
             "enhet": "Skolförvaltningen"},
            {"roll": "Mottagare", "namn": "Individ- och familjeomsorgen"},
        ],
        contract.PERSONKONTRAKT.name: [
            {"projektmedlem": "Nisse Berg", "befattning": "Familjebehandlare",
             "enhet": "Individ- och familjeomsorgen",
             "arbetsuppgifter": "Gruppledare för föräldragrupper; utbildar nya gruppledare.",
             "timmar": 40, "fran": date(2011, 1, 15), "till": date(2012, 1, 15),
             "resursgivare": "Bo Andersson", "resursgivare_befattning": "Verksamhetschef",
             "timkostnad": 420, "tidsfinansiering": "Medfinansiering arbetstid",
             "sarskild_kompetens": "Utbildad ABC-gruppledare",
             "ort": "Härnösand", "datum": date(2011, 1, 15)},
            {"projektmedlem": "Lena Holm", "befattning": "Förskollärare",
             "enhet": "Skolförvaltningen",
             "arbetsuppgifter": "Kontakt med förskolorna och rekrytering av föräldrar.",
             "timmar": 60, "fran": date(2011, 2, 1), "till": date(2011, 12, 31),
             "resursgivare": "Maria Ek", "resursgivare_befattning": "Förskolechef",
             "tidsfinansiering": "Projektbudget", "ort": "Härnösand",
             "datum": date(2011, 1, 20)},
        ],
        contract.CHECKLISTOR.name: checklist(),
        contract.BESLUT.name: decisions(),
        contract.RISKER.name: [
            {"risk": "För få föräldrar anmäler sig", "sannolikhet": 3, "konsekvens": 4,
             "atgard": "Rekrytera via förskola och BVC", "ansvarig": "Lena Holm",
             "status": "Öppen"},
            {"risk": "Gruppledare slutar under projektet", "sannolikhet": 2, "konsekvens": 3,
             "atgard": "Utbilda två reserver", "ansvarig": "Karin Lund", "status": "Hanterad"},
            {"risk": "ESF-medel betalas ut sent", "sannolikhet": 2, "konsekvens": 5,
             "atgard": "Likviditetsplan med ekonomikontoret", "ansvarig": "Åsa Rönnlund",
             "status": "Öppen"},
        ],
        contract.AKTIVITETER.name: [
            {"aktivitet": "Utbilda gruppledare", "leverans": "10 utbildade gruppledare",
             "ansvarig": "Nisse Berg", "start": date(2011, 2, 1), "slut": date(2011, 4, 30),
             "status": "Klar"},
            {"aktivitet": "Föräldragrupper vår", "leverans": "Milstolpe: 60 föräldrar",
             "ansvarig": "Karin Lund", "start": date(2011, 5, 1), "slut": date(2011, 6, 30),
             "status": "Klar"},
            {"aktivitet": "Föräldragrupper höst", "leverans": "Milstolpe: 120 föräldrar",
             "ansvarig": "Karin Lund", "start": date(2011, 9, 1), "slut": date(2011, 12, 15),
             "status": "Försenad"},
            {"aktivitet": "Överlämning till IFO", "leverans": "Överlämningsplan",
             "ansvarig": "Eva Sjöberg", "start": date(2011, 11, 1), "slut": date(2012, 1, 15),
             "status": "Ej påbörjad"},
        ],
        contract.KOSTNADER.name: [
            {"kostnadsslag": "Personal", "beskrivning": "Projektledare 50 %", "ar": 2011,
             "budget": 240000, "utfall": 228500, "prognos": 240000},
            {"kostnadsslag": "Personal", "beskrivning": "Projektledare 50 %", "ar": 2012,
             "budget": 10000, "prognos": 10000},
            {"kostnadsslag": "Externa tjänster", "beskrivning": "ABC-utbildning", "ar": 2011,
             "budget": 85000, "utfall": 85000, "prognos": 85000},
            {"kostnadsslag": "Resor", "beskrivning": "Nätverksträffar i länet", "ar": 2011,
             "budget": 12000, "utfall": 7400, "prognos": 10000},
            {"kostnadsslag": "Lokaler", "beskrivning": "Grupplokal", "ar": 2011,
             "budget": 30000, "utfall": 27500, "prognos": 30000},
            {"kostnadsslag": "Material", "beskrivning": "Kursmaterial", "ar": 2011,
             "budget": 18000, "utfall": 21350, "prognos": 22000},
            {"kostnadsslag": "Indirekta kostnader", "beskrivning": "15 % av personal",
             "ar": 2011, "budget": 36000, "utfall": 34275, "prognos": 36000},
        ],
        contract.FINANSIERING.name: [
            {"finansiar": "Europeiska socialfonden", "typ": "EU-fond", "form": "Kontant",
             "ar": 2011, "belopp": 215000, "status": "Beviljad"},
            {"finansiar": "Härnösands kommun, Socialförvaltningen", "typ": "Kommunal",
             "form": "Kontant", "ar": 2011, "belopp": 190000, "status": "Beviljad"},
            {"finansiar": "Härnösands kommun, arbetstid", "typ": "Kommunal",
             "form": "Arbetstid", "ar": 2011, "belopp": 26000, "status": "Beviljad"},
        ],
        contract.NYTTA.name: [
            {"nytta": "Färre placeringar utanför hemmet", "typ": "Ekonomisk",
             "indikator": "Antal placeringar per år", "varde_per_ar": 150000, "fran_ar": 2012,
             "antal_ar": 3, "ansvarig": "Eva Sjöberg"},
            {"nytta": "Gruppledarkompetens stannar i IFO", "typ": "Omfördelning",
             "indikator": "Antal gruppledare", "varde_per_ar": 40000, "fran_ar": 2012,
             "antal_ar": 2, "ansvarig": "Bo Andersson"},
            {"nytta": "Tryggare föräldrar", "typ": "Kvalitativ",
             "indikator": "Enkät till deltagarna", "ansvarig": "Karin Lund"},
        ],
        contract.STATUSRAPPORTER.name: [
            {"rapport_nr": 1, "period_fran": date(2011, 3, 1), "period_till": date(2011, 5, 31),
             "rapportdatum": date(2011, 6, 7), "helhet": "Grön", "tid": "Grön",
             "kostnad": "Grön", "kvalitet": "Grön",
             "sammanfattning": "Gruppledarna är utbildade och vårens grupper har startat.",
             "genomfort": "10 gruppledare utbildade. 4 föräldragrupper startade.",
             "planerat": "Avsluta vårens grupper, planera hösten.",
             "avvikelser": "Inga.", "risker": "Rekryteringen till hösten är osäker.",
             "beslut_som_behovs": "Inga.", "upparbetad_kostnad": 180000},
            {"rapport_nr": 2, "period_fran": date(2011, 6, 1), "period_till": date(2011, 8, 31),
             "rapportdatum": date(2011, 9, 6), "helhet": "Gul", "tid": "Gul",
             "kostnad": "Grön", "kvalitet": "Grön",
             "sammanfattning": "Vårens grupper klara med 58 föräldrar. Höstens rekrytering "
                               "går långsamt.",
             "genomfort": "Vårens grupper avslutade; utvärdering klar.",
             "planerat": "Rekrytering via förskolor och BVC.",
             "avvikelser": "Två grupper flyttas till oktober.",
             "risker": "Färre föräldrar än planerat i höst.",
             "beslut_som_behovs": "Styrgruppen ombeds godkänna att två grupper flyttas.",
             "upparbetad_kostnad": 290000},
            {"rapport_nr": 3, "period_fran": date(2011, 9, 1),
             "period_till": date(2011, 11, 30), "rapportdatum": date(2011, 12, 5),
             "helhet": "Gul", "tid": "Röd", "kostnad": "Gul", "kvalitet": "Grön",
             "sammanfattning": "Höstens grupper pågår; sista gruppen slutar i januari.",
             "genomfort": "6 grupper med 55 föräldrar.",
             "planerat": "Överlämning till IFO och slutrapport.",
             "avvikelser": "Sista gruppen blir klar efter projektets slut.",
             "risker": "Materialkostnaden överskrider budget.",
             "beslut_som_behovs": "Förlängning av sista gruppen till 2012-01-31.",
             "upparbetad_kostnad": 404025},
        ],
        contract.SLUTRAPPORT.name: {},
    })


def write_example(folder: Path) -> Path:
    """(Re)write the example workbook in folder."""
    book = build_workbook(EXAMPLE_NAME, EXAMPLE_ID, example_fill())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXAMPLE_FILE
    book.save(path)
    return path


if __name__ == "__main__":
    print(write_example(Path(sys.argv[1] if len(sys.argv) > 1 else "input")))
