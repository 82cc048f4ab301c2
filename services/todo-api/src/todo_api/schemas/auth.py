from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from platform_common.auth.passwords import MAX_PASSWORD_LENGTH
from todo_api.models.tenant import SLUG_PATTERN
from todo_api.schemas.common import FullName, Password, RequestModel, SafeStr, TenantName
from todo_api.schemas.email import Email
from todo_api.schemas.tenant import TenantRead
from todo_api.schemas.user import UserRead

# Any credential-sized string is looked up, so a wrong one (an access token, say) gets the
# same 401 as an unknown refresh token rather than a 422 that tells the kinds of token apart.
OpaqueToken = Annotated[SafeStr, StringConstraints(min_length=1, max_length=4096)]


TenantSlugField = Annotated[str, Field(pattern=SLUG_PATTERN, examples=["acme"])]


class SignupRequest(RequestModel):
    tenant_name: TenantName
    tenant_slug: TenantSlugField
    email: Email
    password: Password
    full_name: FullName = ""


class SignupAccepted(BaseModel):
    detail: str = Field(
        examples=["Check your inbox: a link to finish signing up is on its way."],
        description="The same for every address, registered or not.",
    )


class SignupVerify(RequestModel):
    """The token of the e-mailed link; for an address that already has an account (the e-mail
    says so), that account's password too. A new address's verification ignores ``password``."""

    token: OpaqueToken
    password: Annotated[SafeStr, StringConstraints(max_length=MAX_PASSWORD_LENGTH)] | None = Field(
        default=None, description="The existing account's password, when the e-mail asks for it."
    )


class TokenPair(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsImtpZCI6InByaW1hcnkiLCJ0eXAiOiJKV1QifQ.e30.sig"])
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  # the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str = Field(examples=["3q2-7wEXAMPLEoNlyB1TfNrWvE2m4kP9sYcL0aZxUu8"])


class SwitchRequest(RequestModel):
    tenant: TenantSlugField = Field(description="The slug of another tenant the caller belongs to.")


class SignupVerified(TokenPair):
    """The new tenant, its owner (the verified address's membership), and the owner logged in."""

    tenant: TenantRead
    user: UserRead


class RefreshRequest(RequestModel):
    refresh_token: OpaqueToken


class LogoutRequest(RequestModel):
    refresh_token: OpaqueToken


class PasswordResetRequest(RequestModel):
    email: Email


class PasswordResetAccepted(BaseModel):
    detail: str = Field(
        examples=["If an active account has this address, a reset link is on its way."],
        description="The same for every address, registered or not.",
    )


# A reset token is 43 URL-safe characters; anything credential-sized is looked up and refused
# with the same 400 as a forged one.
class PasswordResetConfirm(RequestModel):
    token: OpaqueToken
    new_password: Password
