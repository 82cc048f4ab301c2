"""Claiming and replaying idempotency keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.sql import ClauseElement

from platform_common.db.database import Record, Transaction
from platform_common.db.repository import TenantRepository, cached_statement
from platform_common.db.tables import table_of
from todo_api.models import IdempotencyKey

_KEY = table_of(IdempotencyKey)


class IdempotencyRepository(TenantRepository):
    table = _KEY

    def __init__(self, transaction: Transaction, user_id: uuid.UUID) -> None:
        super().__init__(transaction)
        self.user_id = user_id

    async def claim(self, key: str, request_hash: str, expires_at: datetime) -> bool:
        """Take the key for this request; False when another request holds it.

        A concurrent claim of the same key waits on the key until the holder's transaction
        ends, so exactly one request ever does the work. An expired key is taken over.

        The insert names no conflict target: while the previous release's
        ``uq_idempotency_key_user_id_key`` stands beside the tenant-inclusive primary key
        (migration ``9e4c2b7d1f30``), a target naming one of them would let a concurrent
        claim fail on the other with a unique violation instead of waiting and yielding.
        """
        values = {"user_id": self.user_id, "key": key, "request_hash": request_hash, "expires_at": expires_at}
        if await self.fetchval(_claim(), **values) is not None:
            return True
        return await self.fetchval(_take_over(), **values) is not None

    async def find(self, key: str) -> Record | None:
        return await self.fetchrow(_find(), user_id=self.user_id, key=key)

    async def record(self, key: str, body: dict[str, Any]) -> None:
        """The response to replay for this key: the created resource (always a 201)."""
        await self.execute(_record(), user_id=self.user_id, key=key, response_body=body)


@cached_statement
def _claim() -> ClauseElement:
    scope = IdempotencyRepository.scope
    statement = scope.insert(**scope.bound("user_id", "key", "request_hash", "expires_at"))
    return statement.on_conflict_do_nothing().returning(_KEY.c.key)


@cached_statement
def _take_over() -> ClauseElement:
    """An expired key, claimed again for a new request (its old answer forgotten)."""
    scope = IdempotencyRepository.scope
    return (
        scope.update()
        .where(
            _KEY.c.user_id == bindparam("user_id"),
            _KEY.c.key == bindparam("key"),
            _KEY.c.expires_at <= func.now(),
        )
        .values(**scope.bound("request_hash", "expires_at"), response_body=None, created_at=func.now())
        .returning(_KEY.c.key)
    )


@cached_statement
def _find() -> ClauseElement:
    return IdempotencyRepository.scope.select().where(
        _KEY.c.user_id == bindparam("user_id"), _KEY.c.key == bindparam("key")
    )


@cached_statement
def _record() -> ClauseElement:
    return (
        IdempotencyRepository.scope.update()
        .where(_KEY.c.user_id == bindparam("user_id"), _KEY.c.key == bindparam("key"))
        .values(**IdempotencyRepository.scope.bound("response_body"))
    )
