"""Every way an access token can be wrong, forged or stale ends in the same 401.

Tokens are built by hand with python-jose and the app's own settings, so each case
differs from an accepted token (``test_a_well_formed_token_is_accepted``) in one respect.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from prometheus_client import REGISTRY
from pydantic import SecretStr

from tests.integration.apps import serve
from tests.integration.factories import (
    PASSWORD,
    Account,
    Claims,
    add_member,
    bearer,
    bearer_for,
    claims_for,
    login,
    open_session,
    sign,
    signup,
)
from todo_api.core.config import Settings

ME = "/api/v1/users/me"
WRONG_KEY = "an-attackers-guess-at-the-signing-key-0000"
NEXT_KEY = SecretStr("the-next-signing-key-after-rotation-000000")

# The one body every authentication failure gets: it says nothing about what was wrong.
REJECTION = [
    {
        "status": "401",
        "code": "unauthorized",
        "title": "Not authenticated",
        "detail": "Invalid or expired credentials",
    }
]


def assert_rejected(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"] == REJECTION


@pytest.fixture
async def victim(client: httpx.AsyncClient, settings: Settings) -> Account:
    return await signup(client, "acme", signed_by=settings)


# ------------------------------------------------------------------------------ forgeries

Forge = Callable[[Settings, Claims], str]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(alg: str) -> Forge:
    """``header.payload.``: no signature at all, as an ``alg: none`` attack sends it."""

    def forge(settings: Settings, claims: Claims) -> str:
        header = {"alg": alg, "typ": "JWT", "kid": settings.jwt_key_id}
        return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."

    return forge


def rs256(settings: Settings, claims: Claims) -> str:
    """Properly signed, but with RSA: only the algorithm is wrong."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return sign(settings, claims, key=pem, algorithm="RS256")


def changed(**claims: Any) -> Forge:
    """Claims replaced, then signed with the real key."""
    return lambda settings, base: sign(settings, {**base, **claims})


def without(claim: str) -> Forge:
    return lambda settings, base: sign(settings, {k: v for k, v in base.items() if k != claim})


def timed(**offsets: int) -> Forge:
    """``iat``/``nbf``/``exp`` moved by ``offsets`` seconds from where a fresh token has them."""
    return lambda settings, base: sign(settings, {**base, **{k: base[k] + v for k, v in offsets.items()}})


def expired(settings: Settings, base: Claims) -> str:
    """Of the normal lifetime, ended a minute ago: only the expiry check can refuse it."""
    back = settings.access_token_ttl_seconds + 60
    return timed(iat=-back, nbf=-back, exp=-back)(settings, base)


def headed(**headers: Any) -> Forge:
    return lambda settings, base: sign(settings, base, headers=headers)


def tampered(settings: Settings, base: Claims) -> str:
    """A genuine signature over one payload, attached to another (``sub`` changed)."""
    header, _, signature = sign(settings, base).split(".")
    forged = {**base, "sub": "00000000-0000-0000-0000-000000000001"}
    return f"{header}.{b64(json.dumps(forged).encode())}.{signature}"


FORGERIES: dict[str, Forge] = {
    "not a jwt": lambda settings, base: "not-a-token",
    "three empty segments": lambda settings, base: "..",
    "two segments": lambda settings, base: ".".join(sign(settings, base).split(".")[:2]),
    "signature stripped": lambda settings, base: sign(settings, base).rsplit(".", 1)[0] + ".",
    "truncated signature": lambda settings, base: sign(settings, base)[:-4],
    "alg none": unsigned("none"),
    "alg None": unsigned("None"),
    "alg NONE": unsigned("NONE"),
    "alg HS512 with the real key": lambda settings, base: sign(settings, base, algorithm="HS512"),
    "alg HS384 with the real key": lambda settings, base: sign(settings, base, algorithm="HS384"),
    "alg RS256": rs256,
    "signed with a wrong key": lambda settings, base: sign(settings, base, key=WRONG_KEY),
    "payload altered after signing": tampered,
    "sub altered, re-signed with a wrong key": lambda settings, base: sign(
        settings, {**base, "sub": "00000000-0000-0000-0000-000000000001"}, key=WRONG_KEY
    ),
    "tid altered, re-signed with a wrong key": lambda settings, base: sign(
        settings, {**base, "tid": "00000000-0000-0000-0000-000000000001"}, key=WRONG_KEY
    ),
    "unknown kid": headed(kid="someone-elses"),
    "missing kid": headed(),
    "kid is a list": headed(kid=["primary"]),
    "expired": expired,
    "nbf in the future": timed(nbf=300),
    "iat in the future": timed(iat=300, exp=300),
    "exp beyond the token lifetime": timed(exp=3600),
    "wrong iss": changed(iss="someone-else"),
    "wrong aud": changed(aud="someone-else"),
    "aud list without ours": changed(aud=["someone-else"]),
    "exp not a number": changed(exp="never"),
    "exp a numeric string": lambda settings, base: sign(settings, {**base, "exp": str(base["exp"])}),
    "ver a string": changed(ver="0"),
    "ver false": changed(ver=False),
    "sub not a uuid": changed(sub="owner@acme.example.com"),
    "tid not a uuid": changed(tid=1),
    "role not a string": changed(role=["owner"]),
    "jti not a string": changed(jti=1),
    **{
        f"missing {claim}": without(claim)
        for claim in ("iss", "aud", "sub", "tid", "role", "ver", "iat", "nbf", "exp", "jti")
    },
}

