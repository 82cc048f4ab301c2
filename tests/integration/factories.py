"""Shortcuts for building tenants, users and tokens through the public API, and for serving
an app of its own to a test that needs settings of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from todo_api.core.config import Settings
from todo_api.main import create_app

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    tenant_id: str
    user_id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def signup(client: httpx.AsyncClient, slug: str, *, password: str = PASSWORD) -> Account:
    email = f"owner@{slug}.example.com"
    body = {"tenant_name": slug.title(), "tenant_slug": slug, "email": email, "password": password}
    response = await client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    tokens = await login(client, email, password)
    return Account(
        created["tenant"]["id"], created["user"]["id"], email, tokens["access_token"], tokens["refresh_token"]
    )


async def add_member(
    client: httpx.AsyncClient, admin: Account, name: str, *, role: str = "member"
) -> Account:
    email = f"{name}@{admin.email.split('@')[1]}"
    response = await client.post(
        "/api/v1/users", json={"email": email, "password": PASSWORD, "full_name": name}, headers=admin.headers
    )
    assert response.status_code == 201, response.text
    user = response.json()
    if role != "member":
        promoted = await client.patch(
            f"/api/v1/users/{user['id']}", json={"role": role}, headers=admin.headers
        )
        assert promoted.status_code == 200, promoted.text
    tokens = await login(client, email)
    return Account(user["tenant_id"], user["id"], email, tokens["access_token"], tokens["refresh_token"])


@asynccontextmanager
async def serve(settings: Settings, peer: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    """An app configured by ``settings`` (on the same database), seen from client address ``peer``."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(peer, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
