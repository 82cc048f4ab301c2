"""E-mail end to end: a unit of work writes a message whose link carries a token, the
dispatcher (a real subprocess) sends it to a real SMTP server (aiosmtpd) on an ephemeral port,
and the token exists in plain text only in the mailbox: never in the database, before or
after the message is sent."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import asyncpg
import pytest

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.settings import DatabaseSettings
from platform_common.mail.outbox import Mail, secret_placeholder, send_mail
from platform_common.webhooks.settings import WebhookSettings
from tests.certificates import Certificate
from tests.dispatcher_process import DispatcherProcess, running_dispatcher
from tests.integration.dispatcher.test_delivery import eventually
from tests.integration.factories import Account
from tests.integration.todo_api.webhooks.conftest import as_tenant
from tests.mailbox import Mailbox, body, serving

BOX = WebhookSettings().secret_box()  # the development key, as the dispatcher subprocess has it
FAST_RETRIES = {"MAIL_RETRY_SCHEDULE_SECONDS": "[0.2, 0.2]", "MAIL_RETRY_JITTER": "0"}
LINK = f"https://todo.example.com/verify?token={secret_placeholder('token')}"


class RolledBack(Exception):
    pass


@pytest.fixture
async def runtime(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    db = Database(DatabaseSettings(database_url=database.app_url), application_name="mail-test")
    await db.connect()
    yield db
    await db.close()


async def send(runtime: Database, account: Account, token: str, *, fail: bool = False) -> uuid.UUID:
    async with runtime.transaction(uuid.UUID(account.tenant_id)) as transaction:
        message_id = await send_mail(
            transaction,
            BOX,
            Mail(
                to="new.user@example.com",
                subject="Confirm your address",
                text=f"Open {LINK} to confirm.",
                html=f'<p><a href="{LINK}">Confirm</a></p>',
                secrets={"token": token},
            ),
        )
        if fail:
            raise RolledBack
    return message_id


async def readable_database(owner: asyncpg.Connection, tenant_id: str) -> str:
    """Every row of every table, as text, as the schema owner in the tenant (bytea as hex)."""
    tables = [
        row["tablename"]
        for row in await owner.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        dumps = [
            await owner.fetchval(f"SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM \"{table}\" AS t")  # noqa: S608  # names from the catalog
            for table in tables
        ]
    return "\n".join(dumps)


def assert_nowhere(token: str, dump: str) -> None:
    assert token not in dump
    assert token.encode().hex() not in dump  # nor as the bytes of a bytea column


async def message_row(owner: asyncpg.Connection, account: Account, message_id: uuid.UUID) -> asyncpg.Record:
    [row] = await as_tenant(owner, account.tenant_id, "SELECT * FROM mail_message WHERE id = $1", message_id)
    return row


async def finished(owner: asyncpg.Connection, account: Account, message_id: uuid.UUID) -> asyncpg.Record:
    async def check() -> asyncpg.Record | None:
        row = await message_row(owner, account, message_id)
        return row if row["status"] != "pending" else None

    result: asyncpg.Record = await eventually(check)
    return result


def mail_dispatcher(
    database: ProvisionedDatabase, workdir: Path, mailbox: Mailbox
) -> AbstractContextManager[DispatcherProcess]:
    return running_dispatcher(database.app_url, workdir, env={**mailbox.environment(), **FAST_RETRIES})


async def test_the_token_reaches_the_mailbox_and_is_never_in_the_database(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    token = secrets.token_urlsafe(32)
    message_id = await send(runtime, owner, token)

    # Written, not yet sent: the plaintext columns hold the placeholder; no table holds the token.
    pending = await message_row(owner_connection, owner, message_id)
    assert pending["status"] == "pending"
    assert pending["sealed"] is not None
    assert secret_placeholder("token") in pending["text_body"]
    assert_nowhere(token, await readable_database(owner_connection, owner.tenant_id))

    async with serving(Mailbox()) as mailbox:
        with mail_dispatcher(database, workdir, mailbox) as dispatcher:
            [message] = await mailbox.wait_for(1)
            sent = await finished(owner_connection, owner, message_id)
    link = LINK.replace(secret_placeholder("token"), token)
    assert f"Open {link} to confirm." in body(message)
    assert f'href="{link}"' in body(message, "html")
    assert (message["To"], message["From"], message["Subject"]) == (
        "new.user@example.com",
        "todo@example.com",
        "Confirm your address",
    )
    assert message["Message-ID"] == f"<{message_id}@example.com>"
    assert mailbox.envelopes == [("todo@example.com", ["new.user@example.com"])]

    # Sent: the sealed secrets are gone with the commit that recorded it.
    assert (sent["status"], sent["sealed"], sent["attempts"], sent["last_error"]) == ("sent", None, 1, None)
    assert_nowhere(token, await readable_database(owner_connection, owner.tenant_id))
    assert_nowhere(token, dispatcher.stderr.read_text())  # nor in the logs
    [logged] = dispatcher.events("mail_sent")
    assert (logged["message_id"], logged["outcome"]) == (str(message_id), "succeeded")


async def test_a_4xx_is_retried_until_the_server_accepts(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    token = secrets.token_urlsafe(32)
    message_id = await send(runtime, owner, token)
    async with serving(Mailbox(script=["451 4.3.0 try again later"])) as mailbox:
        with mail_dispatcher(database, workdir, mailbox) as dispatcher:
            [message] = await mailbox.wait_for(1, attempts=2)
            sent = await finished(owner_connection, owner, message_id)
    assert token in body(message)
    assert (sent["status"], sent["sealed"], sent["attempts"]) == ("sent", None, 2)
    [retrying] = dispatcher.events("mail_not_sent")
    assert (retrying["outcome"], retrying["next_retry_in"], retrying["smtp_code"]) == ("retrying", 0.2, 451)


async def test_a_5xx_gives_up_at_once_and_still_deletes_the_secret(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    token = secrets.token_urlsafe(32)
    message_id = await send(runtime, owner, token)
    async with serving(Mailbox(script=["550 5.1.1 no such mailbox"])) as mailbox:
        with mail_dispatcher(database, workdir, mailbox):
            failed = await finished(owner_connection, owner, message_id)
            await asyncio.sleep(1)  # time enough for a retry, were there one
    assert (failed["status"], failed["sealed"], failed["attempts"]) == ("failed", None, 1)
    assert failed["last_error"] == "the SMTP server answered 550 5.1.1 no such mailbox"
    assert (mailbox.attempts, mailbox.messages) == (1, [])
    assert_nowhere(token, await readable_database(owner_connection, owner.tenant_id))


async def test_retries_end_with_the_schedule_and_the_secret_goes(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    message_id = await send(runtime, owner, secrets.token_urlsafe(32))
    async with serving(Mailbox(script=["421 4.7.0 busy"] * 5)) as mailbox:
        with mail_dispatcher(database, workdir, mailbox):
            failed = await finished(owner_connection, owner, message_id)
    # The first attempt and the schedule's two retries.
    assert (failed["status"], failed["sealed"], failed["attempts"], mailbox.attempts) == (
        "failed",
        None,
        3,
        3,
    )


async def test_a_rolled_back_unit_of_work_sends_nothing(
    runtime: Database, owner: Account, database: ProvisionedDatabase, workdir: Path
) -> None:
    with pytest.raises(RolledBack):
        await send(runtime, owner, "rolled-back-token-0123456789", fail=True)
    await send(runtime, owner, "committed-token-0123456789")
    async with serving(Mailbox()) as mailbox:
        with mail_dispatcher(database, workdir, mailbox):
            await mailbox.wait_for(1)
            await asyncio.sleep(1)  # time enough for a second message, were there one
    [message] = mailbox.messages
    assert "committed-token-0123456789" in body(message)


async def test_a_message_whose_recipient_was_altered_is_not_sent(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    """Whoever can write the table but holds no key cannot redirect a token to themselves."""
    message_id = await send(runtime, owner, secrets.token_urlsafe(32))
    await as_tenant(
        owner_connection,
        owner.tenant_id,
        "UPDATE mail_message SET recipient = 'attacker@example.net' WHERE id = $1",
        message_id,
    )
    async with serving(Mailbox()) as mailbox:
        with mail_dispatcher(database, workdir, mailbox):
            failed = await finished(owner_connection, owner, message_id)
    assert (failed["status"], failed["sealed"]) == ("failed", None)
    assert failed["last_error"] == "the sealed secrets belong to another message or recipient"
    assert mailbox.attempts == 0


async def test_without_an_smtp_server_development_writes_the_message_to_a_file(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
) -> None:
    token = secrets.token_urlsafe(32)
    message_id = await send(runtime, owner, token)
    directory = workdir / "mail"
    with running_dispatcher(database.app_url, workdir, env={"MAIL_DIRECTORY": str(directory)}) as dispatcher:
        sent = await finished(owner_connection, owner, message_id)
    assert sent["status"] == "sent"
    written = BytesParser(policy=policy.default).parsebytes((directory / f"{message_id}.eml").read_bytes())
    assert isinstance(written, EmailMessage)
    assert token in body(written)
    # The link is printed in the console too, so a newcomer can follow it (development only:
    # production refuses to run without SMTP_HOST).
    link = LINK.replace(secret_placeholder("token"), token)
    assert f"mail {message_id} to new.user@example.com: {link}\n" in dispatcher.stderr.read_text()


# Production's transport: TLS, verified against the trust store (here: the test's certificate).
CREDENTIALS = ("todo", "issued-by-the-mail-provider")


def over_tls(mailbox: Mailbox, certificate: Certificate | None, **settings: str) -> dict[str, str]:
    """The dispatcher's settings for ``mailbox`` with TLS (STARTTLS unless SMTP_TLS says so),
    SMTP AUTH, and ``certificate`` trusted (none: the system's store alone)."""
    trusted = {"SSL_CERT_FILE": str(certificate.cert_file)} if certificate else {}
    login, password = CREDENTIALS
    return {
        **mailbox.environment(),
        "SMTP_STARTTLS": "true",
        "SMTP_USERNAME": login,
        "SMTP_PASSWORD": password,
        **trusted,
        **FAST_RETRIES,
        **settings,
    }


@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls", "implicit-tls"])
async def test_the_message_and_the_login_go_over_tls(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
    implicit_tls: bool,
) -> None:
    """SMTP_STARTTLS on the plain port, or SMTP_TLS from the first byte; SMTP_USERNAME and
    SMTP_PASSWORD authenticate (the server refuses MAIL without them)."""
    token = secrets.token_urlsafe(32)
    message_id = await send(runtime, owner, token)
    certificate = Certificate.make("127.0.0.1", workdir)
    tls = {"SMTP_TLS": "true"} if implicit_tls else {}
    async with serving(
        Mailbox(credentials=CREDENTIALS), certificate=certificate, implicit_tls=implicit_tls
    ) as mailbox:
        with running_dispatcher(database.app_url, workdir, env=over_tls(mailbox, certificate, **tls)):
            [message] = await mailbox.wait_for(1)
            sent = await finished(owner_connection, owner, message_id)
    assert sent["status"] == "sent"
    assert (mailbox.encrypted, mailbox.logins) == ([True], ["todo"])
    assert token in body(message)


@pytest.mark.parametrize(
    ("server", "error"),
    [
        ("untrusted-certificate", "connection error: SSLCertVerificationError"),
        ("no-starttls", "connection error: SMTPException"),
    ],
)
async def test_without_tls_it_trusts_nothing_is_sent(
    runtime: Database,
    owner: Account,
    owner_connection: asyncpg.Connection,
    database: ProvisionedDatabase,
    workdir: Path,
    server: str,
    error: str,
) -> None:
    """The server's certificate is verified, and STARTTLS is required, not opportunistic: a
    self-signed certificate the dispatcher does not trust, or a server (or a man in the
    middle) that does not offer STARTTLS, gets neither the password nor the message."""
    message_id = await send(runtime, owner, secrets.token_urlsafe(32))
    certificate = Certificate.make("127.0.0.1", workdir) if server == "untrusted-certificate" else None
    async with serving(Mailbox(), certificate=certificate) as mailbox:
        with running_dispatcher(database.app_url, workdir, env=over_tls(mailbox, None)):
            failed = await finished(owner_connection, owner, message_id)
    assert (failed["status"], failed["attempts"]) == ("failed", 3)  # retried: perhaps a passing fault
    assert failed["last_error"] == error
    assert (mailbox.attempts, mailbox.logins) == (0, [])
