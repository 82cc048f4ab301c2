"""UserService's rules without HTTP: a tenant always keeps an active owner, only owners make
or unmake owners, and members manage nobody."""

from __future__ import annotations

from typing import Any

import pytest

from platform_common.errors import Conflict, Forbidden
from platform_common.pagination import PageQuery
from tests.integration.todo_api.services.conftest import Backend, Person
from todo_api.models import UserRole
from todo_api.schemas.user import UserAdminUpdate
from todo_api.services.audit import UNKNOWN_ORIGIN
from todo_api.services.users import UserService

UNSEATINGS: dict[str, dict[str, Any] | None] = {
    "demote": {"role": UserRole.ADMIN},
    "deactivate": {"is_active": False},
    "delete": None,
}


async def unseat(backend: Backend, actor: Person, target: Person, how: dict[str, Any] | None) -> None:
    async with backend.acting_as(actor) as caller:
        users = UserService(caller, UNKNOWN_ORIGIN)
        if how is None:
            await users.delete(target.user_id)
        else:
            await users.update(target.user_id, UserAdminUpdate(**how))


async def role_of(backend: Backend, person: Person) -> tuple[str, bool]:
    async with backend.acting_as(person) as caller:
        return caller.user["role"], caller.user["is_active"]


@pytest.fixture
async def owner(backend: Backend) -> Person:
    return await backend.signup("acme")


@pytest.mark.parametrize("how", UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_the_last_active_owner_cannot_step_down(
    backend: Backend, owner: Person, how: dict[str, Any] | None
) -> None:
    with pytest.raises(Conflict):
        await unseat(backend, owner, owner, how)
    assert await role_of(backend, owner) == (UserRole.OWNER, True)


@pytest.mark.parametrize("how", UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_an_owner_may_step_down_while_another_is_active(
    backend: Backend, owner: Person, how: dict[str, Any] | None
) -> None:
    await backend.add_member(owner, "carol", role=UserRole.OWNER)
    await unseat(backend, owner, owner, how)


async def test_an_inactive_co_owner_does_not_count(backend: Backend, owner: Person) -> None:
    co_owner = await backend.add_member(owner, "carol", role=UserRole.OWNER)
    await unseat(backend, owner, co_owner, {"is_active": False})
    with pytest.raises(Conflict):
        await unseat(backend, owner, owner, {"role": UserRole.MEMBER})


@pytest.mark.parametrize("how", UNSEATINGS.values(), ids=list(UNSEATINGS))
async def test_an_admin_can_neither_unseat_an_owner_nor_make_one(
    backend: Backend, owner: Person, how: dict[str, Any] | None
) -> None:
    admin = await backend.add_member(owner, "alice", role=UserRole.ADMIN)
    member = await backend.add_member(owner, "bob")
    with pytest.raises(Forbidden):
        await unseat(backend, admin, owner, how)
    with pytest.raises(Forbidden):
        await unseat(backend, admin, member, {"role": UserRole.OWNER})
    assert await role_of(backend, owner) == (UserRole.OWNER, True)
    assert await role_of(backend, member) == (UserRole.MEMBER, True)


async def test_a_member_manages_nobody(backend: Backend, owner: Person) -> None:
    member = await backend.add_member(owner, "bob")
    async with backend.acting_as(member) as caller:
        users = UserService(caller, UNKNOWN_ORIGIN)
        for attempt in (
            users.list(PageQuery(page=1, size=20)),
            users.get(owner.user_id),
            users.update(member.user_id, UserAdminUpdate(role=UserRole.ADMIN)),
            users.delete(owner.user_id),
        ):
            with pytest.raises(Forbidden):
                await attempt
