"""Sign-up (verified by e-mail) and the token lifecycle: the OAuth2 token endpoint (password and refresh grants),
rotation, logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Response, status

from platform_common.auth.oauth import (
    REFRESH_TOKEN_GRANT,
    InvalidGrant,
    InvalidRequest,
    TokenEndpointRoute,
    UnsupportedGrantType,
)
from platform_common.auth.passwords import MAX_PASSWORD_LENGTH
from platform_common.errors import (
    BadRequest,
    Conflict,
    ErrorSource,
    Forbidden,
    NotFound,
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
    InvitationAcceptanceDep,
    PasswordResetDep,
    RuntimeDep,
    SignupDep,
    TenantSwitchDep,
    UsernameForm,
    limit_anonymous,
    limit_invitation_accept,
    limit_password_reset,
    limit_password_reset_mail,
    limit_signup,
    limit_signup_mail,
    limit_token_grant,
)
from todo_api.api.responses import links_with_body
from todo_api.api.routing import resource_router
from todo_api.schemas.auth import (
    LogoutRequest,
    OpaqueToken,
    PasswordResetAccepted,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SignupAccepted,
    SignupRequest,
    SignupVerified,
    SignupVerify,
    SwitchRequest,
    TokenPair,
)
from todo_api.schemas.common import SafeStr
from todo_api.schemas.invitation import InvitationAccept
from todo_api.schemas.tenant import TenantRead
from todo_api.schemas.user import UserRead

router = resource_router("auth")

# Links: sign up → verify (the new owner is logged in) → rotate or end the session (stateful workflows).
_TOKEN_PAIR = {
    "description": "A new access token and refresh token",
    "links": links_with_body(
        {"refresh_token": "$response.body#/refresh_token"}, "auth_refresh", "auth_logout"
    ),
}


SIGNUP_ACCEPTED = SignupAccepted(detail="Check your inbox: a link to finish signing up is on its way.")


@router.post(
    "/signup",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="auth_signup",
    summary="E-mail a link that creates a tenant and its owner (the same answer for every address)",
    responses={
        # No link to the verification: its token comes by e-mail, never in this response.
        202: {"description": "The link is on its way to the address (whether or not it has an account)"},
        **error_responses(TooManyRequests, ServiceUnavailable),
    },
    dependencies=[Depends(limit_signup)],
)
async def signup(
    body: SignupRequest, response: Response, runtime: RuntimeDep, signups: SignupDep
) -> SignupAccepted:
    """Creates nothing: always 202 with the same body, and an e-mail to `email` with a link
    valid 24 hours (`<PUBLIC_BASE_URL>/verify-signup?token=...`); an address that already has
    an account is told so in the e-mail. The slug is checked at verification. Limited per
    client IP and per address (verification mails)."""
    await limit_signup_mail(response, runtime, body.email)
    await signups.request(body)
    return SIGNUP_ACCEPTED


@router.post(
    "/signup/verify",
    status_code=status.HTTP_201_CREATED,
    operation_id="auth_signup_verify",
    summary="Create the tenant and its owner with a sign-up token, and log the owner in",
    responses={
        201: {
            "description": "The new tenant, its owner, and the owner's first token pair",
            "links": links_with_body(
                {"refresh_token": "$response.body#/refresh_token"}, "auth_refresh", "auth_logout"
            ),
        },
        **error_responses(BadRequest, Conflict, TooManyRequests, ServiceUnavailable),
    },
    dependencies=[Depends(limit_anonymous)],
)
async def signup_verify(body: SignupVerify, signups: SignupDep) -> SignupVerified:
    """A forged, expired or used token is 400 `invalid_signup_token`. Where the address already
    has an account (the e-mail said so), `password` must be its password, else 400
    `invalid_signup_password` (the token stays usable; the fifth wrong one spends it); for a
    new address `password` is ignored. A taken slug is 409 and leaves the token usable."""
    verified = await signups.verify(body.token, body.password)
    return SignupVerified(
        tenant=TenantRead.from_row(verified.tenant),
        user=UserRead.from_row(verified.user),
        **verified.tokens.model_dump(),
    )


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
    tenant: Annotated[
        SafeStr | None,
        Form(
            max_length=63,
            description="Password grant: the slug of the tenant to log in to; without it, the "
            "most recently used of the person's active memberships.",
        ),
    ] = None,
) -> TokenPair:
    """The OAuth2 token endpoint. Errors follow RFC 6749 §5.2: 400 with `error` and
    `error_description` beside the envelope's `errors`. A refresh grant is the rotation of
    `POST /auth/refresh` and never counts toward the login limits."""
    try:
        if grant_type == REFRESH_TOKEN_GRANT:
            return await auth.refresh(_required("refresh_token", refresh_token))
        return await auth.login(_required("username", username), _required("password", password), tenant)
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
    "/switch",
    operation_id="auth_switch",
    summary="A new token pair for another tenant the caller belongs to",
    responses={200: _TOKEN_PAIR, **error_responses(Unauthorized, Forbidden, NotFound, TooManyRequests)},
)
async def switch(body: SwitchRequest, switch: TenantSwitchDep) -> TokenPair:
    """A new session in the tenant with slug `tenant`, as a login there would open; the
    current session stays valid. 404 for a tenant the caller is not a member of, 403 for a
    membership that is deactivated."""
    return await switch.switch(body.tenant)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="auth_logout",
    summary="Revoke the refresh-token family and the current access token",
    responses=error_responses(Unauthorized, TooManyRequests, ServiceUnavailable),
)
async def logout(body: LogoutRequest, caller: CallerDep, auth: CallerAuthServiceDep) -> None:
    await auth.logout(caller, body.refresh_token)


RESET_ACCEPTED = PasswordResetAccepted(
    detail="If an active account has this address, a reset link is on its way."
)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="auth_password_reset",
    summary="E-mail a single-use password-reset link (the same answer for every address)",
    responses=error_responses(TooManyRequests, ServiceUnavailable),
    dependencies=[Depends(limit_password_reset)],
)
async def password_reset(
    body: PasswordResetRequest, response: Response, runtime: RuntimeDep, resets: PasswordResetDep
) -> PasswordResetAccepted:
    """Always 202 with the same body, whether or not an account has the address; an active
    account gets a link valid for one hour (`<PUBLIC_BASE_URL>/reset-password?token=...`).
    Limited per client IP and per address (reset mails only: never the login)."""
    await limit_password_reset_mail(response, runtime, body.email)
    await resets.request(body.email)
    return RESET_ACCEPTED


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="auth_password_reset_confirm",
    summary="Set a new password with a reset token; every session and token of the account ends",
    responses=error_responses(BadRequest, TooManyRequests, ServiceUnavailable),
    dependencies=[Depends(limit_password_reset)],
)
async def password_reset_confirm(body: PasswordResetConfirm, resets: PasswordResetDep) -> None:
    """A forged, expired or already used token is 400 `invalid_reset_token`, one message for all."""
    await resets.confirm(body.token, body.new_password)


@router.post(
    "/invitations/accept",
    operation_id="auth_invitations_accept",
    summary="Accept an invitation: join its tenant with the invited role and log in there",
    responses={
        200: _TOKEN_PAIR,
        **error_responses(BadRequest, Conflict, TooManyRequests, ServiceUnavailable),
    },
    dependencies=[Depends(limit_invitation_accept)],
)
async def accept_invitation(body: InvitationAccept, acceptance: InvitationAcceptanceDep) -> TokenPair:
    """A new address's account is created with `password`; an address that has an account
    must give that account's password. A forged, expired, used or revoked token, or a wrong
    password, is 400 `invalid_invitation`, one message for all. Limited per client IP
    (`RATE_LIMIT_INVITATION_ACCEPT_IP`)."""
    return await acceptance.accept(body)
