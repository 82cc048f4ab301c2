from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import col

from platform_common.repository import TenantScopedRepository
from todo_api.models import RefreshToken, RevokedAccessToken


class RefreshTokenRepository(TenantScopedRepository[RefreshToken]):
    model = RefreshToken

    async def get_by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        """Row-locked, so two refreshes with one token run one after the other."""
        statement = self.select().where(col(RefreshToken.token_hash) == token_hash).with_for_update()
        return (await self.session.exec(statement)).first()  # type: ignore[call-overload, no-any-return]

    async def revoke_family(self, family_id: uuid.UUID) -> None:
        await self._revoke(col(RefreshToken.family_id) == family_id)

    async def revoke_user(self, user_id: uuid.UUID) -> None:
        await self._revoke(col(RefreshToken.user_id) == user_id)

    async def _revoke(self, condition: ColumnElement[bool]) -> None:
        await self.update_where(
            condition, col(RefreshToken.revoked_at).is_(None), values={"revoked_at": func.now()}
        )


class RevokedAccessTokenRepository(TenantScopedRepository[RevokedAccessToken]):
    model = RevokedAccessToken

    async def revoke(self, token_id: str, expires_at: datetime) -> None:
        await self.create({"jti": token_id, "expires_at": expires_at})
