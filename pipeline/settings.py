"""The organisation's settings: `projektmodell.toml` (CONFIG.md, version 1).

One install serves any municipality of the county: what differs between them (its name,
logo, förvaltningar, default hourly rate, added checklist items and its wording of the
model's items) is read from one TOML file, never from code. The defaults below are
Härnösand's, and without a file the program behaves exactly as they say.

    settings = load_settings(config, folder)   # --config FILE, else FOLDER/projektmodell.toml
    settings.name, settings.departments, settings.checklist_items ...

Where the file is found, first match wins: `--config FILE`; `projektmodell.toml` in the
command's folder (INPUT for build and economy, --dir for new, the first workbook's folder
for check); none: `DEFAULTS`. A broken file raises `SettingsError`, one Swedish message
naming the file, the key and the line, before anything is written.

Only the standard library is imported here (tomllib, hashlib): a build with nothing to do
loads its settings without the libraries behind documents and workbooks.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.errors import SettingsError, os_reason
from pipeline.model import CHECKLIST_ITEMS, PHASE_NAMES, PHASES, ChecklistItem, Phase

SETTINGS_FILE = "projektmodell.toml"
CONFIG_VERSION = 1

DEFAULT_NAME = "Härnösands kommun"
DEFAULT_DEPARTMENTS: tuple[str, ...] = (
    "Kommunstyrelseförvaltningen",
    "Arbetslivsförvaltningen",
    "Samhällsförvaltningen",
    "Socialförvaltningen",
    "Skolförvaltningen",
)
DEFAULT_HOURLY_RATE = 450
"""kr per hour for a personkontrakt without Timkostnad (a common internal rate)."""

MAX_DROPDOWN_LENGTH = 255
"""Characters Excel allows in a list validation's formula (the choices joined by commas):
the Förvaltning dropdown of `new` holds the departments so."""
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
"""A logo's leading bytes -> its media type (PNG and JPEG, as CONFIG.md allows)."""
LARGEST_LOGO = 5 * 2**20
"""Bytes a logo may have: it is in every document's header (a logo is some ten kB)."""
LONGEST_NAME = 200
"""Characters the organisation's name may have: a document's author property holds 255."""
HIGHEST_HOURLY_RATE = 100_000
"""kr per hour default_hourly_rate may be: more is a typing error, and figures multiply it."""
MODEL_IDS = frozenset(item.id for item in CHECKLIST_ITEMS)


@dataclass(frozen=True)
class Settings:
    """What differs between municipalities; `DEFAULTS` are Härnösand's. Frozen and
    hashable, so that caches can be kept per organisation (templates with its logo)."""

    name: str = DEFAULT_NAME
    """In every document's header, index.html and e-mails."""
    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS
    """The choices of Projekt!Förvaltning."""
    default_hourly_rate: Decimal = Decimal(DEFAULT_HOURLY_RATE)
    """kr per hour for a personkontrakt without Timkostnad."""
    added_items: tuple[ChecklistItem, ...] = ()
    """Checklist items the organisation adds; `checklist` is the phase's name."""
    wording: tuple[tuple[str, str], ...] = ()
    """(model item ID, the organisation's text) for the items it words its own way."""
    logo_bytes: bytes = b""
    """The logo (PNG or JPEG); empty: no logo."""
    logo: Path | None = field(default=None, compare=False)
    """Where the logo was read from (its bytes are what counts)."""
    source: Path | None = field(default=None, compare=False)
    """The file the settings were read from; None: the defaults."""

    @cached_property
    def checklist_items(self) -> tuple[ChecklistItem, ...]:
        """The organisation's checklists: the model's items in its wording, each added item
        after the last item of its phase."""
        wording = dict(self.wording)
        items: list[ChecklistItem] = []
        for phase in PHASES:
            items += [replace(item, text=wording.get(item.id, item.text))
                      for item in CHECKLIST_ITEMS if item.checklist in phase.checklists]
            items += [item for item in self.added_items if item.checklist == phase.name]
        return tuple(items)

    @cached_property
    def phase_by_id(self) -> dict[str, Phase]:
        """Checklist item ID -> the phase whose decision point it gates."""
        return {item.id: phase_of(item) for item in self.checklist_items}

    def text_of(self, item_id: str | None) -> str | None:
        """The organisation's own wording of a model item; None where it has none."""
        return dict(self.wording).get(item_id or "")

    @property
    def logo_media_type(self) -> str | None:
        """`image/png` or `image/jpeg`; None without a logo."""
        return image_type(self.logo_bytes) if self.logo_bytes else None

    @cached_property
    def fingerprint(self) -> str:
        """Changes whenever what the settings put in documents and figures changes (the
        values and the logo's bytes, not comments or where the file lies); "" for the
        defaults, so that a build without a file is keyed as before settings existed."""
        if self == DEFAULTS:
            return ""
        values = (self.name, self.departments, str(self.default_hourly_rate),
                  tuple((i.id, i.checklist, i.text) for i in self.added_items), self.wording,
                  hashlib.sha256(self.logo_bytes).hexdigest())
        return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def phase_of(item: ChecklistItem) -> Phase:
    """The phase of a model item (by its checklist) or of an added one (by its phase)."""
    return next(p for p in PHASES if item.checklist in p.checklists or item.checklist == p.name)


