"""People, reached only through the narrow functions of migration ``3f6b2d8e1c47``.

The runtime role has no policy on ``person`` and sees only its own tenant's memberships, so
whatever concerns a person across tenants is a ``SECURITY DEFINER`` function keyed by what
the caller already holds:

- ``auth_login_person(email)``: the person with that (normalised) address, their password
  hash, and each of their memberships (id, tenant, tenant slug, active flag), most recently
  used first; one row with no membership for a person with none. Before any tenant.
- ``auth_member_person(user_id)``: the person and password hash behind a membership of the
  transaction's own tenant (nothing for one of another tenant).
- ``auth_member_memberships(user_id)``: every membership of that person, with its tenant.
- ``auth_set_member_password(user_id, hash, end_other_sessions)``: the person's new
  password hash; with ``end_other_sessions``, every session, refresh token and reset link
  of their memberships in *other* tenants ends (the caller's own tenant is the service's).
- ``auth_create_person(email, hash)``: a new person; a taken address is ``uq_user_email``.
- ``account_forget_member(user_id)`` (migration ``e2b9c7d4a1f8``): a membership of the
  transaction's tenant deleted with all it owns, the audit trail's personal details of it
  stripped, the mail and invitations of its address deleted, and its person too when no
  other membership is left.
- ``auth_revoke_person_tokens(user_id)`` (migration ``c4e8a1f2d9b6``): every personal access
  token of every membership of the person, this tenant's included, is revoked.
"""

from __future__ import annotations

import uuid

from platform_common.db.database import Record, Transaction
from platform_common.db.lookups import PreTenantLookup

LOGIN_PERSON = PreTenantLookup("auth_login_person", arity=1)
MEMBER_PERSON = PreTenantLookup("auth_member_person", arity=1)
MEMBER_MEMBERSHIPS = PreTenantLookup("auth_member_memberships", arity=1)
SET_MEMBER_PASSWORD = PreTenantLookup("auth_set_member_password", arity=3)
CREATE_PERSON = PreTenantLookup("auth_create_person", arity=2)
FORGET_MEMBER = PreTenantLookup("account_forget_member", arity=1)
REVOKE_PERSON_TOKENS = PreTenantLookup("auth_revoke_person_tokens", arity=1)


class PersonRepository:
    def __init__(self, transaction: Transaction) -> None:
        self.transaction = transaction

    async def by_email(self, email: str) -> list[Record]:
        """The person of a normalised address, one row per membership (or one with none)."""
        return await self.transaction.lookup_all(LOGIN_PERSON, email)

    async def of_member(self, user_id: uuid.UUID) -> Record | None:
        return await self.transaction.lookup(MEMBER_PERSON, user_id)

    async def memberships(self, user_id: uuid.UUID) -> list[Record]:
        return await self.transaction.lookup_all(MEMBER_MEMBERSHIPS, user_id)

    async def set_password(
        self, user_id: uuid.UUID, hashed_password: str, *, end_other_sessions: bool
    ) -> None:
        await self.transaction.lookup(SET_MEMBER_PASSWORD, user_id, hashed_password, end_other_sessions)

    async def revoke_tokens(self, user_id: uuid.UUID) -> None:
        await self.transaction.lookup(REVOKE_PERSON_TOKENS, user_id)

    async def create(self, email: str, hashed_password: str) -> uuid.UUID:
        row = await self.transaction.lookup(CREATE_PERSON, email, hashed_password)
        assert row is not None  # noqa: S101  # INSERT ... RETURNING returns the row
        person_id: uuid.UUID = row["person_id"]
        return person_id

    async def forget_member(self, user_id: uuid.UUID) -> bool:
        """Delete a membership of this tenant and what it owns (``account_forget_member``);
        whether its person went too (it was their last membership)."""
        row = await self.transaction.lookup(FORGET_MEMBER, user_id)
        return bool(row and row["person_deleted"])
