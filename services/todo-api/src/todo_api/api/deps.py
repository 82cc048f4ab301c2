"""Dependencies every route may ask for: the request's session (its unit of work)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_api.db.session import SessionFactory, unit_of_work


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: SessionFactory = request.app.state.session_factory
    async with unit_of_work(factory) as session:
        yield session


# scope="function": the commit happens when the endpoint returns, before the response
# is sent, so a client never sees success for a transaction that then failed.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
