"""Personal access tokens: a user's own (scoped to the tenant, then narrowed to the owner). A
person's in every membership are revoked by ``PersonRepository.revoke_tokens``, a tenant's by
``TenantRowRepository.revoke_every_credential``; the per-request check is part of the query
that loads the caller (``UserRepository.load_token_caller``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import (
    OwnedRepository,
    affected_rows,
    cached_statement,
    owner_condition,
)
from platform_common.db.tables import table_of
from todo_api.models import PersonalAccessToken

_TOKEN = table_of(PersonalAccessToken)
PUBLIC_COLUMNS = [column for column in _TOKEN.c if column.name != "secret_hash"]


class PersonalTokenRepository(OwnedRepository):
    """The owner's tokens."""

    table = _TOKEN

    async def count(self) -> int:
        return int(await self.fetchval(_count()))

    async def all(self) -> list[Record]:
        """Oldest first (at most ``MAX_TOKENS_PER_USER``: no paging)."""
        return await self.fetch(_all())

    async def insert(self, values: Mapping[str, Any]) -> Record:
        row = await self.fetchrow(_insert(tuple(sorted(values))), **values)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        return row

    async def delete(self, token_id: uuid.UUID) -> Record | None:
        """The revoked token; None when the owner has none of that id."""
        return await self.fetchrow(_delete(), id=token_id)

    async def delete_all(self) -> int:
        """Revoke every token of the owner; how many there were."""
        return affected_rows(await self.execute(_delete_all()))


@cached_statement
def _count() -> ClauseElement:
    return PersonalTokenRepository.scope.select(func.count()).where(owner_condition(_TOKEN))


@cached_statement
def _all() -> ClauseElement:
    return (
        PersonalTokenRepository.scope.select(*PUBLIC_COLUMNS)
        .where(owner_condition(_TOKEN))
        .order_by(_TOKEN.c.created_at, _TOKEN.c.id)
    )


@cached_statement
def _insert(columns: tuple[str, ...]) -> ClauseElement:
    scope = PersonalTokenRepository.scope
    return scope.insert(**scope.bound(*columns, "owner_id")).returning(*PUBLIC_COLUMNS)


@cached_statement
def _delete() -> ClauseElement:
    return (
        PersonalTokenRepository.scope.delete()
        .where(_TOKEN.c.id == bindparam("id"), owner_condition(_TOKEN))
        .returning(*PUBLIC_COLUMNS)
    )


@cached_statement
def _delete_all() -> ClauseElement:
    return PersonalTokenRepository.scope.delete().where(owner_condition(_TOKEN))
