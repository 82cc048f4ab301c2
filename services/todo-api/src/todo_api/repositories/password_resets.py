"""Password-reset tokens of the caller's tenant (only their hashes)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import PasswordResetToken

_RESET = table_of(PasswordResetToken)


class PasswordResetTokenRepository(TenantRepository):
    table = _RESET

    async def create(
        self, *, token_id: uuid.UUID, user_id: uuid.UUID, token_hash: str, expires_at: datetime
    ) -> None:
        await self.execute(
            _create(), id=token_id, user_id=user_id, token_hash=token_hash, expires_at=expires_at
        )

    async def use(self, token_id: uuid.UUID, token_hash: str) -> Record | None:
        """Mark the token used, if it is that hash's, unused and unexpired: its row, else None.
        One statement, so two confirmations with one token cannot both succeed."""
        return await self.fetchrow(_use(), id=token_id, token_hash=token_hash)

    async def use_all(self, user_id: uuid.UUID) -> None:
        """Every other unused token of the account is spent too: one reset ends them all."""
        await self.execute(_use_all(), user_id=user_id)


@cached_statement
def _create() -> ClauseElement:
    scope = PasswordResetTokenRepository.scope
    return scope.insert(**scope.bound("id", "user_id", "token_hash", "expires_at"))


@cached_statement
def _use() -> ClauseElement:
    return (
        PasswordResetTokenRepository.scope.update()
        .where(
            _RESET.c.id == bindparam("id"),
            _RESET.c.token_hash == bindparam("token_hash"),
            _RESET.c.used_at.is_(None),
            _RESET.c.expires_at > func.now(),
        )
        .values(used_at=func.now())
        .returning(_RESET)
    )


@cached_statement
def _use_all() -> ClauseElement:
    return (
        PasswordResetTokenRepository.scope.update()
        .where(_RESET.c.user_id == bindparam("user_id"), _RESET.c.used_at.is_(None))
        .values(used_at=func.now())
    )
