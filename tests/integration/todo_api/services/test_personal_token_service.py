"""Revoking a user's personal access tokens wholesale: theirs only."""

from __future__ import annotations

from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.schemas.personal_token import PersonalTokenCreate, Scope
from todo_api.services.audit import UNKNOWN_ORIGIN
from todo_api.services.personal_tokens import PersonalTokenService

READ = PersonalTokenCreate(name="script", scopes=[Scope.TASKS_READ])


async def make_tokens(backend: Backend, person: Person, count: int) -> None:
    async with backend.acting_as(person) as caller:
        tokens = PersonalTokenService(caller, 50, UNKNOWN_ORIGIN)
        for _ in range(count):
            await tokens.create(READ)


async def held(backend: Backend, person: Person) -> int:
    async with backend.acting_as(person) as caller:
        return len(await PersonalTokenService(caller, 50, UNKNOWN_ORIGIN).all())


async def test_a_users_tokens_are_revoked_at_once(backend: Backend) -> None:
    owner = await backend.signup("acme")
    member = await backend.add_member(owner, "bob")
    elsewhere = await backend.signup("globex")
    for person, count in ((owner, 2), (member, 1), (elsewhere, 1)):
        await make_tokens(backend, person, count)

    async with backend.acting_as(owner) as caller:
        assert await PersonalTokenService(caller, 50, UNKNOWN_ORIGIN).revoke_all() == 2
    assert (await held(backend, owner), await held(backend, member)) == (0, 1)

    assert await held(backend, elsewhere) == 1
