"""Sign-up and the token lifecycle: the OAuth2 token endpoint (password and refresh grants),
rotation, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, status

from platform_common.auth.oauth import (
    REFRESH_TOKEN_GRANT,
    InvalidGrant,
    InvalidRequest,
    TokenEndpointRoute,
    UnsupportedGrantType,
)
from platform_common.auth.passwords import MAX_PASSWORD_LENGTH
from platform_common.errors import (
    Conflict,
    ErrorSource,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    error_responses,
)
from todo_api.api.deps import (
    AuthServiceDep,
    CallerAuthServiceDep,
    CallerDep,
    GrantTypeForm,
    UsernameForm,
    limit_anonymous,
    limit_signup,
    limit_token_grant,
)
from todo_api.api.responses import links_with_body
from todo_api.api.routing import resource_router
from todo_api.schemas.auth import (
    LogoutRequest,
    OpaqueToken,
    RefreshRequest,
    SignupRequest,
    SignupResponse,
    TokenPair,
)
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


async def token(
    auth: AuthServiceDep,
    grant_type: GrantTypeForm = None,
    username: UsernameForm = None,
    password: Annotated[
        SafeStr | None, Form(max_length=MAX_PASSWORD_LENGTH, description="Password grant: the password.")
    ] = None,
    refresh_token: Annotated[
        OpaqueToken | None, Form(description="Refresh grant: the refresh token to rotate.")
    ] = None,
    scope: Annotated[str, Form(max_length=1000)] = "",
) -> TokenPair:
    """The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits."""
    try:
        if grant_type == REFRESH_TOKEN_GRANT:
            return await auth.refresh(_required("refresh_token", refresh_token))
        return await auth.login(_required("username", username), _required("password", password))
    except Unauthorized as refused:  # the credentials or the refresh token
        raise InvalidGrant(refused.detail, keep_changes=refused.keep_changes) from refused


def _required(name: str, value: str | None) -> str:
    if value is None:
        raise InvalidRequest(
            f"{name} is required for this grant_type", source=ErrorSource(pointer=f"/{name}")
        )
    return value


router.add_api_route(
    "/token",
    token,
    methods=["POST"],
    route_class_override=TokenEndpointRoute,
    operation_id="auth_token",
    summary="Log in (OAuth2 password grant) or rotate a refresh token (refresh_token grant)",
    responses={
        200: _TOKEN_PAIR,
        **error_responses(
            InvalidRequest, InvalidGrant, UnsupportedGrantType, TooManyRequests, ServiceUnavailable
        ),
    },
    # A password grant counts as a login; a refresh grant only as an anonymous request.
    # Function scope: a login's failure slot is given back before the response, once it committed.
    dependencies=[Depends(limit_token_grant, scope="function")],
)


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
