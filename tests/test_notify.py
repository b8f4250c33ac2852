"""`projektmodell notify` against a real SMTP server on localhost (aiosmtpd): what each
project leader receives, the refused recipient, the dry run, exit codes, and never twice
the same day."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.example import checklist, decisions, example_fill
from pipeline.workbook.writer import build_workbook
from tests.conftest import require_tool
from tests.fills import closing_fill, planning_fill

TODAY = "2012-03-20"
SENDER = "projektkontoret@harnosand.se"
REFUSED_DOMAIN = "@nekad.example"
LINK_BASE = "https://intra.harnosand.se/projekt/"
KARIN, ASA = "karin.lund@harnosand.se", "asa.oberg@harnosand.se"


# --- the server --------------------------------------------------------------------------

@dataclass
class Mailbox:
    """What the server received; it refuses every recipient at REFUSED_DOMAIN."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.endswith(REFUSED_DOMAIN):
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Meddelandet mottaget"

    def messages(self) -> dict[str, EmailMessage]:
        """Each message received by its one recipient."""
        assert all(len(to) == 1 for to, _ in self.received), self.received
        return {to[0]: email.message_from_bytes(data, policy=default)  # type: ignore[misc]
                for to, data in self.received}


class Authenticator:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.mailbox.logins.append((auth_data.login, auth_data.password))
        # handled=False: the server answers a refusal itself (535)
        return AuthResult(success=auth_data.password == b"hemligt-losen",
                          handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Mailbox]]:
    """A real SMTP server on localhost (with AUTH, which plain connections may use here)."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=Authenticator(mailbox), auth_require_tls=False)
    controller.start()
    yield f"127.0.0.1:{controller.port}", mailbox
    controller.stop()


@pytest.fixture
def smtp(server: tuple[str, Mailbox]) -> tuple[str, Mailbox]:
    address, mailbox = server
    mailbox.received.clear()
    mailbox.logins.clear()
    return address, mailbox


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Mailbox, Path]]:
    """A server that takes mail only after STARTTLS, with a certificate for 127.0.0.1 made
    by openssl; the certificate is what a client must trust (SSL_CERT_FILE)."""
    openssl = require_tool("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            tls_context=context, require_starttls=True)
    controller.start()
    yield f"127.0.0.1:{controller.port}", mailbox, cert
    controller.stop()


# --- the workbooks -----------------------------------------------------------------------

def led_by(fill: dict[str, Any], projekt_id: str, name: str, leader: str,
           address: str | None) -> dict[str, Any]:
    """The fill as a project of its own, led by `leader` (E-post `address`)."""
    fill["Projekt"].update(projekt_id=projekt_id, projektnamn=name, projektledare=leader)
    row = next(r for r in fill["Organisation"] if r["roll"] == "Projektledare")
    row.update(namn=leader, epost=address)
    return fill


def closed_fill() -> dict[str, Any]:
    fill = closing_fill()
    fill["Checklistor"] = checklist(("Relevans", "Förberedelse", "Planering", "Genomförande",
                                     "Avslut"))
    fill["Beslut"] = decisions(("BP1", "BP2", "BP3", "BP4"))
    return fill


WORKBOOKS = {
    # the refused leader's workbook comes first: the others are still sent after it
    "a-nekad.xlsx": led_by(example_fill(), "KS-2011-09", "Nekad", "Per Persson",
                           f"per.persson{REFUSED_DOMAIN}"),
    "b-foraldrastod.xlsx": example_fill(),
    "c-unga.xlsx": planning_fill(),
    "d-asa.xlsx": led_by(example_fill(), "SF-2011-03", "Trygga vägar", "Åsa Öberg", ASA),
    "e-utan-adress.xlsx": led_by(example_fill(), "SK-2011-04", "Läsfrämjande", "Lars Ek", None),
    "f-avslutat.xlsx": led_by(closed_fill(), "SF-2010-02", "Klart projekt", "Maja Lind",
                              "maja.lind@harnosand.se"),
}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workbooks")
    for name, fill in WORKBOOKS.items():
        projekt = fill["Projekt"]
        build_workbook(projekt["projektnamn"], projekt["projekt_id"], fill).save(folder / name)
    (folder / "g-trasig.xlsx").write_bytes(b"inte en arbetsbok")
    return folder


@pytest.fixture
def input_folder(workbooks: Path, tmp_path: Path) -> Path:
    """The workbooks in a folder of this test's own (the sent-log is kept in it)."""
    return Path(shutil.copytree(workbooks, tmp_path / "input"))


