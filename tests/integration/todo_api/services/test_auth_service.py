"""AuthService's rules without HTTP: each refresh rotates the token; presenting a used one
ends its whole family, and that survives the failure it causes."""

from __future__ import annotations

import pytest

from tests.integration.factories import PASSWORD
from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.schemas.auth import TokenPair
from todo_api.schemas.user import UserAdminUpdate
from todo_api.services.audit import UNKNOWN_ORIGIN
from todo_api.services.auth import AuthenticationFailed
from todo_api.services.users import UserService


@pytest.fixture
async def owner(backend: Backend) -> Person:
    return await backend.signup("acme")


async def login(backend: Backend, person: Person) -> TokenPair:
    async with backend.anonymous() as auth:
        return await auth.login(person.email, PASSWORD)


async def refresh(backend: Backend, token: str) -> TokenPair:
    async with backend.anonymous() as auth:
        return await auth.refresh(token)


async def refused_because(backend: Backend, token: str) -> str:
    with pytest.raises(AuthenticationFailed) as refused:
        await refresh(backend, token)
    return refused.value.reason


async def test_each_refresh_rotates_the_token(backend: Backend, owner: Person) -> None:
    first = await login(backend, owner)
    second = await refresh(backend, first.refresh_token)
    third = await refresh(backend, second.refresh_token)
    assert len({first.refresh_token, second.refresh_token, third.refresh_token}) == 3
    assert len({first.access_token, second.access_token, third.access_token}) == 3


async def test_a_reused_token_ends_its_family_even_though_the_request_fails(
    backend: Backend, owner: Person
) -> None:
    first = await login(backend, owner)
    rotated = await refresh(backend, first.refresh_token)
    onward = await refresh(backend, rotated.refresh_token)  # its successor used: no grace left
    elsewhere = await login(backend, owner)  # another session of the same user

    assert await refused_because(backend, first.refresh_token) == "refresh_reused"
    # The failing unit of work still committed the revocation: the newest token is dead too.
    assert await refused_because(backend, onward.refresh_token) == "refresh_revoked"
    # Other sessions are not the reused family.
    assert (await refresh(backend, elsewhere.refresh_token)).refresh_token


async def test_unknown_account_wrong_password_and_inactive_user_fail_alike(
    backend: Backend, owner: Person
) -> None:
    member = await backend.add_member(owner, "bob")
    async with backend.acting_as(owner) as caller:
        await UserService(caller, UNKNOWN_ORIGIN).update(member.user_id, UserAdminUpdate(is_active=False))
    failures = []
    for email, password in [
        ("nobody@acme.example.com", PASSWORD),
        (owner.email, "not the password at all"),
        (member.email, PASSWORD),
    ]:
        with pytest.raises(AuthenticationFailed) as refused:
            async with backend.anonymous() as auth:
                await auth.login(email, password)
        failures.append((refused.value.reason, refused.value.detail))
    assert failures == [("bad_credentials", "Incorrect e-mail or password")] * 3
