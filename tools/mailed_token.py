"""The token of the newest queued e-mail to an address, read from the outbox as the
dispatcher reads it: for the test factories, the contract tests and the fuzzer's sign-ups,
which verify a sign-up without a mailbox (``verified_signup`` does both steps at a live
service).

The queue (``pgqueuer``) is global and names each message by ``(tenant_id, id)``; the
message itself is tenant-owned, so each is read inside its tenant, and its sealed token is
opened with the keyring the service seals with (the development key unless given). Jobs are
read newest first, so the message is found at once however many the queue holds. Any role
that may read the queue and the messages will do (the runtime role, or the owner).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from platform_common.events.queue import MAIL, JobRef
from platform_common.mail.outbox import unseal
from platform_common.webhooks.secrets import SecretBox
from platform_common.webhooks.settings import WebhookSettings
from todo_api.schemas.email import normalize_email


async def mailed_token(connection: asyncpg.Connection, recipient: str, box: SecretBox | None = None) -> str:
    """The ``token`` secret of the newest queued message to ``recipient`` (LookupError: none)."""
    keyring = box or WebhookSettings().secret_box()
    jobs = await connection.fetch("SELECT payload FROM pgqueuer WHERE entrypoint = $1 ORDER BY id DESC", MAIL)
    for job in jobs:
        ref = JobRef.parse(job["payload"])
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(ref.tenant_id))
            message = await connection.fetchrow(
                "SELECT id, recipient, sealed FROM mail_message "
                "WHERE id = $1 AND recipient = $2 AND status = 'pending'",
                ref.id,
                recipient,
            )
        if message is not None:
            return unseal(keyring, message["id"], message["recipient"], message["sealed"])["token"]
    raise LookupError(f"no queued message to {recipient}")


def mailed_token_at(database_url: str, recipient: str) -> str:
    """``mailed_token`` for synchronous callers, on a connection of its own."""

    async def read() -> str:
        connection = await asyncpg.connect(database_url)
        try:
            return await mailed_token(connection, recipient)
        finally:
            await connection.close()

    return asyncio.run(read())


def verified_signup(base_url: str, database_url: str, body: dict[str, str]) -> dict[str, Any]:
    """Sign up at a live service with ``body`` and verify with the token of the queued e-mail
    (read from ``database_url``'s outbox): the verification's 201 body (tenant, user, tokens)."""
    httpx.post(f"{base_url}/api/v1/auth/signup", json=body).raise_for_status()
    token = mailed_token_at(database_url, normalize_email(body["email"]))
    verified = httpx.post(f"{base_url}/api/v1/auth/signup/verify", json={"token": token})
    verified.raise_for_status()
    created: dict[str, Any] = verified.json()
    return created
