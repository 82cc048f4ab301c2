"""Sessions and refresh tokens: created at login, rotated at refresh, revoked at logout."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, any_, bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import AuthSession, RefreshToken

_SESSION = table_of(AuthSession)
_REFRESH = table_of(RefreshToken)


class SessionRepository(TenantRepository):
    table = _SESSION

    async def create(self, *, session_id: uuid.UUID, user_id: uuid.UUID, expires_at: datetime) -> None:
        await self.execute(_create_session(), id=session_id, user_id=user_id, expires_at=expires_at)

    async def revoke(self, session_id: uuid.UUID) -> None:
        """Idempotent: revoking a revoked session changes nothing (concurrent logouts agree)."""
        await self.execute(_revoke(SessionRepository, "id"), id=session_id)

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        await self.execute(_revoke(SessionRepository, "user_id"), user_id=user_id)


class RefreshTokenRepository(TenantRepository):
    table = _REFRESH

    async def create(self, values: Mapping[str, Any]) -> None:
        await self.execute(_create_refresh(tuple(sorted(values))), **values)

    async def get_by_hash_for_update(self, token_hash: str) -> Record | None:
        """Row-locked, so two refreshes with one token run one after the other."""
        return await self.fetchrow(_by_hash_for_update(), token_hash=token_hash)

    async def successor_for_update(self, parent_id: uuid.UUID, token_hashes: list[str]) -> Record | None:
        """The token ``parent_id`` was rotated to, if its hash is one of ``token_hashes``; row-locked."""
        return await self.fetchrow(_successor_for_update(), parent_id=parent_id, token_hashes=token_hashes)

    async def mark_used(self, token_id: uuid.UUID) -> None:
        await self.execute(_mark_used(), id=token_id)

    async def revoke_family(self, family_id: uuid.UUID) -> None:
        await self.execute(_revoke(RefreshTokenRepository, "family_id"), family_id=family_id)

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        await self.execute(_revoke(RefreshTokenRepository, "user_id"), user_id=user_id)


@cached_statement
def _create_session() -> ClauseElement:
    return SessionRepository.scope.insert(**SessionRepository.scope.bound("id", "user_id", "expires_at"))


@cached_statement
def _revoke(repository: type[TenantRepository], column: str) -> ClauseElement:
    """Set ``revoked_at`` on the rows with ``column = :column`` not yet revoked (idempotent)."""
    table = repository.table
    return (
        repository.scope.update()
        .where(table.c[column] == bindparam(column), table.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


@cached_statement
def _create_refresh(columns: tuple[str, ...]) -> ClauseElement:
    return RefreshTokenRepository.scope.insert(**RefreshTokenRepository.scope.bound(*columns))


@cached_statement
def _by_hash_for_update() -> ClauseElement:
    return (
        RefreshTokenRepository.scope.select()
        .where(_REFRESH.c.token_hash == bindparam("token_hash"))
        .with_for_update()
    )


@cached_statement
def _successor_for_update() -> ClauseElement:
    return (
        RefreshTokenRepository.scope.select()
        .where(
            _REFRESH.c.parent_id == bindparam("parent_id"),
            _REFRESH.c.token_hash == any_(bindparam("token_hashes", type_=ARRAY(String))),
        )
        .with_for_update()
    )


@cached_statement
def _mark_used() -> ClauseElement:
    return (
        RefreshTokenRepository.scope.update()
        .where(_REFRESH.c.id == bindparam("id"))
        .values(used_at=func.now())
    )
