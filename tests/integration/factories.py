"""The users tests call the API as: one vocabulary for the whole suite.

An ``Account`` is a user of a tenant with an access token for it. ``signup`` makes a tenant
and its owner, ``add_member`` adds a user to an admin's tenant (with a role) by invitation,
``hire_crew`` makes an owner, an admin and a member; all three go through the public API.
The token comes one of two ways:

- by default, a real login (``POST /auth/token``, or the login an accepted invitation is),
  so the account has a refresh token too; it costs a password hash or verification
  (argon2id, ~50 ms);
- with ``signed_by=settings``, a session row written directly (what a login opens; tokens
  name it in ``sid``) and an access token signed by hand with the app's key, exactly what the
  login would have issued. For tests that make many users, or that change one claim at a
  time (``claims_for`` and ``sign``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import httpx
from jose import jwt
from tools.mailed_token import mailed_token

from platform_common.db.database import Database
from platform_common.events.queue import MAIL
from platform_common.mail.outbox import unseal
from platform_common.webhooks.secrets import SecretBox
from tests.database import connected
from todo_api.core.config import Settings
from todo_api.core.runtime import TodoRuntime
from todo_api.schemas.email import login_email as normalised

PASSWORD = "correct horse battery staple"
INVITATIONS = "/api/v1/invitations"
ACCEPT_INVITATION = "/api/v1/auth/invitations/accept"

Claims = dict[str, Any]


@dataclass(frozen=True)
class Account:
    tenant_id: str
    user_id: str
    email: str
    role: str
    session_id: str
    access_token: str
    refresh_token: str | None  # None when the session was opened without a login

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access_token)

    @property
    def label(self) -> str:
        """``name@tenant``, for readable test tables."""
        return self.email.split(".")[0]


@dataclass(frozen=True)
class Crew:
    """An owner, an admin and a member of one tenant."""

    owner: Account
    admin: Account
    member: Account

    def __iter__(self) -> Iterator[Account]:
        return iter((self.owner, self.admin, self.member))

    @property
    def user_ids(self) -> set[str]:
        return {account.user_id for account in self}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def signup(
    client: httpx.AsyncClient, slug: str, *, password: str = PASSWORD, signed_by: Settings | None = None
) -> Account:
    """A new tenant ``<Slug>`` and its owner ``owner@<slug>.example.com``, through the sign-up
    and its verification (the token read from the queued e-mail, which is then delivered: the
    tenant starts with nothing queued); the verification's tokens are the account's unless
    ``signed_by``."""
    email = f"owner@{slug}.example.com"
    body = {"tenant_name": slug.title(), "tenant_slug": slug, "email": email, "password": password}
    verified = await signed_up(client, body)
    tenant_id, user_id = verified["tenant"]["id"], verified["user"]["id"]
    await _delivered(client, tenant_id)
    if signed_by is not None:
        return await _account(client, tenant_id, user_id, email, "owner", password, signed_by)
    return owner_of(verified, email)


def owner_of(verified: dict[str, Any], email: str) -> Account:
    """The owner's account from a sign-up verification's 201 body, signed in with its tokens."""
    session_id = jwt.get_unverified_claims(verified["access_token"])["sid"]
    return Account(
        verified["tenant"]["id"],
        verified["user"]["id"],
        email,
        "owner",
        session_id,
        verified["access_token"],
        verified["refresh_token"],
    )


async def signed_up(client: httpx.AsyncClient, body: dict[str, str], **verify: str) -> dict[str, Any]:
    """``POST /auth/signup`` with ``body``, then its verification with the mailed token (and
    ``verify``'s extra fields, such as an existing account's ``password``): the 201's body."""
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 202, response.text
    token = await signup_token(client, body["email"])
    verified = await client.post("/api/v1/auth/signup/verify", json={"token": token, **verify})
    assert verified.status_code == 201, verified.text
    created: dict[str, Any] = verified.json()
    return created


async def _delivered(client: httpx.AsyncClient, tenant_id: str) -> None:
    """The tenant's queued e-mail (its sign-up's), gone as once the dispatcher has sent it and
    the purge run: off the queue and out of the outbox."""
    async with outbox_of(client).tenant(tenant_id) as connection:
        await connection.execute(
            "DELETE FROM pgqueuer WHERE entrypoint = $1 AND convert_from(payload, 'UTF8')::jsonb ->> 'tenant_id' = $2",
            MAIL,
            tenant_id,
        )
        await connection.execute("DELETE FROM mail_message")


async def signup_token(client: httpx.AsyncClient, email: str) -> str:
    """The token of the newest sign-up e-mail queued to ``email`` by the app behind ``client``."""
    outbox = outbox_of(client)
    async with connected(outbox.database_url) as connection:
        return await mailed_token(connection, normalised(email), outbox.box)


async def add_member(
    client: httpx.AsyncClient,
    admin: Account,
    name: str,
    *,
    role: str = "member",
    signed_by: Settings | None = None,
) -> Account:
    """``name@<the admin's domain>`` in the admin's tenant with ``role``: invited by the admin,
    and accepted with the mailed link's token (read from the queued message as the dispatcher
    would), which logs the new member in."""
    email = f"{name}@{admin.email.split('@')[1]}"
    invited = await client.post(INVITATIONS, json={"email": email, "role": role}, headers=admin.headers)
    assert invited.status_code == 201, invited.text
    email = invited.json()["email"]  # as stored: normalised
    token = await invitation_token(client, admin.tenant_id, email)
    body = {"token": token, "password": PASSWORD, "full_name": name}
    accepted = await client.post(ACCEPT_INVITATION, json=body)
    assert accepted.status_code == 200, accepted.text
    tokens = accepted.json()
    claims = jwt.get_unverified_claims(tokens["access_token"])
    if signed_by is not None:
        return await _account(client, admin.tenant_id, claims["sub"], email, role, PASSWORD, signed_by)
    return Account(
        admin.tenant_id,
        claims["sub"],
        email,
        role,
        claims["sid"],
        tokens["access_token"],
        tokens["refresh_token"],
    )


