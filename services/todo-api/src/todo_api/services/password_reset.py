"""Password reset: a single-use link by e-mail, then a new password that ends every session.

A reset is the person's: the link is kept in the tenant of their most recently used active
membership (found before any tenant is known through ``auth_login_person``, the login's
narrow lookup), and the new password ends every session and token of every membership.

Enumeration. ``request`` answers the same for every address and does the same work on both
branches where it can: the account lookup always runs, a token is always drawn and hashed and
the message always rendered and sealed; where an active account exists it makes four round
trips (the tenant set, the token row, the message, the audit event
``auth.password.reset_requested``), and for an unknown or deactivated address four round trips
of no effect instead (``_HIT_ROUND_TRIPS``: a write added to the hit branch adds one here), so
the branches differ in neither the number of statements nor the CPU spent (only in rows
written; a test counts the statements of both); the hit's COMMIT does not wait for the disk,
so it takes no longer than the miss's, which wrote nothing.

Audit. A mailed link is ``auth.password.reset_requested`` (no actor: anyone may ask; the
account as subject; the message's id), recorded only for an active account, in its tenant. A
confirmation is ``auth.password.reset`` (the account as actor and subject: holding the mailed
token proves its mailbox), in the unit of work that set the password and ended every session,
so it exists if and only if they did.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from platform_common.auth.opaque import token_digest
from platform_common.db.database import Transaction
from platform_common.errors import BadRequest
from platform_common.mail.outbox import secret_placeholder, send_mail
from platform_common.webhooks.secrets import SecretBox
from todo_api.core.runtime import Credentials
from todo_api.repositories.auth_lookup import PASSWORD_RESET_TOKEN
from todo_api.repositories.password_resets import PasswordResetTokenRepository
from todo_api.repositories.people import PersonRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.services.accounts import chosen_membership
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import end_user_sessions
from todo_api.services.mail_templates import render_mail

logger = structlog.get_logger(__name__)

RESET_TOKEN_TTL = timedelta(hours=1)
RESET_TOKEN_BYTES = 32  # 256 bits
RESET_PATH = "/reset-password"
GENERIC_RESET_FAILURE = "The reset link is invalid or has expired"
# A statement of no effect: the miss branch runs it once for each round trip of the hit's
# writes (the tenant, the token row, the message, the audit event).
_EQUIVALENT_WORK = "SELECT 1"
_HIT_ROUND_TRIPS = 4


class InvalidResetToken(BadRequest):
    """A forged, expired or used token, or one whose account is gone or deactivated: one answer."""

    code = "invalid_reset_token"

    def __init__(self) -> None:
        super().__init__(GENERIC_RESET_FAILURE)


@dataclass(frozen=True, slots=True)
class ResetMail:
    """What the e-mail needs: the sealing keyring and the base of the link."""

    box: SecretBox
    link_base: str


class PasswordResetService:
    def __init__(
        self, transaction: Transaction, credentials: Credentials, mail: ResetMail, origin: Origin
    ) -> None:
        self.transaction = transaction
        self.hasher = credentials.hasher
        self.mail = mail
        self.audit = AuditTrail(transaction, origin)

    async def request(self, email: str) -> None:
        """Queue a reset link for the account of ``email`` if it exists and is active; nothing else."""
        account = chosen_membership(await PersonRepository(self.transaction).by_email(email), None)
        token = secrets.token_urlsafe(RESET_TOKEN_BYTES)
        digest = token_digest(token)
        link = f"{self.mail.link_base}{RESET_PATH}?token={secret_placeholder('token')}"
        message = render_mail(
            "password_reset",
            to=email,
            values={"link": link, "minutes": str(int(RESET_TOKEN_TTL.total_seconds() // 60))},
            secrets={"token": token},
        )
        if account is None or not account["is_active"]:
            self.mail.box.seal(token)  # the sealing the hit branch does in send_mail
            for _ in range(_HIT_ROUND_TRIPS):
                await self.transaction.connection.execute(_EQUIVALENT_WORK)
            return
        # Its COMMIT does not wait for the disk, so it takes as long as the miss's (which wrote
        # nothing): a link lost in a crash of the next fraction of a second is asked for again.
        await self.transaction.enter_tenant(account["tenant_id"], synchronous_commit=False)
        await PasswordResetTokenRepository(self.transaction).create(
            token_id=uuid.uuid4(),
            user_id=account["user_id"],
            token_hash=digest,
            expires_at=datetime.now(UTC) + RESET_TOKEN_TTL,
        )
        message_id = await send_mail(self.transaction, self.mail.box, message)
        await self.audit.record(
            AuditEventType.PASSWORD_RESET_REQUESTED,
            actor_id=None,
            subject_id=account["user_id"],
            details={"message_id": str(message_id)},
        )
        logger.info("password_reset_requested", message_id=str(message_id))

    async def confirm(self, token: str, new_password: str) -> None:
        """Set the person's password, spend the token, end every session and token (personal
        access tokens too) of every membership."""
        digest = token_digest(token)
        found = await self.transaction.lookup(PASSWORD_RESET_TOKEN, digest)
        if found is None:
            raise InvalidResetToken
        await self.transaction.enter_tenant(found["tenant_id"])
        tokens = PasswordResetTokenRepository(self.transaction)
        row = await tokens.use(found["id"], digest)
        if row is None:
            raise InvalidResetToken
        users = UserRepository(self.transaction)
        user = await users.get(row["user_id"], for_update=True)
        if user is None or not user["is_active"]:
            raise InvalidResetToken
        hashed = await self.hasher.hash(new_password)
        # A new token version kills every access token at once (checked on every request).
        await users.update(
            user["id"], {"token_version": user["token_version"] + 1, "password_change_failures": 0}
        )
        await end_user_sessions(self.transaction, user["id"])
        await tokens.use_all(user["id"])
        # The person's password: their memberships of other tenants end every session too.
        people = PersonRepository(self.transaction)
        await people.set_password(user["id"], hashed, end_other_sessions=True)
        # And every personal access token of the person, in every membership.
        await people.revoke_tokens(user["id"])
        await self.audit.record(AuditEventType.PASSWORD_RESET, actor_id=user["id"], subject_id=user["id"])
        logger.info("password_reset_completed")