DEFAULTS = Settings()


# --- finding and reading the file ------------------------------------------------------

def settings_path(config: Path | None = None, folder: Path | None = None) -> Path | None:
    """The file that applies: config if given, else projektmodell.toml in folder if it is
    there; None: the defaults."""
    if config is not None:
        return config
    if folder is not None and (folder / SETTINGS_FILE).is_file():
        return folder / SETTINGS_FILE
    return None


def load_settings(config: Path | None = None, folder: Path | None = None) -> Settings:
    """The settings by CONFIG.md's lookup order; raises SettingsError for a broken file."""
    path = settings_path(config, folder)
    return DEFAULTS if path is None else read_settings(path)


def read_settings(path: Path) -> Settings:
    """The settings of one file, validated; raises SettingsError naming the file, the key
    and the line of the first problem."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise SettingsError(f"Inställningsfilen {path} finns inte.", path) from exc
    except IsADirectoryError as exc:
        raise SettingsError(f"Inställningsfilen {path} är en mapp, inte en fil.", path) from exc
    except OSError as exc:
        raise SettingsError(f"Inställningsfilen {path} kan inte läsas: {os_reason(exc)}.",
                            path) from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"Inställningsfilen {path} är inte sparad som UTF-8.", path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_error(path, text, exc) from exc
    return Reader(path, text).settings(data)


# --- validation ------------------------------------------------------------------------

KEYS: dict[str, tuple[str, ...]] = {
    "": ("config_version", "organisation", "economy", "checklist", "checklist_wording"),
    "organisation": ("name", "logo", "departments"),
    "economy": ("default_hourly_rate",),
    "checklist": ("id", "phase", "text"),
}
"""The keys each table may hold (the top level is ""); checklist_wording's keys are IDs."""

Key = tuple[str | int, ...]
"""A key's path: ("organisation", "name"), ("checklist", 1, "id") for the second item."""


