"""Each rule that refuses a refresh token, alone: every test fails when its rule is removed.

Some states cannot be reached through the API on demand (a token past its expiry, a user
whose token version moved without a password change), so the refresh-token rows are
written directly (``tests.integration.rows``). Where two rules would both refuse a request
(a password change bumps the user's token version *and* revokes the refresh tokens), the
rows are set so that only the rule under test can: otherwise each would hide the other's
removal.
"""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, Account, add_member, signup
from tests.integration.rows import execute

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