HEADERS: dict[str, Callable[[str], dict[str, str]]] = {
    "no header": lambda token: {},
    "empty header": lambda token: {"Authorization": ""},
    "scheme only": lambda token: {"Authorization": "Bearer"},
    "empty token": lambda token: {"Authorization": "Bearer "},
    "basic scheme": lambda token: {
        "Authorization": "Basic " + b64(f"owner@acme.example.com:{PASSWORD}".encode())
    },
    "valid token under another scheme": lambda token: {"Authorization": f"Token {token}"},
    "valid token without a scheme": lambda token: {"Authorization": token},
}


async def test_a_well_formed_token_is_accepted(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    """The baseline every forgery departs from; without it the 401s below would prove nothing."""
    response = await client.get(ME, headers=bearer(sign(settings, claims_for(settings, victim))))
    assert response.status_code == 200
    assert response.json()["id"] == victim.user_id


@pytest.mark.parametrize("make_headers", HEADERS.values(), ids=list(HEADERS))
async def test_a_missing_or_misused_authorization_header_is_401(
    client: httpx.AsyncClient,
    settings: Settings,
    victim: Account,
    make_headers: Callable[[str], dict[str, str]],
) -> None:
    token = sign(settings, claims_for(settings, victim))
    assert_rejected(await client.get(ME, headers=make_headers(token)))


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=list(FORGERIES))
async def test_a_malformed_forged_or_out_of_date_token_is_401(
    client: httpx.AsyncClient, settings: Settings, victim: Account, forge: Forge
) -> None:
    assert_rejected(await client.get(ME, headers=bearer(forge(settings, claims_for(settings, victim)))))