class Reader:
    """Turns the parsed TOML into Settings, or raises SettingsError at the first problem,
    with the key's line found in the file's text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, key: Key, problem: str) -> SettingsError:
        name = key_name(key)
        line = key_line(self.text, key)
        where = f", rad {line}" if line is not None else ""
        return SettingsError(f"Inställningsfilen {self.path}{where}, nyckeln '{name}': "
                             f"{problem}.", self.path, name, line)

    def settings(self, data: dict[str, Any]) -> Settings:
        self.known_keys(data, ())
        self.version(data)
        organisation = self.table(data, ("organisation",))
        economy = self.table(data, ("economy",))
        for table, key in ((organisation, ("organisation",)), (economy, ("economy",))):
            self.known_keys(table, key)
        name = self.text_value(organisation, ("organisation", "name"), DEFAULT_NAME)
        if len(name) > LONGEST_NAME:
            raise self.error(("organisation", "name"), f"får vara högst {LONGEST_NAME} tecken "
                                                       f"(den har {len(name)})")
        logo, logo_bytes = self.logo(organisation)
        return Settings(
            name=name, departments=self.departments(organisation),
            default_hourly_rate=self.rate(economy), added_items=self.added_items(data),
            wording=self.wording(data), logo_bytes=logo_bytes, logo=logo,
            source=self.path)

    def known_keys(self, table: Mapping[str, Any], key: Key) -> None:
        allowed = KEYS[key_name(tuple(k for k in key if isinstance(k, str)))]
        for name in table:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f" (menar du '{close[0]}'?)" if close else ""
                known = ", ".join(allowed)
                raise self.error((*key, name), f"är ingen känd nyckel{hint}; kända nycklar här: "
                                               f"{known}")

    def version(self, data: Mapping[str, Any]) -> None:
        version = data.get("config_version", CONFIG_VERSION)
        if isinstance(version, bool) or not isinstance(version, int):
            raise self.error(("config_version",), f"ska vara talet {CONFIG_VERSION} utan "
                                                  f"citattecken, inte {shown(version)}")
        if version != CONFIG_VERSION:
            raise self.error(("config_version",), f"version {version!r} stöds inte; den här "
                             f"versionen av programmet läser version {CONFIG_VERSION}")

    def table(self, data: Mapping[str, Any], key: Key) -> Mapping[str, Any]:
        value = data.get(str(key[-1]), {})
        if not isinstance(value, dict):
            raise self.error(key, "ska vara en tabell, t.ex. [" + key_name(key) + "]")
        return value

    def text_value(self, table: Mapping[str, Any], key: Key, default: str) -> str:
        value = table.get(str(key[-1]), default)
        if not isinstance(value, str):
            raise self.error(key, f"ska vara en text inom citattecken, inte {shown(value)}")
        if not value.strip():
            raise self.error(key, "får inte vara tom")
        return value.strip()

    def departments(self, organisation: Mapping[str, Any]) -> tuple[str, ...]:
        key: Key = ("organisation", "departments")
        value = organisation.get("departments", DEFAULT_DEPARTMENTS)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "ska vara en lista med texter, t.ex. "
                                  '["Socialtjänsten", "Stadsbyggnadskontoret"]')
        names = tuple(v.strip() for v in value)
        if not names or not all(names):
            raise self.error(key, "ska ha minst en förvaltning och ingen tom text")
        folded = [n.casefold() for n in names]
        if twice := next((n for n, f in zip(names, folded, strict=True) if folded.count(f) > 1),
                         None):
            raise self.error(key, f"'{twice}' står två gånger")
        if bad := next((n for n in names if "," in n or '"' in n), None):
            raise self.error(key, f"'{bad}' innehåller komma eller citattecken, som Excels "
                                  "rullgardinslista för Förvaltning inte kan visa")
        if len(",".join(names)) > MAX_DROPDOWN_LENGTH:
            raise self.error(key, f"förvaltningarnas namn är tillsammans längre än de "
                                  f"{MAX_DROPDOWN_LENGTH} tecken som Excels rullgardinslista "
                                  "rymmer")
        return names

    def rate(self, economy: Mapping[str, Any]) -> Decimal:
        key: Key = ("economy", "default_hourly_rate")
        value = economy.get("default_hourly_rate", DEFAULT_HOURLY_RATE)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"ska vara ett tal (kronor per timme), inte {shown(value)}")
        rate = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        if not rate.is_finite() or rate < 0 or rate > HIGHEST_HOURLY_RATE:
            raise self.error(key, f"ska vara ett tal från 0 till {HIGHEST_HOURLY_RATE:,}"
                                  .replace(",", "\u00a0"))
        return rate

    def logo(self, organisation: Mapping[str, Any]) -> tuple[Path | None, bytes]:
        key: Key = ("organisation", "logo")
        if "logo" not in organisation:
            return None, b""
        value = self.text_value(organisation, key, "")
        path = self.path.parent / value
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise self.error(key, f"logotypen {path} finns inte") from exc
        except OSError as exc:
            raise self.error(key, f"logotypen {path} kan inte läsas: {os_reason(exc)}") from exc
        if len(data) > LARGEST_LOGO:
            raise self.error(key, f"logotypen {path} är större än {LARGEST_LOGO // 2**20} MB, "
                                  "som är gränsen (spara den mindre)")
        if image_type(data) is None:
            raise self.error(key, f"logotypen {path} är ingen PNG- eller JPEG-bild")
        return path, data

    def added_items(self, data: Mapping[str, Any]) -> tuple[ChecklistItem, ...]:
        value = data.get("checklist", [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(("checklist",), "ska vara en eller flera tabeller [[checklist]] "
                                             "med id, phase och text")
        items: list[ChecklistItem] = []
        seen: dict[str, int] = {}
        for number, entry in enumerate(value):
            key: Key = ("checklist", number)
            self.known_keys(entry, key)
            for name in KEYS["checklist"]:
                if name not in entry:
                    raise self.error((*key, name), "saknas; varje tillagd kontrollpunkt har "
                                                   "id, phase och text")
            item_id = self.text_value(entry, (*key, "id"), "")
            folded = item_id.casefold()
            if folded in {i.casefold() for i in MODEL_IDS}:
                raise self.error((*key, "id"), f"'{item_id}' är redan en av modellens "
                                               "kontrollpunkter; välj ett eget ID")
            if folded in seen:
                raise self.error((*key, "id"), f"'{item_id}' finns redan i kontrollpunkt "
                                               f"nummer {seen[folded] + 1}")
            seen[folded] = number
            phase = self.text_value(entry, (*key, "phase"), "")
            if phase not in PHASE_NAMES:
                raise self.error((*key, "phase"), f"fasen '{phase}' finns inte; faserna är "
                                                  + ", ".join(PHASE_NAMES))
            items.append(ChecklistItem(item_id, phase, self.text_value(entry, (*key, "text"),
                                                                       "")))
        return tuple(items)

    def wording(self, data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        table = self.table(data, ("checklist_wording",))
        wording = []
        for item_id in table:
            key: Key = ("checklist_wording", item_id)
            if item_id not in MODEL_IDS:
                raise self.error(key, f"'{item_id}' är ingen av modellens kontrollpunkter "
                                      "(egna kontrollpunkter får sin text i [[checklist]])")
            wording.append((item_id, self.text_value(table, key, "")))
        return tuple(wording)


def image_type(data: bytes) -> str | None:
    """The media type of a PNG or JPEG by its leading bytes; None for anything else."""
    return next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)


def shown(value: Any) -> str:
    """A TOML value as a person wrote it, roughly, for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "en tabell"
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def key_name(key: Key) -> str:
    """("checklist", 1, "id") -> "checklist[2].id"; () -> ""."""
    name = ""
    for part in key:
        name += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