def notify(input_folder: Path, *options: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["notify", str(input_folder), "--from", SENDER,
                                     "--today", TODAY, *options], env=env)


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


# --- the tests ---------------------------------------------------------------------------

def test_each_leader_gets_one_message_about_all_of_their_projects(
        smtp: tuple[str, Mailbox], input_folder: Path) -> None:
    server, mailbox = smtp
    result = notify(input_folder, "--smtp", server, "--link-base", LINK_BASE)

    messages = mailbox.messages()
    assert sorted(messages) == [ASA, KARIN]
    karin = messages[KARIN]
    assert karin["Subject"] == "Att göra i dina projekt 2012-03-20"
    assert karin["To"] == f"Karin Lund <{KARIN}>"
    sender = karin["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Projektkontoret, Härnösands kommun",
                                                       SENDER)
    text = body(karin, "plain")
    assert text.startswith("Hej Karin Lund!")
    assert "KS-2011-01 Föräldrastöd (fas Genomförande)" in text
    assert "AF-2024-02 Unga till jobb (fas Planering)" in text
    assert ("- Statusrapporter!C4: En statusrapport är försenad: den senaste rapporten (nr 3) "
            "gäller till 2011-11-30") in text
    assert "- Projekt!B11: Slutdatum 2012-01-15 har passerat" in text
    assert "- Aktiviteter!E4: Aktiviteten 'Föräldragrupper höst' skulle vara klar" in text
    assert "- Personkontrakt!G3: Personkontraktet för Lena Holm gällde till 2011-12-31" in text
    assert "Att göra före BP3:\n- Checklistor!D24: Att göra före BP3: kontrollpunkt G1" in text
    assert "Att göra före BP2:" in text  # Unga till jobb is in Planering
    assert (f"Projektsida: {LINK_BASE}KS-2011-01%20F%C3%B6r%C3%A4ldrast%C3%B6d/projekt.html"
            in text)
    html = body(karin, "html")
    assert (f'<a href="{LINK_BASE}AF-2024-02%20Unga%20till%20jobb/projekt.html">'
            in html)
    assert "<strong>Statusrapporter!C4</strong>: En statusrapport är försenad" in html
    assert messages[ASA]["To"] == f"Åsa Öberg <{ASA}>"
    assert "SF-2011-03 Trygga vägar" in body(messages[ASA], "plain")

    assert result.exit_code == 1  # Per Persson's message was refused
    assert (f"Misslyckades: Per Persson <per.persson{REFUSED_DOMAIN}>: servern vägrade "
            "mottagaren (550 5.1.1 Mottagaren finns inte)") in result.output
    assert f"Skickat till Karin Lund <{KARIN}>." in result.output
    assert "Saknar e-postadress: Lars Ek (SK-2011-04 Läsfrämjande)." in result.output
    assert "Inget att meddela: Maja Lind <maja.lind@harnosand.se>" in result.output
    assert "Kunde inte läsas: g-trasig.xlsx: Arbetsboken kan inte läsas" in result.output
    assert "2 meddelanden skickade, 1 misslyckat, 1 projektledare utan e-postadress." in (
        result.output)


