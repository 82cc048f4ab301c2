"""Users made through the public API, and access tokens for them signed by hand with python-jose.

A token from ``bearer_for`` is exactly what the app would issue at login, without the
cost of a login (a password verification) per user: each principal gets a session row
(what a login opens; tokens name it in ``sid``) written directly, as the runtime role in
the principal's tenant. ``claims_for`` and ``sign`` let a test change any single part.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from jose import jwt

from tests.integration.factories import PASSWORD
from todo_api.core.config import Settings

Claims = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    tenant_id: str
    user_id: str
    email: str
    role: str
    session_id: str

    @property
    def label(self) -> str:
        """``name@tenant``, for readable test tables."""
        return self.email.split(".")[0]


async def open_session(settings: Settings, tenant_id: str, user_id: str) -> str:
    """A live session of the user, as a login would open it; its id is the tokens' ``sid``."""
    session_id = str(uuid.uuid4())
    connection = await asyncpg.connect(settings.database_url)
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
            await connection.execute(
                "INSERT INTO auth_session (id, tenant_id, user_id, expires_at) "
                "VALUES ($1, $2, $3, now() + interval '1 day')",
                uuid.UUID(session_id),
                uuid.UUID(tenant_id),
                uuid.UUID(user_id),
            )
    finally:
        await connection.close()
    return session_id


async def register(client: httpx.AsyncClient, settings: Settings, slug: str) -> Principal:
    """Sign up a tenant; its owner is ``owner@<slug>.example.com`` (no login)."""
    email = f"owner@{slug}.example.com"
    body = {"tenant_name": slug.title(), "tenant_slug": slug, "email": email, "password": PASSWORD}
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.text
    tenant_id, user_id = response.json()["tenant"]["id"], response.json()["user"]["id"]
    return Principal(tenant_id, user_id, email, "owner", await open_session(settings, tenant_id, user_id))


async def add_user(
    client: httpx.AsyncClient, settings: Settings, admin: Principal, name: str, *, role: str = "member"
) -> Principal:
    """Add ``name`` to the admin's tenant through the API, promoted to ``role`` (no login)."""
    email = f"{name}@{admin.email.split('@')[1]}"
    headers = bearer_for(settings, admin)
    body = {"email": email, "password": PASSWORD, "full_name": name}
    response = await client.post("/api/v1/users", json=body, headers=headers)
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    if role != "member":
        promoted = await client.patch(f"/api/v1/users/{user_id}", json={"role": role}, headers=headers)
        assert promoted.status_code == 200, promoted.text
    return Principal(
        admin.tenant_id, user_id, email, role, await open_session(settings, admin.tenant_id, user_id)
    )


def claims_for(settings: Settings, who: Principal, *, ver: int = 0) -> Claims:
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


def bearer_for(settings: Settings, who: Principal, *, ver: int = 0) -> dict[str, str]:
    """A valid Authorization header for ``who``."""
    return bearer(sign(settings, claims_for(settings, who, ver=ver)))