# --- where a key is written: its line ------------------------------------------------------

TABLE_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")
KEY_VALUE = re.compile(r"\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
                       r"(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


def dotted(text: str) -> tuple[str, ...]:
    """`a."b c".d` -> ("a", "b c", "d")."""
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", text)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


def key_lines(text: str) -> Iterator[tuple[Key, int, Key | None]]:
    """Every table header and key of a TOML text with its line number (1-based) and the
    table a key stands in (None for a header), as paths: the n-th [[checklist]] is
    ("checklist", n - 1). Lines inside multi-line strings or arrays that look like keys may
    be taken for keys: a line is only a hint."""
    table: Key = ()
    arrays: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if header := TABLE_HEADER.match(line):
            names = dotted(header[2])
            if header[1] == "[[":
                arrays[names] = arrays.get(names, -1) + 1
                table = (*names, arrays[names])
            else:
                table = names
            yield table, number, None
        elif pair := KEY_VALUE.match(line):
            yield (*table, *dotted(pair[1])), number, table


def key_line(text: str, key: Key) -> int | None:
    """The line where the key is written, else where its nearest table is; None if neither
    is found (a key given in an inline table, say)."""
    lines = {key: number for key, number, _ in reversed(list(key_lines(text)))}  # the first
    for length in range(len(key), 0, -1):
        if key[:length] in lines:
            return lines[key[:length]]
    return None


def table_at(text: str, line: int) -> Key:
    """The table a line stands in: that of its key, else the last header before it."""
    table: Key = ()
    for path, number, in_table in key_lines(text):
        if number > line:
            break
        if number == line and in_table is not None:
            return in_table
        if in_table is None and number < line:
            table = path
    return table


SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$|\s*\(at end of document\)$")
SYNTAX_PROBLEMS = {
    "Expected '=' after a key in a key/value pair": "ett '=' saknas efter nyckeln",
    "Invalid value": "värdet är inte giltigt (en text ska stå inom citattecken)",
    "Cannot overwrite a value": "nyckeln står redan tidigare i filen",
    "Cannot declare": "tabellen står redan tidigare i filen",
    "Unclosed array": "en lista saknar sitt avslutande ]",
    "Unterminated string": "en text saknar sitt avslutande citattecken",
    "Illegal character": "ett otillåtet tecken",
    "Invalid statement": "raden är varken en nyckel med värde eller en tabell",
    "Expected newline or end of document after a statement": "raden fortsätter efter värdet",
    "Invalid initial character for a key part": "en nyckel börjar med ett otillåtet tecken",
}


def syntax_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> SettingsError:
    """tomllib's error as one Swedish message with the line and the key written there."""
    reason = str(exc)
    position = SYNTAX_POSITION.search(reason)
    reason = SYNTAX_POSITION.sub("", reason)
    problem = next((swedish for english, swedish in SYNTAX_PROBLEMS.items()
                    if reason.startswith(english)), None)
    what = f"{problem} ({reason})" if problem else reason
    line = int(position[1]) if position and position[1] else None
    written = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else ""
    pair = KEY_VALUE.match(written) or re.match(r"\s*([A-Za-z0-9_.\-\"']+)", written)
    key = key_name((*table_at(text, line or 0), *dotted(pair[1]))) if pair else ""
    where = f", rad {line}" if line else ""
    named = f", nyckeln '{key}'" if key else ""
    return SettingsError(f"Inställningsfilen {path}{where}{named}: filen är inte giltig TOML: "
                         f"{what}.", path, key or None, line)


# --- the default file (`projektmodell init`) ------------------------------------------------

def toml_string(text: str) -> str:
    """A TOML basic string of text (only quotes and backslashes need escaping here)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def default_file_text() -> str:
    """A commented projektmodell.toml holding the defaults (Härnösand's), every key shown."""
    departments = "".join(f"  {toml_string(d)},\n" for d in DEFAULT_DEPARTMENTS)
    example = CHECKLIST_ITEMS[2]
    by_checklist: dict[str, list[str]] = {}
    for item in CHECKLIST_ITEMS:
        by_checklist.setdefault(item.checklist, []).append(item.id)
    model_ids = ", ".join(f"{ids[0]}-{ids[-1]}" for ids in by_checklist.values())
    return f"""\
# Projektmodellens inställningar för organisationen (CONFIG.md, version {CONFIG_VERSION}).
#
# Programmet läser den här filen när den ligger i indatamappen (build, economy, notify), i
# mappen där arbetsboken skrivs (new) eller i den första arbetsbokens mapp (check), eller
# när den anges med --config FILE. Nycklarna skrivs på engelska, värdena på svenska. Varje
# nyckel får utelämnas: då gäller standardvärdet, som är det som står här.
# Ändras filen eller logotypen byggs alla projekt om vid nästa körning.

config_version = {CONFIG_VERSION}

[organisation]
# Organisationens namn: i varje dokuments sidhuvud, i index.html och i e-post.
name = {toml_string(DEFAULT_NAME)}
# Logotyp (PNG eller JPEG) i dokumentens sidhuvud och i index.html, sökvägen räknad från
# den här filens mapp. Ingen logotyp som standard.
# logo = "logga.png"
# Förvaltningarna: valen i Projekt!Förvaltning (listan i nya arbetsböcker) och de värden
# som check godtar.
departments = [
{departments}]

[economy]
# Kronor per timme för ett personkontrakt utan Timkostnad (kr).
default_hourly_rate = {DEFAULT_HOURLY_RATE}

# Egna kontrollpunkter, utöver modellens: en tabell [[checklist]] per kontrollpunkt. Den
# skrivs in i Checklistor i nya arbetsböcker och måste vara klar inför beslutspunkten i sin
# fas, precis som modellens egna. ID får inte vara något av modellens ({model_ids});
# fasen är en av: {", ".join(PHASE_NAMES)}.
# [[checklist]]
# id = "P9"
# phase = "Planering"
# text = "Informationssäkerhetsklassning är gjord"

[checklist_wording]
# Organisationens egen formulering av modellens kontrollpunkter; ID:na står kvar.
# {example.id} = {toml_string(example.text)}
"""


def write_default_file(folder: Path) -> Path:
    """Write folder/projektmodell.toml with the defaults; never overwrites
    (FileExistsError)."""
    path = folder / SETTINGS_FILE
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:
        file.write(default_file_text())
    return path


__all__ = ["DEFAULTS", "DEFAULT_DEPARTMENTS", "DEFAULT_HOURLY_RATE", "DEFAULT_NAME",
           "SETTINGS_FILE", "Settings", "default_file_text", "load_settings", "read_settings",
           "settings_path", "write_default_file"]
