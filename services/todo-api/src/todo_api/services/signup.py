"""Verified sign-up: ``request`` mails a link and creates nothing; ``verify`` with the link's
token creates the tenant, the owner's membership and its default list, and logs the owner in.

Nothing is bound to an address until its owner proves they read mail sent to it. The
pending sign-up (``pending_signup``) keeps only the SHA-256 of the 256-bit token and the
password's hash; it lives in the tenant the verification will create (its id is drawn here),
with the message that carries its link (see ``models.auth.PendingSignup`` for why).

Enumeration. ``request`` answers the same for every address and does the same work on both
branches: the password is hashed, the account looked up, a token drawn, one of two
templates of the same size rendered (the only difference: an address that already has an
account is told so, and that verifying needs that account's password), then the same two
writes (the pending sign-up, the message). A taken slug is found only at verification, and
the per-address mail cap counts registered and unknown addresses alike. The e-mail carries
no text the caller chose (neither the tenant's name nor its slug), so the service is no
relay for someone else's words.

Verification. Only the token's holder gets an answer about the account, and the e-mail
already told them. For an address with an account, ``password`` must be that account's
(checked with ``Accounts.password_matches``); missing or wrong is one error,
``invalid_signup_password``, which leaves the token usable, and the fifth wrong one spends it
so that a leaked link is not a password oracle. For a new address ``password`` is ignored,
but a dummy hash is still verified, so both branches cost the same. A taken slug is a 409 that
rolls everything back, the token included: the same link works once the slug is free.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from platform_common.auth.opaque import token_digest
from platform_common.db.database import Record, Transaction
from platform_common.db.errors import constraints_mapped
from platform_common.errors import BadRequest
from platform_common.mail.outbox import secret_placeholder
from platform_common.webhooks.secrets import SecretBox
from todo_api.core.runtime import Credentials
from todo_api.models import UserRole
from todo_api.repositories.auth_lookup import PENDING_SIGNUP
from todo_api.repositories.signups import PendingSignupRepository
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.auth import SignupRequest, TokenPair
from todo_api.services.accounts import Accounts
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import AuthService
from todo_api.services.errors import KNOWN_CONSTRAINTS
from todo_api.services.mail_templates import queue_mail, render_mail

logger = structlog.get_logger(__name__)

SIGNUP_TOKEN_TTL = timedelta(hours=24)
SIGNUP_TOKEN_BYTES = 32  # 256 bits
VERIFY_PATH = "/verify-signup"
MAX_PASSWORD_FAILURES = 5


class InvalidSignupToken(BadRequest):
    """A forged, expired or used token: one answer."""

    code = "invalid_signup_token"

    def __init__(self) -> None:
        super().__init__("The sign-up link is invalid or has expired")


class InvalidSignupPassword(BadRequest):
    """The address has an account and ``password`` is missing or not its password. Only the
    token's holder can get this answer, and their e-mail already said there is an account."""

    code = "invalid_signup_password"

    def __init__(self) -> None:
        super().__init__(
            "This address already has an account: give that account's password",
            keep_changes=True,  # the count of wrong passwords
        )


@dataclass(frozen=True, slots=True)
class SignupMail:
    """What the e-mail needs: the sealing keyring and the base of the link."""

    box: SecretBox
    link_base: str


@dataclass(frozen=True, slots=True)
class Verified:
    tenant: Record
    user: Record
    tokens: TokenPair


class SignupService:
    def __init__(
        self, transaction: Transaction, credentials: Credentials, mail: SignupMail, origin: Origin
    ) -> None:
        self.transaction = transaction
        self.hasher = credentials.hasher
        self.accounts = Accounts(transaction, credentials.hasher)
        self.auth = AuthService(transaction, credentials, origin)
        self.audit = AuditTrail(transaction, origin)
        self.mail = mail

    async def request(self, request: SignupRequest) -> None:
        """Keep the sign-up and mail its link to ``request.email``; nothing else."""
        hashed = await self.hasher.hash(request.password)
        account = await self.accounts.find(request.email)
        token = secrets.token_urlsafe(SIGNUP_TOKEN_BYTES)
        message = render_mail(
            "signup" if account is None else "signup_existing",
            to=request.email,
            values={
                "link": f"{self.mail.link_base}{VERIFY_PATH}?token={secret_placeholder('token')}",
                "hours": str(int(SIGNUP_TOKEN_TTL.total_seconds() // 3600)),
            },
            secrets={"token": token},
        )
        await self.transaction.enter_tenant(uuid.uuid4())  # the tenant the verification creates
        await PendingSignupRepository(self.transaction).create(
            id=uuid.uuid4(),
            token_hash=token_digest(token),
            email=request.email,
            tenant_name=request.tenant_name,
            tenant_slug=request.tenant_slug,
            full_name=request.full_name,
            hashed_password=hashed,
            expires_at=datetime.now(UTC) + SIGNUP_TOKEN_TTL,
        )
        message_id = await queue_mail(self.transaction, self.mail.box, message)
        logger.info("signup_requested", message_id=str(message_id))

    async def verify(self, token: str, password: str | None) -> Verified:
        """Create the tenant, the owner's membership (of the existing account when the address
        has one, whose ``password`` must then match) and log the owner in."""
        digest = token_digest(token)
        found = await self.transaction.lookup(PENDING_SIGNUP, digest)
        if found is None:
            raise InvalidSignupToken
        await self.transaction.enter_tenant(found["tenant_id"])
        pending_signups = PendingSignupRepository(self.transaction)
        pending = await pending_signups.claim(found["id"], digest)
        if pending is None:
            raise InvalidSignupToken
        account = await self.accounts.find(pending["email"])
        matches = await self.accounts.password_matches(account, password or "")
        if account is not None and not matches:
            await pending_signups.count_password_failure(pending["id"], MAX_PASSWORD_FAILURES)
            raise InvalidSignupPassword
        await pending_signups.use(pending["id"])
        with constraints_mapped(KNOWN_CONSTRAINTS):
            tenant = await TenantRowRepository(self.transaction).create(
                slug=pending["tenant_slug"], name=pending["tenant_name"]
            )
        user = await self.accounts.join(
            account=account,
            email=pending["email"],
            hashed_password=pending["hashed_password"],
            full_name=pending["full_name"],
            role=UserRole.OWNER,
        )
        await self.audit.record(
            AuditEventType.USER_CREATED,
            actor_id=user["id"],
            subject_id=user["id"],
            details={"email": user["email"], "role": UserRole.OWNER.value, "signup": True},
        )
        tokens = await self.auth.open_session(user["id"])
        logger.info("signup_verified")
        return Verified(tenant, user, tokens)
