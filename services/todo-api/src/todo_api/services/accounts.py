"""Accounts: the person an e-mail address names, and their memberships of tenants.

The one place that finds an account by its address before any tenant is known and that
makes a membership (sign-up, verification of a sign-up, acceptance of an invitation): the
flows that bind an address call this module, never the user repository, so who may join a
tenant, with which password, is decided here once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from platform_common.auth.passwords import PasswordHasher
from platform_common.db.database import Record, Transaction
from platform_common.db.errors import constraints_mapped
from todo_api.models import UserRole
from todo_api.repositories.lists import ListRepository
from todo_api.repositories.people import PersonRepository
from todo_api.repositories.users import UserRepository
from todo_api.services.errors import KNOWN_CONSTRAINTS


@dataclass(frozen=True, slots=True)
class Account:
    """The person behind an address: who they are and the hash their password must match."""

    person_id: uuid.UUID
    hashed_password: str


class Accounts:
    def __init__(self, transaction: Transaction, hasher: PasswordHasher) -> None:
        self.transaction = transaction
        self.hasher = hasher

    async def find(self, email: str) -> Account | None:
        """The account of a normalised address, read before any tenant is entered."""
        rows = await PersonRepository(self.transaction).by_email(email)
        return Account(rows[0]["person_id"], rows[0]["hashed_password"]) if rows else None

    async def password_matches(self, account: Account | None, password: str) -> bool:
        """Whether ``password`` is the account's; with no account a dummy hash is verified,
        so both answers cost the same."""
        valid, _ = await self.hasher.verify(password, account.hashed_password if account else None)
        return account is not None and valid

    async def join(
        self,
        *,
        account: Account | None,
        email: str,
        hashed_password: str,
        full_name: str,
        role: UserRole,
    ) -> Record:
        """The membership, in the tenant the transaction has entered, of ``account`` (or of a
        new person with ``email`` and ``hashed_password`` when None), with its default list.
        A taken address (a new person) or a second membership of the same tenant is a Conflict."""
        with constraints_mapped(KNOWN_CONSTRAINTS):
            person_id = (
                account.person_id
                if account
                else await PersonRepository(self.transaction).create(email, hashed_password)
            )
            user = await UserRepository(self.transaction).insert(
                {"person_id": person_id, "email": email, "full_name": full_name, "role": role}
            )
        await ListRepository(self.transaction, user["id"]).create_default()
        return user


def chosen_membership(person: list[Record], tenant: str | None) -> Record | None:
    """Of a person's memberships (most recently used first), the one a login asks for: in
    the tenant with slug ``tenant``, or else the most recently used active one (else the most
    recently used, which the login then refuses as inactive). A tenant pending deletion is
    never picked unless named (its owner logs in to cancel; ``may_log_in_during_deletion``)."""
    memberships = [row for row in person if row["user_id"] is not None]
    if tenant is not None:
        return next((row for row in memberships if row["tenant_slug"] == tenant), None)
    memberships = [row for row in memberships if row["tenant_purge_after"] is None]
    return next((row for row in memberships if row["is_active"]), memberships[0] if memberships else None)
