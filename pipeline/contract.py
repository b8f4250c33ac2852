"""The workbook contract (WORKBOOK.md, contract v1) as data.

Sheet names, labels and choices here are exact: people and other programs depend
on them. The blank workbook, the parser, the validator, the documentation and the
template check all read this module; a new field is one line in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from pipeline.model import ANSWERS, DECISION_POINTS, DECISIONS, PHASE_NAMES, DocKind
from pipeline.settings import DEFAULT_DEPARTMENTS

CONTRACT_VERSION = "1"


class Kind(StrEnum):
    TEXT = "text"  # one line: names, IDs
    LONGTEXT = "longtext"  # paragraphs; line breaks are kept
    EMAIL = "email"
    DATE = "date"
    AMOUNT = "amount"  # kr
    NUMBER = "number"  # hours
    INTEGER = "integer"  # years, report numbers, 1-5 scales
    PERCENT = "percent"
    CHOICE = "choice"


class Need(StrEnum):
    ALWAYS = "always"
    OPTIONAL = "optional"


@dataclass(frozen=True)
class Field:
    label: str
    key: str
    kind: Kind = Kind.TEXT
    need: Need | DocKind = Need.OPTIONAL
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    @property
    def required(self) -> bool:
        return self.need is not Need.OPTIONAL


@dataclass(frozen=True)
class Sheet:
    name: str
    fields: tuple[Field, ...]
    table: bool  # True: header row + data rows; False: label in A, value in B
    feeds: tuple[DocKind, ...] = ()  # documents that a required value here blocks
    per_row: DocKind | None = None  # one document per data row
    help: str = ""
    keys: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", {f.key: f for f in self.fields})

    def field(self, key: str) -> Field:
        return self.keys[key]


RAPPORTERINGSINTERVALL = ("Månadsvis", "Varannan månad", "Kvartalsvis")
ROLLER = ("Beställare", "Styrgrupp", "Projektledare", "Projektmedlem", "Referensgrupp",
          "Resursgivare", "Mottagare")
TIDSFINANSIERING = ("Projektbudget", "Medfinansiering arbetstid")
RISKSTATUS = ("Öppen", "Hanterad", "Stängd")
AKTIVITETSSTATUS = ("Ej påbörjad", "Pågår", "Klar", "Försenad", "Struken")
ACTIVITY_FINISHED = ("Klar", "Struken")  # an activity no longer late
KOSTNADSSLAG = ("Personal", "Externa tjänster", "Resor", "Lokaler", "Investeringar",
                "Material", "Indirekta kostnader", "Övrigt")
FINANSIARSTYP = ("EU-fond", "Statlig", "Regional", "Kommunal", "Privat")
FINANSIERINGSFORM = ("Kontant", "Arbetstid", "Annat än pengar")
FINANSIERINGSSTATUS = ("Sökt", "Beviljad", "Avslagen")
NYTTOTYP = ("Ekonomisk", "Omfördelning", "Kvalitativ")
TRAFFIC_LIGHTS = ("Grön", "Gul", "Röd")

D = DocKind
K = Kind
YEAR = {"minimum": 1990, "maximum": 2100}
SCALE = {"minimum": 1, "maximum": 5}

PROJEKT = Sheet("Projekt", table=False, help="Basfakta om projektet.", fields=(
    Field("Projekt-ID", "projekt_id", need=Need.ALWAYS,
          help="Unikt för projektet, t.ex. KS-2011-01."),
    Field("Projektnamn", "projektnamn", need=Need.ALWAYS),
    Field("Förvaltning", "forvaltning", K.CHOICE, Need.ALWAYS, DEFAULT_DEPARTMENTS),
    Field("Verksamhet", "verksamhet"),
    Field("Beställare", "bestallare", need=Need.ALWAYS),
    Field("Projektledare", "projektledare", need=Need.ALWAYS),
    Field("Aktuell fas", "aktuell_fas", K.CHOICE, Need.ALWAYS, PHASE_NAMES),
    Field("Startdatum", "startdatum", K.DATE, D.PROJEKTDIREKTIV),
    Field("Slutdatum", "slutdatum", K.DATE, D.PROJEKTDIREKTIV, help="Inte före Startdatum."),
    Field("Diarienummer", "diarienummer"),
    Field("Fond/program", "fond_program", help="T.ex. Europeiska socialfonden."),
    Field("Bakgrund", "bakgrund", K.LONGTEXT, D.PROJEKTDIREKTIV),
    Field("Syfte", "syfte", K.LONGTEXT, D.PROJEKTDIREKTIV),
    Field("Koppling till verksamhetens mål", "koppling_till_mal", K.LONGTEXT,
          D.PROJEKTDIREKTIV),
    Field("Effektmål", "effektmal", K.LONGTEXT, D.PROJEKTDIREKTIV),
    Field("Projektmål", "projektmal", K.LONGTEXT, D.PROJEKTDIREKTIV),
    Field("Avgränsningar", "avgransningar", K.LONGTEXT, D.PROJEKTDIREKTIV),
    Field("Målgrupp och intressenter", "malgrupp", K.LONGTEXT, D.PROJEKTPLAN),
    Field("Omvärldsanalys", "omvarldsanalys", K.LONGTEXT),
    Field("Kommunikation och information", "kommunikation", K.LONGTEXT, D.PROJEKTPLAN),
    Field("Överlämning och mottagare", "overlamning", K.LONGTEXT, D.PROJEKTPLAN),
    Field("Uppföljning av effektmål", "uppfoljning_effektmal", K.LONGTEXT, D.PROJEKTPLAN),
    Field("Rapporteringsintervall", "rapporteringsintervall", K.CHOICE, D.PROJEKTPLAN,
          RAPPORTERINGSINTERVALL),
    Field("Budgettolerans (%)", "budgettolerans", K.PERCENT, minimum=0, maximum=100,
          help="Tillåten avvikelse innan kostnaden blir gul/röd i statusrapporten."),
    Field("Mallversion", "mallversion", need=Need.ALWAYS, help="Ändra inte."),
))

ORGANISATION = Sheet("Organisation", table=True, feeds=(D.PROJEKTDIREKTIV, D.PROJEKTPLAN),
                     help="Projektorganisationen: en rad per person och roll.", fields=(
    Field("Roll", "roll", K.CHOICE, Need.ALWAYS, ROLLER),
    Field("Namn", "namn", need=Need.ALWAYS),
    Field("Befattning", "befattning"),
    Field("Förvaltning/enhet", "enhet"),
    Field("E-post", "epost", K.EMAIL),
    Field("Telefon", "telefon"),
))

PERSONKONTRAKT = Sheet("Personkontrakt", table=True, per_row=D.PERSONKONTRAKT,
                       help="Ett personkontrakt per rad: projektmedlemmens medverkan.", fields=(
    Field("Projektmedlem", "projektmedlem", need=Need.ALWAYS),
    Field("Befattning", "befattning"),
    Field("Förvaltning/enhet", "enhet"),
    Field("Roll och arbetsuppgifter", "arbetsuppgifter", K.LONGTEXT),
    Field("Timmar", "timmar", K.NUMBER, Need.ALWAYS, minimum=0),
    Field("Från", "fran", K.DATE, Need.ALWAYS),
    Field("Till", "till", K.DATE, Need.ALWAYS),
    Field("Resursgivare", "resursgivare", need=Need.ALWAYS),
    Field("Resursgivarens befattning", "resursgivare_befattning"),
    Field("Timkostnad (kr)", "timkostnad", K.AMOUNT, minimum=0,
          help="Tom: kostnaden räknas med standardtimkostnaden."),
    Field("Finansiering av tiden", "tidsfinansiering", K.CHOICE, choices=TIDSFINANSIERING),
    Field("Särskild kompetens", "sarskild_kompetens", K.LONGTEXT),
    Field("Befogenheter", "befogenheter", K.LONGTEXT),
    Field("Ort", "ort"),
    Field("Datum", "datum", K.DATE),
))

CHECKLISTOR = Sheet("Checklistor", table=True,
                    help="Modellens kontrollpunkter. Svara Ja, Nej eller Ej aktuellt.", fields=(
    Field("Fas", "fas", need=Need.ALWAYS),
    Field("ID", "id", need=Need.ALWAYS),
    Field("Kontrollpunkt", "kontrollpunkt", K.LONGTEXT, Need.ALWAYS),
    Field("Svar", "svar", K.CHOICE, choices=ANSWERS),
    Field("Kommentar", "kommentar", K.LONGTEXT),
    Field("Ansvarig", "ansvarig"),
    Field("Datum", "datum", K.DATE),
))

BESLUT = Sheet("Beslut", table=True, help="Styrgruppens beslut vid beslutspunkterna.", fields=(
    Field("Beslutspunkt", "beslutspunkt", K.CHOICE, Need.ALWAYS, DECISION_POINTS),
    Field("Innebörd", "innebord", K.LONGTEXT),
    Field("Beslut", "beslut", K.CHOICE, choices=DECISIONS),
    Field("Datum", "datum", K.DATE),
    Field("Beslutsfattare", "beslutsfattare"),
    Field("Kommentar", "kommentar", K.LONGTEXT),
))

RISKER = Sheet("Risker", table=True, feeds=(D.PROJEKTDIREKTIV, D.PROJEKTPLAN),
               help="Riskvärde = Sannolikhet × Konsekvens räknas ut av programmet.", fields=(
    Field("Risk", "risk", K.LONGTEXT, Need.ALWAYS),
    Field("Sannolikhet", "sannolikhet", K.INTEGER, Need.ALWAYS, **SCALE),
    Field("Konsekvens", "konsekvens", K.INTEGER, Need.ALWAYS, **SCALE),
    Field("Åtgärd", "atgard", K.LONGTEXT),
    Field("Ansvarig", "ansvarig"),
    Field("Status", "status", K.CHOICE, choices=RISKSTATUS),
))

AKTIVITETER = Sheet("Aktiviteter", table=True, feeds=(D.PROJEKTPLAN,), fields=(
    Field("Aktivitet", "aktivitet", K.LONGTEXT, Need.ALWAYS),
    Field("Leverans/milstolpe", "leverans", K.LONGTEXT),
    Field("Ansvarig", "ansvarig"),
    Field("Start", "start", K.DATE),
    Field("Slut", "slut", K.DATE),
    Field("Status", "status", K.CHOICE, choices=AKTIVITETSSTATUS),
))

KOSTNADER = Sheet("Kostnader", table=True,
                  feeds=(D.PROJEKTDIREKTIV, D.PROJEKTPLAN, D.SLUTRAPPORT),
                  help="Kostnadskalkylen: budget, utfall och prognos per kostnadsslag och år.",
                  fields=(
    Field("Kostnadsslag", "kostnadsslag", K.CHOICE, Need.ALWAYS, KOSTNADSSLAG),
    Field("Beskrivning", "beskrivning", K.LONGTEXT),
    Field("År", "ar", K.INTEGER, Need.ALWAYS, **YEAR),
    Field("Budget (kr)", "budget", K.AMOUNT, Need.ALWAYS),
    Field("Utfall (kr)", "utfall", K.AMOUNT),
    Field("Prognos (kr)", "prognos", K.AMOUNT),
))

FINANSIERING = Sheet("Finansiering", table=True,
                     feeds=(D.PROJEKTDIREKTIV, D.PROJEKTPLAN, D.SLUTRAPPORT), fields=(
    Field("Finansiär", "finansiar", need=Need.ALWAYS),
    Field("Typ", "typ", K.CHOICE, Need.ALWAYS, FINANSIARSTYP),
    Field("Form", "form", K.CHOICE, Need.ALWAYS, FINANSIERINGSFORM),
    Field("År", "ar", K.INTEGER, **YEAR),
    Field("Belopp (kr)", "belopp", K.AMOUNT, Need.ALWAYS, minimum=0),
    Field("Status", "status", K.CHOICE, choices=FINANSIERINGSSTATUS),
))

NYTTA = Sheet("Nytta", table=True, feeds=(D.PROJEKTDIREKTIV,),
              help="Nyttokalkylen: värde per år × antal år från och med från år.", fields=(
    Field("Nytta", "nytta", K.LONGTEXT, Need.ALWAYS),
    Field("Typ", "typ", K.CHOICE, Need.ALWAYS, NYTTOTYP),
    Field("Indikator", "indikator", K.LONGTEXT),
    Field("Värde per år (kr)", "varde_per_ar", K.AMOUNT),
    Field("Från år", "fran_ar", K.INTEGER, **YEAR),
    Field("Antal år", "antal_ar", K.INTEGER, minimum=0, maximum=50),
    Field("Ansvarig", "ansvarig"),
))

STATUSRAPPORTER = Sheet("Statusrapporter", table=True, per_row=D.STATUSRAPPORT,
                        help="En statusrapport per rad.", fields=(
    Field("Rapport nr", "rapport_nr", K.INTEGER, Need.ALWAYS, minimum=1),
    Field("Period från", "period_fran", K.DATE, Need.ALWAYS),
    Field("Period till", "period_till", K.DATE, Need.ALWAYS),
    Field("Rapportdatum", "rapportdatum", K.DATE),
    Field("Helhet", "helhet", K.CHOICE, Need.ALWAYS, TRAFFIC_LIGHTS),
    Field("Tid", "tid", K.CHOICE, choices=TRAFFIC_LIGHTS),
    Field("Kostnad", "kostnad", K.CHOICE, choices=TRAFFIC_LIGHTS),
    Field("Kvalitet", "kvalitet", K.CHOICE, choices=TRAFFIC_LIGHTS),
    Field("Sammanfattning", "sammanfattning", K.LONGTEXT, Need.ALWAYS),
    Field("Genomfört under perioden", "genomfort", K.LONGTEXT),
    Field("Planerat nästa period", "planerat", K.LONGTEXT),
    Field("Avvikelser och åtgärder", "avvikelser", K.LONGTEXT),
    Field("Risker och problem", "risker", K.LONGTEXT),
    Field("Beslut som behövs", "beslut_som_behovs", K.LONGTEXT),
    Field("Upparbetad kostnad (kr)", "upparbetad_kostnad", K.AMOUNT, minimum=0),
))

SLUTRAPPORT = Sheet("Slutrapport", table=False, help="Fylls i under fasen Avslut.", fields=(
    Field("Sammanfattning", "sammanfattning", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Måluppfyllelse projektmål", "maluppfyllelse_projektmal", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Måluppfyllelse effektmål", "maluppfyllelse_effektmal", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Leveranser och överlämningsbara resultat", "leveranser", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Mottagare", "mottagare", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Avvikelser från plan", "avvikelser", K.LONGTEXT),
    Field("Ekonomiskt utfall, kommentar", "ekonomi_kommentar", K.LONGTEXT),
    Field("Restlista", "restlista", K.LONGTEXT),
    Field("Erfarenheter och lärdomar", "erfarenheter", K.LONGTEXT, D.SLUTRAPPORT),
    Field("Förslag till fortsatt arbete", "fortsatt_arbete", K.LONGTEXT),
    Field("Uppföljning av effektmål (datum och ansvarig)", "uppfoljning", K.LONGTEXT,
          D.SLUTRAPPORT),
))

SHEETS: tuple[Sheet, ...] = (
    PROJEKT, ORGANISATION, PERSONKONTRAKT, CHECKLISTOR, BESLUT, RISKER, AKTIVITETER,
    KOSTNADER, FINANSIERING, NYTTA, STATUSRAPPORTER, SLUTRAPPORT,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
INSTRUCTIONS_SHEET = "Instruktioner"


@cache
def sheets_for(departments: tuple[str, ...]) -> tuple[Sheet, ...]:
    """The contract's sheets with Projekt!Förvaltning choosing among the organisation's
    departments (CONFIG.md); the contract's own SHEETS for the default ones."""
    if departments == DEFAULT_DEPARTMENTS:
        return SHEETS
    fields = tuple(replace(f, choices=departments) if f.key == "forvaltning" else f
                   for f in PROJEKT.fields)
    projekt = replace(PROJEKT, fields=fields)
    return tuple(projekt if sheet is PROJEKT else sheet for sheet in SHEETS)
