"""Sign-up and the token lifecycle: OAuth2 password login, rotation, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, status

from platform_common.auth.passwords import MAX_PASSWORD_LENGTH
from platform_common.errors import (
    Conflict,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    error_responses,
)
from todo_api.api.deps import (
    AuthServiceDep,
    CallerAuthServiceDep,
    CallerDep,
    limit_anonymous,
    limit_login,
    limit_signup,
)
from todo_api.api.responses import links_with_body
from todo_api.api.routing import resource_router
from todo_api.schemas.auth import LogoutRequest, RefreshRequest, SignupRequest, SignupResponse, TokenPair
from todo_api.schemas.common import SafeStr
from todo_api.schemas.tenant import TenantRead
from todo_api.schemas.user import UserRead

router = resource_router("auth")

# Links: sign up → log in as the new owner → rotate or end the session (stateful workflows).
_TOKEN_PAIR = {
    "description": "A new access token and refresh token",
    "links": links_with_body(
        {"refresh_token": "$response.body#/refresh_token"}, "auth_refresh", "auth_logout"
    ),
}


@router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    operation_id="auth_signup",
    summary="Create a tenant and its first user (the owner)",
    responses={
        201: {
            "description": "The new tenant and its owner",
            "links": links_with_body(
                {"username": "$response.body#/user/email", "password": "$request.body#/password"},
                "auth_token",
            ),
        },
        **error_responses(Conflict, TooManyRequests, ServiceUnavailable),
    },
    dependencies=[Depends(limit_signup)],
)
async def signup(body: SignupRequest, auth: AuthServiceDep) -> SignupResponse:
    tenant, user = await auth.signup(body)
    return SignupResponse(tenant=TenantRead.from_row(tenant), user=UserRead.from_row(user))


@router.post(
    "/token",
    operation_id="auth_token",
    summary="Log in with the OAuth2 password flow",
    responses={200: _TOKEN_PAIR, **error_responses(Unauthorized, TooManyRequests, ServiceUnavailable)},
    # Function scope: the failure slot is given back before the response, once the login committed.
    dependencies=[Depends(limit_login, scope="function")],
)
async def token(
    auth: AuthServiceDep,
    username: Annotated[SafeStr, Form(max_length=320, description="The user's e-mail address.")],
    password: Annotated[SafeStr, Form(max_length=MAX_PASSWORD_LENGTH)],
    grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
    scope: Annotated[str, Form(max_length=1000)] = "",
) -> TokenPair:
    return await auth.login(username, password)


@router.post(
    "/refresh",
    operation_id="auth_refresh",
    summary="Exchange a refresh token for a new token pair (rotation)",
    responses={200: _TOKEN_PAIR, **error_responses(Unauthorized, TooManyRequests, ServiceUnavailable)},
    dependencies=[Depends(limit_anonymous)],
)
async def refresh(body: RefreshRequest, auth: AuthServiceDep) -> TokenPair:
    return await auth.refresh(body.refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="auth_logout",
    summary="Revoke the refresh-token family and the current access token",
    responses=error_responses(Unauthorized, TooManyRequests, ServiceUnavailable),
)
async def logout(body: LogoutRequest, caller: CallerDep, auth: CallerAuthServiceDep) -> None:
    await auth.logout(caller, body.refresh_token)
