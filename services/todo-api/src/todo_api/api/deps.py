"""Dependencies routes ask for: the request's session (its unit of work), services, and
the authenticated caller. ``get_authentication`` is the only way a route learns who calls.

Every dependency is ``async def``, even those that never await: FastAPI runs a plain
``def`` dependency (or a class) in the thread pool, a thread hop per request each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from platform_common.client_ip import client_ip
from platform_common.observability.request_context import bind_identity
from platform_common.ratelimit import RateLimiter
from todo_api.core.rate_limits import RatePolicies
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


async def get_auth_service(request: Request, session: SessionDep) -> AuthService:
    state = request.app.state
    return AuthService(session, state.settings, state.token_codec, state.password_hasher)


AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]


async def get_client_ip(request: Request) -> str:
    return client_ip(request.scope, request.app.state.trusted_proxies)


ClientIP = Annotated[str, Depends(get_client_ip)]


def _limits(request: Request) -> tuple[RateLimiter, RatePolicies]:
    return request.app.state.rate_limiter, request.app.state.rate_policies


async def get_authentication(
    request: Request,
    response: Response,
    auth: AuthServiceDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> Authenticated:
    """Verify the token, count the request against the caller's and the tenant's limits,
    then check the caller's current state in the database."""
    claims = auth.verify(token)
    limiter, policies = _limits(request)
    await limiter.check(
        response,
        (policies.user, f"{claims.tenant_id}:{claims.subject}"),
        (policies.tenant, str(claims.tenant_id)),
    )
    authenticated = await auth.load(claims)
    bind_identity(request, tenant_id=claims.tenant_id, user_id=claims.subject)
    return authenticated


Authentication = Annotated[Authenticated, Depends(get_authentication)]


async def get_current_user(authentication: Authentication) -> User:
    return authentication.user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def limit_anonymous(request: Request, response: Response, ip: ClientIP) -> None:
    limiter, policies = _limits(request)
    await limiter.check(response, (policies.anonymous, ip))


async def limit_signup(request: Request, response: Response, ip: ClientIP) -> None:
    limiter, policies = _limits(request)
    await limiter.check(response, (policies.anonymous, ip), (policies.signup, ip))


async def limit_login(
    request: Request, response: Response, ip: ClientIP, username: Annotated[str, Form(max_length=320)]
) -> None:
    """Per client IP, and per account across all IPs (a distributed guess at one password)."""
    limiter, policies = _limits(request)
    await limiter.check(response, (policies.login_ip, ip), (policies.login_account, username.strip().lower()))
