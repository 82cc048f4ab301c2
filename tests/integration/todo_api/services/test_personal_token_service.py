"""Personal access tokens below HTTP: revoking a user's wholesale (theirs only), and the
caller query's stamp of a token's last use."""

from __future__ import annotations

from platform_common.auth.opaque import token_digest
from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.repositories.users import UserRepository
from todo_api.schemas.personal_token import PersonalTokenCreate, PersonalTokenRead, Scope
from todo_api.services.audit import UNKNOWN_ORIGIN
from todo_api.services.personal_tokens import PersonalTokenService, PresentedToken

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


async def test_only_the_right_secret_stamps_a_tokens_last_use(backend: Backend) -> None:
    """The caller query's stamp is conditional on the secret's hash, not only undone with the
    refused request: committed here, a wrong hash still leaves ``last_used_at`` alone."""
    owner = await backend.signup("acme")
    async with backend.acting_as(owner) as caller:
        created = await PersonalTokenService(caller, 50, UNKNOWN_ORIGIN).create(READ)
    presented = PresentedToken.parse(created.token)
    async with backend.database.transaction(owner.tenant_id) as transaction:
        row = await UserRepository(transaction).load_token_caller(presented.token_id, "0" * 64)
        assert row is not None  # the row is found by id; the caller then compares the hash
    assert [token.last_used_at for token in await tokens_of(backend, owner)] == [None]
    async with backend.database.transaction(owner.tenant_id) as transaction:
        await UserRepository(transaction).load_token_caller(
            presented.token_id, token_digest(presented.secret)
        )
    [stamped] = await tokens_of(backend, owner)
    assert stamped.last_used_at is not None


async def tokens_of(backend: Backend, person: Person) -> list[PersonalTokenRead]:
    async with backend.acting_as(person) as caller:
        return await PersonalTokenService(caller, 50, UNKNOWN_ORIGIN).all()
