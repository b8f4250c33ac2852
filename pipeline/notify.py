"""`projektmodell notify`: one Swedish e-mail to each project leader, about all of that
leader's projects: what is late, what is to do before the next decision point, and what is
wrong in the workbook, each with its sheet and cell.

Every workbook in INPUT is checked as `check` does, against `today`. Its leader is
Projekt!Projektledare, and the address the E-post of the Organisation row whose Namn is the
same (spaces and case aside; a row with Roll Projektledare first). Projects with the same
address make one letter. A leader none of whose projects has anything to do gets no letter;
a leader without an address is listed in the summary. Letters go out, and the summary
lists them, by the leader's name in Swedish order (pipeline/collation.py).

Each message is plain text plus HTML, built with the standard library's `email` package
(headers with å, ä, ö encoded as RFC 2047 words, bodies as quoted-printable UTF-8), and
sent over one SMTP connection (STARTTLS and login if asked). A recipient the server
refuses does not stop the others. `--dry-run DIR` writes .eml files instead.

The same day's message is never sent twice to the same address (unless `force`): every
message sent is recorded at once, atomically, in INPUT/.projektmodell/notify-sent.json.
The log lives with the workbooks it was made from: whoever runs notify on that folder, from
any machine or account, sees what was sent, and the build's OUTPUT (which notify does not
need) stays the build's.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import click

from pipeline.batch.atomic import write_atomic
from pipeline.batch.names import safe_file_name
from pipeline.batch.state import STATE_FOLDER
from pipeline.batch.work import Identity, folder_for, reason
from pipeline.catalogue import CHECKLIST_OPEN
from pipeline.collation import swedish_key
from pipeline.errors import UsageError
from pipeline.paths import PROJECT_PAGE, discover
from pipeline.settings import DEFAULTS, Settings
from pipeline.wording import counted

if TYPE_CHECKING:
    from pipeline.check import Checked
    from pipeline.findings import Finding
    from pipeline.project import Project

SENT_LOG = "notify-sent.json"
KEPT_DAYS = 31
"""Days of the sent-log kept (older days are dropped when it is written)."""
DEFAULT_PORT = 25
LEADER_ROLE = "Projektledare"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


# --- what each leader is told ------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    location: str
    """Sheet!Cell (or the sheet) in the project's workbook."""
    message: str


@dataclass(frozen=True)
class ProjectNote:
    """One project as its leader's message tells it."""

    workbook: str
    title: str
    """Projekt-ID and name: `KS-2011-01 Föräldrastöd`."""
    phase: str
    folder: str
    next_decision: str | None
    late: tuple[Item, ...] = ()
    todo: tuple[Item, ...] = ()
    errors: tuple[Item, ...] = ()

    @property
    def has_news(self) -> bool:
        return bool(self.late or self.todo or self.errors)


@dataclass
class Letter:
    """Everything one leader is told: all of the leader's projects."""

    name: str
    address: str | None
    projects: list[ProjectNote] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return any(p.has_news for p in self.projects)

    @property
    def who(self) -> str:
        return f"{self.name} <{self.address}>" if self.address else self.name


@dataclass
class Gathered:
    letters: list[Letter]
    unreadable: list[str]
    """Workbooks that could not be read: `name: reason`."""
    leaderless: list[str]
    """Workbooks with no Projektledare."""


