"""Claiming and replaying idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.repository import TenantScopedRepository
from todo_api.models import IdempotencyKey


class IdempotencyRepository(TenantScopedRepository[IdempotencyKey]):
    model = IdempotencyKey

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        super().__init__(session, tenant_id)
        self.user_id = user_id

    async def claim(self, key: str, request_hash: str, expires_at: datetime) -> bool:
        """Take the key for this request; False when another request holds it.

        A concurrent claim of the same key waits on the primary key until the holder's
        transaction ends, so exactly one request ever does the work. An expired key is
        taken over.
        """
        statement = (
            insert(IdempotencyKey)
            .values(
                tenant_id=self.tenant_id,
                user_id=self.user_id,
                key=key,
                request_hash=request_hash,
                expires_at=expires_at,
            )
            .on_conflict_do_update(
                index_elements=["user_id", "key"],
                set_={
                    "request_hash": request_hash,
                    "expires_at": expires_at,
                    "response_status": None,
                    "response_body": None,
                    "created_at": func.now(),
                },
                where=col(IdempotencyKey.expires_at) <= func.now(),
            )
            .returning(col(IdempotencyKey.key))
        )
        return (await self.session.exec(statement)).first() is not None

    async def find(self, key: str) -> IdempotencyKey | None:
        statement = self.select().where(
            col(IdempotencyKey.user_id) == self.user_id, col(IdempotencyKey.key) == key
        )
        return (await self.session.exec(statement)).first()  # type: ignore[call-overload, no-any-return]

    async def record(self, key: str, status: int, body: dict[str, Any]) -> None:
        row = await self.find(key)
        if row is None:
            raise RuntimeError("record() follows a successful claim() in the same transaction")
        await self.update(row, {"response_status": status, "response_body": body})
