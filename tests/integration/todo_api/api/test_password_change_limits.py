"""Guessing the current password with a token in hand: limited per user, and ended.

``POST /users/me/password`` checks the current password with a full argon2 hash. A holder
of a stolen token may use it to guess: wrong guesses are limited per user (fail closed, a
slot taken before the check and given back on success), and the guess that makes
``PASSWORD_CHANGE_MAX_FAILURES`` in a row ends every session of the user.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, Account, add_member, login, signup
from tests.integration.rows import row_locks, wait_for_blocked_statements

PASSWORD_PATH = "/api/v1/users/me/password"
ME = "/api/v1/users/me"
NEW_PASSWORD = "a brand new password"
WRONG = "not the password at all"


async def change(client: httpx.AsyncClient, headers: dict[str, str], current: str) -> httpx.Response:
    return await client.post(
        PASSWORD_PATH, json={"current_password": current, "new_password": NEW_PASSWORD}, headers=headers
    )


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def checked_passwords() -> float:
    """Wrong passwords verified so far (each a full argon2 hash)."""
    return REGISTRY.get_sample_value("auth_failures_total", {"reason": "invalid_credentials"}) or 0.0


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Account:
    return await signup(client, "acme")


@pytest.mark.parametrize("settings", [{"rate_limit_password_change_failures": "2/hour"}], indirect=True)
async def test_wrong_current_passwords_are_limited_per_user(
    client: httpx.AsyncClient, owner: Account
) -> None:
    statuses = [(await change(client, owner.headers, WRONG)).status_code for _ in range(2)]
    assert statuses == [403, 403]
    refused = await change(client, owner.headers, PASSWORD)  # even the right one, now
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "rate_limited"
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    member = await add_member(client, owner, "bob")  # another user keeps a budget of their own
    assert (await change(client, member.headers, WRONG)).status_code == 403


@pytest.mark.parametrize("settings", [{"rate_limit_password_change_failures": "2/hour"}], indirect=True)
async def test_parallel_guesses_cannot_all_slip_past_the_limit(
    client: httpx.AsyncClient, owner: Account
) -> None:
    checked_before = checked_passwords()
    guesses = await asyncio.gather(*[change(client, owner.headers, WRONG) for _ in range(6)])
    assert sorted(r.status_code for r in guesses) == [403, 403, 429, 429, 429, 429]
    assert checked_passwords() == checked_before + 2  # the others were refused before the check


@pytest.mark.parametrize("settings", [{"rate_limit_password_change_failures": "1/hour"}], indirect=True)
async def test_a_successful_change_is_not_counted_as_a_failure(
    client: httpx.AsyncClient, owner: Account
) -> None:
    assert (await change(client, owner.headers, PASSWORD)).status_code == 204
    headers = bearer(await login(client, owner.email, NEW_PASSWORD))
    assert (await change(client, headers, WRONG)).status_code == 403  # the one failure allowed


@pytest.mark.parametrize(
    "settings",
    [{"password_change_max_failures": 3, "rate_limit_password_change_failures": "100/hour"}],
    indirect=True,
)
async def test_consecutive_failures_end_every_session_of_the_user(
    client: httpx.AsyncClient, owner: Account
) -> None:
    other_session = await login(client, owner.email)
    member = await add_member(client, owner, "bob")
    statuses = [(await change(client, owner.headers, WRONG)).status_code for _ in range(3)]
    assert statuses == [403, 403, 401]
    for headers in (owner.headers, bearer(other_session)):
        assert (await client.get(ME, headers=headers)).status_code == 401
    for refresh_token in (owner.refresh_token, other_session["refresh_token"]):
        refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
        assert refreshed.status_code == 401
    assert (await client.get(ME, headers=member.headers)).status_code == 200  # only that user
    # The password itself is unchanged, and a new login starts a new count.
    headers = bearer(await login(client, owner.email))
    assert [(await change(client, headers, WRONG)).status_code for _ in range(2)] == [403, 403]


@pytest.mark.parametrize(
    "settings",
    [{"password_change_max_failures": 3, "rate_limit_password_change_failures": "100/hour"}],
    indirect=True,
)
async def test_a_successful_change_restarts_the_count(client: httpx.AsyncClient, owner: Account) -> None:
    assert [(await change(client, owner.headers, WRONG)).status_code for _ in range(2)] == [403, 403]
    assert (await change(client, owner.headers, PASSWORD)).status_code == 204
    headers = bearer(await login(client, owner.email, NEW_PASSWORD))
    assert [(await change(client, headers, WRONG)).status_code for _ in range(2)] == [403, 403]


@pytest.mark.parametrize("current", [PASSWORD, WRONG], ids=["right guess", "wrong guess"])
async def test_a_guess_racing_a_lockout_cannot_land_after_it(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account, current: str
) -> None:
    """The request is authenticated, then waits for the user's row while a lockout (or another
    change) moves the token version and commits: its write must not apply after that."""
    lock = 'SELECT 1 FROM "user" WHERE id = :id FOR UPDATE'
    async with row_locks(owner_engine, owner.tenant_id, lock, id=owner.user_id) as blocker:
        guess = asyncio.create_task(change(client, owner.headers, current))
        await wait_for_blocked_statements(owner_engine)
        await blocker.execute(
            text('UPDATE "user" SET token_version = token_version + 1 WHERE id = :id'), {"id": owner.user_id}
        )
    response = await guess
    assert response.status_code == 401
    await login(client, owner.email)  # the password did not change