async def mailed_invitation_token(database: Database, box: SecretBox, tenant_id: str, email: str) -> str:
    """The token of the newest invitation mailed to ``email`` from the tenant, unsealed."""
    async with database.transaction(uuid.UUID(tenant_id)) as transaction:
        return await _newest_token(transaction.connection, box, email)


async def invitation_token(client: httpx.AsyncClient, tenant_id: str, email: str) -> str:
    """The token of the newest invitation to ``email`` from the tenant, through the app ``client`` drives."""
    outbox = outbox_of(client)
    async with outbox.tenant(tenant_id) as connection:
        return await _newest_token(connection, outbox.box, email)


async def _newest_token(connection: asyncpg.Connection, box: SecretBox, email: str) -> str:
    """The token sealed in the newest message to ``email`` of the connection's tenant."""
    message = await connection.fetchrow(
        "SELECT id, recipient, sealed FROM mail_message WHERE recipient = $1 ORDER BY created_at DESC, id LIMIT 1",
        email,
    )
    assert message is not None, email
    return unseal(box, message["id"], message["recipient"], message["sealed"])["token"]


@dataclass(frozen=True)
class Outbox:
    """Where the factories read what a service mailed, as the dispatcher would: the service's
    database (its runtime role will do) and the keyring it seals secrets with."""

    database_url: str
    box: SecretBox

    @asynccontextmanager
    async def tenant(self, tenant_id: str) -> AsyncIterator[asyncpg.Connection]:
        """A connection in a transaction inside the tenant (its mail is tenant-owned)."""
        async with connected(self.database_url) as connection, connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
            yield connection


class ServedClient(httpx.AsyncClient):
    """A client of a service running in processes of its own (a live stack, a cluster), with
    the outbox the factories read its e-mail from; an in-process app's client needs none."""

    def __init__(self, outbox: Outbox, **options: Any) -> None:
        super().__init__(**options)
        self.outbox = outbox


def outbox_of(client: httpx.AsyncClient) -> Outbox:
    """The outbox of the service behind ``client``: a ``ServedClient``'s, or that of the
    in-process app it drives (its runtime names the database and the sealing keys)."""
    if isinstance(client, ServedClient):
        return client.outbox
    transport = client._transport  # httpx keeps the app on its transport only
    assert isinstance(transport, httpx.ASGITransport), "a client of a live service is a ServedClient"
    runtime = transport.app.state.runtime  # type: ignore[attr-defined]
    assert isinstance(runtime, TodoRuntime), runtime
    return Outbox(runtime.settings.database_url, runtime.secret_box)


async def hire_crew(client: httpx.AsyncClient, slug: str, *, signed_by: Settings | None = None) -> Crew:
    owner = await signup(client, slug, signed_by=signed_by)
    admin = await add_member(client, owner, "alice", role="admin", signed_by=signed_by)
    return Crew(owner, admin, await add_member(client, owner, "bob", signed_by=signed_by))


async def _account(
    client: httpx.AsyncClient,
    tenant_id: str,
    user_id: str,
    email: str,
    role: str,
    password: str,
    signed_by: Settings | None,
) -> Account:
    if signed_by is None:
        tokens = await login(client, email, password)
        session_id = jwt.get_unverified_claims(tokens["access_token"])["sid"]
        return Account(
            tenant_id, user_id, email, role, session_id, tokens["access_token"], tokens["refresh_token"]
        )
    session_id = await open_session(signed_by, tenant_id, user_id)
    unsigned = Account(tenant_id, user_id, email, role, session_id, access_token="", refresh_token=None)
    return replace(unsigned, access_token=sign(signed_by, claims_for(signed_by, unsigned)))


async def open_session(settings: Settings, tenant_id: str, user_id: str) -> str:
    """A live session of the user, as a login would open it; its id is the tokens' ``sid``."""
    session_id = str(uuid.uuid4())
    async with connected(settings.database_url) as connection, connection.transaction():
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        await connection.execute(
            "INSERT INTO auth_session (id, tenant_id, user_id, expires_at) "
            "VALUES ($1, $2, $3, now() + interval '1 day')",
            uuid.UUID(session_id),
            uuid.UUID(tenant_id),
            uuid.UUID(user_id),
        )
    return session_id


def claims_for(settings: Settings, who: Account, *, ver: int = 0) -> Claims:
    """The claims the app puts in an access token for ``who``, issued now."""
    now = int(time.time())
    return {
        "iss": settings.token_issuer,
        "aud": settings.token_audience,
        "sub": who.user_id,
        "tid": who.tenant_id,
        "sid": who.session_id,
        "role": who.role,
        "ver": ver,
        "iat": now,
        "nbf": now,
        "exp": now + settings.access_token_ttl_seconds,
        "jti": uuid.uuid4().hex,
    }


def sign(
    settings: Settings,
    claims: Claims,
    *,
    key: str | None = None,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    """Sign with the app's active key under its kid, unless ``key`` or ``headers`` say otherwise."""
    return jwt.encode(
        claims,
        key if key is not None else settings.secret_key.get_secret_value(),
        algorithm=algorithm,
        headers={"kid": settings.jwt_key_id} if headers is None else headers,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def bearer_for(settings: Settings, who: Account, *, ver: int = 0) -> dict[str, str]:
    """A fresh, valid Authorization header for ``who`` (in ``who``'s session)."""
    return bearer(sign(settings, claims_for(settings, who, ver=ver)))
