"""Sign-up → token → me → refresh → reuse detection → logout, end to end."""

from __future__ import annotations

import httpx
from passlib.hash import bcrypt
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.factories import PASSWORD, add_member, login, signed_up, signup, signup_token
from tests.integration.rows import execute


async def test_signup_creates_a_tenant_and_its_owner_without_the_hash(client: httpx.AsyncClient) -> None:
    body = {
        "tenant_name": "Acme",
        "tenant_slug": "acme",
        "email": "Ada@Example.com",
        "password": PASSWORD,
        "full_name": "Ada",
    }
    created = await signed_up(client, body)
    assert created["tenant"]["slug"] == "acme"
    assert created["user"]["role"] == "owner"
    assert created["user"]["email"] == "ada@example.com"
    assert created["user"]["tenant_id"] == created["tenant"]["id"]
    assert "hashed_password" not in str(created)
    assert "argon2" not in str(created)


async def test_a_duplicate_slug_is_409_at_verification(client: httpx.AsyncClient) -> None:
    await signup(client, "acme")
    same_slug = {"tenant_name": "X", "tenant_slug": "acme", "email": "x@x.example.com", "password": PASSWORD}
    assert (await client.post("/api/v1/auth/signup", json=same_slug)).status_code == 202
    token = await signup_token(client, "x@x.example.com")
    response = await client.post("/api/v1/auth/signup/verify", json={"token": token})
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "conflict"


async def test_full_token_lifecycle(client: httpx.AsyncClient) -> None:
    account = await signup(client, "acme")
    me = await client.get("/api/v1/users/me", headers=account.headers)
    assert me.status_code == 200
    assert me.json()["id"] == account.user_id

    rotated = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert rotated.status_code == 200
    pair = rotated.json()
    assert pair["token_type"] == "bearer"
    assert pair["expires_in"] == 900
    assert pair["refresh_token"] != account.refresh_token

    # Presented again at once (a second tab, a retry): the same successor, not a second chain.
    again = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert again.status_code == 200
    assert again.json()["refresh_token"] == pair["refresh_token"]
    onward = await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert onward.status_code == 200

    # Once its successor is used, the first token is reuse: that ends the whole session, its
    # refresh tokens and every access token it issued, the one from before the rotation included.
    reuse = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert reuse.status_code == 401
    after_reuse = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": onward.json()["refresh_token"]}
    )
    assert after_reuse.status_code == 401
    issued = (
        account.access_token,
        pair["access_token"],
        again.json()["access_token"],
        onward.json()["access_token"],
    )
    for access_token in issued:
        ended = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {access_token}"})
        assert ended.status_code == 401

    # A fresh login starts a new session; logout ends it and its access token.
    other = await login(client, account.email)
    tokens = await login(client, account.email)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
    )
    assert out.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    # Other sessions of the same user are untouched.
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=other_headers)).status_code == 200


async def test_login_failures_are_indistinguishable(client: httpx.AsyncClient) -> None:
    owner = await signup(client, "acme")
    member = await add_member(client, owner, "bob")
    await client.patch(f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=owner.headers)
    attempts = [
        ("nobody@acme.example.com", PASSWORD),
        (owner.email, "wrong password here"),
        (member.email, PASSWORD),
    ]
    responses = [
        await client.post("/api/v1/auth/token", data={"username": u, "password": p}) for u, p in attempts
    ]
    assert {r.status_code for r in responses} == {400}  # RFC 6749 §5.2: invalid_grant
    bodies = [{k: v for k, v in r.json().items() if k != "meta"} for r in responses]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["error"] == "invalid_grant"


async def test_password_change_requires_the_current_one_and_ends_old_tokens(
    client: httpx.AsyncClient,
) -> None:
    account = await signup(client, "acme")
    wrong = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": "not the password", "new_password": "a brand new password"},
        headers=account.headers,
    )
    assert wrong.status_code == 403, wrong.text  # the token is valid: not a 401 that ends the session
    assert wrong.json()["errors"][0]["source"] == {"pointer": "/current_password"}
    assert "www-authenticate" not in wrong.headers
    assert (await client.get("/api/v1/users/me", headers=account.headers)).status_code == 200
    changed = await client.post(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=account.headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=account.headers)).status_code == 401
    refresh = await client.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert refresh.status_code == 401
    await login(client, account.email, "a brand new password")


async def test_a_bcrypt_hash_is_replaced_by_argon2id_at_login(
    client: httpx.AsyncClient, owner_engine: AsyncEngine
) -> None:
    """Hashes from before argon2id still verify, and the first login stores the upgrade."""
    account = await signup(client, "acme")
    legacy = bcrypt.using(rounds=4).hash(PASSWORD)  # the fewest rounds: the test pays for each
    stored = await execute(
        owner_engine,
        account.tenant_id,
        'UPDATE "user" SET hashed_password = :legacy WHERE id = :user_id RETURNING id',
        legacy=legacy,
        user_id=account.user_id,
    )
    assert len(stored) == 1
    await login(client, account.email)
    [(upgraded,)] = await execute(
        owner_engine,
        account.tenant_id,
        'SELECT hashed_password FROM "user" WHERE id = :user_id',
        user_id=account.user_id,
    )
    assert upgraded.startswith("$argon2id$")
    await login(client, account.email)