async def test_an_expired_token_is_refused_for_its_expiry(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    """Counted as ``expired``: refused by the expiry check, not by the lifetime or another one."""
    before = REGISTRY.get_sample_value("auth_failures_total", {"reason": "expired"}) or 0.0
    assert_rejected(await client.get(ME, headers=bearer(expired(settings, claims_for(settings, victim)))))
    assert REGISTRY.get_sample_value("auth_failures_total", {"reason": "expired"}) == before + 1


@pytest.mark.parametrize("claim", ["tid", "sub"])
async def test_a_genuine_signature_over_another_tenants_ids_is_401(
    client: httpx.AsyncClient, settings: Settings, victim: Account, claim: str
) -> None:
    """Only the key holder can sign, but ``sub`` and ``tid`` must still name one user of one tenant."""
    stranger = await signup(client, "globex", signed_by=settings)
    foreign = {"tid": stranger.tenant_id, "sub": stranger.user_id}[claim]
    token = sign(settings, {**claims_for(settings, victim), claim: foreign})
    assert_rejected(await client.get(ME, headers=bearer(token)))


async def test_the_role_claim_grants_nothing(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    """Authorisation reads the user's role from the database, never from the token."""
    member = await add_member(client, victim, "mallory", signed_by=settings)
    token = sign(settings, {**claims_for(settings, member), "role": "owner"})
    assert (await client.get("/api/v1/users", headers=bearer(token))).status_code == 403


# ------------------------------------------------------------------------------ stale tokens


@pytest.mark.parametrize(
    ("method", "body"),
    [("DELETE", None), ("PATCH", {"is_active": False})],
    ids=["deleted user", "deactivated user"],
)
async def test_a_token_of_a_removed_user_is_401(
    client: httpx.AsyncClient, settings: Settings, victim: Account, method: str, body: dict[str, Any] | None
) -> None:
    member = await add_member(client, victim, "bob", signed_by=settings)
    headers = bearer_for(settings, member)
    assert (await client.get(ME, headers=headers)).status_code == 200
    removed = await client.request(
        method, f"/api/v1/users/{member.user_id}", json=body, headers=bearer_for(settings, victim)
    )
    assert removed.is_success, removed.text
    assert_rejected(await client.get(ME, headers=headers))


async def test_a_deactivated_users_token_is_401_in_a_live_session(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    """Deactivation also ends the user's sessions; in a session opened after it, with the
    current token version, only the active flag can refuse the token."""
    member = await add_member(client, victim, "bob", signed_by=settings)
    deactivated = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": False}, headers=bearer_for(settings, victim)
    )
    assert deactivated.status_code == 200, deactivated.text
    renewed = replace(member, session_id=await open_session(settings, member.tenant_id, member.user_id))
    assert_rejected(await client.get(ME, headers=bearer_for(settings, renewed)))
    reactivated = await client.patch(
        f"/api/v1/users/{member.user_id}", json={"is_active": True}, headers=bearer_for(settings, victim)
    )
    assert reactivated.status_code == 200, reactivated.text
    assert (await client.get(ME, headers=bearer_for(settings, renewed))).status_code == 200


async def test_a_token_issued_before_a_password_change_is_401(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    before = bearer_for(settings, victim, ver=0)
    change = {"current_password": PASSWORD, "new_password": "a brand new password"}
    assert (await client.post(f"{ME}/password", json=change, headers=before)).status_code == 204
    assert_rejected(await client.get(ME, headers=before))  # its session ended with the change
    # In a session opened after the change only the version differs: a token carrying the new
    # one is accepted, the old or a future one is not.
    renewed = replace(victim, session_id=await open_session(settings, victim.tenant_id, victim.user_id))
    assert (await client.get(ME, headers=bearer_for(settings, renewed, ver=1))).status_code == 200
    assert_rejected(await client.get(ME, headers=bearer_for(settings, renewed, ver=0)))
    assert_rejected(await client.get(ME, headers=bearer_for(settings, renewed, ver=2)))


async def test_refresh_and_access_tokens_are_not_interchangeable(
    client: httpx.AsyncClient, victim: Account
) -> None:
    tokens = await login(client, victim.email)
    assert_rejected(await client.get(ME, headers=bearer(tokens["refresh_token"])))
    assert_rejected(await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["access_token"]}))
    # Neither misuse burnt the real refresh token.
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).is_success


async def test_a_reused_refresh_token_is_401_and_ends_its_family(
    client: httpx.AsyncClient, victim: Account
) -> None:
    tokens = await login(client, victim.email)
    body = {"refresh_token": tokens["refresh_token"]}
    rotated = await client.post("/api/v1/auth/refresh", json=body)
    assert rotated.status_code == 200
    successor = {"refresh_token": rotated.json()["refresh_token"]}
    onward = await client.post("/api/v1/auth/refresh", json=successor)  # the grace window ends here
    assert onward.status_code == 200
    assert_rejected(await client.post("/api/v1/auth/refresh", json=body))
    # Either holder may be the thief: the pairs the rotations issued are ended with the family.
    for pair in (rotated.json(), onward.json()):
        assert_rejected(
            await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        )
        assert_rejected(await client.get(ME, headers=bearer(pair["access_token"])))


async def test_an_access_token_after_logout_is_401(client: httpx.AsyncClient, victim: Account) -> None:
    tokens = await login(client, victim.email)
    headers = bearer(tokens["access_token"])
    out = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
    )
    assert out.status_code == 204
    assert_rejected(await client.get(ME, headers=headers))


# ------------------------------------------------------------------------------ key rotation


async def test_a_previous_key_verifies_until_it_leaves_the_keyring(
    client: httpx.AsyncClient, settings: Settings, victim: Account
) -> None:
    old_token = bearer_for(settings, victim)  # signed with SECRET_KEY under JWT_KEY_ID
    previous = {settings.jwt_key_id: settings.secret_key}
    # Copies of the test's settings (metrics_port=0 among them: never a fixed port).
    rotated = settings.model_copy(
        update={"secret_key": NEXT_KEY, "jwt_key_id": "next", "jwt_previous_keys": previous}
    )
    retired = rotated.model_copy(update={"jwt_previous_keys": {}})
    new_token = bearer_for(rotated, victim)

    async with serve(rotated) as during:
        assert (await during.get(ME, headers=old_token)).status_code == 200
        assert (await during.get(ME, headers=new_token)).status_code == 200
    async with serve(retired) as after:
        assert_rejected(await after.get(ME, headers=old_token))
        assert (await after.get(ME, headers=new_token)).status_code == 200
