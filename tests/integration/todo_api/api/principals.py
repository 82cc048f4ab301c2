"""Users made through the public API, and access tokens for them signed by hand with python-jose.

A token from ``bearer_for`` is exactly what the app would issue at login, without the
cost of a login (a password verification) per user; ``claims_for`` and ``sign`` let a
test change any single part of it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

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

    @property
    def label(self) -> str:
        """``name@tenant``, for readable test tables."""
        return self.email.split(".")[0]


async def register(client: httpx.AsyncClient, slug: str) -> Principal:
    """Sign up a tenant; its owner is ``owner@<slug>.example.com`` (no login)."""
    email = f"owner@{slug}.example.com"
    body = {"tenant_name": slug.title(), "tenant_slug": slug, "email": email, "password": PASSWORD}
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    return Principal(created["tenant"]["id"], created["user"]["id"], email, "owner")


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
    return Principal(admin.tenant_id, user_id, email, role)


def claims_for(settings: Settings, who: Principal, *, ver: int = 0) -> Claims:
    """The claims the app puts in an access token for ``who``, issued now."""
    now = int(time.time())
    return {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": who.user_id,
        "tid": who.tenant_id,
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