def normal(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def leader_address(project: Project) -> str | None:
    """The E-post of the Organisation row named as Projekt!Projektledare."""
    name = normal(project.info.projektledare)
    rows = [r for r in project.organisation if normal(r.namn) == name and (r.epost or "").strip()]
    rows.sort(key=lambda r: r.roll != LEADER_ROLE)
    return rows[0].epost.strip() if rows else None


def as_items(findings: Iterable[Finding]) -> tuple[Item, ...]:
    return tuple(Item(f.location, f.message) for f in findings)


def note_of(checked: Checked, workbook: str) -> ProjectNote:
    from pipeline.documents.plan import current_decision_point
    from pipeline.validate.deadlines import TIME_CODES

    project, report = checked.project, checked.report
    assert project is not None
    info = project.info
    title = " ".join(part for part in (info.projekt_id, info.projektnamn) if part) or workbook
    return ProjectNote(
        workbook, title, info.aktuell_fas or "okänd fas",
        folder_for(Identity(info.projekt_id, info.projektnamn), workbook),
        current_decision_point(project),
        late=as_items(f for f in report.findings if f.code in TIME_CODES),
        todo=as_items(f for f in report.findings if f.code == CHECKLIST_OPEN.code),
        errors=as_items(report.errors))


def gather(folder: Path, today: date, settings: Settings = DEFAULTS) -> Gathered:
    """Every workbook in `folder` checked against `today` under the organisation's settings,
    its note in its leader's letter."""
    from pipeline.check import check_file

    letters: dict[str, Letter] = {}
    unreadable, leaderless = [], []
    for path in discover(folder):
        try:
            checked = check_file(path, settings, today=today)
        except Exception as exc:  # one bad workbook never stops the others' letters
            unreadable.append(f"{path.name}: {reason(exc)}")
            continue
        if checked.project is None:
            why = "; ".join(f.message for f in checked.report.errors)
            unreadable.append(f"{path.name}: {why}")
            continue
        name = " ".join((checked.project.info.projektledare or "").split())
        if not name:
            leaderless.append(path.name)
            continue
        address = leader_address(checked.project)
        key = normal(address) if address else f"namn:{normal(name)}"
        letter = letters.setdefault(key, Letter(name, address))
        letter.projects.append(note_of(checked, path.name))
    ordered = sorted(letters.values(), key=lambda letter: swedish_key(letter.name))
    return Gathered(ordered, unreadable, leaderless)


# --- the message -------------------------------------------------------------------------

def project_link(link_base: str | None, folder: str) -> str | None:
    if not link_base:
        return None
    return f"{link_base.rstrip('/')}/{quote(folder)}/{PROJECT_PAGE}"


def sections(note: ProjectNote) -> list[tuple[str, tuple[Item, ...]]]:
    before = f"Att göra före {note.next_decision}" if note.next_decision else "Att göra"
    return [(title, items) for title, items in (
        ("Försenat", note.late), (before, note.todo), ("Fel att rätta i arbetsboken",
                                                       note.errors)) if items]


def subject(today: date) -> str:
    return f"Att göra i dina projekt {today.isoformat()}"


def plain_text(letter: Letter, today: date, organisation: str, link_base: str | None) -> str:
    lines = [f"Hej {letter.name}!", "",
             f"Här är det som väntar i dina projekt i dag, {today.isoformat()}. Varje punkt "
             "anger blad och cell i projektets arbetsbok.", ""]
    for note in letter.projects:
        lines.append(f"{note.title} (fas {note.phase})")
        if link := project_link(link_base, note.folder):
            lines.append(f"Projektsida: {link}")
        for title, items in sections(note):
            lines += ["", f"{title}:"]
            lines += [f"- {item.location}: {item.message}" for item in items]
        if not note.has_news:
            lines += ["", "Inget att göra just nu."]
        lines.append("")
    lines += ["Med vänliga hälsningar", f"Projektkontoret, {organisation}", "",
              "Meddelandet skickas automatiskt av projektmodell."]
    return "\n".join(lines) + "\n"


def html_text(letter: Letter, today: date, organisation: str, link_base: str | None) -> str:
    parts = [f"<p>Hej {escape(letter.name)}!</p>",
             f"<p>Här är det som väntar i dina projekt i dag, {today.isoformat()}. Varje punkt "
             "anger blad och cell i projektets arbetsbok.</p>"]
    for note in letter.projects:
        parts.append(f"<h2>{escape(note.title)} (fas {escape(note.phase)})</h2>")
        if link := project_link(link_base, note.folder):
            parts.append(f'<p><a href="{escape(link)}">Projektsida för '
                         f"{escape(note.title)}</a></p>")
        for title, items in sections(note):
            parts.append(f"<h3>{escape(title)}</h3>\n<ul>")
            parts += [f"<li><strong>{escape(item.location)}</strong>: {escape(item.message)}"
                      "</li>" for item in items]
            parts.append("</ul>")
        if not note.has_news:
            parts.append("<p>Inget att göra just nu.</p>")
    parts += [f"<p>Med vänliga hälsningar<br>Projektkontoret, {escape(organisation)}</p>",
              "<p><small>Meddelandet skickas automatiskt av projektmodell.</small></p>"]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="sv">\n<head><meta charset="utf-8">'
            f"<title>{escape(subject(today))}</title></head>\n<body>\n{body}\n</body>\n</html>\n")


