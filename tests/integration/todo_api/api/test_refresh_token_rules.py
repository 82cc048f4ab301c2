"""Each rule that refuses a refresh token, alone: every test fails when its rule is removed.

Some states cannot be reached through the API on demand (a token past its expiry, a user
whose token version moved without a password change), so the refresh-token rows are
written directly (``tests.integration.rows``). Where two rules would both refuse a request
(a password change bumps the user's token version *and* revokes the refresh tokens), the
rows are set so that only the rule under test can: otherwise each would hide the other's
removal.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.apps import serve
from tests.integration.factories import PASSWORD, Account, add_member, signup
from tests.integration.rows import execute
from todo_api.core.config import Settings

REFRESH = "/api/v1/auth/refresh"


async def refresh(client: httpx.AsyncClient, account: Account) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": account.refresh_token})


async def set_refresh_token(
    engine: AsyncEngine, account: Account, assignments: str, condition: str = "TRUE"
) -> None:
    """Rewrite ``account``'s one refresh-token row ``r`` (``u`` is the user's row), where ``condition`` holds."""
    statement = (
        f'UPDATE refresh_token AS r SET {assignments} FROM "user" AS u '  # noqa: S608  # fragments written by these tests
        f"WHERE u.id = r.user_id AND r.user_id = :user_id AND {condition} RETURNING r.id"
    )
    rows = await execute(engine, account.tenant_id, statement, user_id=account.user_id)
    assert len(rows) == 1, "the test needs exactly one refresh token, in the state it sets up"


def expired_failures() -> float:
    return REGISTRY.get_sample_value("auth_failures_total", {"reason": "expired"}) or 0.0


@pytest.mark.parametrize(
    ("passed", "ahead"),
    [("expires_at", "family_expires_at"), ("family_expires_at", "expires_at")],
    ids=["idle expiry", "family's absolute expiry"],
)
async def test_a_refresh_token_past_either_expiry_is_401(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account, passed: str, ahead: str
) -> None:
    """The other expiry is days away: only the check of the one that passed can refuse it."""
    await set_refresh_token(
        owner_engine, owner, f"{passed} = now() - interval '1 minute'", f"{ahead} > now() + interval '1 day'"
    )
    before = expired_failures()
    assert (await refresh(client, owner)).status_code == 401
    assert expired_failures() == before + 1


async def test_a_deactivated_users_refresh_token_is_401(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    member = await add_member(client, owner, "bob")
    deactivate = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers
    )
    assert deactivate.status_code == 200, deactivate.text
    # Should deactivation ever also revoke the tokens or bump the version, undo that here:
    # the flag alone must refuse the refresh.
    await set_refresh_token(owner_engine, member, "revoked_at = NULL, user_token_version = u.token_version")
    assert (await refresh(client, member)).status_code == 401


async def test_a_refresh_token_from_before_a_token_version_bump_is_401(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    """The version moves as a password change moves it, but the token is left unrevoked."""
    bumped = await execute(
        owner_engine,
        owner.tenant_id,
        'UPDATE "user" SET token_version = token_version + 1 WHERE id = :user_id RETURNING id',
        user_id=owner.user_id,
    )
    assert len(bumped) == 1
    assert (await refresh(client, owner)).status_code == 401


async def test_a_password_change_revokes_the_refresh_tokens(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    change = {"current_password": PASSWORD, "new_password": "a brand new password"}
    changed = await client.post("/api/v1/users/me/password", json=change, headers=owner.headers)
    assert changed.status_code == 204, changed.text
    # The change also bumped the user's token version: carry it into the row, so that only
    # the revocation can refuse the refresh.
    await set_refresh_token(owner_engine, owner, "user_token_version = u.token_version")
    assert (await refresh(client, owner)).status_code == 401


@pytest.mark.parametrize("same_tenant", [True, False], ids=["same tenant", "another tenant"])
async def test_logout_with_someone_elses_refresh_token_leaves_it_working(
    client: httpx.AsyncClient, owner: Account, same_tenant: bool
) -> None:
    caller = await add_member(client, owner, "mallory") if same_tenant else await signup(client, "globex")
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": owner.refresh_token}, headers=caller.headers
    )
    assert out.status_code == 204, out.text
    assert (await refresh(client, owner)).status_code == 200
    # The caller's own session ends all the same, though the token presented was not of it.
    assert (await client.get("/api/v1/users/me", headers=caller.headers)).status_code == 401


# ------------------------------------------------------------------------------ the grace window
# A just-rotated token presented again (two tabs, a client's retry) gets the same successor
# while that successor is unused and the rotation is younger than the grace window.

NO_GRACE = [{"refresh_token_reuse_grace_seconds": 0}]


async def refresh_with(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token})


async def family_size(engine: AsyncEngine, account: Account) -> int:
    rows = await execute(
        engine,
        account.tenant_id,
        "SELECT id FROM refresh_token WHERE user_id = :user_id",
        user_id=account.user_id,
    )
    return len(rows)


async def test_concurrent_refreshes_within_the_grace_window_all_get_the_same_successor(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    responses = await asyncio.gather(*[refresh(client, owner) for _ in range(5)])
    assert [r.status_code for r in responses] == [200] * 5
    [successor] = {r.json()["refresh_token"] for r in responses}
    assert len({r.json()["access_token"] for r in responses}) == 5  # each its own access token
    assert await family_size(owner_engine, owner) == 2  # the login's token and one successor: no fork
    assert (await refresh_with(client, successor)).status_code == 200


@pytest.mark.parametrize("settings", NO_GRACE, indirect=True)
async def test_without_a_grace_window_concurrent_refreshes_have_one_winner_and_end_the_family(
    client: httpx.AsyncClient, owner: Account
) -> None:
    responses = await asyncio.gather(*[refresh(client, owner) for _ in range(5)])
    assert sorted(r.status_code for r in responses) == [200, 401, 401, 401, 401]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    # A loser presented a used token: the family, winner included, is revoked.
    assert (await refresh_with(client, winner["refresh_token"])).status_code == 401


@pytest.mark.parametrize("settings", NO_GRACE, indirect=True)
async def test_without_a_grace_window_no_clock_skew_opens_one(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account
) -> None:
    """The rotation's time is the database's, the comparison the app's: with the database's
    clock ahead, a rotation looks younger than zero seconds. Still reuse."""
    assert (await refresh(client, owner)).status_code == 200
    await set_refresh_token(
        owner_engine, owner, "used_at = now() + interval '5 seconds'", "r.used_at IS NOT NULL"
    )
    assert (await refresh(client, owner)).status_code == 401


@pytest.mark.parametrize(("age", "status"), [(8, 200), (12, 401)], ids=["inside", "after"])
async def test_the_grace_window_is_measured_from_the_rotation(
    client: httpx.AsyncClient, owner_engine: AsyncEngine, owner: Account, age: int, status: int
) -> None:
    """The default window is 10 s: a rotation 8 s old is still a retry, one 12 s old is reuse."""
    rotated = await refresh(client, owner)
    assert rotated.status_code == 200
    await set_refresh_token(
        owner_engine, owner, f"used_at = now() - interval '{age} seconds'", "r.used_at IS NOT NULL"
    )
    again = await refresh(client, owner)
    assert again.status_code == status
    successor = rotated.json()["refresh_token"]
    if status == 200:
        assert again.json()["refresh_token"] == successor
    else:  # reuse: the whole family ends, the successor with it
        assert again.headers["www-authenticate"] == "Bearer"
        assert (await refresh_with(client, successor)).status_code == 401


async def test_once_the_successor_is_used_the_old_token_is_reuse_even_within_the_window(
    client: httpx.AsyncClient, owner: Account
) -> None:
    successor = (await refresh(client, owner)).json()["refresh_token"]
    onward = await refresh_with(client, successor)
    assert onward.status_code == 200
    assert (await refresh(client, owner)).status_code == 401
    assert (await refresh_with(client, onward.json()["refresh_token"])).status_code == 401


async def test_a_successor_from_before_a_key_rotation_is_still_recognised(
    client: httpx.AsyncClient, settings: Settings, owner: Account
) -> None:
    """Rotating the signing key changes how successors are derived; the successors derived
    under a key still in the keyring (``JWT_PREVIOUS_KEYS``) are still given back."""
    successor = (await refresh(client, owner)).json()["refresh_token"]
    rotated = settings.model_copy(
        update={
            "secret_key": SecretStr("the-next-signing-key-after-rotation-000000"),
            "jwt_key_id": "next",
            "jwt_previous_keys": {settings.jwt_key_id: settings.secret_key},
        }
    )
    async with serve(rotated) as after_rotation:
        again = await refresh(after_rotation, owner)
        assert again.status_code == 200
        assert again.json()["refresh_token"] == successor
