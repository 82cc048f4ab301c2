"""Dependencies routes ask for: the request's session (its unit of work), services, and
the authenticated caller. ``get_authentication`` is the only way a route learns who calls."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from todo_api.db.session import SessionFactory, unit_of_work
from todo_api.models import User
from todo_api.services.auth import Authenticated, AuthService

TOKEN_URL = "/api/v1/auth/token"  # noqa: S105  # a path, not a secret

bearer_token = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    factory: SessionFactory = request.app.state.session_factory
    async with unit_of_work(factory) as session:
        yield session


# scope="function": the commit happens when the endpoint returns, before the response
# is sent, so a client never sees success for a transaction that then failed.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_auth_service(request: Request, session: SessionDep) -> AuthService:
    state = request.app.state
    return AuthService(session, state.settings, state.token_codec, state.password_hasher)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def get_authentication(
    auth: AuthServiceDep, token: Annotated[str | None, Depends(bearer_token)]
) -> Authenticated:
    return await auth.authenticate(token)


Authentication = Annotated[Authenticated, Depends(get_authentication)]


async def get_current_user(authentication: Authentication) -> User:
    return authentication.user


CurrentUser = Annotated[User, Depends(get_current_user)]
