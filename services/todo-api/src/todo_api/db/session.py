"""Sessions and the unit of work: one transaction per request, committed or rolled back here.

Repositories only add, flush and query; the unit of work is the one place that commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.errors import APIError
from todo_api.db.tenancy import TenantSession

SessionFactory = async_sessionmaker[AsyncSession]


def create_session_factory(engine: AsyncEngine) -> SessionFactory:
    # expire_on_commit=False: responses are serialised after the commit.
    return async_sessionmaker(
        engine, class_=AsyncSession, sync_session_class=TenantSession, expire_on_commit=False
    )


@asynccontextmanager
async def unit_of_work(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """Yield a session; commit when the block succeeds, roll back when it raises.

    An ``APIError`` raised with ``keep_changes=True`` commits first: a security
    consequence (a revoked token family) must outlive the error response it causes.
    """
    async with factory() as session:
        try:
            yield session
        except APIError as exc:
            if exc.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
