"""Tenant context for PostgreSQL row-level security.

The policies read ``app.tenant_id``, a transaction-local setting. ``use_tenant`` records
the tenant on the session (and applies it at once if a transaction is open); the
``after_begin`` hook applies it at the start of every transaction of that session, so a
commit never leaves a session running without its tenant. ``use_lookup`` opens one of the two narrow,
pre-tenant lookups the policies allow (by e-mail, by refresh-token hash).
"""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy import event, func, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select
from sqlmodel.ext.asyncio.session import AsyncSession

_TENANT_INFO_KEY = "tenant_id"
LookupKey = Literal["app.lookup_email", "app.lookup_token_hash"]


class TenantSession(Session):
    """The sync session behind every ``AsyncSession``; carries the tenant in ``info``."""


@event.listens_for(TenantSession, "after_begin")
def _apply_tenant(session: Session, _: SessionTransaction, connection: Connection) -> None:
    tenant_id = session.info.get(_TENANT_INFO_KEY)
    if tenant_id is not None:
        connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant_id, true)"), {"tenant_id": tenant_id}
        )


async def use_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    session.info[_TENANT_INFO_KEY] = str(tenant_id)
    if session.in_transaction():
        await _set_local(session, "app.tenant_id", str(tenant_id))
    # Otherwise the next statement begins a transaction and ``after_begin`` applies the
    # tenant: one round trip, not two.


async def use_lookup(session: AsyncSession, key: LookupKey, value: str) -> None:
    await _set_local(session, key, value)


async def _set_local(session: AsyncSession, key: str, value: str) -> None:
    await session.exec(select(func.set_config(key, value, True)))
