"""The narrow path: the two reads that must happen before any tenant is known.

Each is keyed on a value the caller must already hold (an exact e-mail at login, the
hash of a refresh-token secret), and row-level security admits only the row that
matches it (policies ``login_lookup`` and ``token_lookup``). Nothing else in the
service reads without a tenant.
"""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_api.db.tenancy import use_lookup
from todo_api.models import RefreshToken, User


async def find_login_user(session: AsyncSession, email: str) -> User | None:
    await use_lookup(session, "app.lookup_email", email)
    return (await session.exec(select(User).where(col(User.email) == email))).first()


async def find_refresh_token_tenant(session: AsyncSession, token_hash: str) -> uuid.UUID | None:
    await use_lookup(session, "app.lookup_token_hash", token_hash)
    statement = select(RefreshToken.tenant_id).where(col(RefreshToken.token_hash) == token_hash)
    return (await session.exec(statement)).first()
