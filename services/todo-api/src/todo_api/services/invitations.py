"""Invitations: the one way into an existing tenant. An owner or admin invites an address with
a role; the address gets a single-use link valid seven days; whoever opens it accepts with a
password and is logged in to that tenant as a member with that role.

Enumeration. Inviting never reads anything outside the caller's tenant: an address with an
account elsewhere, or none at all, gets the same 201 after the same statements (only an
address that is already a member of *this* tenant is a 409, which tells the admin nothing
they cannot list). At acceptance, a new address's account takes the given password and an
existing account must give its own; either way one argon2 operation runs (a hash or a
verification), and a forged, expired, used or revoked token and a wrong password are one
400 ``invalid_invitation``. What the answer tells apart, a token's holder (the address's
mailbox, which could reset the account's password anyway) already knows.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

import structlog

from platform_common.auth.opaque import token_digest
from platform_common.db.database import Record, Transaction
from platform_common.errors import BadRequest, Conflict, Forbidden, NotFound
from platform_common.mail.outbox import secret_placeholder
from platform_common.pagination import PageQuery
from todo_api.core.runtime import Credentials
from todo_api.models import UserRole
from todo_api.repositories.auth_lookup import INVITATION_TOKEN
from todo_api.repositories.invitations import InvitationRepository
from todo_api.repositories.tenants import TenantRowRepository
from todo_api.repositories.users import UserRepository
from todo_api.schemas.audit import AuditEventType
from todo_api.schemas.auth import TokenPair
from todo_api.schemas.invitation import InvitationAccept, InvitationCreate
from todo_api.services.accounts import Accounts
from todo_api.services.audit import AuditTrail, Origin
from todo_api.services.auth import AuthService, Caller
from todo_api.services.mail_templates import queue_mail, render_mail
from todo_api.services.pages import rows_and_total
from todo_api.services.password_reset import ResetMail
from todo_api.services.users import require_admin

logger = structlog.get_logger(__name__)

INVITATION_TTL = timedelta(days=7)
INVITATION_TOKEN_BYTES = 32  # 256 bits
ACCEPT_PATH = "/accept-invitation"
GENERIC_INVITATION_FAILURE = "The invitation is invalid or has expired, or the password is wrong"
MAY_INVITE = "Only owners and admins may manage invitations"


class InvalidInvitation(BadRequest):
    """A forged, expired, used or revoked token, or a wrong password of an existing account."""

    code = "invalid_invitation"

    def __init__(self) -> None:
        super().__init__(GENERIC_INVITATION_FAILURE)


class AlreadyMember(Conflict):
    """The address is a member of the caller's tenant already (which the caller can list)."""

    code = "already_a_member"

    def __init__(self) -> None:
        super().__init__("A user of this tenant has this address already")


class InvitationService:
    """An owner's or admin's invitations, in their tenant."""

    def __init__(self, caller: Caller, origin: Origin, mail: ResetMail) -> None:
        self.caller = caller
        self.transaction = caller.transaction
        self.invitations = InvitationRepository(caller.transaction)
        self.audit = AuditTrail(caller.transaction, origin)
        self.mail = mail

    async def create(self, request: InvitationCreate) -> Record:
        """Invite ``request.email``, replacing its pending invitations here (a new link)."""
        require_admin(self.caller, MAY_INVITE)
        if request.role == UserRole.OWNER and self.caller.role != UserRole.OWNER:
            raise Forbidden("Only an owner may invite an owner")
        if await UserRepository(self.transaction).has_email(request.email):
            raise AlreadyMember
        for replaced in await self.invitations.revoke_for(request.email):
            await self._record(AuditEventType.INVITATION_REVOKED, replaced, {"reason": "replaced"})
        token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
        invitation = await self.invitations.create(
            {
                "id": uuid.uuid4(),
                "email": request.email,
                "role": request.role,
                "token_hash": token_digest(token),
                "invited_by": self.caller.id,
                "expires_at": datetime.now(UTC) + INVITATION_TTL,
            }
        )
        await self._send(invitation, token)
        await self._record(
            AuditEventType.INVITATION_CREATED,
            invitation,
            {"email": request.email, "role": request.role.value},
        )
        return invitation

    async def list(self, params: PageQuery) -> tuple[list[Record], int]:
        require_admin(self.caller, MAY_INVITE)
        rows = await self.invitations.page(limit=params.limit, offset=params.offset)
        return await rows_and_total(rows, params, self.invitations.count)

    async def revoke(self, invitation_id: uuid.UUID) -> None:
        require_admin(self.caller, MAY_INVITE)
        invitation = await self.invitations.revoke(invitation_id)
        if invitation is None:
            raise NotFound("Invitation not found")
        await self._record(AuditEventType.INVITATION_REVOKED, invitation, {"reason": "revoked"})

    async def _send(self, invitation: Record, token: str) -> None:
        tenant = await TenantRowRepository(self.transaction).get()
        assert tenant is not None  # noqa: S101  # the caller's tenant exists while the caller does
        link = f"{self.mail.link_base}{ACCEPT_PATH}?token={secret_placeholder('token')}"
        message = render_mail(
            "invitation",
            to=invitation["email"],
            values={"link": link, "tenant": tenant["name"], "days": str(INVITATION_TTL.days)},
            secrets={"token": token},
        )
        message_id = await queue_mail(self.transaction, self.mail.box, message)
        logger.info("invitation_sent", message_id=str(message_id))

    async def _record(
        self, event_type: AuditEventType, invitation: Record, details: dict[str, object]
    ) -> None:
        await self.audit.record(
            event_type,
            actor_id=self.caller.id,
            subject_id=invitation["id"],
            details={"email": invitation["email"], **details},
        )


class InvitationAcceptance:
    """Accepting an invitation: anonymous (the token is the credential) until it is accepted."""

    def __init__(self, transaction: Transaction, credentials: Credentials, origin: Origin) -> None:
        self.transaction = transaction
        self.credentials = credentials
        self.hasher = credentials.hasher
        self.origin = origin

    async def accept(self, request: InvitationAccept) -> TokenPair:
        """Join the inviting tenant with the invited role and log in there."""
        digest = token_digest(request.token)
        found = await self.transaction.lookup(INVITATION_TOKEN, digest)
        if found is None:
            raise InvalidInvitation
        await self.transaction.enter_tenant(found["tenant_id"])
        invitation = await InvitationRepository(self.transaction).accept(found["id"], digest)
        if invitation is None:
            raise InvalidInvitation
        accounts = Accounts(self.transaction, self.hasher)
        account = await accounts.find(invitation["email"])
        if account is None:
            hashed = await self.hasher.hash(request.password)
        elif await accounts.password_matches(account, request.password):
            hashed = account.hashed_password
        else:
            raise InvalidInvitation  # rolls the acceptance back: the link still works
        user = await accounts.join(
            account=account,
            email=invitation["email"],
            hashed_password=hashed,
            full_name=request.full_name,
            role=UserRole(invitation["role"]),
        )
        auth = AuthService(self.transaction, self.credentials, self.origin)
        await auth.audit.record(
            AuditEventType.INVITATION_ACCEPTED,
            actor_id=user["id"],
            subject_id=user["id"],
            details={"invitation_id": str(invitation["id"]), "email": user["email"], "role": user["role"]},
        )
        logger.info("invitation_accepted")
        return await auth.open_session(user["id"])