def compose(letter: Letter, sender: Address, today: date, organisation: str,
            link_base: str | None = None) -> EmailMessage:
    """The leader's message; raises ValueError when the leader's address is not one."""
    assert letter.address is not None
    message = EmailMessage()
    message["Subject"] = subject(today)
    message["From"] = Address(f"Projektkontoret, {organisation}", addr_spec=sender.addr_spec)
    message["To"] = Address(letter.name, addr_spec=letter.address)
    message["Date"] = format_datetime(datetime.now().astimezone())
    message["Message-ID"] = make_msgid(domain=sender.domain or None)
    message.set_content(plain_text(letter, today, organisation, link_base),
                        cte="quoted-printable")
    message.add_alternative(html_text(letter, today, organisation, link_base), subtype="html",
                            cte="quoted-printable")
    return message


# --- the sent-log ------------------------------------------------------------------------

class SentLog:
    """Who has had which day's message: INPUT/.projektmodell/notify-sent.json."""

    def __init__(self, folder: Path, today: date) -> None:
        self.path = folder / STATE_FOLDER / SENT_LOG
        self.today = today.isoformat()
        self.days = self.read()

    def read(self) -> dict[str, dict[str, str]]:
        """The log's days; an unreadable or edited log counts as empty."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        sent = data.get("sent") if isinstance(data, dict) else None
        if not isinstance(sent, dict):
            return {}
        return {day: dict(who) for day, who in sent.items() if isinstance(who, dict)}

    def has(self, address: str) -> bool:
        return normal(address) in self.days.get(self.today, {})

    def add(self, address: str) -> None:
        """Record the message as sent, on disk at once (raises OSError)."""
        self.days.setdefault(self.today, {})[normal(address)] = (
            datetime.now().astimezone().isoformat(timespec="seconds"))
        oldest = (date.fromisoformat(self.today) - timedelta(days=KEPT_DAYS)).isoformat()
        kept = {day: who for day, who in sorted(self.days.items()) if day >= oldest}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"sent": kept}, ensure_ascii=False, indent=1, sort_keys=True)
        write_atomic(self.path, text.encode("utf-8"))


# --- sending -----------------------------------------------------------------------------

@dataclass(frozen=True)
class NotifyOptions:
    input: Path
    sender: str
    smtp: str | None = None
    """HOST[:PORT]; not needed with dry_run."""
    starttls: bool = False
    user: str | None = None
    password_env: str | None = None
    """The environment variable holding the password for `user`."""
    dry_run: Path | None = None
    """Write .eml files here instead of sending."""
    today: date | None = None
    link_base: str | None = None
    force: bool = False


@dataclass
class NotifyResult:
    sent: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """`who: why`."""
    without_address: list[str] = field(default_factory=list)
    nothing_to_do: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    leaderless: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.failed or self.problems else EXIT_OK


@dataclass(frozen=True)
class Server:
    host: str
    port: int


def parse_server(value: str) -> Server:
    """HOST, HOST:PORT or [IPv6]:PORT; raises UsageError."""
    host, port = value.strip(), DEFAULT_PORT
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        text = rest.removeprefix(":")
    elif host.count(":") == 1:
        host, _, text = host.partition(":")
    else:
        text = ""
    if text:
        if not text.isdigit() or not 0 < int(text) < 65536:
            raise UsageError(f"--smtp: '{value}' har inget giltigt portnummer.")
        port = int(text)
    if not host:
        raise UsageError(f"--smtp: '{value}' saknar värdnamn.")
    return Server(host, port)


def sender_address(value: str) -> Address:
    try:
        address = Address(addr_spec=value.strip())
    except ValueError:
        raise UsageError(f"--from: '{value}' är ingen e-postadress.") from None
    if not address.domain:
        raise UsageError(f"--from: '{value}' är ingen e-postadress.")
    return address


def password(options: NotifyOptions) -> str | None:
    if options.user is None:
        return None
    if not options.password_env:
        raise UsageError("--user behöver --password-env med namnet på en miljövariabel som "
                         "håller lösenordet.")
    value = os.environ.get(options.password_env)
    if value is None:
        raise UsageError(f"Miljövariabeln {options.password_env} (--password-env) är inte satt.")
    # smtplib sends AUTH credentials as ASCII only (SMTP.auth's documented contract)
    if not value.isascii():
        raise UsageError(f"Lösenordet i {options.password_env} har tecken utanför ASCII (som "
                         "å, ä, ö), och inloggningen på e-postservern klarar bara ASCII.")
    if not options.user.isascii():
        raise UsageError(f"--user: '{options.user}' har tecken utanför ASCII, och "
                         "inloggningen på e-postservern klarar bara ASCII.")
    return value


def check_options(options: NotifyOptions) -> tuple[Address, Server | None, str | None]:
    """The sender, the server and the password; raises UsageError before anything is done."""
    if not options.input.is_dir():
        raise UsageError(f"Indatamappen {options.input} finns inte.")
    sender = sender_address(options.sender)
    if options.dry_run is not None:
        if options.dry_run.exists() and not options.dry_run.is_dir():
            raise UsageError(f"--dry-run: {options.dry_run} är en fil, inte en mapp.")
        return sender, None, None
    if not options.smtp:
        raise UsageError("Ange e-postservern med --smtp HOST[:PORT] (eller --dry-run DIR).")
    return sender, parse_server(options.smtp), password(options)


class Mailer:
    """One SMTP connection, opened when the first message goes and again after it is lost."""

    def __init__(self, server: Server, options: NotifyOptions, secret: str | None) -> None:
        self.server, self.options, self.secret = server, options, secret
        self.connection: smtplib.SMTP | None = None
        self.unreachable: OSError | None = None
        """Why the connection could not be made: not tried again in this run (a refused
        login repeated could lock the account)."""

    def connect(self) -> smtplib.SMTP:
        connection = smtplib.SMTP(self.server.host, self.server.port, timeout=60)
        try:
            if self.options.starttls:
                connection.starttls(context=ssl.create_default_context())
            if self.options.user is not None and self.secret is not None:
                connection.login(self.options.user, self.secret)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, message: EmailMessage) -> None:
        """Send one message; raises OSError (smtplib.SMTPException is one)."""
        if self.connection is None:
            if self.unreachable is not None:
                raise self.unreachable
            try:
                self.connection = self.connect()
            except OSError as exc:
                self.unreachable = exc
                raise
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException):
            raise  # the server answered: the connection goes on
        except OSError:  # smtplib's other errors too: the connection is not to be trusted
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def failure(exc: Exception) -> str:
    """Why a message was not sent, as the server or the system said it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"servern vägrade mottagaren ({code} {text.decode(errors='replace')})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"servern svarade {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP-fel: {exc}"
    return f"kunde inte nå servern: {exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)


def notify(options: NotifyOptions, settings: Settings = DEFAULTS) -> NotifyResult:
    """Compose every leader's message and send it (or write it, with dry_run); the
    organisation's settings give its checklists and its name (the sender's and the
    signature's)."""
    sender, server, secret = check_options(options)
    today = options.today or date.today()
    organisation = settings.name
    gathered = gather(options.input, today, settings)
    result = NotifyResult(unreadable=gathered.unreadable, leaderless=gathered.leaderless)
    log = SentLog(options.input, today) if options.dry_run is None else None
    mailer = Mailer(server, options, secret) if server is not None else None
    try:
        for letter in gathered.letters:
            deliver(letter, sender, today, organisation, options, log, mailer, result)
    finally:
        if mailer is not None:
            mailer.close()
    return result


def deliver(letter: Letter, sender: Address, today: date, organisation: str,
            options: NotifyOptions, log: SentLog | None, mailer: Mailer | None,
            result: NotifyResult) -> None:
    """One leader's letter: composed, then written or sent, and its fate in `result`."""
    projects = ", ".join(p.title for p in letter.projects)
    if not letter.has_news:
        result.nothing_to_do.append(f"{letter.who} ({projects})")
        return
    if letter.address is None:
        result.without_address.append(f"{letter.name} ({projects})")
        return
    try:
        message = compose(letter, sender, today, organisation, options.link_base)
    except ValueError as exc:
        result.failed.append(f"{letter.who}: ogiltig adress på bladet Organisation ({exc})")
        return
    if options.dry_run is not None:
        result.written.append(write_eml(options.dry_run, today, letter, message))
        return
    assert log is not None and mailer is not None
    if log.has(letter.address) and not options.force:
        result.already_sent.append(letter.who)
        return
    try:
        mailer.send(message)
    except OSError as exc:  # smtplib.SMTPException included
        result.failed.append(f"{letter.who}: {failure(exc)}")
        return
    result.sent.append(letter.who)
    try:
        log.add(letter.address)
    except OSError as exc:
        result.problems.append(f"Utskicket till {letter.who} kunde inte antecknas i "
                               f"{log.path}: {exc.strerror}; det kan skickas igen i dag.")


def write_eml(folder: Path, today: date, letter: Letter, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_file_name(f"{today.isoformat()} {letter.name} {letter.address}.eml")
    write_atomic(path, message.as_bytes(policy=SMTP))
    return path


# --- what a person sees ------------------------------------------------------------------

def summary_lines(result: NotifyResult, dry_run: bool) -> list[str]:
    lines = [f"Skickat till {who}." for who in result.sent]
    lines += [f"Skrev {path}." for path in result.written]
    lines += [f"Redan skickat i dag till {who} (--force skickar igen)."
              for who in result.already_sent]
    lines += [f"Misslyckades: {why}" for why in result.failed]
    lines += [f"Saknar e-postadress: {who}. Skriv projektledarens E-post på bladet "
              "Organisation." for who in result.without_address]
    lines += [f"Inget att meddela: {who}." for who in result.nothing_to_do]
    lines += [f"Ingen Projektledare i {name}." for name in result.leaderless]
    lines += [f"Kunde inte läsas: {why}" for why in result.unreadable]
    lines += [f"Obs: {problem}" for problem in result.problems]
    done = (counted(len(result.written), "meddelande skrivet", "meddelanden skrivna")
            if dry_run else counted(len(result.sent), "meddelande skickat",
                                    "meddelanden skickade"))
    failed = counted(len(result.failed), "misslyckat", "misslyckade")
    lines.append(f"{done}, {failed}, {len(result.without_address)} "
                 "projektledare utan e-postadress.")
    return lines


def run_notify(options: NotifyOptions, settings: Settings = DEFAULTS) -> int:
    """`projektmodell notify` for the CLI: the summary on stdout, failures on stderr; the
    exit code (0 all sent, 1 a message failed, 2 usage error)."""
    try:
        result = notify(options, settings)
    except UsageError as exc:
        click.echo(f"Fel: {exc}", err=True)
        return EXIT_USAGE
    for line in summary_lines(result, options.dry_run is not None):
        click.echo(line, err=line.startswith(("Misslyckades", "Obs")))
    return result.exit_code
