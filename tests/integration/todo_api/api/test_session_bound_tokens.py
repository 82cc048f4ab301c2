"""Access tokens are bound to their session (``sid``): whatever ends a session ends every
access token it issued, the ones from before a refresh included, and nothing else.

Each session here holds two access tokens, one from the login and one from a refresh, both
still within their lifetime: only the session's end can refuse them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, Account, add_member, login, signup
from tests.integration.rows import row_locks, wait_for_blocked_statements

ME = "/api/v1/users/me"


@dataclass
class Session:
    access_tokens: tuple[str, str]  # the login's and the refresh's
    refresh_token: str  # the current one

    def headers(self, which: int = -1) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_tokens[which]}"}


async def open_session(client: httpx.AsyncClient, email: str) -> Session:
    tokens = await login(client, email)
    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    pair = refreshed.json()
    return Session((tokens["access_token"], pair["access_token"]), pair["refresh_token"])


async def status_of(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get(ME, headers=headers)).status_code


End = Callable[[httpx.AsyncClient, Account, Account, Session], Awaitable[httpx.Response]]


async def logout(
    client: httpx.AsyncClient, owner: Account, member: Account, session: Session
) -> httpx.Response:
    body = {"refresh_token": session.refresh_token}
    return await client.post("/api/v1/auth/logout", json=body, headers=session.headers(0))


async def password_change(
    client: httpx.AsyncClient, owner: Account, member: Account, session: Session
) -> httpx.Response:
    body = {"current_password": PASSWORD, "new_password": "a brand new password"}
    return await client.post(f"{ME}/password", json=body, headers=session.headers())


async def deactivation(
    client: httpx.AsyncClient, owner: Account, member: Account, session: Session
) -> httpx.Response:
    return await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers
    )


# (what ends the session, whether the user's other sessions survive it)
ENDINGS: dict[str, tuple[End, bool]] = {
    "logout": (logout, True),
    "password change": (password_change, False),
    "deactivation": (deactivation, False),
}


@pytest.mark.parametrize(("end", "others_survive"), ENDINGS.values(), ids=list(ENDINGS))
async def test_ending_a_session_ends_every_access_token_it_issued(
    client: httpx.AsyncClient, end: End, others_survive: bool
) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")
    session = await open_session(client, member.email)
    other = await open_session(client, member.email)
    for headers in (session.headers(0), session.headers(1), other.headers()):
        assert await status_of(client, headers) == 200
    ended = await end(client, owner, member, session)
    assert ended.is_success, ended.text
    assert await status_of(client, session.headers(0)) == 401
    assert await status_of(client, session.headers(1)) == 401
    assert await status_of(client, other.headers()) == (200 if others_survive else 401)
    assert await status_of(client, owner.headers) == 200  # another user is never touched


async def test_concurrent_logouts_with_one_access_token_all_succeed(
    client: httpx.AsyncClient, owner_engine: AsyncEngine
) -> None:
    """Eight logouts all past authentication before any of them ends the session (they queue
    behind a lock the test holds on the session's row): ending it again changes nothing."""
    account = await signup(client, "acme")
    body = {"refresh_token": account.refresh_token}
    async with row_locks(owner_engine, account.tenant_id, "SELECT 1 FROM auth_session FOR UPDATE"):
        logouts = [
            asyncio.create_task(client.post("/api/v1/auth/logout", json=body, headers=account.headers))
            for _ in range(8)
        ]
        await wait_for_blocked_statements(owner_engine, 8)
    responses = await asyncio.gather(*logouts)
    assert [r.status_code for r in responses] == [204] * 8
    assert await status_of(client, account.headers) == 401
