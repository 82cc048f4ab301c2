"""Pending sign-ups of the transaction's tenant: the one the verification will create (only
the hashes of their tokens and passwords)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, case, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import PendingSignup

_PENDING = table_of(PendingSignup)
_COLUMNS = (
    "id",
    "token_hash",
    "email",
    "tenant_name",
    "tenant_slug",
    "full_name",
    "hashed_password",
    "expires_at",
)


class PendingSignupRepository(TenantRepository):
    table = _PENDING

    async def create(self, **values: Any) -> None:  # the columns of _COLUMNS
        await self.execute(_create(), **values)

    async def claim(self, signup_id: uuid.UUID, token_hash: str) -> Record | None:
        """The sign-up, locked, if it is that hash's, unused and unexpired; else None. The lock
        queues a concurrent verification with the same token behind this one."""
        return await self.fetchrow(_claim(), id=signup_id, token_hash=token_hash)

    async def use(self, signup_id: uuid.UUID) -> None:
        await self.execute(_use(), id=signup_id)

    async def count_password_failure(self, signup_id: uuid.UUID, limit: int) -> None:
        """One more wrong password; the ``limit``-th spends the token."""
        await self.execute(_count_failure(), id=signup_id, limit=limit)


@cached_statement
def _create() -> ClauseElement:
    scope = PendingSignupRepository.scope
    return scope.insert(**scope.bound(*_COLUMNS))


@cached_statement
def _claim() -> ClauseElement:
    return (
        PendingSignupRepository.scope.select()
        .where(
            _PENDING.c.id == bindparam("id"),
            _PENDING.c.token_hash == bindparam("token_hash"),
            _PENDING.c.used_at.is_(None),
            _PENDING.c.expires_at > func.now(),
        )
        .with_for_update()
    )


@cached_statement
def _use() -> ClauseElement:
    return (
        PendingSignupRepository.scope.update()
        .where(_PENDING.c.id == bindparam("id"))
        .values(used_at=func.now())
    )


@cached_statement
def _count_failure() -> ClauseElement:
    failures = _PENDING.c.password_failures + 1
    return (
        PendingSignupRepository.scope.update()
        .where(_PENDING.c.id == bindparam("id"))
        .values(
            password_failures=failures,
            used_at=case((failures >= bindparam("limit"), func.now()), else_=None),
        )
    )
