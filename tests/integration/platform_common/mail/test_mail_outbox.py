"""E-mail in the outbox: a message and its job exist if and only if the unit of work committed,
its secrets are sealed apart from the plaintext, and row-level security holds on its table."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import orjson
import pytest

from platform_common.db.database import Database
from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.settings import DatabaseSettings
from platform_common.events.queue import MAIL
from platform_common.mail.outbox import (
    InvalidMail,
    Mail,
    SealMismatch,
    render,
    secret_placeholder,
    send_mail,
    unseal,
)
from platform_common.webhooks.secrets import SecretBox, UndecryptableSecret
from platform_common.webhooks.settings import WebhookSettings
from tests.integration.factories import Account, signup

BOX = WebhookSettings().secret_box()
LINK = f"https://todo.example.com/verify?token={secret_placeholder('token')}"


class RolledBack(Exception):
    pass


def verification(token: str, to: str = "new.user@example.com") -> Mail:
    return Mail(
        to=to,
        subject="Confirm your address",
        text=f"Open {LINK} to confirm.",
        html=f'<p><a href="{LINK}">Confirm</a></p>',
        secrets={"token": token},
    )


@pytest.fixture
async def runtime_database(database: ProvisionedDatabase) -> AsyncIterator[Database]:
    db = Database(DatabaseSettings(database_url=database.app_url), application_name="mail-test")
    await db.connect()
    yield db
    await db.close()


@pytest.fixture
async def owner(database: ProvisionedDatabase) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await signup(client, "mail")


async def mails_of(owner: asyncpg.Connection, tenant_id: str) -> list[asyncpg.Record]:
    async with owner.transaction():
        await owner.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        return await owner.fetch("SELECT * FROM mail_message ORDER BY created_at")


async def queued(owner: asyncpg.Connection) -> list[dict[str, object]]:
    rows = await owner.fetch("SELECT entrypoint, payload FROM pgqueuer ORDER BY id")
    return [{"entrypoint": row["entrypoint"], **orjson.loads(row["payload"])} for row in rows]


async def test_a_committed_message_has_its_row_and_its_job_and_its_secret_only_sealed(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    token = secrets.token_urlsafe(32)
    async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
        message_id = await send_mail(transaction, BOX, verification(token))

    [row] = await mails_of(owner, account.tenant_id)
    assert (row["id"], row["recipient"], row["status"], row["attempts"]) == (
        message_id,
        "new.user@example.com",
        "pending",
        0,
    )
    assert row["text_body"] == f"Open {LINK} to confirm."
    assert token not in row["text_body"] + row["html_body"]
    assert token.encode() not in row["sealed"]
    assert unseal(BOX, message_id, row["recipient"], row["sealed"]) == {"token": token}
    assert (
        render(row["text_body"], {"token": token})
        == f"Open {LINK.replace(secret_placeholder('token'), token)} to confirm."
    )
    assert await queued(owner) == [
        {"entrypoint": MAIL, "tenant_id": account.tenant_id, "id": str(message_id)}
    ]


async def test_a_rolled_back_unit_of_work_leaves_neither_message_nor_job(
    runtime_database: Database, owner: asyncpg.Connection, account: Account
) -> None:
    async def send_then_fail() -> None:
        async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
            await send_mail(transaction, BOX, verification(secrets.token_urlsafe(32)))
            raise RolledBack

    with pytest.raises(RolledBack):
        await send_then_fail()
    assert await mails_of(owner, account.tenant_id) == []
    assert await queued(owner) == []


async def test_row_level_security_keeps_each_tenants_messages_to_itself(
    runtime_database: Database, owner: asyncpg.Connection, client: httpx.AsyncClient, account: Account
) -> None:
    other = await signup(client, "mail-other")
    async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
        await send_mail(transaction, BOX, verification(secrets.token_urlsafe(32)))
    async with runtime_database.transaction(uuid.UUID(other.tenant_id)) as transaction:
        assert await transaction.connection.fetch("SELECT id FROM mail_message") == []
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await transaction.connection.execute(
                "INSERT INTO mail_message (id, tenant_id, recipient, subject, text_body)"
                " VALUES ($1, $2, 'a@example.com', 's', 't')",
                uuid.uuid4(),
                uuid.UUID(account.tenant_id),
            )
    assert len(await mails_of(owner, account.tenant_id)) == 1


async def test_a_finished_message_cannot_keep_its_sealed_secrets(
    runtime_database: Database, account: Account
) -> None:
    """The table itself refuses a sent or failed message that still holds sealed secrets."""
    async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
        message_id = await send_mail(transaction, BOX, verification(secrets.token_urlsafe(32)))
        with pytest.raises(asyncpg.CheckViolationError, match="ck_mail_message_unsealed"):
            await transaction.connection.execute(
                "UPDATE mail_message SET status = 'sent' WHERE id = $1", message_id
            )


def test_a_seal_opens_only_for_its_own_message_and_recipient_and_key() -> None:
    token = secrets.token_urlsafe(32)
    message_id = uuid.uuid4()
    sealed = BOX.seal(
        orjson.dumps(
            {"message": str(message_id), "to": "a@example.com", "secrets": {"token": token}}
        ).decode()
    )
    assert unseal(BOX, message_id, "a@example.com", sealed) == {"token": token}
    with pytest.raises(SealMismatch):
        unseal(BOX, message_id, "attacker@example.com", sealed)  # the recipient was edited
    with pytest.raises(SealMismatch):
        unseal(BOX, uuid.uuid4(), "a@example.com", sealed)  # moved to another row
    with pytest.raises(UndecryptableSecret):
        unseal(SecretBox(secrets.token_hex(32)), message_id, "a@example.com", sealed)
    # A rotation: the new key first, the old one still listed, opens what the old one sealed.
    rotated = SecretBox(secrets.token_hex(32), [WebhookSettings().data_encryption_key.get_secret_value()])
    assert unseal(rotated, message_id, "a@example.com", sealed) == {"token": token}


@pytest.mark.parametrize(
    ("mail", "refused"),
    [
        (Mail("a@example.com\r\nBcc: b@example.com", "s", "t"), "one bare address"),
        (Mail("a@example.com, b@example.com", "s", "t"), "one bare address"),
        (Mail("Someone <a@example.com>", "s", "t"), "one bare address"),
        (Mail("a@example.com", "Hello\r\nBcc: b@example.com", "t"), "one line"),
        (Mail("a@example.com", "s", "x" * 300_000), "bytes of body"),
        (Mail("a@example.com", "s", "no link", secrets={"token": "A" * 32}), "no part of the message uses"),
        (
            Mail("a@example.com", "s", f"{LINK} and {'A' * 32}", secrets={"token": "A" * 32}),
            "appears in the plaintext",
        ),
        (Mail("a@example.com", "s", LINK, secrets={"token": "<script>" * 4}), "URL-safe"),
        (Mail("a@example.com", "s", LINK, secrets={"Token!": "A" * 32}), "not a secret name"),
    ],
)
async def test_a_message_that_could_leak_or_inject_is_refused(
    runtime_database: Database, owner: asyncpg.Connection, account: Account, mail: Mail, refused: str
) -> None:
    async def send() -> None:
        async with runtime_database.transaction(uuid.UUID(account.tenant_id)) as transaction:
            await send_mail(transaction, BOX, mail)

    with pytest.raises(InvalidMail, match=refused):
        await send()
    assert await mails_of(owner, account.tenant_id) == []
