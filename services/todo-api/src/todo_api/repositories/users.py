from __future__ import annotations

import uuid

from sqlalchemy import exists, func
from sqlmodel import col, select

from platform_common.repository import TenantScopedRepository
from todo_api.models import RevokedAccessToken, User, UserRole


class UserRepository(TenantScopedRepository[User]):
    model = User

    async def get_for_token(self, user_id: uuid.UUID, token_id: str) -> tuple[User, bool] | None:
        """The user a token names and whether that token was revoked, in one round trip."""
        revoked = exists().where(col(RevokedAccessToken.jti) == token_id)
        statement = self.select(revoked).where(col(User.id) == user_id)
        row = (await self.session.exec(statement)).first()  # type: ignore[call-overload]
        return None if row is None else (row[0], bool(row[1]))

    async def count_active_owners(self) -> int:
        statement = (
            select(func.count())
            .select_from(User)
            .where(
                col(User.tenant_id) == self.tenant_id,
                col(User.role) == UserRole.OWNER,
                col(User.is_active).is_(True),
            )
        )
        return int((await self.session.exec(statement)).one())