def test_headers_are_encoded_and_the_swedish_text_survives_the_wire(
        smtp: tuple[str, Mailbox], input_folder: Path) -> None:
    server, mailbox = smtp
    notify(input_folder, "--smtp", server)
    raw = dict((to[0], data) for to, data in mailbox.received)[ASA]
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert b"=?utf-8?" in head  # RFC 2047 words for Å, Ö and ö
    message = mailbox.messages()[ASA]
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message.get_body(("plain",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert "Hej Åsa Öberg!" in body(message, "plain")
    assert "Hej Åsa Öberg!" in body(message, "html")


def test_the_same_days_message_is_never_sent_twice_unless_forced(
        smtp: tuple[str, Mailbox], input_folder: Path) -> None:
    server, mailbox = smtp
    notify(input_folder, "--smtp", server)
    assert len(mailbox.received) == 2
    again = notify(input_folder, "--smtp", server)
    assert len(mailbox.received) == 2
    assert f"Redan skickat i dag till Karin Lund <{KARIN}>" in again.output
    assert (input_folder / ".projektmodell" / "notify-sent.json").is_file()

    notify(input_folder, "--smtp", server, "--force")
    assert len(mailbox.received) == 4
    notify(input_folder, "--smtp", server, "--today", "2012-03-21")
    assert len(mailbox.received) == 6
    assert [to for to, _ in mailbox.received[-2:]] == [[KARIN], [ASA]]


def test_a_dry_run_writes_eml_files_and_sends_nothing(
        smtp: tuple[str, Mailbox], input_folder: Path, tmp_path: Path) -> None:
    server, mailbox = smtp
    result = notify(input_folder, "--dry-run", str(tmp_path / "utkast"))
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "utkast").glob("*.eml"))
    assert [f.name for f in files] == [f"{TODAY} Karin Lund {KARIN}.eml",
                                       f"{TODAY} Per Persson per.persson{REFUSED_DOMAIN}.eml",
                                       f"{TODAY} Åsa Öberg {ASA}.eml"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert message["To"] == f"Karin Lund <{KARIN}>"
    assert "Projekt!B11: Slutdatum 2012-01-15 har passerat" in body(message, "plain")
    assert "3 meddelanden skrivna" in result.output
    assert mailbox.received == []
    assert not (input_folder / ".projektmodell").exists()  # a dry run is not a sending
    notify(input_folder, "--smtp", server)
    assert len(mailbox.received) == 2


def test_the_letters_and_the_summary_go_by_the_leaders_names_in_swedish_order(
        tmp_path: Path) -> None:
    """a–z, then å, ä, ö, case aside: not the workbooks' order, nor str.casefold's."""
    leaders = {"a.xlsx": "Örjan Ek", "b.xlsx": "Åsa Berg", "c.xlsx": "Anna Ström",
               "d.xlsx": "Zoran Ali", "e.xlsx": "ebba Lund", "f.xlsx": "Älva Holm"}
    folder = tmp_path / "input"
    folder.mkdir()
    for number, (name, leader) in enumerate(leaders.items()):
        address = f"{name.removesuffix('.xlsx')}@harnosand.se"
        fill = led_by(example_fill(), f"KS-2011-{number + 10}", f"Projekt {number}", leader,
                      address)
        build_workbook(fill["Projekt"]["projektnamn"], fill["Projekt"]["projekt_id"],
                       fill).save(folder / name)

    result = notify(folder, "--dry-run", str(tmp_path / "utkast"))

    assert result.exit_code == 0, result.output
    written = [line.split(f"{TODAY} ", 1)[1].rsplit(" ", 1)[0]
               for line in result.output.splitlines() if line.startswith("Skrev ")]
    assert written == ["Anna Ström", "ebba Lund", "Zoran Ali", "Åsa Berg", "Älva Holm",
                       "Örjan Ek"]


def test_login_with_the_password_from_the_environment(
        smtp: tuple[str, Mailbox], input_folder: Path) -> None:
    server, mailbox = smtp
    options = ("--smtp", server, "--user", "projektkontoret", "--password-env", "PM_LOSEN")
    wrong = notify(input_folder, *options, env={"PM_LOSEN": "fel"})
    assert wrong.exit_code == 1
    assert f"Misslyckades: Karin Lund <{KARIN}>: servern svarade 535" in wrong.output
    assert "0 meddelanden skickade, 3 misslyckade" in wrong.output
    assert mailbox.received == []
    right = notify(input_folder, *options, env={"PM_LOSEN": "hemligt-losen"})
    assert (b"projektkontoret", b"hemligt-losen") in mailbox.logins
    assert sorted(mailbox.messages()) == [ASA, KARIN]
    assert right.exit_code == 1  # the refused recipient still fails


def test_a_server_that_cannot_be_reached_fails_every_message(input_folder: Path) -> None:
    result = notify(input_folder, "--smtp", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert f"Misslyckades: Karin Lund <{KARIN}>: kunde inte nå servern" in result.output
    assert "0 meddelanden skickade, 3 misslyckade" in result.output


@pytest.mark.parametrize(("options", "env", "message"), [
    ((), {}, "Ange e-postservern med --smtp"),
    (("--smtp", "localhost:port"), {}, "--smtp: 'localhost:port' har inget giltigt portnummer"),
    (("--smtp", "localhost", "--user", "pk"), {}, "--user behöver --password-env"),
    (("--smtp", "localhost", "--user", "pk", "--password-env", "PM_SAKNAS"), {},
     "Miljövariabeln PM_SAKNAS (--password-env) är inte satt"),
    (("--smtp", "localhost", "--today", "20 mars"), {}, "--today"),
    (("--smtp", "localhost", "--user", "pk", "--password-env", "PM_LOSEN"),
     {"PM_LOSEN": "lösen"}, "Lösenordet i PM_LOSEN har tecken utanför ASCII"),
], ids=["no-server", "bad-port", "user-without-password", "password-unset", "bad-today",
        "password-not-ascii"])
def test_usage_errors_exit_2_before_anything_is_sent(
        input_folder: Path, options: tuple[str, ...], env: dict[str, str], message: str) -> None:
    result = notify(input_folder, *options, env=env)
    assert result.exit_code == 2
    assert message in result.output


def test_the_summary_counts_one_message_in_the_singular(tmp_path: Path) -> None:
    """One leader with something to do: '1 meddelande skrivet', not '1 meddelanden'."""
    folder = tmp_path / "input"
    folder.mkdir()
    fill = WORKBOOKS["b-foraldrastod.xlsx"]
    projekt = fill["Projekt"]
    build_workbook(projekt["projektnamn"], projekt["projekt_id"], fill).save(
        folder / "b-foraldrastod.xlsx")
    result = notify(folder, "--dry-run", str(tmp_path / "utkast"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "1 meddelande skrivet, 0 misslyckade, 0 projektledare utan e-postadress.")


def test_a_sender_that_is_no_address_and_a_missing_folder_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_sender = runner.invoke(main, ["notify", str(tmp_path), "--from", "projektkontoret",
                                      "--dry-run", str(tmp_path / "ut")])
    assert bad_sender.exit_code == 2
    assert "--from: 'projektkontoret' är ingen e-postadress." in bad_sender.output
    missing = runner.invoke(main, ["notify", str(tmp_path / "saknas"), "--from", SENDER,
                                   "--dry-run", str(tmp_path / "ut")])
    assert missing.exit_code == 2
    assert "Indatamappen" in missing.output


def test_starttls_encrypts_the_connection_before_anything_is_sent(
        tls_server: tuple[str, Mailbox, Path], input_folder: Path) -> None:
    server, mailbox, cert = tls_server
    plain = notify(input_folder, "--smtp", server)
    assert plain.exit_code == 1
    assert "servern svarade 530" in plain.output  # the server wants STARTTLS first
    assert mailbox.received == []
    secured = notify(input_folder, "--smtp", server, "--starttls",
                     env={"SSL_CERT_FILE": str(cert)})
    assert sorted(mailbox.messages()) == [ASA, KARIN]
    assert f"Skickat till Karin Lund <{KARIN}>." in secured.output


def test_the_organisations_settings_name_the_sender_and_sign_the_message(
        input_folder: Path, tmp_path: Path) -> None:
    (input_folder / "projektmodell.toml").write_text(
        'config_version = 1\n\n[organisation]\nname = "Sundsvalls kommun"\n', encoding="utf-8")
    result = notify(input_folder, "--dry-run", str(tmp_path / "utkast"))
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(
        (tmp_path / "utkast" / f"{TODAY} Karin Lund {KARIN}.eml").read_bytes(), policy=default)
    assert message["From"].addresses[0].display_name == "Projektkontoret, Sundsvalls kommun"
    assert body(message, "plain").endswith(
        "Med vänliga hälsningar\nProjektkontoret, Sundsvalls kommun\n\n"
        "Meddelandet skickas automatiskt av projektmodell.\n")

    broken = tmp_path / "annan.toml"
    broken.write_text("[organisation]\nnamn = 'Sundsvall'\n", encoding="utf-8")
    refused = notify(input_folder, "--config", str(broken), "--dry-run", str(tmp_path / "x"))
    assert refused.exit_code == 2
    assert "annan.toml" in refused.output
    assert not (tmp_path / "x").exists()
